package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
	"github.com/churnrisk/churn/internal/webhook"
)

// end is the last day of the generated data; the tests' clock is noon after it.
var end = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

var (
	fixtureOnce sync.Once
	fixtureDS   *data.Dataset
	fixtureDir  string
	fixtureErr  error
)

// fixture returns a small generated data set and a models directory
// holding a model trained on it, made once for the package.
func fixture(t *testing.T) (*data.Dataset, string) {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "churn-app-test-")
		if err != nil {
			fixtureErr = err
			return
		}
		if _, err := synth.Generate(filepath.Join(dir, "data"), synth.Config{Customers: 300, Days: 150, End: end, Seed: 3}); err != nil {
			fixtureErr = err
			return
		}
		if fixtureDS, fixtureErr = data.Load(filepath.Join(dir, "data"), data.Options{}); fixtureErr != nil {
			return
		}
		res, err := training.Fit(fixtureDS, training.Config{Seed: 1}, end)
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureDir = filepath.Join(dir, "models")
		_, fixtureErr = model.Save(fixtureDir, res.Artifact, true)
	})
	if fixtureErr != nil {
		t.Fatalf("fixture: %v", fixtureErr)
	}
	return fixtureDS, fixtureDir
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// loaded returns a service on an embedded store holding every customer of
// the fixture, with the fixture's model loaded, as of noon after the data.
func loaded(t *testing.T, hooks webhook.Store) (*Service, *store.Mem, *data.Dataset) {
	t.Helper()
	ds, dir := fixture(t)
	now := func() time.Time { return end.Add(12 * time.Hour) }
	st := store.NewMem(store.MemOptions{Now: now})
	batch := make([]store.CustomerData, len(ds.Customers))
	for i := range ds.Customers {
		batch[i] = store.CustomerData{Profile: ds.Customers[i], History: ds.Histories[i]}
	}
	if err := st.Import(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Store: st, ModelsDir: dir, Logger: quiet(), Now: now, Webhooks: hooks, ModelPoll: -1})
	if _, err := s.Models().Load(); err != nil {
		t.Fatal(err)
	}
	return s, st, ds
}

func TestModels(t *testing.T) {
	_, dir := fixture(t)
	m := newModels(t.TempDir(), -1, quiet())
	if _, err := m.Require(); !errors.Is(err, ErrNoModel) {
		t.Errorf("Require before a load = %v, want ErrNoModel", err)
	}
	if _, err := m.Load(); !errors.Is(err, ErrModelRefused) || !errors.Is(err, model.ErrNoModel) {
		t.Errorf("Load of an empty directory = %v, want ErrModelRefused and model.ErrNoModel", err)
	}
	if _, err := m.Report(); !errors.Is(err, ErrNoModel) {
		t.Errorf("Report without a model = %v, want ErrNoModel", err)
	}
	vs, err := m.List()
	if err != nil || vs == nil || len(vs) != 0 {
		t.Errorf("List of an empty directory = %v, %v; want an empty list", vs, err)
	}

	m = newModels(dir, -1, quiet())
	a, err := m.Load()
	if err != nil || m.Active() != a || a.Version != model.Current(dir) {
		t.Fatalf("Load = %v, %v; active %v", a, err, m.Active())
	}
	if _, err := m.Report(); err != nil {
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.What != "model version "+a.Version+" has no report.html" {
			t.Errorf("Report = %v, want the page or a NotFoundError naming the version", err)
		}
	}
	// Reloading the same version is no change; another version is.
	if _, err := m.Load(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.changed:
		t.Error("the same version signalled a change")
	default:
	}
	other := *a
	other.Version = a.Version + "-b"
	m.Activate(&other)
	select {
	case <-m.changed:
	default:
		t.Error("a new version did not signal a change")
	}
	if m.Active().Version != other.Version {
		t.Errorf("active %s, want %s", m.Active().Version, other.Version)
	}
}

