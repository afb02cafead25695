package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/store"
)

func ev(typ, id string, t time.Time, extra map[string]any) map[string]any {
	m := map[string]any{"type": typ, "customer_id": id, "timestamp": t.Format(time.RFC3339)}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func fieldsOf(t *testing.T, body map[string]any) []string {
	t.Helper()
	raw, _ := body["errors"].([]any)
	var out []string
	for _, e := range raw {
		m, _ := e.(map[string]any)
		out = append(out, fmt.Sprint(m["field"]))
	}
	sort.Strings(out)
	return out
}

func TestEventValidation(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, false)
		now := a.clock.Now()
		good := ev("usage", "c1", now.Add(-time.Hour), nil)
		cases := []struct {
			name  string
			bad   map[string]any
			field string
		}{
			{"missing type", map[string]any{"customer_id": "c1", "timestamp": now.Format(time.RFC3339)}, "events[1].type"},
			{"unknown type", ev("purchase", "c1", now, nil), "events[1].type"},
			{"empty customer", ev("usage", "", now, nil), "events[1].customer_id"},
			{"long customer", ev("usage", strings.Repeat("x", 129), now, nil), "events[1].customer_id"},
			{"bad timestamp", map[string]any{"type": "usage", "customer_id": "c1", "timestamp": "2026-13-01"}, "events[1].timestamp"},
			{"missing timestamp", map[string]any{"type": "usage", "customer_id": "c1"}, "events[1].timestamp"},
			{"future timestamp", ev("usage", "c1", now.Add(time.Hour), nil), "events[1].timestamp"},
			{"negative quantity", ev("usage", "c1", now, map[string]any{"quantity": -2}), "events[1].quantity"},
			{"quantity as text", ev("usage", "c1", now, map[string]any{"quantity": "many"}), "events[1].quantity"},
			{"sentiment out of range", ev("ticket", "c1", now, map[string]any{"sentiment": 1.5}), "events[1].sentiment"},
			{"page view without path", ev("page_view", "c1", now, nil), "events[1].path"},
			{"unknown field", ev("usage", "c1", now, map[string]any{"colour": "red"}), "events[1].colour"},
			{"not an object", nil, "events[1]"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var bad any = c.bad
				if c.bad == nil {
					bad = 42
				}
				code, body, hdr := a.do("POST", "/v1/events", map[string]any{"events": []any{good, bad}})
				if code != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %v", code, body)
				}
				if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("content type %q", ct)
				}
				if got := fieldsOf(t, body); len(got) != 1 || got[0] != c.field {
					t.Errorf("fields %v, want [%s]", got, c.field)
				}
				// Nothing of the batch was stored, not even the valid first event.
				if _, err := a.store.GetCustomer(context.Background(), "c1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("customer c1 exists after a rejected batch (err %v)", err)
				}
			})
		}
		// Every bad index is listed at once.
		code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": []any{
			ev("usage", "", now, nil), good, ev("page_view", "c1", now, nil), ev("usage", "c1", now, map[string]any{"quantity": -1})}})
		if code != 422 {
			t.Fatalf("status %d", code)
		}
		want := []string{"events[0].customer_id", "events[2].path", "events[3].quantity"}
		if got := fieldsOf(t, body); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("fields %v, want %v", got, want)
		}
	})
}

