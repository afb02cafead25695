package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// receiver is a CRM stand-in: it records every request and answers with the
// status its fail function chooses (0 means 200).
type receiver struct {
	mu    sync.Mutex
	calls []http.Header
	body  [][]byte
	fail  func(n int) int
	srv   *httptest.Server
}

func newReceiver(t *testing.T, fail func(n int) int) *receiver {
	r := &receiver{fail: fail}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.calls = append(r.calls, req.Header.Clone())
		r.body = append(r.body, b)
		n := len(r.calls)
		r.mu.Unlock()
		if r.fail != nil {
			if code := r.fail(n); code != 0 {
				w.WriteHeader(code)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() ([]http.Header, [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.calls...), append([][]byte(nil), r.body...)
}

// testSchedule is the retry schedule of the test dispatchers.
var testSchedule = webhook.Schedule{0, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond}

// webhookAPI is a test API with a webhook store and a running dispatcher;
// change, when given, changes its configuration first.
func webhookAPI(t *testing.T, st testStore, hooks webhook.Store, clk *clock, consumer string, change ...func(*Config)) (*testAPI, context.CancelFunc) {
	t.Helper()
	cfg := Config{Store: st, ModelsDir: trainedModels(t), Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Webhooks: hooks, AllowPrivateWebhooks: true}
	for _, ch := range change {
		ch(&cfg)
	}
	srv := New(cfg)
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	d := &webhook.Dispatcher{Store: hooks, Client: &http.Client{}, Schedule: testSchedule,
		Timeout: 2 * time.Second, ClaimTimeout: 500 * time.Millisecond, Consumer: consumer, Poll: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: srv.WebhookMetrics()}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); srv.App().Run(ctx) }()
	go func() { defer wg.Done(); d.Run(ctx) }()
	stop := func() { cancel(); wg.Wait(); hs.Close() }
	t.Cleanup(stop)
	return &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}, stop
}

// subscribe registers the receiver and returns the subscription's secret.
func subscribe(t *testing.T, a *testAPI, url string, minScore float64) (id, secret string) {
	t.Helper()
	code, body, _ := a.do("POST", "/v1/webhooks", map[string]any{"url": url, "events": []string{"customer.at_risk", "customer.risk_cleared"}, "min_score": minScore})
	if code != 201 {
		t.Fatalf("subscribe: %d %v", code, body)
	}
	return body["id"].(string), body["secret"].(string)
}

