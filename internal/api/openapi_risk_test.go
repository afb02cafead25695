package api

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// TestOpenAPIRiskAnswers validates the risk answers with a model (GET
// /v1/customers/{id}/risk and POST /v1/score) against the document and
// checks the base score and the drivers' impacts: the base score is the
// model's, the same for every customer, and each impact has its
// contribution's sign.
func TestOpenAPIRiskAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	a := newTestAPI(t, true)
	historyFixture(t, a)
	m := a.srv.App().Models().Active()
	want := m.Predict(make([]float64, m.Schema.Len()), 0).BaseScore
	engine := a.srv.Handler()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	check := func(t *testing.T, r map[string]any) {
		t.Helper()
		base, _ := r["base_score"].(float64)
		if base != want || base <= 0 || base >= 1 {
			t.Errorf("base_score %v, the model's is %v", r["base_score"], want)
		}
		drivers, _ := r["drivers"].([]any)
		if len(drivers) == 0 {
			t.Fatalf("no drivers: %v", r)
		}
		for _, d := range drivers {
			d := d.(map[string]any)
			impact, ok := d["impact"].(float64)
			c, _ := d["contribution"].(float64)
			if !ok || impact == 0 || math.Signbit(impact) != math.Signbit(c) || math.Abs(impact) >= 1 {
				t.Errorf("driver %v: impact %v against contribution %v", d["feature"], d["impact"], c)
			}
		}
	}
	t.Run("risk", func(t *testing.T) {
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, httptest.NewRequest("GET", "/v1/customers/h1/risk", nil))
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		checkAnswer(t, router, httptest.NewRequest("GET", "/v1/customers/h1/risk", nil), w, opts)
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		check(t, body)
	})
	t.Run("score", func(t *testing.T) {
		const body = `{"customers":[{"customer_id":"w1","plan":"starter","mrr":10,"signup_at":"2025-01-01",
			"events":[{"type":"ticket","timestamp":"2026-06-28","text":"I want to cancel and get a refund"},
			{"type":"page_view","timestamp":"2026-06-29","path":"/account/cancel"}]}]}`
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, exampleRequest("POST", "/v1/score", body))
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		checkAnswer(t, router, exampleRequest("POST", "/v1/score", body), w, opts)
		var out struct {
			Results []map[string]any `json:"results"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Results) != 1 {
			t.Fatalf("results %v, err %v", out.Results, err)
		}
		check(t, out.Results[0])
	})
}
