package store

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
)

// The cases of the ledger rule (metrics.Share, metrics.Ledger): one table,
// run against the rule itself (TestLedgerRuleCases) and against every store
// (runLedgerCases, from the contract suite).

// ledgerStep is one write at time at: a score (PutScore), or a profile
// (PutCustomer, or Import when imported).
type ledgerStep struct {
	at       time.Time
	id       string
	score    *Score
	profile  *features.Profile
	imported bool
}

type ledgerCase struct {
	name  string
	steps []ledgerStep
	// The ledger read in ledgerProbe's month, after the steps: the running
	// sums, the months whose predicted churn is fixed, and the customers on
	// the at-risk list.
	scores, revenue float64
	predicted       map[metrics.Month]float64
	listed          []string
}

var ledgerProbe = time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)

func ledgerCases() []ledgerCase {
	at := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 9, 0, 0, 0, time.UTC) }
	mo := func(m int) metrics.Month { return metrics.MonthOf(at(m, 1)) }
	mrr := func(v float64) *float64 { return &v }
	// score is a step scoring id at time t: flagged with an MRR when mrr > 0.
	score := func(t time.Time, id string, v float64, mrrV float64) ledgerStep {
		s := Score{Score: v, ModelVersion: "v", AsOf: t}
		if mrrV > 0 {
			s.Flagged, s.RiskLevel, s.MRR = true, "high", mrr(mrrV)
		}
		return ledgerStep{at: t, id: id, score: &s}
	}
	signup := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	active := func(t time.Time, id string) ledgerStep {
		return ledgerStep{at: t, id: id, profile: &features.Profile{ID: id, SignupAt: &signup}}
	}
	churned := func(t time.Time, id string) ledgerStep {
		end := t.Add(-time.Hour)
		return ledgerStep{at: t, id: id, profile: &features.Profile{ID: id, SignupAt: &signup, ChurnedAt: &end}}
	}
	imported := func(s ledgerStep) ledgerStep { s.imported = true; return s }
	return []ledgerCase{
		{name: "a score counts",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.6, 100)},
			scores: 0.6, revenue: 60, predicted: map[metrics.Month]float64{mo(1): 0}, listed: []string{"a"}},
		{name: "a new score replaces the previous one",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.6, 100), score(at(2, 3), "a", 0.2, 0)},
			scores: 0.2, revenue: 0, predicted: map[metrics.Month]float64{mo(1): 0, mo(2): 0.6}},
		{name: "the month's first change fixes its predicted churn",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.5, 0), score(at(2, 3), "b", 0.25, 0), score(at(2, 20), "a", 0.1, 0)},
			scores: 0.35, predicted: map[metrics.Month]float64{mo(1): 0, mo(2): 0.5}},
		{name: "an unchanged score fixes the month too",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.5, 0), score(at(3, 10), "a", 0.5, 0)},
			scores: 0.5, predicted: map[metrics.Month]float64{mo(1): 0, mo(3): 0.5}},
		{name: "revenue at risk counts flagged customers with an MRR",
			steps: []ledgerStep{score(at(1, 10), "a", 0.5, 200), score(at(1, 10), "b", 0.5, 0),
				{at: at(1, 10), id: "c", score: &Score{Score: 0.8, Flagged: true, RiskLevel: "high", AsOf: at(1, 10)}}},
			scores: 1.8, revenue: 100, predicted: map[metrics.Month]float64{mo(1): 0}, listed: []string{"a", "c"}},
		{name: "a churned customer leaves the sums and the list",
			steps:  []ledgerStep{active(at(1, 5), "a"), score(at(1, 10), "a", 0.6, 100), score(at(1, 10), "b", 0.25, 0), churned(at(3, 2), "a")},
			scores: 0.25, revenue: 0, predicted: map[metrics.Month]float64{mo(1): 0, mo(3): 0.85}},
		{name: "the scores of a churned customer are not counted",
			steps:  []ledgerStep{churned(at(1, 5), "a"), score(at(2, 10), "a", 0.9, 100)},
			scores: 0, revenue: 0, predicted: map[metrics.Month]float64{}},
		{name: "a churned customer's new profile changes nothing",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.4, 0), churned(at(2, 10), "a"), churned(at(4, 10), "a")},
			scores: 0, predicted: map[metrics.Month]float64{mo(1): 0, mo(2): 0.4}},
		{name: "a customer who comes back counts from its next score",
			steps: []ledgerStep{score(at(1, 10), "a", 0.4, 0), churned(at(2, 10), "a"), active(at(4, 10), "a"),
				score(at(5, 10), "a", 0.3, 50)},
			scores: 0.3, revenue: 15, predicted: map[metrics.Month]float64{mo(1): 0, mo(2): 0.4, mo(5): 0}, listed: []string{"a"}},
		{name: "a customer who comes back is not counted before its next score",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.4, 0), churned(at(2, 10), "a"), active(at(4, 10), "a")},
			scores: 0, predicted: map[metrics.Month]float64{mo(1): 0, mo(2): 0.4}},
		{name: "a new profile of a current customer changes nothing",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.3, 10), active(at(3, 10), "a")},
			scores: 0.3, revenue: 3, predicted: map[metrics.Month]float64{mo(1): 0}, listed: []string{"a"}},
		{name: "a customer who has not joined yet is not counted",
			steps: []ledgerStep{{at: at(1, 5), id: "a", profile: &features.Profile{ID: "a", SignupAt: ptr(at(6, 1))}},
				score(at(2, 10), "a", 0.5, 0), {at: at(7, 5), id: "a", profile: &features.Profile{ID: "a", SignupAt: ptr(at(6, 1))}},
				score(at(8, 10), "a", 0.5, 0)},
			scores: 0.5, predicted: map[metrics.Month]float64{mo(8): 0}},
		{name: "an imported churned profile takes the score out",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.7, 10), imported(churned(at(3, 10), "a"))},
			scores: 0, revenue: 0, predicted: map[metrics.Month]float64{mo(1): 0, mo(3): 0.7}},
		{name: "an imported current customer keeps its score",
			steps:  []ledgerStep{score(at(1, 10), "a", 0.7, 10), imported(active(at(3, 10), "a"))},
			scores: 0.7, revenue: 7, predicted: map[metrics.Month]float64{mo(1): 0}, listed: []string{"a"}},
	}
}

