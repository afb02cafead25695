package api

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/testenv"
)

// TestModelPerformanceReplay replays generated data month by month: at
// each month's start the service knows only what had happened by then
// (later churn hidden), scores everyone and takes the month's snapshot;
// once every horizon has passed the true churn dates are loaded. The
// ROC AUC the service reports for each month must be within 0.02 of the
// one this test computes itself from the snapshot and the generated
// outcomes.
func TestModelPerformanceReplay(t *testing.T) {
	testenv.SkipUnderRace(t)
	if testing.Short() {
		t.Skip("loads generated data three times")
	}
	dir := t.TempDir()
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(dir, synth.Config{Customers: 600, Days: 200, End: end, Seed: 21}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 4, 1, 0, 1, 0, 0, time.UTC)}
	st := store.NewMem(store.MemOptions{Now: clk.Now})
	srv := New(Config{Store: st, ModelsDir: trainedModels(t), Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	m, err := srv.App().Models().Load()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	a := &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}
	ctx := context.Background()
	months := []metrics.Month{metrics.MonthOf(clk.Now()), metrics.MonthOf(clk.Now()) + 1}
	for _, month := range months {
		asOf := month.Start().Add(time.Minute)
		clk.Set(asOf)
		// What was known at the month's start: churn after it is hidden.
		known := *ds
		known.Customers = make([]features.Profile, len(ds.Customers))
		for i, p := range ds.Customers {
			if p.ChurnedAt != nil && p.ChurnedAt.After(asOf) {
				p.ChurnedAt = nil
			}
			known.Customers[i] = p
		}
		if _, err := dataload.Load(ctx, srv.App().Importer(), &known, dataload.Options{Model: m, AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
		took, err := srv.App().SnapshotMonth(ctx)
		if err != nil || !took {
			t.Fatalf("snapshot of %s: %v %v", month, took, err)
		}
		if took, _ := srv.App().SnapshotMonth(ctx); took {
			t.Fatalf("a second snapshot of %s", month)
		}
	}
	// Before the second month's horizon passes, its figures are not given.
	code, body, _ := a.do("GET", "/v1/model/performance", nil)
	if code != 200 || len(body["months"].([]any)) != 2 || body["months"].([]any)[1].(map[string]any)["settled"] != false ||
		body["months"].([]any)[1].(map[string]any)["roc_auc"] != nil || body["months"].([]any)[0].(map[string]any)["month"] != months[0].String() {
		t.Fatalf("before the horizon: %d %v", code, body)
	}
	clk.Set(end)
	if _, err := dataload.Load(ctx, srv.App().Importer(), ds, dataload.Options{}); err != nil {
		t.Fatal(err)
	}
	code, body, _ = a.do("GET", "/v1/model/performance?from="+months[0].String()+"&to="+months[1].String(), nil)
	if code != 200 {
		t.Fatalf("performance: %d %v", code, body)
	}
	reported := body["months"].([]any)
	if len(reported) != 2 {
		t.Fatalf("%d months reported", len(reported))
	}
	churnedAt := map[string]*time.Time{}
	for _, p := range ds.Customers {
		churnedAt[p.ID] = p.ChurnedAt
	}
	for i, month := range months {
		r := reported[i].(map[string]any)
		snap, err := st.MonthScores(ctx, month)
		if err != nil {
			t.Fatal(err)
		}
		start := month.Start()
		var pos, neg []float64
		for id, e := range snap {
			if c := churnedAt[id]; c != nil && !c.Before(start) && c.Before(start.AddDate(0, 0, int(r["horizon_days"].(float64)))) {
				pos = append(pos, e.Score)
			} else {
				neg = append(neg, e.Score)
			}
		}
		want := mannWhitney(pos, neg)
		got, _ := r["roc_auc"].(float64)
		t.Logf("%s: %d customers, %d churned within the horizon, reported AUC %.4f, computed %.4f, precision %v, recall %v, predicted %.1f, actual %v",
			month, len(snap), len(pos), got, want, r["precision"], r["recall"], r["predicted"], r["actual"])
		if r["settled"] != true || math.Abs(got-want) > 0.02 || int(r["actual"].(float64)) != len(pos) || int(r["customers"].(float64)) != len(snap) {
			t.Errorf("%s: reported %v, computed AUC %.4f with %d churned of %d", month, r, want, len(pos), len(snap))
		}
		if len(pos) < 5 {
			t.Errorf("%s: only %d churned: the replay measures nothing", month, len(pos))
		}
	}
	if code, _, _ := a.do("GET", "/v1/model/performance?from=2026-13", nil); code != 422 {
		t.Errorf("from=2026-13: %d", code)
	}
}

// mannWhitney is the ROC AUC by its definition: the share of (churned,
// stayed) pairs the score orders right, ties counting one half.
func mannWhitney(pos, neg []float64) float64 {
	sort.Float64s(neg)
	sum := 0.0
	for _, p := range pos {
		lo := sort.SearchFloat64s(neg, p)
		hi := sort.Search(len(neg), func(i int) bool { return neg[i] > p })
		sum += float64(lo) + 0.5*float64(hi-lo)
	}
	return sum / float64(len(pos)*len(neg))
}