// pushOver posts events that push a loaded customer well into high risk
// (from under 0.01 to over 0.1 with the test model: three cancel and refund-page visits and
// three tickets asking to cancel, in the last hours).
func pushOver(t *testing.T, a *testAPI, id string) {
	t.Helper()
	now := a.clock.Now()
	var events []any
	for k := 0; k < 3; k++ {
		events = append(events,
			ev("page_view", id, now.Add(-time.Duration(k+1)*time.Hour), map[string]any{"path": "/account/cancel"}),
			ev("page_view", id, now.Add(-time.Duration(k+1)*time.Hour), map[string]any{"path": "/legal/refund-policy"}),
			ev("ticket", id, now.Add(-time.Duration(k+1)*time.Hour), map[string]any{"text": "Terrible. I want to cancel and get a refund, we are moving to a competitor."}))
	}
	if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
		t.Fatalf("events: %d %v", code, body)
	}
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhookAlertRetriedAndSigned: a customer crosses the threshold through
// ingested events; the receiver fails 3 times then succeeds; every attempt
// carries the same webhook-id and a signature the Standard Webhooks library
// accepts; exactly one delivery ends delivered.
func TestWebhookAlertRetriedAndSigned(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	a, _ := webhookAPI(t, store.NewMem(store.MemOptions{Now: clk.Now}), webhook.NewMem(), clk, "solo")
	a.loadGenerated(t, 50)
	rcv := newReceiver(t, func(n int) int {
		if n <= 3 {
			return 500
		}
		return 0
	})
	subID, secret := subscribe(t, a, rcv.srv.URL+"/hooks", 0.1)
	id := testData.Customers[7].ID
	pushOver(t, a, id)
	waitFor(t, "4 attempts", 10*time.Second, func() bool { c, _ := rcv.snapshot(); return len(c) >= 4 })
	time.Sleep(300 * time.Millisecond)
	calls, bodies := rcv.snapshot()
	if len(calls) != 4 {
		t.Fatalf("%d calls, want 4 (3 failures and the success)", len(calls))
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range calls {
		if h.Get("webhook-id") != calls[0].Get("webhook-id") || h.Get("webhook-id") == "" {
			t.Errorf("attempt %d: webhook-id %q, first %q", i+1, h.Get("webhook-id"), calls[0].Get("webhook-id"))
		}
		if err := wh.Verify(bodies[i], h); err != nil {
			t.Errorf("attempt %d: signature refused by the Standard Webhooks library: %v", i+1, err)
		}
	}
	var p app.AlertPayload
	if err := json.Unmarshal(bodies[3], &p); err != nil || p.Type != "customer.at_risk" || p.Data.CustomerID != id || p.Data.Score < 0.1 || len(p.Data.Drivers) == 0 || p.Data.ModelVersion == "" {
		t.Fatalf("payload %s (%v)", bodies[3], err)
	}
	code, body, _ := a.do("GET", "/v1/webhooks/"+subID+"/deliveries", nil)
	ds, _ := body["deliveries"].([]any)
	if code != 200 || len(ds) != 1 || ds[0].(map[string]any)["status"] != "delivered" || ds[0].(map[string]any)["attempts"] != 4.0 {
		t.Fatalf("deliveries: %d %v", code, body)
	}
	// Staying at risk raises nothing new; the list shows no secret.
	a.do("GET", "/v1/customers/"+id+"/risk", nil)
	pushOver(t, a, id)
	a.srv.App().Settle(context.Background())
	time.Sleep(200 * time.Millisecond)
	if c, _ := rcv.snapshot(); len(c) != 4 {
		t.Errorf("%d calls after more bad events, want still 4", len(c))
	}
	// Prometheus counts the attempts.
	resp, err := http.Get(a.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	prom, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`churn_webhook_deliveries_total{result="retried"} 3`, `churn_webhook_deliveries_total{result="sent"} 1`} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	_, list, _ := a.do("GET", "/v1/webhooks", nil)
	if fmt.Sprint(list) == "" || fmt.Sprint(list["webhooks"]) == "" || containsSecret(list, secret) {
		t.Errorf("webhook list %v", list)
	}
}

func containsSecret(v any, secret string) bool {
	b, _ := json.Marshal(v)
	return json.Valid(b) && len(secret) > 0 && string(b) != "" && (len(b) > 0 && contains(string(b), secret))
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestWebhookValidation(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk.Now}), ModelsDir: t.TempDir(), Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Webhooks: webhook.NewMem()})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	a := &testAPI{t: t, url: hs.URL, clock: clk, srv: srv}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"url": "http://127.0.0.1:6379/"}, "url"},
		{map[string]any{"url": "http://169.254.169.254/latest/meta-data"}, "url"},
		{map[string]any{"url": "http://10.1.2.3/hook"}, "url"},
		{map[string]any{"url": "ftp://93.184.216.34/"}, "url"},
		{map[string]any{"url": "https://93.184.216.34/", "events": []string{"customer.bought"}}, "events[0]"},
		{map[string]any{"url": "https://93.184.216.34/", "min_score": 1.5}, "min_score"},
	} {
		code, body, _ := a.do("POST", "/v1/webhooks", c.body)
		if code != 422 || fmt.Sprint(fieldsOf(t, body)) != "["+c.field+"]" {
			t.Errorf("%v: %d %v, want 422 on %s", c.body, code, body, c.field)
		}
	}
	code, body, _ := a.do("POST", "/v1/webhooks", map[string]any{"url": "https://93.184.216.34/hooks"})
	if code != 201 || body["secret"] == nil || len(body["secret"].(string)) < 10 {
		t.Fatalf("public URL: %d %v", code, body)
	}
	id := body["id"].(string)
	if code, _, _ := a.do("DELETE", "/v1/webhooks/"+id, nil); code != 204 {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := a.do("DELETE", "/v1/webhooks/"+id, nil); code != 404 {
		t.Errorf("delete again: %d", code)
	}
}