func ptr[T any](v T) *T { return &v }

// TestLedgerRuleCases runs the ledger cases against the rule alone.
func TestLedgerRuleCases(t *testing.T) {
	for _, c := range ledgerCases() {
		t.Run(c.name, func(t *testing.T) {
			var l metrics.Ledger
			shares := map[string]metrics.Share{}
			for _, s := range c.steps {
				var ch metrics.Change
				if s.score != nil {
					u, c, err := scoreUnits(s.id, s.score)
					if err != nil {
						t.Fatal(err)
					}
					ch = shares[s.id].Scored(u, c, s.at)
				} else {
					ch = shares[s.id].Profiled(s.profile, s.at)
				}
				if err := l.Apply(ch); err != nil {
					t.Fatal(err)
				}
				shares[s.id] = ch.Next
			}
			checkLedger(t, c, l.Scores.Float(), l.Revenue.Float(), l.PredictedAt(metrics.MonthOf(ledgerProbe)))
		})
	}
}

// runLedgerCases runs the ledger cases against a store.
func runLedgerCases(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	ctx := context.Background()
	for _, c := range ledgerCases() {
		t.Run(c.name, func(t *testing.T) {
			var cur time.Time
			s := newStore(t, func() time.Time { return cur })
			for i, step := range c.steps {
				cur = step.at
				var err error
				switch {
				case step.score != nil:
					err = s.PutScore(ctx, step.id, Cached{ModelVersion: "v", Score: *step.score})
				case step.imported:
					err = s.Import(ctx, []CustomerData{{Profile: *step.profile}})
				default:
					err = s.PutCustomer(ctx, *step.profile)
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			cur = ledgerProbe
			st, err := s.ChurnMetrics(ctx)
			if err != nil {
				t.Fatal(err)
			}
			probe := metrics.MonthOf(ledgerProbe)
			checkLedger(t, c, st.Predicted[probe], st.RevenueAtRisk, st.Predicted)
			page, err := s.AtRisk(ctx, AtRiskQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, it := range page.Items {
				listed = append(listed, it.CustomerID)
			}
			slices.Sort(listed)
			if fmt.Sprint(listed) != fmt.Sprint(c.listed) {
				t.Errorf("at-risk list %v, want %v", listed, c.listed)
			}
		})
	}
}

// checkLedger compares the running sums and the predicted churn of every
// month (the probe month's being the running score sum) with the case's.
func checkLedger(t *testing.T, c ledgerCase, scores, revenue float64, predicted map[metrics.Month]float64) {
	t.Helper()
	want := maps.Clone(c.predicted)
	want[metrics.MonthOf(ledgerProbe)] = c.scores
	if scores != c.scores || revenue != c.revenue || fmt.Sprint(predicted) != fmt.Sprint(want) {
		t.Errorf("scores %v, revenue %v, predicted %v\nwant %v, %v, %v", scores, revenue, predicted, c.scores, c.revenue, want)
	}
}

// runLedgerConcurrency writes scores and churns of a few customers from
// several goroutines at once, then a last profile and score of each: the
// sums must be those of the last scores exactly (a share counted twice or
// lost would stay in them).
func runLedgerConcurrency(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	ctx := context.Background()
	cur := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
	s := newStore(t, func() time.Time { return cur })
	ids := []string{"k1", "k2", "k3"}
	mrr := 100.0
	signup := cur.AddDate(-1, 0, 0)
	end := cur.Add(-time.Hour)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 3))
			for i := range 30 {
				id := ids[rng.IntN(len(ids))]
				var err error
				switch {
				case w%4 == 0 && i%2 == 0:
					err = s.PutCustomer(ctx, features.Profile{ID: id, SignupAt: &signup, ChurnedAt: &end})
				case w%4 == 0:
					err = s.PutCustomer(ctx, features.Profile{ID: id, SignupAt: &signup})
				default:
					v := float64(rng.IntN(1000)) / 1000
					err = s.PutScore(ctx, id, Cached{Score: Score{Score: v, Flagged: v > 0.5, MRR: &mrr, AsOf: cur}})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, id := range ids {
		if err := s.PutCustomer(ctx, features.Profile{ID: id, SignupAt: &signup}); err != nil {
			t.Fatal(err)
		}
		v := 0.25 * float64(i+1)
		if err := s.PutScore(ctx, id, Cached{Score: Score{Score: v, Flagged: true, MRR: &mrr, AsOf: cur}}); err != nil {
			t.Fatal(err)
		}
	}
	cur = cur.AddDate(0, 1, 0)
	st, err := s.ChurnMetrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Predicted[metrics.MonthOf(cur)]; got != 1.5 || st.RevenueAtRisk != 150 {
		t.Fatalf("score sum %v, revenue at risk %v; want 1.5 and 150", got, st.RevenueAtRisk)
	}
}
