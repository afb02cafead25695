package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/store"
)

// loadOpenAPI parses and validates the embedded document.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

func openAPIEngine(t *testing.T) *gin.Engine {
	t.Helper()
	s := New(Config{Store: store.NewMem(store.MemOptions{}), ModelsDir: t.TempDir()})
	r, ok := s.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("Handler() is %T, not *gin.Engine", s.Handler())
	}
	return r
}

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestOpenAPIDescribesEveryRoute checks both ways that the document and the
// Gin engine have the same routes.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	engine := openAPIEngine(t)
	registered := map[string]bool{}
	for _, rt := range engine.Routes() {
		if rt.Path == "/" || strings.HasPrefix(rt.Path, "/console") {
			continue // the console's web pages, not API routes
		}
		path := ginParam.ReplaceAllString(rt.Path, "{$1}")
		registered[rt.Method+" "+path] = true
		item := doc.Paths.Value(path)
		if item == nil {
			t.Errorf("%s %s: path not in openapi.json", rt.Method, path)
			continue
		}
		op := item.GetOperation(rt.Method)
		if op == nil {
			t.Errorf("%s %s: method not in openapi.json", rt.Method, path)
			continue
		}
		if !strings.HasPrefix(op.Description, "Role: ") {
			t.Errorf("%s %s: description does not name the role: %q", rt.Method, path, op.Description)
		}
		if len(op.Responses.Map()) == 0 {
			t.Errorf("%s %s: no responses", rt.Method, path)
		}
	}
	if len(registered) < 20 {
		t.Fatalf("only %d routes registered; expected the whole surface", len(registered))
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not a route", method, path)
			}
		}
	}
	// The role written in each /v1 description matches the route table.
	roles := map[string]string{
		"PUT /v1/customers/{id}": "write", "POST /v1/events": "write", "GET /v1/customers/{id}/risk": "read",
		"POST /v1/score": "read", "POST /v1/webhooks": "admin", "POST /v1/model/reload": "admin", "GET /v1/models": "read",
		"GET /v1/customers/{id}/history": "read", "GET /v1/customers/{id}/alerts": "read", "GET /v1/model/report": "read",
		"GET /v1/whoami": "read",
	}
	for k, role := range roles {
		method, path, _ := strings.Cut(k, " ")
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			continue // reported above
		}
		op := item.GetOperation(method)
		if want := "Role: `" + role + "`."; !strings.HasPrefix(op.Description, want) {
			t.Errorf("%s: description %q, want prefix %q", k, op.Description, want)
		}
	}
}

