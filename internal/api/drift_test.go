package api

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// scoreGenerated asks for the risk of the first n generated customers.
func (a *testAPI) scoreGenerated(t *testing.T, n int) {
	t.Helper()
	for i := range testData.Customers[:n] {
		a.scoreOne(t, testData.Customers[i].ID)
	}
}

// scoreOne asks for one customer's risk.
func (a *testAPI) scoreOne(t *testing.T, id string) {
	t.Helper()
	if code, body, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil); code != 200 {
		t.Fatalf("risk %s: %d %v", id, code, body)
	}
}

// driftOf reads GET /v1/model/drift and checks its shape: features sorted
// by PSI, highest first, levels matching the figures, max_psi the first.
func (a *testAPI) driftOf(t *testing.T) (sample int, maxPSI float64, features []any, body map[string]any) {
	t.Helper()
	code, body, _ := a.do("GET", "/v1/model/drift", nil)
	if code != 200 {
		t.Fatalf("drift: %d %v", code, body)
	}
	if body["model_version"] != a.srv.App().Models().Active().Version {
		t.Errorf("model_version %v, want %s", body["model_version"], a.srv.App().Models().Active().Version)
	}
	features, _ = body["features"].([]any)
	prev := math.Inf(1)
	for _, f := range features {
		f := f.(map[string]any)
		psi := f["psi"].(float64)
		if psi > prev || psi < 0 || math.IsNaN(psi) {
			t.Errorf("feature %v: psi %v after %v", f["feature"], psi, prev)
		}
		prev = psi
		if want := driftLevel(psi); f["level"] != want {
			t.Errorf("feature %v: level %v for psi %v, want %s", f["feature"], f["level"], psi, want)
		}
	}
	maxPSI = body["max_psi"].(float64)
	if len(features) > 0 && maxPSI != features[0].(map[string]any)["psi"].(float64) {
		t.Errorf("max_psi %v is not the first feature's psi", maxPSI)
	}
	return int(body["sample_size"].(float64)), maxPSI, features, body
}

func TestModelDrift(t *testing.T) {
	a := newTestAPI(t, true)
	m := a.srv.App().Models().Active()
	if m.Reference == nil || len(m.Reference.Features) != m.Schema.Len() {
		t.Fatalf("the trained model has no drift reference for its %d features", m.Schema.Len())
	}

	// Before any scoring: no sample, a note, no figures.
	n, maxPSI, features, body := a.driftOf(t)
	if n != 0 || len(features) != 0 || maxPSI != 0 || body["note"] == nil {
		t.Errorf("before scoring: sample %d, %d features, max %v, note %v", n, len(features), maxPSI, body["note"])
	}

	// Customers scored at the latest training snapshot are drawn like the
	// training rows (scoring on another weekday would shift the weekly
	// pattern of days_since_last_activity). Every active customer: a sample
	// of a few hundred keeps the PSI's own noise (about bins/n) well below
	// the 0.25 of a real shift.
	end := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	last, err := time.Parse(time.DateOnly, m.Meta.Snapshots[len(m.Meta.Snapshots)-1])
	if err != nil {
		t.Fatalf("latest snapshot of the model: %v", err)
	}
	var active []int // every customer active at the snapshot, later churners included
	for i := range testData.Customers {
		if testData.Customers[i].ActiveAt(last) {
			active = append(active, i)
		}
	}
	customers := len(active)
	a.clock.Set(last)
	a.loadGenerated(t, active[len(active)-1]+1)
	for _, i := range active {
		a.scoreOne(t, testData.Customers[i].ID)
	}
	if err := a.srv.App().Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, maxPSI, features, body = a.driftOf(t)
	if n < customers || n > driftWindow {
		t.Errorf("sample_size %d, want at least %d", n, customers)
	}
	if len(features) != m.Schema.Len() {
		t.Errorf("%d features, want %d", len(features), m.Schema.Len())
	}
	if math.IsInf(maxPSI, 0) || math.IsNaN(maxPSI) || maxPSI >= 0.25 {
		t.Errorf("max_psi %v, want under 0.25 for customers like the training data", maxPSI)
	}
	if body["note"] != nil {
		t.Errorf("note %v with a sample of %d", body["note"], n)
	}
	t.Logf("served like training: sample %d, max_psi %.4f (%v)", n, maxPSI, features[0])

	// The gauge carries the same figures.
	resp, err := http.Get(a.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	top := features[0].(map[string]any)["feature"].(string)
	if !strings.Contains(string(raw), `churn_feature_drift_psi{feature="`+top+`"}`) {
		t.Errorf("metrics lack churn_feature_drift_psi for %s", top)
	}

	// A population whose usage is ten times the training data's drifts.
	shifted := newTestAPI(t, true)
	shifted.clock.Set(end)
	shifted.loadGenerated(t, active[len(active)-1]+1)
	from := signals.DayNumber(end) - 30
	var events []any
	for _, i := range active {
		for _, d := range testData.Histories[i] {
			if d.Day >= from && d.Usage > 0 { // add 9x: the day's usage becomes 10x
				events = append(events, ev("usage", testData.Customers[i].ID, signals.DayStart(d.Day).Add(12*time.Hour),
					map[string]any{"quantity": 9 * d.Usage}))
			}
		}
	}
	if len(events) == 0 || len(events) > 10_000 {
		t.Fatalf("%d usage events", len(events))
	}
	if code, body, _ := shifted.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
		t.Fatalf("events: %d %v", code, body)
	}
	if err := shifted.srv.App().Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, i := range active {
		shifted.scoreOne(t, testData.Customers[i].ID)
	}
	n2, maxShifted, features2, _ := shifted.driftOf(t)
	if n2 < customers {
		t.Errorf("shifted sample_size %d", n2)
	}
	if maxShifted <= 0.25 {
		t.Errorf("shifted max_psi %.4f, want > 0.25 (unshifted %.4f)", maxShifted, maxPSI)
	}
	if before, after := psiOf(features, "usage_30d"), psiOf(features2, "usage_30d"); after <= 0.25 || after <= before {
		t.Errorf("usage_30d psi %.4f after usage x10, %.4f before", after, before)
	}
	top2 := features2[0].(map[string]any)
	if !strings.HasPrefix(top2["feature"].(string), "usage") || top2["level"] != driftSignificant {
		t.Errorf("most drifted feature %v, want a usage feature at level significant", top2)
	}
	t.Logf("usage x10: sample %d, max_psi %.4f (%v)", n2, maxShifted, top2)
}