func TestMalformedRequests(t *testing.T) {
	a := newTestAPI(t, true)
	now := a.clock.Now()
	many := make([]any, MaxEvents+1)
	for i := range many {
		many[i] = ev("usage", "c1", now, nil)
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"syntax error", "POST", "/v1/events", `{"events": [`, 400},
		{"not JSON", "POST", "/v1/events", `hello`, 400},
		{"empty body", "POST", "/v1/events", ``, 400},
		{"trailing data", "POST", "/v1/events", `{"events": []} {}`, 400},
		{"events not array", "POST", "/v1/events", `{"events": {}}`, 422},
		{"no events field", "POST", "/v1/events", `{}`, 422},
		{"unknown top field", "POST", "/v1/events", `{"events": [], "x": 1}`, 422},
		{"batch too large", "POST", "/v1/events", map[string]any{"events": many}, 422},
		{"wrong method", "POST", "/v1/customers/c1", `{"plan": "` + strings.Repeat("a", 2<<20) + `"}`, 405},
		{"put body too large", "PUT", "/v1/customers/c1", `{"plan": "` + strings.Repeat("a", 2<<20) + `"}`, 413},
		{"bad mrr", "PUT", "/v1/customers/c1", `{"mrr": -5}`, 422},
		{"mrr as text", "PUT", "/v1/customers/c1", `{"mrr": "lots"}`, 422},
		{"bad signup", "PUT", "/v1/customers/c1", `{"signup_at": "yesterday"}`, 422},
		{"attribute object", "PUT", "/v1/customers/c1", `{"attributes": {"a": {"b": 1}}}`, 422},
		{"id mismatch", "PUT", "/v1/customers/c1", `{"customer_id": "c2"}`, 422},
		{"unknown customer", "GET", "/v1/customers/nobody", nil, 404},
		{"unknown customer risk", "GET", "/v1/customers/nobody/risk", nil, 404},
		{"score too many", "POST", "/v1/score", map[string]any{"customers": make([]map[string]any, MaxCustomers+1)}, 422},
		{"score bad event", "POST", "/v1/score", `{"customers":[{"events":[{"type":"usage"}]}]}`, 422},
		{"no route", "GET", "/v1/nothing", nil, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body, hdr := a.do(c.method, c.path, c.body)
			if code != c.status {
				t.Fatalf("status %d, want %d: %v", code, c.status, body)
			}
			if body["status"] != float64(c.status) || body["title"] == "" || body["type"] == nil {
				t.Errorf("not a problem body: %v", body)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

func TestCustomerRoundTripAndIdempotentEvents(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		code, body, _ := a.do("PUT", "/v1/customers/acme-1", map[string]any{
			"signup_at": "2025-02-01", "plan": "growth", "mrr": 250, "attributes": map[string]any{"seats": 12, "industry": "retail", "trial": true, "gone": nil}})
		if code != 200 {
			t.Fatalf("put: %d %v", code, body)
		}
		code, body, _ = a.do("GET", "/v1/customers/acme-1", nil)
		if code != 200 || body["plan"] != "growth" || body["mrr"] != 250.0 || body["signup_at"] != "2025-02-01T00:00:00Z" {
			t.Fatalf("get: %d %v", code, body)
		}
		attrs, _ := body["attributes"].(map[string]any)
		if attrs["seats"] != "12" || attrs["industry"] != "retail" || attrs["trial"] != "true" || attrs["gone"] != nil {
			t.Errorf("attributes %v", attrs)
		}
		now := a.clock.Now()
		batch := map[string]any{"events": []any{
			ev("usage", "acme-1", now.Add(-2*time.Hour), map[string]any{"event_id": "u1", "quantity": 5}),
			ev("usage", "acme-1", now.Add(-time.Hour), map[string]any{"event_id": "u2", "quantity": 7}),
			ev("usage", "acme-1", now.Add(-time.Hour), map[string]any{"quantity": 1}),
		}}
		code, body, _ = a.do("POST", "/v1/events", batch)
		if code != 202 || body["accepted"] != 3.0 || body["duplicates"] != 0.0 {
			t.Fatalf("first post: %d %v", code, body)
		}
		// A retried batch: the events with ids are not counted twice.
		code, body, _ = a.do("POST", "/v1/events", batch)
		if code != 202 || body["accepted"] != 1.0 || body["duplicates"] != 2.0 {
			t.Fatalf("retry: %d %v", code, body)
		}
		h, err := a.store.History(context.Background(), "acme-1", 0, math.MaxInt32)
		if err != nil || len(h) != 1 || h[0].Usage != 5+7+1+1 {
			t.Fatalf("history %+v, err %v; want usage 14 in one day", h, err)
		}
		code, body, _ = a.do("GET", "/v1/customers/acme-1/risk", nil)
		if code != 200 {
			t.Fatalf("risk: %d %v", code, body)
		}
		if s, ok := body["score"].(float64); !ok || s <= 0 || s >= 1 {
			t.Errorf("score %v", body["score"])
		}
		drivers, _ := body["drivers"].([]any)
		if len(drivers) == 0 {
			t.Fatalf("no drivers: %v", body)
		}
		for _, d := range drivers {
			m := d.(map[string]any)
			if m["feature"] == "" || m["reason"] == "" || m["contribution"] == nil || m["impact"] == nil {
				t.Errorf("incomplete driver %v", m)
			}
		}
	})
}

func TestNoModel(t *testing.T) {
	a := newTestAPI(t, false)
	a.do("PUT", "/v1/customers/x", map[string]any{"plan": "growth"})
	for _, path := range []string{"/v1/customers/x/risk", "/readyz", "/v1/model"} {
		code, _, hdr := a.do("GET", path, nil)
		if code != 503 || hdr.Get("Retry-After") == "" {
			t.Errorf("%s: %d (Retry-After %q), want 503 with Retry-After", path, code, hdr.Get("Retry-After"))
		}
	}
	if code, _, _ := a.do("POST", "/v1/model/reload", nil); code != 409 {
		t.Errorf("reload without a model: %d, want 409", code)
	}
	if code, _, _ := a.do("GET", "/healthz", nil); code != 200 {
		t.Errorf("healthz %d", code)
	}
}
