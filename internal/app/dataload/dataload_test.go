package dataload

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
	"github.com/churnrisk/churn/internal/webhook"
)

var end = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// go-redis logs every failed dial; TestLoadRedisDown makes some on purpose.
func init() { store.SetRedisLogger(slog.New(slog.DiscardHandler)) }

// generated returns a small generated data set and a model trained on it,
// saved in a models directory.
func generated(t *testing.T) (*data.Dataset, *model.Artifact, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(filepath.Join(dir, "data"), synth.Config{Customers: 300, Days: 200, End: end, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(filepath.Join(dir, "data"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := training.Fit(ds, training.Config{Seed: 1}, end)
	if err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(dir, "models")
	if _, err := model.Save(models, res.Artifact, true); err != nil {
		t.Fatal(err)
	}
	a, err := model.Load(models)
	if err != nil {
		t.Fatal(err)
	}
	return ds, a, models
}

// TestLoad loads a data set with a model: every customer and day is
// stored, every active customer scored as the model scores it (with the
// account attributes and the top driver), nothing is back-tested unless
// asked, and Rescore gets the active customers.
func TestLoad(t *testing.T) {
	ds, a, _ := generated(t)
	ctx := context.Background()
	asOf := end.Add(12 * time.Hour)
	st := store.NewMem(store.MemOptions{Now: func() time.Time { return asOf }})
	var rescored []string
	acc := store.Account{NameAttribute: "industry", OwnerAttribute: "region"}
	res, err := Load(ctx, st, ds, Options{Model: a, AsOf: asOf, Account: acc, Rescore: func(ids []string) { rescored = ids }})
	if err != nil {
		t.Fatal(err)
	}
	days, active, flagged := 0, []string{}, 0
	e := signals.EndDay(asOf)
	for i := range ds.Customers {
		days += len(ds.Histories[i])
		p := ds.Customers[i]
		if !p.ActiveAt(asOf) {
			if _, err := st.GetScore(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s left and was scored (%v)", p.ID, err)
			}
			continue
		}
		active = append(active, p.ID)
		// One driver, as the load explains: the top driver a stored score keeps.
		want := a.ScoreInto(make([]float64, a.Schema.Len()), &p, ds.Histories[i].Window(e-int32(a.Schema.LookbackDays), e), asOf, 1)
		if want.Flagged {
			flagged++
		}
		sc, err := st.GetScore(ctx, p.ID)
		if err != nil || sc.Score != want.Score || sc.ModelVersion != a.Version || sc.TopDriver != want.Drivers[0].Reason ||
			sc.Name != p.Attributes["industry"] || sc.Owner != p.Attributes["region"] {
			t.Fatalf("%s: stored %+v, %v; want score %v, top driver %q, account %q/%q", p.ID, sc, err, want.Score, want.Drivers[0].Reason,
				p.Attributes["industry"], p.Attributes["region"])
		}
	}
	if res != (Result{Customers: len(ds.Customers), Days: days, Scored: len(active), Flagged: flagged}) {
		t.Errorf("result %+v; want %d customers, %d days, %d scored, %d flagged", res, len(ds.Customers), days, len(active), flagged)
	}
	if !slices.Equal(rescored, active) {
		t.Errorf("rescored %d customers, want the %d active", len(rescored), len(active))
	}
	cs, err := st.ChurnMetrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for m := range cs.Predicted { // the store keeps the current month's own figure
		if m < metrics.MonthOf(asOf) {
			t.Errorf("predicted churn back-tested without Backtest: %v", cs.Predicted)
		}
	}

	// Without a model: customers only.
	bare := store.NewMem(store.MemOptions{Now: func() time.Time { return asOf }})
	res, err = Load(ctx, bare, ds, Options{AsOf: asOf})
	if err != nil || res.Customers != len(ds.Customers) || res.Scored != 0 {
		t.Fatalf("load without a model: %+v, %v", res, err)
	}
	if _, err := bare.GetScore(ctx, active[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("scored without a model: %v", err)
	}
}

// TestImportBacktests: Import into a service records the back-tested
// predicted churn of the months up to now, as training.PredictedByMonth
// gives it.
func TestImportBacktests(t *testing.T) {
	ds, _, models := generated(t)
	ctx := context.Background()
	now := func() time.Time { return end.Add(12 * time.Hour) }
	st := store.NewMem(store.MemOptions{Now: now})
	svc := app.New(app.Config{Store: st, ModelsDir: models, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Webhooks: webhook.NewMem()})
	a, err := svc.Models().Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(ctx, svc, ds)
	if err != nil || res.Customers != len(ds.Customers) || res.Scored == 0 {
		t.Fatalf("Import = %+v, %v", res, err)
	}
	to := metrics.MonthOf(now())
	want := training.PredictedByMonth(ds, a, to-metrics.DefaultMonths+1, to)
	cs, err := st.ChurnMetrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || len(cs.Predicted) != len(want) {
		t.Fatalf("predicted churn of %d months, want %d", len(cs.Predicted), len(want))
	}
	for m, w := range want {
		if math.Abs(cs.Predicted[m]-w) > 1e-6 {
			t.Errorf("%s: predicted %v, back-test %v", m, cs.Predicted[m], w)
		}
	}
}

// TestLoadRedisDown: a load into a Redis that cannot be reached fails with
// an error wrapping store.ErrUnavailable.
func TestLoadRedisDown(t *testing.T) {
	ds, a, _ := generated(t)
	srv := redistest.Start(t)
	st, err := store.NewRedis(context.Background(), store.RedisOptions{URL: srv.URL(), Prefix: "load:", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv.Stop()
	_, err = Load(context.Background(), st, ds, Options{Model: a, AsOf: end})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Load with Redis down = %v, want store.ErrUnavailable", err)
	}
}
