package store

import (
	"slices"
	"strings"

	"github.com/churnrisk/churn/internal/cases"
)

// CaseSorts are the orders of the case list: by the score at the opening
// (the default) and by the revenue at risk at the opening, largest first,
// ties by case id.
var CaseSorts = []Sort{SortScore, SortRevenue}

// Case list page sizes.
const (
	DefaultCaseLimit = 50
	MaxCaseLimit     = 500
	// caseScan bounds how many cases one page reads while filtering: a
	// page of a selective filter may come back short, with a cursor to go
	// on from.
	caseScan = 2000
)

// CaseQuery selects a page of cases. Empty fields select everything.
type CaseQuery struct {
	Status cases.Status
	// Owner selects one owner's cases; Unassigned selects the cases
	// without one (Owner is then ignored).
	Owner      string
	Unassigned bool
	Play       string
	Group      cases.Group
	Sort       Sort // "" means SortScore
	Limit      int  // 0 means DefaultCaseLimit; at most MaxCaseLimit
	Cursor     string
}

// CasePage is a page of cases in the query's order; Next is empty on the
// last page.
type CasePage struct {
	Items []cases.Case
	Next  string
}

func (q CaseQuery) order() Sort {
	if q.Sort == "" {
		return SortScore
	}
	return q.Sort
}

func (q CaseQuery) valid() bool { return q.Sort == "" || slices.Contains(CaseSorts, q.Sort) }

func (q CaseQuery) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultCaseLimit
	case q.Limit > MaxCaseLimit:
		return MaxCaseLimit
	}
	return q.Limit
}

// match says whether c is selected by the query's filters.
func (q CaseQuery) match(c *cases.Case) bool {
	switch {
	case q.Status != "" && c.Status != q.Status,
		q.Unassigned && c.Owner != "",
		!q.Unassigned && q.Owner != "" && c.Owner != q.Owner,
		q.Play != "" && c.Play.ID != q.Play,
		q.Group != "" && c.Group != q.Group:
		return false
	}
	return true
}

// caseKey is a case's key in order o (ascending lists the largest first).
func caseKey(o Sort, c *cases.Case) float64 {
	if o == SortRevenue {
		return -q6(c.RevenueAtRisk)
	}
	return -c.Score
}

// caseDone says whether a case no longer blocks a new one for its
// customer: the team closed it or its outcome is known.
func caseDone(c *cases.Case) bool { return c.Status.Closed() || c.Outcome != cases.OutcomeNone }

// sortNewestFirst orders a customer's cases by opening, newest first.
func sortNewestFirst(cs []cases.Case) {
	slices.SortFunc(cs, func(a, b cases.Case) int {
		if c := b.OpenedAt.Compare(a.OpenedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
