package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
)

// TestRedisApplyAllOrNothing runs the aggregate script itself (the last
// guard, behind checkLedger) with a change of which one field would leave
// metrics.MaxSum, or meets a stored value that is not an integer: it
// writes nothing, not even the fields it checked before or the month's
// predicted churn.
func TestRedisApplyAllOrNothing(t *testing.T) {
	ctx := context.Background()
	for _, o := range []RedisOptions{singleOptions(t), clusterOptions(t)} {
		m := metrics.Month(24316)
		for _, tt := range []struct {
			name, stored string
			want         string
		}{
			{"a sum past the bound", strconv.FormatInt(int64(metrics.MaxSum)-5, 10), "ERANGE"},
			{"a stored value that is not an integer", "1.5", "not an integer"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := openRedis(t, o)
				keys := r.metricsKeys()
				field := fmt.Sprintf("%d:churned_mrr", m)
				if err := r.migrateMetrics(ctx); err != nil {
					t.Fatal(err)
				}
				if err := r.c.HSet(ctx, keys[2], field, tt.stored).Err(); err != nil {
					t.Fatal(err)
				}
				u := ledgerUpdate{month: m, freeze: true, score: 250000, revenue: 700,
					flows: metrics.Aggregate{Flows: map[metrics.Month]metrics.Flow{
						m: {New: 1, NewMRR: 1000, ChurnedMRR: 100000}, m + 1: {Churned: 1}}}}
				err := r.applyLedger(ctx, "test", r.c.Pipeline(), &u)
				if err == nil || !strings.Contains(err.Error(), tt.want) && !errors.Is(err, metrics.ErrRange) {
					t.Fatalf("apply: %v, want %s", err, tt.want)
				}
				for i, k := range keys {
					all, err := r.c.HGetAll(ctx, k).Result()
					if err != nil {
						t.Fatal(err)
					}
					delete(all, "v")
					if i == 2 && len(all) == 1 && all[field] == tt.stored {
						continue
					}
					if len(all) != 0 {
						t.Errorf("%s holds %v after a refused apply", k, all)
					}
				}
			})
		}
	}
}

// TestRedisMigratesFloatFigures stores the aggregate as an earlier
// version kept it (floats in currency units, HINCRBYFLOAT) and reads it
// through the integer format: every value converted to the cent (or
// millionth), the broken ones dropped, the old keys gone, and a second
// store (another replica) converts nothing twice.
func TestRedisMigratesFloatFigures(t *testing.T) {
	ctx := context.Background()
	o := singleOptions(t)
	r := openRedis(t, o)
	jan := metrics.Month(24312)
	old := r.prefix + "{m}:"
	pipe := r.c.Pipeline()
	pipe.HSet(ctx, old+"flows", fmt.Sprintf("%d:new", jan), "3", fmt.Sprintf("%d:new_mrr", jan), "300.7",
		fmt.Sprintf("%d:missing_mrr", jan), "1", fmt.Sprintf("%d:contraction_mrr", jan), "0.333333",
		fmt.Sprintf("%d:expansion_mrr", jan), "1e300") // the corruption of issue 16: dropped
	pipe.HSet(ctx, old+"cohorts", fmt.Sprintf("%d:0", jan), "3")
	pipe.HSet(ctx, old+"sums", "scores", "1.5", "revenue", "12.345678")
	pipe.HSet(ctx, old+"predicted", strconv.Itoa(int(jan)), "0.75")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	o.Prefix, o.Now = r.prefix, func() time.Time { return time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC) }
	for i := range 2 {
		s, err := NewRedis(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.ChurnMetrics(ctx)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := metrics.Flow{New: 3, NewMRR: 30070, MissingMRR: 1, ContractionMRR: 33}
		if got := st.Aggregate.Flows[jan]; got != want || len(st.Aggregate.Flows) != 1 {
			t.Errorf("store %d: flows %+v, want %+v", i, st.Aggregate.Flows, want)
		}
		if st.Aggregate.Cohorts[metrics.CohortKey{Cohort: jan}] != 3 || st.RevenueAtRisk != 12.35 ||
			st.Predicted[jan] != 0.75 || st.Predicted[jan+1] != 1.5 {
			t.Errorf("store %d: cohorts %v, revenue at risk %v, predicted %v", i, st.Aggregate.Cohorts, st.RevenueAtRisk, st.Predicted)
		}
	}
	if n, err := r.c.Exists(ctx, old+"flows", old+"cohorts", old+"sums", old+"predicted").Result(); err != nil || n != 0 {
		t.Errorf("%d old keys left (%v)", n, err)
	}
}