// TestOpenAPIExamples validates example requests against the document: the
// valid ones must pass, the invalid ones must be refused.
func TestOpenAPIExamples(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	tests := []struct {
		name, method, target, body string
		valid                      bool
		errHas                     string
	}{
		{"events batch", "POST", "/v1/events", `{"events":[
			{"type":"usage","customer_id":"c1","timestamp":"2026-01-02T10:00:00Z","quantity":3,"metric":"api_calls","event_id":"e1"},
			{"type":"ticket","customer_id":"c1","timestamp":"2026-01-03","text":"I want to cancel","sentiment":-0.6},
			{"type":"page_view","customer_id":"c2","timestamp":"2026-01-04T00:00:00Z","path":"/billing/cancel"}]}`, true, ""},
		{"customer put", "PUT", "/v1/customers/c1", `{"customer_id":"c1","signup_at":"2025-03-01","plan":"pro","mrr":99.5,
			"churned_at":null,"attributes":{"seats":12,"region":"eu","trial":false,"note":null}}`, true, ""},
		{"score", "POST", "/v1/score", `{"customers":[{"customer_id":"x","plan":"basic","mrr":10,
			"events":[{"type":"usage","timestamp":"2026-01-02"}]},{"signup_at":"2024-01-01"}]}`, true, ""},
		{"webhook create", "POST", "/v1/webhooks", `{"url":"https://crm.example.com/hook","events":["customer.at_risk"],"min_score":0.7}`, true, ""},
		{"at-risk query", "GET", "/v1/at-risk?min_score=0.5&limit=50&cursor=abc", "", true, ""},
		{"churn metrics query", "GET", "/v1/metrics/churn?from=2025-01&to=2025-12", "", true, ""},
		{"redeliver", "POST", "/v1/webhooks/wh_1/deliveries/msg_2/redeliver", "", true, ""},
		{"event type purchase", "POST", "/v1/events", `{"events":[{"type":"purchase","customer_id":"c1","timestamp":"2026-01-02"}]}`, false, "purchase"},
		{"event without customer_id", "POST", "/v1/events", `{"events":[{"type":"usage","timestamp":"2026-01-02"}]}`, false, "customer_id"},
		{"event unknown field", "POST", "/v1/events", `{"events":[{"type":"usage","customer_id":"c1","timestamp":"2026-01-02","colour":"red"}]}`, false, "colour"},
		{"events missing", "POST", "/v1/events", `{}`, false, "events"},
		{"sentiment out of range", "POST", "/v1/events", `{"events":[{"type":"ticket","customer_id":"c1","timestamp":"2026-01-02","sentiment":2}]}`, false, "sentiment"},
		{"negative mrr", "PUT", "/v1/customers/c1", `{"mrr":-1}`, false, "mrr"},
		{"events on put", "PUT", "/v1/customers/c1", `{"events":[]}`, false, "events"},
		{"webhook unknown event", "POST", "/v1/webhooks", `{"url":"https://crm.example.com/hook","events":["customer.signup"]}`, false, "customer.signup"},
		{"webhook min_score 1", "POST", "/v1/webhooks", `{"url":"https://crm.example.com/hook","min_score":1}`, false, "min_score"},
		{"at-risk limit too big", "GET", "/v1/at-risk?limit=5000", "", false, "limit"},
		{"at-risk min_score text", "GET", "/v1/at-risk?min_score=high", "", false, "min_score"},
		{"churn metrics bad month", "GET", "/v1/metrics/churn?from=2025-1", "", false, "from"},
		{"at-risk of a plan", "GET", "/v1/at-risk?plan=pro&limit=20&cursor=abc", "", true, ""},
		{"at-risk plan too long", "GET", "/v1/at-risk?plan=" + strings.Repeat("p", 101), "", false, "plan"},
		{"history", "GET", "/v1/customers/c1/history?days=30", "", true, ""},
		{"history default", "GET", "/v1/customers/c1/history", "", true, ""},
		{"history days 0", "GET", "/v1/customers/c1/history?days=0", "", false, "days"},
		{"history days 366", "GET", "/v1/customers/c1/history?days=366", "", false, "days"},
		{"alerts", "GET", "/v1/customers/c1/alerts?limit=10", "", true, ""},
		{"alerts limit 201", "GET", "/v1/customers/c1/alerts?limit=201", "", false, "limit"},
		{"whoami", "GET", "/v1/whoami", "", true, ""},
		{"model report", "GET", "/v1/model/report", "", true, ""},
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := exampleRequest(tc.method, tc.target, tc.body)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no route for %s %s: %v", tc.method, tc.target, err)
			}
			err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route, Options: opts})
			switch {
			case tc.valid && err != nil:
				t.Fatalf("valid example refused: %v", err)
			case !tc.valid && err == nil:
				t.Fatal("invalid example accepted")
			case !tc.valid && !strings.Contains(err.Error(), tc.errHas):
				t.Fatalf("error %q does not mention %q", err, tc.errHas)
			}
		})
	}
	// A route that does not exist is not found.
	if route, _, err := router.FindRoute(httptest.NewRequest("GET", "/v1/nope", nil)); err == nil {
		t.Errorf("GET /v1/nope found route %s %s", route.Method, route.Path)
	}
}

