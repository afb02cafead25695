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
	requests  map[string]*memRequest // idempotent requests (idempotency.go)
	nextTrim  int                    // trim the requests when there are this many
	cases     memCases
	perf      memPerformance
}

type memCustomer struct {
	profile *features.Profile
	hist    signals.History
	notes   []signals.Excerpt   // newest first, at most MaxExcerpts
	seen    map[markKey]memMark // dedupe markers of event ids and derived ids
	sweepAt int                 // sweep the expired markers when there are this many
	cached  *Cached
	gen     int64 // the generation of the data (Snap.Gen)
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
// feature vector. It is all or nothing: an MRR or a sum out of the range of
// the churn figures returns an error wrapping metrics.ErrRange and changes
// nothing.
func (m *Mem) PutCustomer(_ context.Context, p features.Profile) error {
	p.Attributes = maps.Clone(p.Attributes)
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.putProfile(&p, nil, now)
}

// putProfile replaces the profile of customer p.ID (created when unknown)
// and its metrics state (metrics.Update, or set when not nil), applies the
// change of its contribution to the flows and the ledger's change of the
// new profile (a customer who has left also leaves the at-risk list), and
// drops the cached vector. It changes nothing when it returns an error.
func (m *Mem) putProfile(p *features.Profile, set *metrics.Customer, now time.Time) error {
	c := m.customers[p.ID]
	if c == nil {
		c = &memCustomer{}
	}
	next := metrics.Update(c.metrics, *p, now)
	if set != nil {
		next = *set
	}
	ch := c.share.Profiled(p, now)
	// The ledger's sums are checked on a copy first: then the flows (all or
	// nothing), then the ledger, which cannot fail any more.
	check := metrics.Ledger{Scores: m.ledger.Scores, Revenue: m.ledger.Revenue}
	err := check.Apply(ch)
	var d metrics.Aggregate
	if err == nil {
		d, err = m.flows.Diff(next, c.metrics)
	}
	if err == nil {
		err = m.flows.Add(d, 1)
	}
	if err != nil {
		return fmt.Errorf("churn figures of %q: %w", p.ID, err)
	}
	_ = m.ledger.Apply(ch) // checked above
	m.customers[p.ID] = c
	c.profile, c.cached, c.metrics, c.share = p, nil, next, ch.Next
	c.gen++
	if ch.Next.Left {
		delete(m.atRisk, p.ID)
	}
	return nil
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
	a, d := m.addEvents("", events)
	return a, d, nil
}

// markKey names a dedupe marker of one customer: an event id, or an id
// derived for an event without one (derivedID), kept apart.
type markKey struct {
	derived bool
	id      string
}

// memMark is a dedupe marker: when it expires, and the token of the
// idempotent request that wrote it ("" for none).
type memMark struct {
	expires time.Time
	token   string
}

// addEvents stores a batch under one lock; token names the idempotent
// request the batch belongs to ("" for none; see AddEventsOnce).
func (m *Mem) addEvents(token string, events []Event) (accepted, duplicates int) {
	now := m.now()
	oldest := signals.DayNumber(now) - m.retention
	m.mu.Lock()
	defer m.mu.Unlock()
	var mine map[markKey]bool // the markers this call claimed (with a token)
	if token != "" {
		mine = map[markKey]bool{}
	}
	for i := range events {
		e := &events[i]
		c := m.get(e.CustomerID)
		k := markKey{id: e.EventID}
		if token != "" && k.id == "" {
			k = markKey{derived: true, id: derivedID(token, i)}
		}
		if k.id != "" {
			if mk, ok := c.seen[k]; ok && now.Before(mk.expires) {
				if token != "" && mk.token == token && !mine[k] {
					// stored by an earlier attempt of this request
					mine[k] = true
					accepted++
				} else {
					duplicates++
				}
				continue
			}
			if c.seen == nil {
				c.seen = map[markKey]memMark{}
			}
			c.seen[k] = memMark{expires: now.Add(m.dedupeTTL), token: token}
			if mine != nil {
				mine[k] = true
			}
		}
		accepted++
		c.cached = nil
		c.gen++
		if e.Day.Day >= oldest {
			c.hist.Add(e.Day)
			if e.Excerpt != nil {
				c.addExcerpt(*e.Excerpt)
			}
		}
	}
	for i := range events {
		if i == 0 || events[i].CustomerID != events[i-1].CustomerID {
			m.trim(m.customers[events[i].CustomerID], now, oldest)
		}
	}
	return accepted, duplicates
}

// trim drops days before oldest, and the expired dedupe markers when their
// number doubled since they were last swept (an expired marker counts for
// nothing meanwhile), so that its cost per event stays constant.
func (m *Mem) trim(c *memCustomer, now time.Time, oldest int32) {
	if len(c.hist) > 0 && c.hist[0].Day < oldest {
		c.hist = slices.Clone(c.hist.Window(oldest, c.hist[len(c.hist)-1].Day+1))
	}
	for len(c.notes) > 0 && signals.DayNumber(c.notes[len(c.notes)-1].At) < oldest {
		c.notes = c.notes[:len(c.notes)-1]
	}
	if len(c.seen) < c.sweepAt {
		return
	}
	for k, mk := range c.seen {
		if !now.Before(mk.expires) {
			delete(c.seen, k)
		}
	}
	c.sweepAt = max(64, 2*len(c.seen))
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
func (m *Mem) Snapshot(_ context.Context, id string) (Snap, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, err := m.profile(id)
	if err != nil {
		return Snap{Profile: p}, err
	}
	mc := m.customers[id]
	snap := Snap{Profile: p, Gen: mc.gen}
	if c := mc.cached; c != nil {
		cp := *c
		cp.Vector = slices.Clone(c.Vector)
		snap.Cached = &cp
	}
	return snap, nil
}

// PutScore records a customer's cached feature vector and score, keeps the
// score as its day's daily score, and puts the customer on the at-risk list
// in its tier when flagged or in the watch tier (off it otherwise). A score
// that is not finite, or a sum out of range, returns an error wrapping
// metrics.ErrRange and changes nothing.
func (m *Mem) PutScore(_ context.Context, id string, c Cached) error {
	c.Vector = slices.Clone(c.Vector)
	s := c.Score
	score, rev, err := scoreUnits(id, &s)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var share metrics.Share
	if mc := m.customers[id]; mc != nil {
		share = mc.share
	}
	ch := share.Scored(score, rev, m.now())
	if err := m.ledger.Apply(ch); err != nil {
		return fmt.Errorf("put score of %q: %w", id, err)
	}
	mc := m.get(id)
	if c.Gen == mc.gen || c.Gen == GenCurrent { // else the data changed while the vector was computed
		mc.cached = &c
	}
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
// (without dedupe), cached vectors dropped. A customer whose MRR or sums are
// out of the range of the churn figures stops the import with an error
// wrapping metrics.ErrRange: the customers before it stay imported, it and
// those after it are not.
func (m *Mem) Import(_ context.Context, customers []CustomerData) error {
	now := m.now()
	oldest := signals.DayNumber(now) - m.retention
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range customers {
		p := customers[i].Profile
		p.Attributes = maps.Clone(p.Attributes)
		if err := m.putProfile(&p, customers[i].Metrics, now); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		c := m.customers[p.ID]
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
// It returns an error wrapping metrics.ErrRange for a value that is not
// finite or out of range, recording nothing.
func (m *Mem) RecordPredicted(_ context.Context, predicted map[metrics.Month]float64) error {
	u, err := metrics.PredictedMicros(predicted)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ledger.Record(u)
	return nil
}

// ChurnMetrics returns the state the churn metrics are computed from.
func (m *Mem) ChurnMetrics(context.Context) (ChurnState, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := ChurnState{Predicted: m.ledger.PredictedAt(metrics.MonthOf(m.now())), RevenueAtRisk: m.ledger.Revenue.Float()}
	out.Aggregate = cloneAggregate(m.flows)
	return out, nil
}

// Ping always succeeds: the embedded store lives in the process.
func (m *Mem) Ping(context.Context) error { return nil }

// Close does nothing: the embedded store lives in the process.
func (m *Mem) Close() error { return nil }