func TestModelDriftWithoutModelOrReference(t *testing.T) {
	a := newTestAPI(t, false)
	if code, body, _ := a.do("GET", "/v1/model/drift", nil); code != 503 {
		t.Errorf("no model: %d %v, want 503", code, body)
	}

	b := newTestAPI(t, true)
	old := *b.srv.App().Models().Active()
	old.Reference = nil // a model trained before drift monitoring
	b.srv.App().Models().Activate(&old)
	b.loadGenerated(t, 10)
	b.scoreGenerated(t, 10)
	n, _, features, body := b.driftOf(t)
	note, _ := body["note"].(string)
	if n != 0 || len(features) != 0 || !strings.Contains(note, "no training reference") {
		t.Errorf("no reference: sample %d, %d features, note %q", n, len(features), note)
	}

	c := newTestAPI(t, true)
	c.loadGenerated(t, 20)
	c.scoreGenerated(t, 20)
	n, _, features, body = c.driftOf(t)
	note, _ = body["note"].(string)
	if n < 10 || n > 20 || len(features) == 0 || !strings.Contains(note, "fewer than 100") { // churned customers are not sampled
		t.Errorf("small sample: sample %d, %d features, note %q", n, len(features), note)
	}
}

// TestDriftMonitorRing checks the ring's bound, its reset on a new model
// version, that stored vectors are copies, and that it is safe under
// concurrent use.
func TestDriftMonitorRing(t *testing.T) {
	d := newDriftMonitor(func() *model.Artifact { return nil }, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "g"}, []string{"feature"}),
		slog.New(slog.DiscardHandler))
	x := []float64{1, 2}
	d.observe("v1", x)
	x[0] = 99
	if got := d.sample("v1"); len(got) != 1 || got[0][0] != 1 {
		t.Fatalf("sample %v: want a copy of the first vector", got)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < driftWindow; i++ {
				d.observe("v1", []float64{float64(i), 0})
			}
		}()
	}
	wg.Wait()
	if got := d.sample("v1"); len(got) != driftWindow {
		t.Errorf("ring holds %d, want %d", len(got), driftWindow)
	}
	if got := d.sample("v0"); got != nil {
		t.Errorf("another version's sample: %d vectors", len(got))
	}
	d.observe("v2", []float64{5, 5})
	if got := d.sample("v2"); len(got) != 1 || got[0][0] != 5 {
		t.Errorf("after a new version: %v", got)
	}
	if got := d.sample("v1"); got != nil {
		t.Errorf("old version still sampled: %d vectors", len(got))
	}
}

// psiOf returns a feature's psi in a drift answer's features, or -1.
func psiOf(features []any, name string) float64 {
	for _, f := range features {
		if f := f.(map[string]any); f["feature"] == name {
			return f["psi"].(float64)
		}
	}
	return -1
}
