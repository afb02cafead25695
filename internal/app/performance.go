package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/performance"
	"github.com/churnrisk/churn/internal/store"
)

// SnapshotStore keeps the monthly snapshots of scores (store.Mem,
// store.Redis).
type SnapshotStore interface {
	ClaimMonth(ctx context.Context, m metrics.Month, ttl time.Duration) (bool, error)
	PutMonthScores(ctx context.Context, meta metrics.Snapshot, scores map[string]metrics.MonthScore) error
	MonthMetas(ctx context.Context) ([]metrics.Snapshot, error)
	MonthScores(ctx context.Context, m metrics.Month) (map[string]metrics.MonthScore, error)
}

// ErrNoSnapshots is returned when the store keeps no snapshots.
var ErrNoSnapshots = errors.New("this store keeps no score snapshots")

// snapshotClaim is how long a replica may take to snapshot a month before
// another may try.
const snapshotClaim = 30 * time.Minute

// DefaultHorizonDays is the horizon of a model that does not say its own.
const DefaultHorizonDays = 30

// SnapshotMonth takes the current month's snapshot of scores unless it has
// one: the last score of every customer who is a customer at the month's
// start (customers never scored are left out). One replica takes it (a
// claim in the store). It says whether it took it.
func (s *Service) SnapshotMonth(ctx context.Context) (bool, error) {
	ss, ok := s.st.(SnapshotStore)
	m := s.models.Active()
	if !ok || m == nil {
		return false, nil
	}
	now := s.Now()
	month := metrics.MonthOf(now)
	claimed, err := ss.ClaimMonth(ctx, month, snapshotClaim)
	if err != nil || !claimed {
		return false, err
	}
	start := month.Start()
	scores := map[string]metrics.MonthScore{}
	err = s.st.EachCustomer(ctx, func(id string) error {
		snap, err := s.st.Snapshot(ctx, id)
		p, cached := snap.Profile, snap.Cached
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !p.ActiveAt(start) {
			return nil
		}
		var sc store.Score
		if cached != nil {
			sc = cached.Score
		} else if sc, err = s.st.GetScore(ctx, id); errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		scores[id] = metrics.MonthScore{Score: sc.Score, Flagged: sc.Flagged}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("snapshot of %s: %w", month, err)
	}
	horizon := m.Meta.HorizonDays
	if horizon <= 0 {
		horizon = DefaultHorizonDays
	}
	meta := metrics.Snapshot{Month: month, Taken: now, ModelVersion: m.Version, HorizonDays: horizon}
	if err := ss.PutMonthScores(ctx, meta, scores); err != nil {
		return false, err
	}
	return true, nil
}

// ModelPerformance reports how the snapshots of months from to to (both
// included) turned out, as of now (performance.Measure).
func (s *Service) ModelPerformance(ctx context.Context, from, to metrics.Month) ([]performance.MonthReport, error) {
	ss, ok := s.st.(SnapshotStore)
	if !ok {
		return nil, ErrNoSnapshots
	}
	metas, err := ss.MonthMetas(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := []performance.MonthReport{}
	churned := map[string]*time.Time{} // read once across months
	for _, meta := range metas {
		if meta.Month < from || meta.Month > to {
			continue
		}
		scores, err := ss.MonthScores(ctx, meta.Month)
		if err != nil {
			return nil, err
		}
		for id := range scores {
			if _, ok := churned[id]; ok {
				continue
			}
			p, err := s.st.GetCustomer(ctx, id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			churned[id] = p.ChurnedAt
		}
		out = append(out, performance.Measure(meta, scores, churned, now))
	}
	return out, nil
}
