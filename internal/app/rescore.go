package app

import (
	"context"
	"github.com/churnrisk/churn/internal/metrics"
	"sync"
	"time"
)

// maxPending bounds the customers waiting to be rescored; past it new ones
// are dropped from the queue (their cached vector is already invalid, so
// their next risk request rescores them anyway).
const maxPending = 1 << 20

// rescorer keeps the at-risk list current: customers whose events changed
// are rescored in the background, once however many events they got.
type rescorer struct {
	mu      sync.Mutex
	pending map[string]struct{}
	running int
	wake    chan struct{}
	idle    chan struct{} // closed and replaced when the queue empties
}

func newRescorer() *rescorer {
	return &rescorer{pending: map[string]struct{}{}, wake: make(chan struct{}, 1), idle: make(chan struct{})}
}

// mark queues customers for rescoring.
func (r *rescorer) mark(ids []string) {
	r.mu.Lock()
	for _, id := range ids {
		if len(r.pending) >= maxPending {
			break
		}
		r.pending[id] = struct{}{}
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take removes up to n queued customers.
func (r *rescorer) take(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, min(n, len(r.pending)))
	for id := range r.pending {
		if len(out) == n {
			break
		}
		out = append(out, id)
		delete(r.pending, id)
	}
	r.running += len(out)
	return out
}

// done reports n customers finished and signals idleness.
func (r *rescorer) done(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running -= n
	if r.running == 0 && len(r.pending) == 0 {
		close(r.idle)
		r.idle = make(chan struct{})
	}
}

// Rescore queues customers for rescoring in the background (Run), which
// stores their scores and raises their webhook alerts.
func (s *Service) Rescore(ids []string) { s.rescore.mark(ids) }

// Run does the background work until ctx is done: it rescores the customers
// queued by Ingest, PutCustomer and Rescore, rescores everyone after a
// model change, and polls the models directory for a new version. A
// customer that cannot be rescored (store down) is queued again and
// retried after a pause.
func (s *Service) Run(ctx context.Context) {
	go s.rescoreAllOnModelChange(ctx)
	go s.models.Watch(ctx)
	go s.monthly(ctx)
	r := s.rescore
	for {
		ids := r.take(256)
		if len(ids) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-r.wake:
			}
			continue
		}
		failed := 0
		if m := s.models.Active(); m != nil {
			now := s.Now()
			for _, id := range ids {
				if _, _, err := s.scoreStored(ctx, m, id, now); err != nil {
					if ctx.Err() != nil {
						r.done(len(ids))
						return
					}
					s.log.Warn("rescore failed; will retry", "customer_id", id, "err", err)
					r.mark([]string{id})
					failed++
				}
			}
		}
		r.done(len(ids))
		if failed > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// monthly records the outcomes of due cases and takes the month's snapshot
// of scores, at every tick of the cases' SettleEvery (DefaultSettleEvery
// when cases are off).
func (s *Service) monthly(ctx context.Context) {
	every := DefaultSettleEvery
	if s.cases != nil {
		every = s.cases.every
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s.cases != nil {
			if n, err := s.cases.SettleDue(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("recording case outcomes failed; will retry", "err", err)
			} else if n > 0 {
				s.log.Info("case outcomes recorded", "cases", n)
			}
		}
		if took, err := s.SnapshotMonth(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("the month's snapshot of scores failed; will retry", "err", err)
		} else if took {
			s.log.Info("the month's snapshot of scores taken", "month", metrics.MonthOf(s.Now()).String())
		}
	}
}

// Settle waits until every queued rescoring is done or ctx ends; tests use
// it to read the at-risk list after posting events.
func (s *Service) Settle(ctx context.Context) error {
	for {
		s.rescore.mu.Lock()
		empty := s.rescore.running == 0 && len(s.rescore.pending) == 0
		idle := s.rescore.idle
		s.rescore.mu.Unlock()
		if empty {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-idle:
		}
	}
}

// rescoreAllOnModelChange queues every stored customer for rescoring after a
// model change, at most rescoreRate customers a second, so that the
// customers the new model flags are alerted without flooding the store or
// the CRM. A second change during a walk starts a new walk afterwards.
func (s *Service) rescoreAllOnModelChange(ctx context.Context) {
	const chunk = 100
	pause := time.Duration(float64(time.Second) * chunk / s.rescoreRate)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.models.changed:
		}
		s.log.Info("model changed: rescoring every customer in the background", "per_second", s.rescoreRate)
		batch := make([]string, 0, chunk)
		n := 0
		err := s.st.EachCustomer(ctx, func(id string) error {
			batch = append(batch, id)
			if len(batch) < chunk {
				return nil
			}
			s.rescore.mark(batch)
			n += len(batch)
			batch = make([]string, 0, chunk)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pause):
				return nil
			}
		})
		s.rescore.mark(batch)
		n += len(batch)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("rescoring after a model change stopped; the customers left are rescored at their next request", "queued", n, "err", err)
			continue
		}
		s.log.Info("rescoring after a model change queued", "customers", n)
	}
}