// TestOpenAPIServed checks that GET /openapi.json answers the embedded
// document as JSON, without a key even when keys are configured.
func TestOpenAPIServed(t *testing.T) {
	engine := openAPIEngine(t)
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if !bytes.Equal(w.Body.Bytes(), openAPIDoc) {
		t.Errorf("body differs from the embedded document (%d bytes vs %d)", w.Body.Len(), len(openAPIDoc))
	}
	doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatalf("served document does not load: %v", err)
	}
	if doc.OpenAPI != "3.0.3" || doc.Paths.Value("/v1/score") == nil {
		t.Errorf("served document: openapi %q, /v1/score present %v", doc.OpenAPI, doc.Paths.Value("/v1/score") != nil)
	}
}

// TestOpenAPIResponses serves requests through the real handler (no model
// loaded, memory store) and validates each answer, status and body, against
// the document.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	engine := openAPIEngine(t)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	tests := []struct {
		name, method, target, body string
		status                     int
	}{
		{"healthz", "GET", "/healthz", "", 200},
		{"readyz without model", "GET", "/readyz", "", 503},
		{"openapi", "GET", "/openapi.json", "", 200},
		{"put customer", "PUT", "/v1/customers/c1", `{"signup_at":"2025-03-01","plan":"pro","mrr":99.5,"attributes":{"seats":12}}`, 200},
		{"get customer", "GET", "/v1/customers/c1", "", 200},
		{"unknown customer", "GET", "/v1/customers/nobody", "", 404},
		{"events", "POST", "/v1/events", `{"events":[{"type":"usage","customer_id":"c1","timestamp":"2025-06-01T10:00:00Z","event_id":"e1"}]}`, 202},
		{"invalid event", "POST", "/v1/events", `{"events":[{"type":"usage","customer_id":"c1","timestamp":"2025-06-01","quantity":-2}]}`, 422},
		{"malformed json", "POST", "/v1/events", `{"events":[`, 400},
		{"risk without model", "GET", "/v1/customers/c1/risk", "", 503},
		{"at-risk", "GET", "/v1/at-risk?limit=10", "", 200},
		{"churn metrics", "GET", "/v1/metrics/churn?from=2025-01&to=2025-12", "", 200},
		{"models", "GET", "/v1/models", "", 200},
		{"model without model", "GET", "/v1/model", "", 503},
		{"at-risk of a plan", "GET", "/v1/at-risk?plan=pro&limit=10", "", 200},
		{"at-risk plan too long", "GET", "/v1/at-risk?plan=" + strings.Repeat("p", 101), "", 422},
		{"at-risk medium by change", "GET", "/v1/at-risk?level=medium&sort=change&q=acme", "", 200},
		{"at-risk bad level and sort", "GET", "/v1/at-risk?level=low&sort=name", "", 422},
		{"plans without model", "GET", "/v1/plans", "", 200},
		{"history without model", "GET", "/v1/customers/c1/history?days=3", "", 200},
		{"history of an unknown customer", "GET", "/v1/customers/nobody/history", "", 404},
		{"history days 0", "GET", "/v1/customers/c1/history?days=0", "", 422},
		{"alerts without webhooks", "GET", "/v1/customers/c1/alerts", "", 200},
		{"alerts limit 0", "GET", "/v1/customers/c1/alerts?limit=0", "", 422},
		{"whoami", "GET", "/v1/whoami", "", 200},
		{"report without model", "GET", "/v1/model/report", "", 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			newReq := func() *http.Request { return exampleRequest(tc.method, tc.target, tc.body) }
			w := httptest.NewRecorder()
			engine.ServeHTTP(w, newReq())
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body.String())
			}
			checkAnswer(t, router, newReq(), w, opts)
		})
	}
}

// checkAnswer validates the answer recorded in w to req against the document.
func checkAnswer(t *testing.T, router routers.Router, req *http.Request, w *httptest.ResponseRecorder, opts *openapi3filter.Options) {
	t.Helper()
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("no route: %v", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 w.Code, Header: w.Header(), Options: opts,
	}
	in.SetBodyBytes(w.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("answer does not match the document: %v\nbody: %s", err, w.Body.String())
	}
}

// exampleRequest is a test request with an optional JSON body.
func exampleRequest(method, target, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}
