package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/metrics"
)

type snapshotStore interface {
	ClaimMonth(ctx context.Context, m metrics.Month, ttl time.Duration) (bool, error)
	PutMonthScores(ctx context.Context, meta metrics.Snapshot, scores map[string]metrics.MonthScore) error
	MonthMetas(ctx context.Context) ([]metrics.Snapshot, error)
	MonthScores(ctx context.Context, m metrics.Month) (map[string]metrics.MonthScore, error)
}

func runSnapshotContract(t *testing.T, s, replica snapshotStore) {
	ctx := context.Background()
	m0 := metrics.MonthOf(time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC))
	if ok, err := s.ClaimMonth(ctx, m0, time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if ok, err := replica.ClaimMonth(ctx, m0, time.Minute); err != nil || ok {
		t.Fatalf("a second claim of the month: %v %v", ok, err)
	}
	if _, err := s.MonthScores(ctx, m0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("scores before the snapshot: %v", err)
	}
	scores := map[string]metrics.MonthScore{}
	for i := 0; i < 2500; i++ {
		scores[fmt.Sprintf("c%d", i)] = metrics.MonthScore{Score: float64(i) / 2500, Flagged: i%7 == 0}
	}
	taken := time.Date(2024, 1, 1, 0, 1, 0, 0, time.UTC)
	if err := s.PutMonthScores(ctx, metrics.Snapshot{Month: m0, Taken: taken, ModelVersion: "v1", HorizonDays: 30}, scores); err != nil {
		t.Fatal(err)
	}
	got, err := replica.MonthScores(ctx, m0)
	if err != nil || len(got) != 2500 || got["c7"] != (metrics.MonthScore{Score: 7.0 / 2500, Flagged: true}) || got["c8"].Flagged {
		t.Fatalf("scores: %d %v %v", len(got), got["c7"], err)
	}
	if ok, _ := replica.ClaimMonth(ctx, m0, time.Minute); ok {
		t.Fatal("a month with a snapshot was claimed")
	}
	// Bounded: the oldest months go.
	for i := 1; i <= metrics.SnapshotMonths+2; i++ {
		if err := s.PutMonthScores(ctx, metrics.Snapshot{Month: m0 + metrics.Month(i), HorizonDays: 30}, map[string]metrics.MonthScore{"x": {Score: 0.5, Flagged: false}}); err != nil {
			t.Fatal(err)
		}
	}
	metas, err := replica.MonthMetas(ctx)
	if err != nil || len(metas) != metrics.SnapshotMonths || metas[0].Month != m0+3 || metas[len(metas)-1].Customers != 1 {
		t.Fatalf("metas: %d %v", len(metas), err)
	}
	if _, err := s.MonthScores(ctx, m0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a dropped month: %v", err)
	}
}

func TestMemSnapshots(t *testing.T) {
	m := NewMem(MemOptions{})
	runSnapshotContract(t, m, m)
}

func TestRedisSnapshots(t *testing.T) {
	a, b := redisPair(t, singleOptions(t))
	runSnapshotContract(t, a.(snapshotStore), b.(snapshotStore))
}

func TestRedisClusterSnapshots(t *testing.T) {
	a, b := redisPair(t, clusterOptions(t))
	runSnapshotContract(t, a.(snapshotStore), b.(snapshotStore))
}
