package webhook

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Mem is the in-process Store of the embedded deployment: one process,
// no Redis. Everything it holds, subscriptions and pending deliveries alike,
// is lost when the process ends. It is safe for concurrent use.
type Mem struct {
	mu     sync.Mutex
	subs   map[string]Subscription
	recs   map[string]*memRecord  // by delivery ID
	bySub  map[string][]string    // delivery IDs of a subscription, oldest first
	byCust map[string][]custEntry // deliveries of a customer, oldest first
	queued map[string]*memRecord  // pending deliveries (due, delayed or claimed)
	seq    uint64                 // enqueue order, for FIFO among equally due deliveries
	claims uint64                 // claim counter
}

type memRecord struct {
	d         Delivery
	seq       uint64
	due       time.Time // when it may be claimed (unclaimed)
	owner     string    // consumer holding it, "" when unclaimed
	claimedAt time.Time
	claim     string
}

// NewMem returns an empty in-process store.
func NewMem() *Mem {
	return &Mem{
		subs:   map[string]Subscription{},
		recs:   map[string]*memRecord{},
		bySub:  map[string][]string{},
		byCust: map[string][]custEntry{},
		queued: map[string]*memRecord{},
	}
}

var _ Store = (*Mem)(nil)

func cloneSub(s Subscription) Subscription {
	s.Events = slices.Clone(s.Events)
	if s.MinScore != nil {
		v := *s.MinScore
		s.MinScore = &v
	}
	return s
}

// PutSubscription creates or replaces s; it never fails.
func (m *Mem) PutSubscription(_ context.Context, s Subscription) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.subs[s.ID] = cloneSub(s)
	return nil
}

// Subscriptions returns every subscription sorted by CreatedAt then ID; it
// never fails.
func (m *Mem) Subscriptions(_ context.Context) ([]Subscription, error) {
	m.mu.Lock()
	out := make([]Subscription, 0, len(m.subs))
	for _, s := range m.subs {
		out = append(out, cloneSub(s))
	}
	m.mu.Unlock()
	sortSubscriptions(out)
	return out, nil
}

// GetSubscription returns a subscription, or an error wrapping ErrNotFound.
func (m *Mem) GetSubscription(_ context.Context, id string) (Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[id]
	if !ok {
		return Subscription{}, fmt.Errorf("subscription %q: %w", id, ErrNotFound)
	}
	return cloneSub(s), nil
}

// DeleteSubscription removes a subscription and its finished deliveries, or
// returns an error wrapping ErrNotFound.
func (m *Mem) DeleteSubscription(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.subs[id]; !ok {
		return fmt.Errorf("subscription %q: %w", id, ErrNotFound)
	}
	delete(m.subs, id)
	for _, did := range m.bySub[id] {
		r := m.recs[did]
		if r == nil {
			continue
		}
		m.unlistCustomer(r.d.CustomerID, did)
		if r.d.Status != StatusPending {
			delete(m.recs, did)
		}
	}
	delete(m.bySub, id)
	return nil
}

// DisableSubscription marks a subscription disabled, or returns an error
// wrapping ErrNotFound.
func (m *Mem) DisableSubscription(_ context.Context, id, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[id]
	if !ok {
		return fmt.Errorf("subscription %q: %w", id, ErrNotFound)
	}
	s.Disabled, s.DisabledReason = true, reason
	m.subs[id] = s
	return nil
}

// Enqueue queues deliveries as pending and due now, skipping IDs already
// stored; it never fails.
func (m *Mem) Enqueue(_ context.Context, ds []Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	for _, d := range ds {
		if _, ok := m.recs[d.ID]; ok {
			continue
		}
		d.Status, d.claim = StatusPending, ""
		m.seq++
		r := &memRecord{d: d, seq: m.seq, due: now}
		m.recs[d.ID] = r
		m.queued[d.ID] = r
		m.index(d)
		m.indexCustomer(d)
	}
	return nil
}

// custEntry is one delivery listed under its customer.
type custEntry struct {
	at time.Time // CreatedAt
	id string
}

// compareCustEntries orders entries by CreatedAt, then ID.
func compareCustEntries(a, b custEntry) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// indexCustomer lists d under its customer, newest last, keeping only the
// newest MaxCustomerDeliveries.
func (m *Mem) indexCustomer(d Delivery) {
	e := custEntry{d.CreatedAt, d.ID}
	list := m.byCust[d.CustomerID]
	i, _ := slices.BinarySearchFunc(list, e, compareCustEntries)
	list = slices.Insert(list, i, e)
	if n := len(list) - MaxCustomerDeliveries; n > 0 {
		list = slices.Delete(list, 0, n)
	}
	m.byCust[d.CustomerID] = list
}

// unlistCustomer takes delivery id off its customer's list.
func (m *Mem) unlistCustomer(customerID, id string) {
	list := slices.DeleteFunc(m.byCust[customerID], func(e custEntry) bool { return e.id == id })
	if len(list) == 0 {
		delete(m.byCust, customerID)
		return
	}
	m.byCust[customerID] = list
}