// TestRedisContendedPuts sends many writes of one customer at once from
// two stores on the same data (two API replicas): each write succeeds or
// answers ErrConflict (never ErrUnavailable or another error), and the
// figures are then exactly those of the customer's stored state and
// score.
func TestRedisContendedPuts(t *testing.T) {
	ctx := context.Background()
	for _, o := range []RedisOptions{singleOptions(t), clusterOptions(t)} {
		cur := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
		o.Now = func() time.Time { return cur }
		a := openRedis(t, o)
		o.Prefix = a.prefix
		b, err := NewRedis(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		signup := cur.AddDate(-1, 0, 0)
		end := cur.Add(-time.Hour)
		var wg sync.WaitGroup
		var ok, conflicts atomic.Int64
		for w := range 16 {
			s := []*Redis{a, b}[w%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					mrr := float64(10*w + i)
					var err error
					switch i % 3 {
					case 0:
						err = s.PutCustomer(ctx, features.Profile{ID: "hot", SignupAt: &signup, MRR: &mrr})
					case 1:
						err = s.PutScore(ctx, "hot", Cached{Score: Score{Score: float64(i) / 25, Flagged: true, RiskLevel: "high", MRR: &mrr, AsOf: cur}})
					default:
						err = s.PutCustomer(ctx, features.Profile{ID: "hot", SignupAt: &signup, MRR: &mrr, ChurnedAt: &end})
					}
					switch {
					case err == nil:
						ok.Add(1)
					case errors.Is(err, ErrConflict):
						conflicts.Add(1)
					default:
						t.Errorf("write %d.%d: %v, want success or ErrConflict", w, i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("%d writes succeeded, %d answered ErrConflict", ok.Load(), conflicts.Load())
		mrr := 100.0
		if err := a.PutCustomer(ctx, features.Profile{ID: "hot", SignupAt: &signup, MRR: &mrr}); err != nil {
			t.Fatal(err)
		}
		if err := b.PutScore(ctx, "hot", Cached{Score: Score{Score: 0.4, Flagged: true, RiskLevel: "high", MRR: &mrr, AsOf: cur}}); err != nil {
			t.Fatal(err)
		}
		st, err := a.ChurnMetrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.CustomerMetrics(ctx, "hot")
		if err != nil {
			t.Fatal(err)
		}
		want, err := metrics.Contribution(c)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(st.Aggregate.Flows) != fmt.Sprint(want.Flows) || fmt.Sprint(st.Aggregate.Cohorts) != fmt.Sprint(want.Cohorts) {
			t.Errorf("aggregate %+v\nwant the customer's own %+v", st.Aggregate, want)
		}
		if st.RevenueAtRisk != 40 || st.Predicted[metrics.MonthOf(cur)+1] != 0.4 {
			cur = cur.AddDate(0, 1, 0)
			st, _ = a.ChurnMetrics(ctx)
			if st.RevenueAtRisk != 40 || st.Predicted[metrics.MonthOf(cur)] != 0.4 {
				t.Errorf("revenue at risk %v, score sum %v; want 40 and 0.4", st.RevenueAtRisk, st.Predicted[metrics.MonthOf(cur)])
			}
		}
	}
}

// TestContendedGivesUp checks that a compare and set stops retrying with
// ErrConflict when the deadline leaves no time for another attempt.
func TestContendedGivesUp(t *testing.T) {
	r := &Redis{timeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := r.contended(ctx, "put", 1); !errors.Is(err, ErrConflict) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("contended near the deadline: %v, want ErrConflict", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := r.contended(ctx2, "put", 3); err != nil {
		t.Fatalf("contended with time left: %v", err)
	}
}

// BenchmarkPutScoreRedis measures a score write with its ledger move (the
// compare and set, the check of the sums and the aggregate script).
func BenchmarkPutScoreRedis(b *testing.B) {
	r := openRedis(b, singleOptions(b))
	ctx := context.Background()
	mrr := 100.0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := Score{Score: float64(i%1000) / 1000, Flagged: i%2 == 0, RiskLevel: "high", MRR: &mrr, AsOf: time.Now()}
		if err := r.PutScore(ctx, fmt.Sprintf("c%d", i%100), Cached{Score: s}); err != nil {
			b.Fatal(err)
		}
	}
}