// TestRiskScoresAndPersists: Risk computes the score the model gives the
// stored profile and aggregates, stores it with its vector (the at-risk
// list follows), and serves the next request from that cache.
func TestRiskScoresAndPersists(t *testing.T) {
	s, st, ds := loaded(t, nil)
	ctx := context.Background()
	m := s.Models().Active()
	now := s.Now()
	if _, err := s.Risk(ctx, "nobody", i18n.En); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Risk of an unknown customer = %v, want store.ErrNotFound", err)
	}
	checked := 0
	for i := range ds.Customers {
		p := ds.Customers[i]
		if !p.ActiveAt(now) || i%10 != 0 {
			continue
		}
		r, err := s.Risk(ctx, p.ID, i18n.En)
		if err != nil {
			t.Fatal(err)
		}
		e := signals.EndDay(now)
		want := m.Score(&p, ds.Histories[i].Window(e-int32(m.Schema.LookbackDays), e), now)
		if r.Prediction.Score != want.Score || r.ModelVersion != m.Version || !r.AsOf.Equal(now) || len(r.Prediction.Drivers) != len(want.Drivers) {
			t.Fatalf("%s: risk %+v, want score %v with %d drivers", p.ID, r, want.Score, len(want.Drivers))
		}
		snap, err := st.Snapshot(ctx, p.ID)
		c := snap.Cached
		if err != nil || c == nil || c.Score.Score != want.Score || c.ModelVersion != m.Version || len(c.Vector) != m.Schema.Len() {
			t.Fatalf("%s: stored %+v, %v", p.ID, c, err)
		}
		again, err := s.Risk(ctx, p.ID, i18n.En)
		if err != nil || again.Prediction.Score != r.Prediction.Score {
			t.Fatalf("%s: second risk %v, %v; want %v from the cache", p.ID, again.Prediction.Score, err, r.Prediction.Score)
		}
		if want.Flagged {
			page, err := st.AtRisk(ctx, store.AtRiskQuery{Level: store.LevelHigh, Limit: store.MaxAtRiskLimit})
			if err != nil || !slices.ContainsFunc(page.Items, func(it store.AtRiskItem) bool { return it.CustomerID == p.ID }) {
				t.Errorf("%s is flagged but not on the at-risk list (%v)", p.ID, err)
			}
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d customers checked", checked)
	}
}