// index lists d under its subscription, newest last, and drops the oldest
// entries beyond MaxDeliveriesKept (their records too, once finished).
func (m *Mem) index(d Delivery) {
	ids := m.bySub[d.SubscriptionID]
	i, _ := slices.BinarySearchFunc(ids, d, func(id string, d Delivery) int {
		r := m.recs[id]
		if c := r.d.CreatedAt.Compare(d.CreatedAt); c != 0 {
			return c
		}
		if r.d.ID < d.ID {
			return -1
		}
		return 1
	})
	ids = slices.Insert(ids, i, d.ID)
	for len(ids) > MaxDeliveriesKept {
		if r := m.recs[ids[0]]; r != nil && r.d.Status != StatusPending {
			delete(m.recs, ids[0])
		}
		ids = ids[1:]
	}
	m.bySub[d.SubscriptionID] = ids
}

// listed reports whether delivery id is still listed under subscription sub.
func (m *Mem) listed(sub, id string) bool {
	if _, ok := m.subs[sub]; !ok {
		return false
	}
	return slices.Contains(m.bySub[sub], id)
}

// Claim returns up to max due deliveries, oldest due first, held by
// consumer; it never fails.
func (m *Mem) Claim(_ context.Context, consumer string, max int, claimTimeout time.Duration) ([]Delivery, error) {
	if max <= 0 {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	var due []*memRecord
	for _, r := range m.queued {
		if r.owner == "" && !r.due.After(now) || r.owner != "" && now.Sub(r.claimedAt) >= claimTimeout {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *memRecord) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	if len(due) > max {
		due = due[:max]
	}
	out := make([]Delivery, 0, len(due))
	for _, r := range due {
		m.claims++
		r.owner, r.claimedAt, r.claim = consumer, now, strconv.FormatUint(m.claims, 10)
		d := r.d
		d.claim = r.claim
		out = append(out, d)
	}
	return out, nil
}

// current returns the pending record d was claimed from, or nil when the
// claim is no longer current.
func (m *Mem) current(d Delivery) *memRecord {
	r := m.queued[d.ID]
	if r == nil || r.owner == "" || r.claim != d.claim {
		return nil
	}
	return r
}

// finish stores d with status and takes it off the queue; a delivery of a
// deleted subscription, or one no longer listed, is forgotten instead.
func (m *Mem) finish(d Delivery, status DeliveryStatus) {
	r := m.current(d)
	if r == nil {
		return
	}
	delete(m.queued, d.ID)
	if !m.listed(d.SubscriptionID, d.ID) {
		delete(m.recs, d.ID)
		return
	}
	d.Status, d.claim = status, ""
	r.d, r.owner, r.claim = d, "", ""
}

// Complete records d as delivered (or cancelled, when d.Status says so) and
// releases it; it never fails.
func (m *Mem) Complete(_ context.Context, d Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	status := StatusDelivered
	if d.Status == StatusCancelled {
		status = StatusCancelled
	}
	m.finish(d, status)
	return nil
}

// Fail records d as failed; it never fails.
func (m *Mem) Fail(_ context.Context, d Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finish(d, StatusFailed)
	return nil
}

// Retry records d's attempt and makes it due again at at; it never fails.
func (m *Mem) Retry(_ context.Context, d Delivery, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.current(d)
	if r == nil {
		return nil
	}
	d.Status, d.NextAttempt, d.claim = StatusPending, at.UTC(), ""
	r.d, r.owner, r.claim, r.due = d, "", "", at
	return nil
}

// Deliveries returns up to limit deliveries of a subscription, newest first;
// it never fails.
func (m *Mem) Deliveries(_ context.Context, subscriptionID string, limit int) ([]Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := m.bySub[subscriptionID]
	var out []Delivery
	for i := len(ids) - 1; i >= 0 && len(out) < limit; i-- {
		if r := m.recs[ids[i]]; r != nil {
			d := r.d
			d.claim = ""
			out = append(out, d)
		}
	}
	return out, nil
}

// CustomerDeliveries returns up to limit deliveries of a customer across
// subscriptions, newest first, leaving out those of deleted subscriptions
// and those no longer kept; it never fails.
func (m *Mem) CustomerDeliveries(_ context.Context, customerID string, limit int) ([]Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.byCust[customerID]
	var out []Delivery
	for i := len(list) - 1; i >= 0 && len(out) < limit; i-- {
		r := m.recs[list[i].id]
		if r == nil {
			continue
		}
		if _, ok := m.subs[r.d.SubscriptionID]; !ok {
			continue
		}
		d := r.d
		d.claim = ""
		out = append(out, d)
	}
	return out, nil
}

// Redeliver makes a finished delivery pending and due now, or returns an
// error wrapping ErrNotFound.
func (m *Mem) Redeliver(_ context.Context, subscriptionID, deliveryID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.recs[deliveryID]
	if r == nil || r.d.SubscriptionID != subscriptionID || !m.listed(subscriptionID, deliveryID) {
		return fmt.Errorf("delivery %q of subscription %q: %w", deliveryID, subscriptionID, ErrNotFound)
	}
	if r.d.Status == StatusPending {
		return nil
	}
	now := time.Now()
	r.d = resetForRedelivery(r.d, now)
	r.due, r.owner, r.claim = now, "", ""
	m.seq++
	r.seq = m.seq
	m.queued[deliveryID] = r
	return nil
}

// sortSubscriptions sorts by CreatedAt, then ID.
func sortSubscriptions(s []Subscription) {
	slices.SortFunc(s, func(a, b Subscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
}