// TestWebhookTwoReplicas: two API servers with their dispatchers on one
// Redis; 200 customers get bad events through either replica; every current
// customer now over the threshold is alerted exactly once, with distinct
// webhook-ids.
func TestWebhookTwoReplicas(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	url := redistest.URL(t)
	prefix := redistest.Prefix(t)
	redistest.Cleanup(t, url, nil, prefix)
	rcv := newReceiver(t, nil)
	var apis [2]*testAPI
	for i := range apis {
		st, err := store.NewRedis(context.Background(), store.RedisOptions{URL: url, Prefix: prefix, Now: clk.Now, Timeout: testStoreTimeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		apis[i], _ = webhookAPI(t, st, webhook.NewRedis(st.Client(), prefix), clk, fmt.Sprintf("replica-%d", i))
	}
	const n = 300
	apis[0].loadGenerated(t, n)
	subscribe(t, apis[0], rcv.srv.URL, 0.2)
	// Half the customers get their bad events through each replica.
	for i := 0; i < n; i++ {
		pushOver(t, apis[i%2], testData.Customers[i].ID)
	}
	for _, a := range apis {
		a.srv.App().Settle(context.Background())
	}
	// Every current customer whose score is now at or over 0.2 must be alerted.
	want := 0
	for i := 0; i < n; i++ {
		c := testData.Customers[i]
		if !c.ActiveAt(clk.Now()) {
			continue
		}
		if _, r, _ := apis[0].do("GET", "/v1/customers/"+c.ID+"/risk", nil); r["score"].(float64) >= 0.2 {
			want++
		}
	}
	if want < 200 {
		t.Fatalf("only %d customers crossed 0.2", want)
	}
	waitFor(t, fmt.Sprintf("%d deliveries", want), 20*time.Second, func() bool {
		c, _ := rcv.snapshot()
		ids := map[string]bool{}
		for _, h := range c {
			ids[h.Get("webhook-id")] = true
		}
		return len(ids) >= want
	})
	time.Sleep(500 * time.Millisecond)
	calls, bodies := rcv.snapshot()
	seen := map[string]int{}
	customers := map[string]bool{}
	for i, h := range calls {
		seen[h.Get("webhook-id")]++
		var p app.AlertPayload
		json.Unmarshal(bodies[i], &p)
		if p.Type == "customer.at_risk" {
			customers[p.Data.CustomerID] = true
		}
	}
	dup := 0
	for _, n := range seen {
		if n > 1 {
			dup++
		}
	}
	t.Logf("%d calls, %d distinct webhook-ids, %d customers alerted", len(calls), len(seen), len(customers))
	if dup > 0 || len(customers) != want || len(seen) != want {
		t.Errorf("%d webhook-ids delivered more than once; %d customers alerted, %d distinct ids; want %d", dup, len(customers), len(seen), want)
	}
}

// TestWebhookSurvivesRestart stops an API (server and dispatcher) while a
// delivery is pending because the CRM is down, starts a new one on the same
// Redis, brings the CRM back, and sees the delivery complete.
func TestWebhookSurvivesRestart(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	url := redistest.URL(t)
	prefix := redistest.Prefix(t)
	redistest.Cleanup(t, url, nil, prefix)
	var down sync.Mutex
	up := false
	rcv := newReceiver(t, func(int) int {
		down.Lock()
		defer down.Unlock()
		if up {
			return 0
		}
		return 503
	})
	open := func(consumer string) (*testAPI, context.CancelFunc) {
		st, err := store.NewRedis(context.Background(), store.RedisOptions{URL: url, Prefix: prefix, Now: clk.Now, Timeout: testStoreTimeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return webhookAPI(t, st, webhook.NewRedis(st.Client(), prefix), clk, consumer)
	}
	old := testSchedule
	testSchedule = webhook.Schedule{0, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 2 * time.Second, 2 * time.Second}
	defer func() { testSchedule = old }()
	a, stopA := open("first")
	a.loadGenerated(t, 20)
	subID, _ := subscribe(t, a, rcv.srv.URL, 0.3)
	for i := 0; i < 20; i++ {
		if testData.Customers[i].ActiveAt(clk.Now()) {
			pushOver(t, a, testData.Customers[i].ID)
		}
	}
	waitFor(t, "a failed attempt", 5*time.Second, func() bool { c, _ := rcv.snapshot(); return len(c) >= 1 })
	stopA()
	before, bodies := rcv.snapshot()
	var first app.AlertPayload
	if err := json.Unmarshal(bodies[0], &first); err != nil {
		t.Fatal(err)
	}
	id := first.Data.CustomerID
	down.Lock()
	up = true
	down.Unlock()
	b, _ := open("second")
	waitFor(t, "the delivery after the restart", 15*time.Second, func() bool {
		_, body, _ := b.do("GET", "/v1/webhooks/"+subID+"/deliveries", nil)
		ds, _ := body["deliveries"].([]any)
		for _, d := range ds {
			if m := d.(map[string]any); m["customer_id"] == id && m["status"] == "delivered" {
				return true
			}
		}
		return false
	})
	calls, _ := rcv.snapshot()
	t.Logf("%d failed attempts before the stop, %d calls in all", len(before), len(calls))
	n := 0
	for _, h := range calls[len(before):] {
		if h.Get("webhook-id") == before[0].Get("webhook-id") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the pending delivery was sent %d times after the restart, want once with the same webhook-id", n)
	}
}

// TestModelChangeAlerts: a subscription without min_score follows the
// model's threshold; a new model with a lower threshold, reloaded into the
// running API, rescores everyone in the background and alerts the customers
// it newly flags, once each.
func TestModelChangeAlerts(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	// A models directory of our own with versions v1 and v2 (a third of
	// v1's threshold), v1 current.
	dir := twoVersions(t)

	st := store.NewMem(store.MemOptions{Now: clk.Now})
	hooks := webhook.NewMem()
	srv := New(Config{Store: st, ModelsDir: dir, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Webhooks: hooks, AllowPrivateWebhooks: true, RescoreRate: 5000})
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.App().Run(ctx)
	go (&webhook.Dispatcher{Store: hooks, Client: &http.Client{}, Schedule: testSchedule, Consumer: "m", Poll: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Run(ctx)
	a := &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}
	rcv := newReceiver(t, nil)
	if code, body, _ := a.do("POST", "/v1/webhooks", map[string]any{"url": rcv.srv.URL}); code != 201 {
		t.Fatalf("subscribe: %d %v", code, body)
	}
	a.loadGenerated(t, 300)
	// Score everyone once with the first model.
	for i := range testData.Customers[:300] {
		a.do("GET", "/v1/customers/"+testData.Customers[i].ID+"/risk", nil)
	}
	srv.App().Settle(context.Background())
	time.Sleep(300 * time.Millisecond)
	before, _ := rcv.snapshot()

	os.WriteFile(filepath.Join(dir, "current"), []byte("v2\n"), 0o644)
	if code, body, _ := a.do("POST", "/v1/model/reload", nil); code != 200 || body["version"] != "v2" {
		t.Fatalf("reload: %d %v", code, body)
	}
	// Wait until the background rescoring has scored everyone with v2.
	waitFor(t, "rescoring with the new model", 15*time.Second, func() bool {
		for i := range testData.Customers[:300] {
			snap, _ := st.Snapshot(context.Background(), testData.Customers[i].ID)
			c := snap.Cached
			if c == nil || c.ModelVersion != "v2" {
				return false
			}
		}
		return true
	})
	srv.App().Settle(context.Background())
	time.Sleep(500 * time.Millisecond)
	calls, bodies := rcv.snapshot()
	atRisk := map[string]int{}
	for _, b := range bodies {
		var p app.AlertPayload
		json.Unmarshal(b, &p)
		if p.Type == "customer.at_risk" {
			atRisk[p.Data.CustomerID]++
		}
	}
	newOnes := 0
	for _, b := range bodies[len(before):] {
		var p app.AlertPayload
		json.Unmarshal(b, &p)
		if p.Type == "customer.at_risk" && p.Data.ModelVersion == "v2" {
			newOnes++
		}
	}
	t.Logf("%d alerts with the first model, %d after the change (%d new at-risk)", len(before), len(calls)-len(before), newOnes)
	if newOnes == 0 {
		t.Error("the new model flagged nobody new")
	}
	for id, n := range atRisk {
		if n > 1 {
			t.Errorf("%s alerted %d times", id, n)
		}
	}
}
