package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/churnrisk/churn/internal/cases"
)

// memCases is the embedded store's cases.
type memCases struct {
	mu    sync.RWMutex
	byID  map[string]*cases.Case
	open  map[string]string   // customer -> its open case
	ofCus map[string][]string // customer -> its cases, oldest first
}

func (m *memCases) init() {
	if m.byID == nil {
		m.byID, m.open, m.ofCus = map[string]*cases.Case{}, map[string]string{}, map[string][]string{}
	}
}

// OpenCase stores c as its customer's open case unless the customer has
// an open case already (one not closed and without an outcome); it says
// whether c was opened. Opening the same case twice opens it once.
func (s *Mem) OpenCase(ctx context.Context, c cases.Case) (bool, error) {
	m := &s.cases
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.open[c.CustomerID]; ok {
		return false, nil
	}
	if _, ok := m.byID[c.ID]; ok {
		return false, nil
	}
	cp := cloneCase(c)
	m.byID[c.ID] = &cp
	m.ofCus[c.CustomerID] = append(m.ofCus[c.CustomerID], c.ID)
	if !caseDone(&cp) {
		m.open[c.CustomerID] = c.ID
	}
	return true, nil
}

// GetCase returns a case, or ErrNotFound.
func (s *Mem) GetCase(ctx context.Context, id string) (cases.Case, error) {
	m := &s.cases
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.byID[id]
	if !ok {
		return cases.Case{}, ErrNotFound
	}
	return cloneCase(*c), nil
}

// UpdateCase replaces a case by what fn makes of it (fn decides, the store
// applies); an error of fn is returned as it is and changes nothing. A
// case that fn closes or settles is its customer's open case no longer.
func (s *Mem) UpdateCase(ctx context.Context, id string, fn func(cases.Case) (cases.Case, error)) (cases.Case, error) {
	m := &s.cases
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.byID[id]
	if !ok {
		return cases.Case{}, ErrNotFound
	}
	next, err := fn(cloneCase(*c))
	if err != nil {
		return cases.Case{}, err
	}
	if next.ID != c.ID || next.CustomerID != c.CustomerID {
		return cases.Case{}, fmt.Errorf("update case %s: the id and customer may not change", id)
	}
	*c = cloneCase(next)
	if caseDone(c) && m.open[c.CustomerID] == id {
		delete(m.open, c.CustomerID)
	}
	return cloneCase(*c), nil
}

// CustomerCases returns a customer's cases, newest first.
func (s *Mem) CustomerCases(ctx context.Context, customer string) ([]cases.Case, error) {
	m := &s.cases
	m.mu.RLock()
	defer m.mu.RUnlock()
	ids := m.ofCus[customer]
	out := make([]cases.Case, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, cloneCase(*m.byID[ids[i]]))
	}
	return out, nil
}

// Cases returns a page of cases (CaseQuery).
func (s *Mem) Cases(ctx context.Context, q CaseQuery) (CasePage, error) {
	if !q.valid() {
		return CasePage{}, fmt.Errorf("cases: unknown sort %q", q.Sort)
	}
	o := q.order()
	var ck float64
	var cid string
	if q.Cursor != "" {
		var err error
		if ck, cid, err = decodeCursor(o, q.Cursor); err != nil {
			return CasePage{}, err
		}
	}
	m := &s.cases
	m.mu.RLock()
	all := make([]*cases.Case, 0, len(m.byID))
	for _, c := range m.byID {
		if q.Cursor == "" || after(caseKey(o, c), c.ID, ck, cid) {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, func(a, b *cases.Case) int {
		ka, kb := caseKey(o, a), caseKey(o, b)
		if ka != kb {
			if ka < kb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	var page CasePage
	limit := q.limit()
	for i, c := range all {
		if q.match(c) {
			page.Items = append(page.Items, cloneCase(*c))
		}
		if (len(page.Items) == limit || i+1 == caseScan) && i+1 < len(all) {
			page.Next = encodeCursor(o, caseKey(o, c), c.ID)
			break
		}
	}
	m.mu.RUnlock()
	return page, nil
}

// PendingCases calls fn with every case whose outcome is not known yet,
// in no particular order, until fn returns an error.
func (s *Mem) PendingCases(ctx context.Context, fn func(c cases.Case) error) error {
	m := &s.cases
	m.mu.RLock()
	var pending []cases.Case
	for _, c := range m.byID {
		if c.Outcome == cases.OutcomeNone {
			pending = append(pending, cloneCase(*c))
		}
	}
	m.mu.RUnlock()
	for _, c := range pending {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// cloneCase copies a case deep enough that the copy shares nothing a
// caller may change.
func cloneCase(c cases.Case) cases.Case {
	c.Drivers = slices.Clone(c.Drivers)
	c.Notes = slices.Clone(c.Notes)
	if c.MRR != nil {
		v := *c.MRR
		c.MRR = &v
	}
	if c.OutcomeAt != nil {
		t := *c.OutcomeAt
		c.OutcomeAt = &t
	}
	if c.Play.Translations != nil {
		tr := make(map[string]cases.Text, len(c.Play.Translations))
		for k, v := range c.Play.Translations {
			tr[k] = v
		}
		c.Play.Translations = tr
	}
	return c
}
