package store

import (
	"context"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
)

// Mem is the embedded in-process store. It is safe for concurrent use; a
// batch of events is applied under one lock, so a batch is stored whole or
// not at all. Its data lives as long as the process.
type Mem struct {
	mu        sync.RWMutex
	customers map[string]*memCustomer
	retention int32
	dedupeTTL time.Duration
	now       func() time.Time
}

type memCustomer struct {
	profile *features.Profile
	hist    signals.History
	seen    map[string]time.Time // event id -> expiry
	score   *Score
}

// MemOptions configures NewMem.
type MemOptions struct {
	// RetentionDays is how many days of aggregates are kept (the lookback
	// plus a margin); 0 means 120.
	RetentionDays int
	// DedupeTTL is how long an event id is remembered; 0 means 7 days.
	DedupeTTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewMem returns an empty embedded store.
func NewMem(o MemOptions) *Mem {
	if o.RetentionDays <= 0 {
		o.RetentionDays = 120
	}
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Mem{customers: map[string]*memCustomer{}, retention: int32(o.RetentionDays), dedupeTTL: o.DedupeTTL, now: o.Now}
}

func (m *Mem) get(id string) *memCustomer {
	c := m.customers[id]
	if c == nil {
		c = &memCustomer{}
		m.customers[id] = c
	}
	return c
}

// PutCustomer creates or replaces a customer's profile.
func (m *Mem) PutCustomer(_ context.Context, p features.Profile) error {
	p.Attributes = cloneMap(p.Attributes)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.get(p.ID).profile = &p
	return nil
}

// GetCustomer returns a customer's profile. A customer known only from its
// events has a profile holding just its id. It returns ErrNotFound for an
// unknown customer.
func (m *Mem) GetCustomer(_ context.Context, id string) (features.Profile, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.customers[id]
	if c == nil {
		return features.Profile{}, ErrNotFound
	}
	if c.profile == nil {
		return features.Profile{ID: id}, nil
	}
	p := *c.profile
	p.Attributes = cloneMap(p.Attributes)
	return p, nil
}

// AddEvents stores a batch of events. An event whose id was already stored
// for the same customer (or appears earlier in the batch) is a duplicate and
// changes nothing. Events older than the retention window are accepted but
// not kept.
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
		if e.Day.Day >= oldest {
			c.hist.Add(e.Day)
		}
	}
	for id := range touched(events) {
		c := m.customers[id]
		if len(c.hist) > 0 && c.hist[0].Day < oldest {
			c.hist = append(signals.History(nil), c.hist.Window(oldest, c.hist[len(c.hist)-1].Day+1)...)
		}
		for k, exp := range c.seen {
			if !now.Before(exp) {
				delete(c.seen, k)
			}
		}
	}
	return accepted, duplicates, nil
}

func touched(events []Event) map[string]struct{} {
	ids := make(map[string]struct{}, 8)
	for i := range events {
		ids[events[i].CustomerID] = struct{}{}
	}
	return ids
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
	return append(signals.History(nil), c.hist.Window(from, to)...), nil
}

// PutScore records a customer's latest score.
func (m *Mem) PutScore(_ context.Context, id string, s Score) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.get(id).score = &s
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

// Ping always succeeds: the embedded store lives in the process.
func (m *Mem) Ping(context.Context) error { return nil }

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