// TestIngestRescores: accepted events are counted once, and the background
// rescoring stores the customers' new scores.
func TestIngestRescores(t *testing.T) {
	s, st, ds := loaded(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	now := s.Now()
	id := ""
	for i := range ds.Customers {
		if ds.Customers[i].ActiveAt(now) {
			id = ds.Customers[i].ID
			break
		}
	}
	events := []signals.Event{
		{Type: signals.TypePageView, CustomerID: id, EventID: "e1", Timestamp: now.Add(-time.Hour), Path: "/account/cancel"},
		{Type: signals.TypeTicket, CustomerID: id, EventID: "e2", Timestamp: now.Add(-time.Hour), Text: "We want to cancel and get a refund."},
	}
	if acc, dup, err := s.Ingest(ctx, events); acc != 2 || dup != 0 || err != nil {
		t.Fatalf("Ingest = %d, %d, %v; want 2 accepted", acc, dup, err)
	}
	if acc, dup, err := s.Ingest(ctx, events); acc != 0 || dup != 2 || err != nil {
		t.Fatalf("Ingest again = %d, %d, %v; want 2 duplicates", acc, dup, err)
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	sc, err := st.GetScore(ctx, id)
	if err != nil || sc.ModelVersion != s.Models().Active().Version || !sc.AsOf.Equal(now) {
		t.Fatalf("score after the events: %+v, %v", sc, err)
	}
	r, err := s.Risk(ctx, id, i18n.En)
	if err != nil || r.Prediction.Score != sc.Score {
		t.Errorf("risk %v, %v; want the stored %v", r.Prediction.Score, err, sc.Score)
	}
	if len(r.Signals) == 0 {
		t.Error("no signals behind a cancel-page visit and an intent ticket")
	}
}

// TestScoreWithoutStoring scores inline customers as the model scores their
// aggregated events, and stores nothing.
func TestScoreWithoutStoring(t *testing.T) {
	s, st, _ := loaded(t, nil)
	now := s.Now()
	mrr := 99.0
	in := []Unstored{
		{Profile: features.Profile{ID: "what-if", Plan: "pro", MRR: &mrr}, Events: []signals.Event{
			{Type: signals.TypePageView, CustomerID: "what-if", Timestamp: now.Add(-2 * time.Hour), Path: "/account/cancel"},
			{Type: signals.TypeUsage, CustomerID: "what-if", Timestamp: now.AddDate(0, 0, -40), Quantity: 5, Metric: "usage"},
		}},
		{Profile: features.Profile{}},
	}
	out, err := s.Score(in, i18n.En)
	if err != nil || len(out.Risks) != 2 || out.ModelVersion != s.Models().Active().Version || !out.AsOf.Equal(now) {
		t.Fatalf("Score = %+v, %v", out, err)
	}
	var h signals.History
	agg := signals.NewAggregator()
	for k := range in[0].Events {
		h.Add(agg.Day(&in[0].Events[k]))
	}
	if want := s.Models().Active().Score(&in[0].Profile, h, now); out.Risks[0].Prediction.Score != want.Score {
		t.Errorf("score %v, want %v", out.Risks[0].Prediction.Score, want.Score)
	}
	if out.Risks[0].CustomerID != "what-if" || len(out.Risks[0].Signals) == 0 {
		t.Errorf("first result %+v: want its id and the cancel-page visit among its signals", out.Risks[0])
	}
	if _, err := st.GetCustomer(context.Background(), "what-if"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the scored customer was stored: %v", err)
	}
	empty := New(Config{Store: st, ModelsDir: t.TempDir(), Logger: quiet()})
	if _, err := empty.Score(in, i18n.En); !errors.Is(err, ErrNoModel) {
		t.Errorf("Score without a model = %v, want ErrNoModel", err)
	}
	if _, err := empty.Risk(context.Background(), "what-if", i18n.En); !errors.Is(err, ErrNoModel) {
		t.Errorf("Risk without a model = %v, want ErrNoModel", err)
	}
}

// TestAlertsEvaluate runs the alert rule through Evaluate: at risk once
// when crossing the threshold, no repeat while at risk, cleared below the
// threshold minus the hysteresis, nothing for a customer who left.
func TestAlertsEvaluate(t *testing.T) {
	hooks := webhook.NewMem()
	now := end
	st := store.NewMem(store.MemOptions{Now: func() time.Time { return now }})
	a := newAlerts(hooks, st, 0, func() time.Time { return now })
	ctx := context.Background()
	minScore := 0.5
	sub, err := a.Subscribe(ctx, "https://crm.example/hook", []webhook.EventType{webhook.EventAtRisk, webhook.EventAtRisk, webhook.EventRiskCleared}, &minScore)
	if err != nil || len(sub.Events) != 2 || sub.Secret == "" {
		t.Fatalf("Subscribe = %+v, %v", sub, err)
	}
	if !a.Enabled() || !a.Wanted(ctx) {
		t.Fatal("webhooks with a subscription: not enabled or not wanted")
	}
	m := &model.Artifact{Version: "v1", Threshold: 0.3}
	p := features.Profile{ID: "c1"}
	for i, c := range []struct {
		score float64
		want  []webhook.EventType
	}{
		{0.4, nil}, // below the subscription's 0.5
		{0.6, []webhook.EventType{webhook.EventAtRisk}},                            // crossed
		{0.7, []webhook.EventType{webhook.EventAtRisk}},                            // no repeat
		{0.46, []webhook.EventType{webhook.EventAtRisk}},                           // within the hysteresis
		{0.44, []webhook.EventType{webhook.EventRiskCleared, webhook.EventAtRisk}}, // cleared, newest first
	} {
		if err := a.Evaluate(ctx, m, &p, model.Prediction{Score: c.score}, nil, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		ds, err := a.CustomerDeliveries(ctx, "c1", 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []webhook.EventType
		for _, d := range ds {
			got = append(got, d.Type)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("step %d (score %v): deliveries %v, want %v", i, c.score, got, c.want)
		}
	}
	churned := now.AddDate(0, 0, -1)
	left := features.Profile{ID: "c2", ChurnedAt: &churned}
	if err := a.Evaluate(ctx, m, &left, model.Prediction{Score: 0.9}, nil, now); err != nil {
		t.Fatal(err)
	}
	if ds, _ := a.CustomerDeliveries(ctx, "c2", 10); len(ds) != 0 {
		t.Errorf("a customer who left was alerted: %+v", ds)
	}
}

// TestAlertsSubscriptions: unknown webhooks and deliveries are NotFoundErrors
// saying which; without a webhook store nothing is listed and no alert work
// is done.
func TestAlertsSubscriptions(t *testing.T) {
	ctx := context.Background()
	a := newAlerts(webhook.NewMem(), store.NewMem(store.MemOptions{}), 0, time.Now)
	var nf *NotFoundError
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"Subscription": {func() error { _, err := a.Subscription(ctx, "wh_none"); return err }(), "no such webhook"},
		"Unsubscribe":  {a.Unsubscribe(ctx, "wh_none"), "no such webhook"},
		"Redeliver":    {a.Redeliver(ctx, "wh_none", "msg_none"), "no such failed delivery of this webhook"},
	} {
		if !errors.As(c.err, &nf) || nf.What != c.want {
			t.Errorf("%s = %v, want a NotFoundError %q", name, c.err, c.want)
		}
	}
	sub, err := a.Subscribe(ctx, "https://crm.example/hook", []webhook.EventType{webhook.EventAtRisk}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.Subscription(ctx, sub.ID); err != nil || got.ID != sub.ID {
		t.Errorf("Subscription = %+v, %v", got, err)
	}
	if err := a.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if subs, err := a.Subscriptions(ctx); err != nil || len(subs) != 0 {
		t.Errorf("after Unsubscribe: %v, %v", subs, err)
	}

	off := newAlerts(nil, store.NewMem(store.MemOptions{}), 0, time.Now)
	if off.Enabled() || off.Wanted(ctx) {
		t.Error("without a webhook store: enabled or wanted")
	}
	if ds, err := off.CustomerDeliveries(ctx, "c1", 10); ds != nil || err != nil {
		t.Errorf("CustomerDeliveries without webhooks = %v, %v", ds, err)
	}
	if err := off.Evaluate(ctx, &model.Artifact{}, &features.Profile{ID: "c1"}, model.Prediction{Score: 1}, nil, time.Now()); err != nil {
		t.Errorf("Evaluate without webhooks = %v", err)
	}
	for name, err := range map[string]error{
		"Subscribe":     func() error { _, err := off.Subscribe(ctx, "https://crm.example/hook", nil, nil); return err }(),
		"Subscriptions": func() error { _, err := off.Subscriptions(ctx); return err }(),
		"Subscription":  func() error { _, err := off.Subscription(ctx, "wh_x"); return err }(),
		"Unsubscribe":   off.Unsubscribe(ctx, "wh_x"),
		"Deliveries":    func() error { _, err := off.Deliveries(ctx, "wh_x", 10); return err }(),
		"Redeliver":     off.Redeliver(ctx, "wh_x", "msg_x"),
	} {
		if !errors.Is(err, ErrWebhooksOff) {
			t.Errorf("%s without webhooks = %v, want ErrWebhooksOff", name, err)
		}
	}
}

// TestHistoryScoresEachDay: one score per day, the last as of now equal to
// the risk score, and the aggregates of the window.
func TestHistoryScoresEachDay(t *testing.T) {
	s, _, ds := loaded(t, nil)
	ctx := context.Background()
	now := s.Now()
	i := slices.IndexFunc(ds.Customers, func(p features.Profile) bool { return p.ActiveAt(now) })
	id := ds.Customers[i].ID
	h, err := s.History(ctx, id, 30)
	if err != nil {
		t.Fatal(err)
	}
	if h.To-h.From != 29 || h.To != signals.DayNumber(now) || len(h.Scores) != 30 || h.ModelVersion != s.Models().Active().Version {
		t.Fatalf("history %d..%d, %d scores, model %q", h.From, h.To, len(h.Scores), h.ModelVersion)
	}
	for _, d := range h.Days {
		if d.Day < h.From || d.Day > h.To {
			t.Errorf("day %d outside %d..%d", d.Day, h.From, h.To)
		}
	}
	r, err := s.Risk(ctx, id, i18n.En)
	if err != nil || r.Prediction.Score != h.Scores[29] {
		t.Errorf("today's history score %v, risk %v (%v)", h.Scores[29], r.Prediction.Score, err)
	}
	if _, err := s.History(ctx, "nobody", 30); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("History of an unknown customer = %v, want store.ErrNotFound", err)
	}
}
