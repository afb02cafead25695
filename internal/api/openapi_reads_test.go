package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// TestOpenAPIReadAnswers validates full answers of the read routes the
// console uses, with a model, data, alerts and a report present, against
// the document.
func TestOpenAPIReadAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	dir, _ := modelsWithReport(t, "<!doctype html><title>r</title>")
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	hooks := webhook.NewMem()
	st := store.NewMem(store.MemOptions{Now: clk.Now})
	srv := New(Config{Store: st, ModelsDir: dir, Now: clk.Now, Webhooks: hooks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	api := &testAPI{t: t, store: st, clock: clk, srv: srv}
	historyFixture(t, api)
	ctx := context.Background()
	sub, err := webhook.NewSubscription("https://crm.example/hook", []webhook.EventType{webhook.EventAtRisk}, nil, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := hooks.PutSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	d := webhook.Delivery{ID: "msg_1", SubscriptionID: sub.ID, Type: webhook.EventAtRisk, CustomerID: "h1",
		Payload: json.RawMessage(`{"type":"customer.at_risk","data":{"customer_id":"h1"}}`), CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
	if err := hooks.Enqueue(ctx, []webhook.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	claimed, err := hooks.Claim(ctx, "t", 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	claimed[0].Attempts, claimed[0].LastStatus = 1, 500
	if err := hooks.Fail(ctx, claimed[0]); err != nil {
		t.Fatal(err)
	}
	// A scored, flagged customer for the plan filter.
	if err := st.PutScore(ctx, "h1", store.Cached{Day: 1, ModelVersion: "v", Score: store.Score{Score: 0.9, RiskLevel: "high", Flagged: true,
		ModelVersion: "v", AsOf: clk.Now(), Plan: "starter"}}); err != nil {
		t.Fatal(err)
	}
	// The report is HTML: read as text, like text/plain.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	defer openapi3filter.UnregisterBodyDecoder("text/html")
	engine := srv.Handler()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	for _, tc := range []struct {
		name, target string
		check        func(body map[string]any) bool
	}{
		{"history with scores and a drop", "/v1/customers/h1/history?days=10", func(b map[string]any) bool {
			return b["usage_drop"] != nil && b["model_version"] != nil && len(b["days"].([]any)) == 10
		}},
		{"alerts", "/v1/customers/h1/alerts", func(b map[string]any) bool { return len(b["items"].([]any)) == 1 }},
		{"at-risk of a plan", "/v1/at-risk?plan=starter", func(b map[string]any) bool { return len(b["items"].([]any)) == 1 }},
		{"at-risk by change", "/v1/at-risk?sort=change&level=high&q=H1", func(b map[string]any) bool { return len(b["items"].([]any)) == 1 }},
		{"whoami", "/v1/whoami", func(b map[string]any) bool { return b["role"] == "admin" }},
		{"report", "/v1/model/report", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			engine.ServeHTTP(w, httptest.NewRequest("GET", tc.target, nil))
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if tc.check != nil {
				var body map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || !tc.check(body) {
					t.Fatalf("answer lacks what the test needs (%v): %s", err, w.Body)
				}
			}
			checkAnswer(t, router, httptest.NewRequest("GET", tc.target, nil), w, opts)
		})
	}
}
