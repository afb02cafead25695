package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/signals"
)

// Mem is the embedded in-process store. It is safe for concurrent use; a
// batch of events is applied under one lock, so a batch is stored whole or
// not at all. Its data lives as long as the process.
type Mem struct {
	mu        sync.RWMutex
	customers map[string]*memCustomer
	atRisk    map[string]Level // customers on the at-risk list and their tiers
	flows     metrics.Aggregate
	ledger    metrics.Ledger
	retention int32
	dedupeTTL time.Duration
	now       func() time.Time
	cases     memCases
	perf      memPerformance
}

type memCustomer struct {
	profile *features.Profile
	hist    signals.History
	notes   []signals.Excerpt    // newest first, at most MaxExcerpts
	seen    map[string]time.Time // event id -> expiry
	cached  *Cached
	score   *Score
	daily   []dailyScore // the last score of each recent day, see recordDaily
	metrics metrics.Customer
	share   metrics.Share // the customer's part in the ledger's running sums
	alerts  map[string]bool
}

// MemOptions configures NewMem.
type MemOptions struct {
	// RetentionDays is how many days of aggregates are kept (the lookback
	// plus a margin); 0 means DefaultRetentionDays.
	RetentionDays int
	// DedupeTTL is how long an event id is remembered; 0 means DefaultDedupeTTL.
	DedupeTTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewMem returns an empty embedded store.
func NewMem(o MemOptions) *Mem {
	if o.RetentionDays <= 0 {
		o.RetentionDays = DefaultRetentionDays
	}
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = DefaultDedupeTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Mem{customers: map[string]*memCustomer{}, atRisk: map[string]Level{}, retention: int32(o.RetentionDays), dedupeTTL: o.DedupeTTL, now: o.Now}
}

func (m *Mem) get(id string) *memCustomer {
	c := m.customers[id]
	if c == nil {
		c = &memCustomer{}
		m.customers[id] = c
	}
	return c
}

// PutCustomer creates or replaces a customer's profile and drops its cached
// feature vector.
func (m *Mem) PutCustomer(_ context.Context, p features.Profile) error {
	p.Attributes = maps.Clone(p.Attributes)
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.get(p.ID)
	c.profile = &p
	c.cached = nil
	m.setMetrics(c, metrics.Update(c.metrics, p, now), now)
	return nil
}

// setMetrics replaces the metrics state of a customer whose profile was
// just put, applies the change of its contribution to the flows, and
// applies the ledger's change of the new profile (a customer who has left
// also leaves the at-risk list).
func (m *Mem) setMetrics(c *memCustomer, next metrics.Customer, now time.Time) {
	m.flows.Add(m.flows.Diff(next, c.metrics), 1)
	c.metrics = next
	ch := c.share.Profiled(c.profile, now)
	m.ledger.Apply(ch)
	c.share = ch.Next
	if ch.Next.Left {
		delete(m.atRisk, c.profile.ID)
	}
}

// GetCustomer returns a customer's profile. A customer known only from its
// events has a profile holding just its id. It returns ErrNotFound for an
// unknown customer.
func (m *Mem) GetCustomer(_ context.Context, id string) (features.Profile, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.profile(id)
}

func (m *Mem) profile(id string) (features.Profile, error) {
	c := m.customers[id]
	if c == nil {
		return features.Profile{}, ErrNotFound
	}
	if c.profile == nil {
		return features.Profile{ID: id}, nil
	}
	p := *c.profile
	p.Attributes = maps.Clone(p.Attributes)
	return p, nil
}

// AddEvents stores a batch of events. An event whose id was already stored
// for the same customer (or appears earlier in the batch) is a duplicate and
// changes nothing. Events older than the retention window are accepted but
// not kept. The cached feature vectors of the customers concerned are dropped.
func (m *Mem) AddEvents(_ context.Context, events []Event) (accepted, duplicates int, err error) {
	now := m.now()
	oldest := signals.DayNumber(now) - m.retention
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range events {
		e := &events[i]
		c := m.get(e.CustomerID)
		if e.EventID != "" {
			if exp, ok := c.seen[e.EventID]; ok && now.Before(exp) {
				duplicates++
				continue
			}
			if c.seen == nil {
				c.seen = map[string]time.Time{}
			}
			c.seen[e.EventID] = now.Add(m.dedupeTTL)
		}
		accepted++
		c.cached = nil
		if e.Day.Day >= oldest {
			c.hist.Add(e.Day)
			if e.Excerpt != nil {
				c.addExcerpt(*e.Excerpt)
			}
		}
	}
	for i := range events {
		m.trim(m.customers[events[i].CustomerID], now, oldest)
	}
	return accepted, duplicates, nil
}

// trim drops days before oldest and expired dedupe entries.
func (m *Mem) trim(c *memCustomer, now time.Time, oldest int32) {
	if len(c.hist) > 0 && c.hist[0].Day < oldest {
		c.hist = slices.Clone(c.hist.Window(oldest, c.hist[len(c.hist)-1].Day+1))
	}
	for len(c.notes) > 0 && signals.DayNumber(c.notes[len(c.notes)-1].At) < oldest {
		c.notes = c.notes[:len(c.notes)-1]
	}
	for k, exp := range c.seen {
		if !now.Before(exp) {
			delete(c.seen, k)
		}
	}
}

// addExcerpt keeps x among the customer's newest MaxExcerpts excerpts.
func (c *memCustomer) addExcerpt(x signals.Excerpt) {
	c.notes = signals.KeepNewest(c.notes, x, MaxExcerpts)
}

// Evidence returns the customer's daily aggregates with from <= day < to
// (as History does) and its kept ticket excerpts dated on those days,
// newest first. It returns ErrNotFound for an unknown customer.
func (m *Mem) Evidence(_ context.Context, id string, from, to int32) (signals.History, []signals.Excerpt, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.customers[id]
	if c == nil {
		return nil, nil, ErrNotFound
	}
	var out []signals.Excerpt
	for _, n := range c.notes {
		if d := signals.DayNumber(n.At); d >= from && d < to {
			n.Intents = slices.Clone(n.Intents)
			out = append(out, n)
		}
	}
	return slices.Clone(c.hist.Window(from, to)), out, nil
}

// History returns the customer's daily aggregates with from <= day < to. It
// returns ErrNotFound for an unknown customer.
func (m *Mem) History(_ context.Context, id string, from, to int32) (signals.History, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.customers[id]
	if c == nil {
		return nil, ErrNotFound
	}
	return slices.Clone(c.hist.Window(from, to)), nil
}

// Snapshot returns a customer's profile and cached feature vector (nil when
// there is none). It returns ErrNotFound for an unknown customer.
func (m *Mem) Snapshot(_ context.Context, id string) (features.Profile, *Cached, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, err := m.profile(id)
	if err != nil {
		return p, nil, err
	}
	c := m.customers[id].cached
	if c == nil {
		return p, nil, nil
	}
	cp := *c
	cp.Vector = slices.Clone(c.Vector)
	return p, &cp, nil
}

// PutScore records a customer's cached feature vector and score, keeps the
// score as its day's daily score, and puts the customer on the at-risk list
// in its tier when flagged or in the watch tier (off it otherwise).
func (m *Mem) PutScore(_ context.Context, id string, c Cached) error {
	c.Vector = slices.Clone(c.Vector)
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.get(id)
	mc.cached = &c
	s := c.Score
	ch := mc.share.Scored(s.Score, revenueAtRisk(&s), m.now())
	m.ledger.Apply(ch)
	mc.share = ch.Next
	mc.score = &s
	mc.daily = recordDaily(mc.daily, scoreDay(&s), s.Score)
	if l, ok := tier(&s); ok && !ch.Next.Left {
		m.atRisk[id] = l
	} else {
		delete(m.atRisk, id)
	}
	return nil
}

// GetScore returns a customer's latest score, or ErrNotFound.
func (m *Mem) GetScore(_ context.Context, id string) (Score, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.customers[id]
	if c == nil || c.score == nil {
		return Score{}, ErrNotFound
	}
	return *c.score, nil
}

// AtRisk returns a page of the at-risk list: the customers of q's tiers in
// q's order (q.MinScore applies to the score order). It returns
// ErrBadCursor for a cursor it did not issue for that order.
func (m *Mem) AtRisk(_ context.Context, q AtRiskQuery) (AtRiskPage, error) {
	if !q.valid() {
		return AtRiskPage{}, fmt.Errorf("at-risk query: level %q, sort %q, min score %v", q.Level, q.Sort, q.MinScore)
	}
	o := q.order()
	var ck float64
	var cid string
	if q.Cursor != "" {
		var err error
		if ck, cid, err = decodeCursor(o, q.Cursor); err != nil {
			return AtRiskPage{}, err
		}
	}
	levels := q.levels()
	m.mu.RLock()
	defer m.mu.RUnlock()
	type entry struct {
		id  string
		key float64
		ago *float64
	}
	var all []entry
	for id, l := range m.atRisk {
		c := m.customers[id]
		if !slices.Contains(levels, l) || (o == SortScore && c.score.Score < q.MinScore) {
			continue
		}
		ago := weekAgo(c.daily, scoreDay(c.score))
		k := sortKey(o, c.score, ago)
		if q.Cursor == "" || after(k, id, ck, cid) {
			all = append(all, entry{id, k, ago})
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	var page AtRiskPage
	n := q.limit()
	for i, e := range all {
		if i == n {
			page.Next = page.Items[n-1].Cursor
			break
		}
		page.Items = append(page.Items, AtRiskItem{CustomerID: e.id, Score: *m.customers[e.id].score, ScoreWeekAgo: e.ago,
			Cursor: encodeCursor(o, e.key, e.id)})
	}
	return page, nil
}

// Import loads customers in bulk: profiles are replaced, history days merged
// (without dedupe), cached vectors dropped.
func (m *Mem) Import(_ context.Context, customers []CustomerData) error {
	now := m.now()
	oldest := signals.DayNumber(now) - m.retention
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range customers {
		p := customers[i].Profile
		p.Attributes = maps.Clone(p.Attributes)
		c := m.get(p.ID)
		c.profile = &p
		c.cached = nil
		next := metrics.Update(c.metrics, p, now)
		if customers[i].Metrics != nil {
			next = *customers[i].Metrics
		}
		m.setMetrics(c, next, now)
		for _, d := range customers[i].History {
			if d.Day >= oldest {
				c.hist.Add(d)
			}
		}
		for _, x := range customers[i].Excerpts {
			if signals.DayNumber(x.At) >= oldest {
				c.addExcerpt(x)
			}
		}
	}
	return nil
}

// RecordPredicted sets the predicted churn of months that have none yet
// (a month's first value stays, as when scoring fixes it).
func (m *Mem) RecordPredicted(_ context.Context, predicted map[metrics.Month]float64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ledger.Record(predicted)
	return nil
}

// ChurnMetrics returns the state the churn metrics are computed from.
func (m *Mem) ChurnMetrics(context.Context) (ChurnState, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := ChurnState{Predicted: m.ledger.PredictedAt(metrics.MonthOf(m.now())), RevenueAtRisk: m.ledger.Revenue}
	out.Aggregate.Add(m.flows, 1)
	return out, nil
}

// Ping always succeeds: the embedded store lives in the process.
func (m *Mem) Ping(context.Context) error { return nil }

// Close does nothing: the embedded store lives in the process.
func (m *Mem) Close() error { return nil }
