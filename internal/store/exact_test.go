package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
)

// Exact sums and all-or-nothing writes of the churn figures (issue 16),
// run against every store from the contract suite.

// figuresOf computes the churn figures of month m from a store's state.
func figuresOf(t *testing.T, s contractStore, m metrics.Month) (metrics.MonthFigures, ChurnState) {
	t.Helper()
	st, err := s.ChurnMetrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tab := metrics.Compute(st.Aggregate, metrics.Options{From: m, To: m, RevenueHistory: true})
	return tab.Months[0], st
}

// runExactSums puts customers of the largest MRR beside customers of one
// cent: every figure is exact to the cent, and an MRR of 1e12 replaced by
// 110 moves the month by exactly the difference from the value before.
func runExactSums(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	ctx := context.Background()
	cur := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	s := newStore(t, func() time.Time { return cur })
	signup := time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC)
	put := func(id string, mrr float64) {
		t.Helper()
		if err := s.PutCustomer(ctx, features.Profile{ID: id, SignupAt: &signup, MRR: &mrr}); err != nil {
			t.Fatal(err)
		}
	}
	score := func(id string, v, mrr float64) {
		t.Helper()
		if err := s.PutScore(ctx, id, Cached{Score: Score{Score: v, Flagged: true, RiskLevel: "high", MRR: &mrr, AsOf: cur}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		put(fmt.Sprintf("big-%d", i), 1e12)
		score(fmt.Sprintf("big-%d", i), 0.5, 1e12)
	}
	for i := range 70 {
		put(fmt.Sprintf("cent-%d", i), 0.01)
		score(fmt.Sprintf("cent-%d", i), 1, 0.01)
	}
	put("y", 100)
	// By hand: 30 x 1e12 + 70 x 0.01 + 100 joined in December.
	jan := metrics.MonthOf(cur)
	f, st := figuresOf(t, s, jan)
	if f.MRRStart != 30000000000100.70 || f.CustomersStart != 101 {
		t.Errorf("January: MRR at start %.4f, %d customers; want 30000000000100.70 and 101", f.MRRStart, f.CustomersStart)
	}
	// Revenue at risk: 30 x 1e12 x 0.5 + 70 x 0.01 x 1.
	if st.RevenueAtRisk != 15000000000000.70 {
		t.Errorf("revenue at risk %.4f, want 15000000000000.70", st.RevenueAtRisk)
	}
	if got := st.Predicted[jan]; got != 0 {
		t.Errorf("January's predicted churn %v, want 0 (fixed before the first score)", got)
	}
	// February: y goes to 1e12, then to 110, an expansion of exactly 10.
	cur = time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	put("y", 1e12)
	cur = time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC)
	put("y", 110)
	f, st = figuresOf(t, s, metrics.MonthOf(cur))
	if f.MRRStart != 30000000000100.70 || f.ExpansionMRR != 10 || f.MRREnd != 30000000000110.70 {
		t.Errorf("February: start %.4f, expansion %.4f, end %.4f; want 30000000000100.70, 10, 30000000000110.70",
			f.MRRStart, f.ExpansionMRR, f.MRREnd)
	}
	if got := st.Predicted[metrics.MonthOf(cur)]; got != 85 {
		t.Errorf("score sum %v, want 85", got)
	}
}

// seedSum sets the flow field name of month m of a store's aggregate to v
// (in the field's units), as if many customers had put it there.
func seedSum(t *testing.T, s contractStore, m metrics.Month, name string, v int64) {
	t.Helper()
	switch s := s.(type) {
	case *Mem:
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.flows.Flows == nil {
			s.flows.Flows = map[metrics.Month]metrics.Flow{}
		}
		f := s.flows.Flows[m]
		metrics.SetFlowField(&f, name, v)
		s.flows.Flows[m] = f
	case *Redis:
		ctx := context.Background()
		if err := s.migrateMetrics(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.c.HSet(ctx, s.metricsKeys()[2], fmt.Sprintf("%d:%s", m, name), strconv.FormatInt(v, 10)).Err(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("seedSum: unknown store %T", s)
	}
}

// runAllOrNothing checks that a write the figures cannot hold stores
// nothing (no profile, no metrics state, no change of the figures) and
// that the next correct write of the same customer is applied exactly.
func runAllOrNothing(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	ctx := context.Background()
	cur := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	mar := metrics.MonthOf(cur)
	signup := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	profile := func(id string, mrr float64) features.Profile {
		return features.Profile{ID: id, SignupAt: &signup, MRR: &mrr}
	}
	// refused puts p, expects ErrRange and no trace of it.
	refused := func(t *testing.T, s contractStore, p features.Profile) {
		t.Helper()
		before, _ := s.ChurnMetrics(ctx)
		err := s.PutCustomer(ctx, p)
		if !errors.Is(err, metrics.ErrRange) {
			t.Fatalf("put MRR %g: %v, want an error wrapping metrics.ErrRange", *p.MRR, err)
		}
		if _, err := s.GetCustomer(ctx, p.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("the refused customer is stored: %v", err)
		}
		after, _ := s.ChurnMetrics(ctx)
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the figures changed:\n%+v\nwant %+v", after, before)
		}
	}
	t.Run("an MRR the figures cannot hold", func(t *testing.T) {
		s := newStore(t, func() time.Time { return cur })
		refused(t, s, profile("a", 1e300))
		refused(t, s, profile("a", 1.5e12))
		if err := s.PutCustomer(ctx, profile("a", 10)); err != nil {
			t.Fatalf("the next correct put: %v", err)
		}
		if f, _ := figuresOf(t, s, mar); f.NewMRR != 10 || f.New != 1 {
			t.Errorf("after the correct put: new MRR %v, new %d; want 10 and 1", f.NewMRR, f.New)
		}
	})
	t.Run("a sum past the bound", func(t *testing.T) {
		s := newStore(t, func() time.Time { return cur })
		near := int64(metrics.MaxSum) - 500
		seedSum(t, s, mar, "new_mrr", near)
		refused(t, s, profile("b", 1e12))
		// 5.00 fits exactly: the sum reaches the bound and no further.
		if err := s.PutCustomer(ctx, profile("b", 5)); err != nil {
			t.Fatalf("the next correct put: %v", err)
		}
		st, err := s.ChurnMetrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Aggregate.Flows[mar].NewMRR; got != metrics.Cents(metrics.MaxSum) {
			t.Errorf("new MRR %d cents, want %d", got, int64(metrics.MaxSum))
		}
	})
	t.Run("a score the figures cannot hold", func(t *testing.T) {
		s := newStore(t, func() time.Time { return cur })
		near := int64(metrics.MaxSum) - 100
		if err := s.PutScore(ctx, "c", Cached{Score: Score{Score: 0.5, AsOf: cur}}); err != nil {
			t.Fatal(err)
		}
		seedRevenue(t, s, near)
		mrr := 1e12
		before, _ := s.ChurnMetrics(ctx)
		err := s.PutScore(ctx, "c", Cached{Score: Score{Score: 0.9, Flagged: true, RiskLevel: "high", MRR: &mrr, AsOf: cur}})
		if !errors.Is(err, metrics.ErrRange) {
			t.Fatalf("score: %v, want an error wrapping metrics.ErrRange", err)
		}
		if got, err := s.GetScore(ctx, "c"); err != nil || got.Score != 0.5 {
			t.Errorf("stored score %v (%v), want the previous 0.5", got.Score, err)
		}
		if after, _ := s.ChurnMetrics(ctx); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the figures changed:\n%+v\nwant %+v", after, before)
		}
		if page, _ := s.AtRisk(ctx, AtRiskQuery{}); len(page.Items) != 0 {
			t.Errorf("the refused score is on the at-risk list: %+v", page.Items)
		}
	})
}

// seedRevenue sets the revenue at risk of a store's ledger to v cents.
func seedRevenue(t *testing.T, s contractStore, v int64) {
	t.Helper()
	switch s := s.(type) {
	case *Mem:
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ledger.Revenue = metrics.Cents(v)
	case *Redis:
		ctx := context.Background()
		if err := s.migrateMetrics(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.c.HSet(ctx, s.metricsKeys()[0], "revenue", strconv.FormatInt(v, 10)).Err(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("seedRevenue: unknown store %T", s)
	}
}
