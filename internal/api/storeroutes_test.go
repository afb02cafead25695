package api

import (
	"context"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// privateRedisAPI serves the API, with webhooks and the test model, on a
// Redis store of srv (keys under prefix, each call bounded by timeout), and
// runs its background work until the test ends. It returns the API, its
// store and its webhook store.
func privateRedisAPI(t *testing.T, srv *redistest.Server, prefix string, timeout time.Duration) (*testAPI, *store.Redis, webhook.Store) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	st, err := store.NewRedis(context.Background(), store.RedisOptions{URL: srv.URL(), Prefix: prefix, Now: clk.Now, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hooks := webhook.NewRedis(st.Client(), prefix)
	a := (&testAPI{t: t, store: st, clock: clk}).sibling(t, func(c *Config) { c.Webhooks, c.AllowPrivateWebhooks = hooks, true })
	return a, st, hooks
}

// checkRoute sends c's request and checks that it answers want, with
// Retry-After when that is 503; phase names the check in errors.
func checkRoute(t *testing.T, a *testAPI, phase string, c storeRoute, want int) {
	t.Helper()
	code, body, hdr := a.do(c.method, c.path, c.body)
	if code != want {
		t.Errorf("%s: %s %s = %d %v, want %d", phase, c.method, c.path, code, body, want)
	}
	if code == 503 && hdr.Get("Retry-After") == "" {
		t.Errorf("%s: %s %s: 503 without Retry-After", phase, c.method, c.path)
	}
}

// waitReady polls /readyz until it answers 200, failing the test after 10 s.
func waitReady(t *testing.T, a *testAPI) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if code, _, _ := a.do("GET", "/readyz", nil); code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not answer 200 within 10 s of Redis serving again")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// storeNeed is what a route needs of the store.
type storeNeed int

const (
	needsNothing storeNeed = iota // served without the store
	readsStore                    // reads only
	writesStore                   // writes (and may read): refused while Redis is out of memory
	deletesStore                  // only deletes: Redis runs them out of memory too, they free memory
)

// storeRoute is one request of the outage tests' route table.
type storeRoute struct {
	method, path string
	body         any
	need         storeNeed
	ok           int // the status when the store serves the request
}

// storeRoutes is the route table of the outage tests: every route that
// needs the store (customers, events, lists, figures, webhooks, alerts),
// then routes that do not. customer is a stored customer, fresh an id not
// stored yet, sub a subscription and delivery one of its failed deliveries
// (failedDelivery). The DELETE of sub comes last: the routes before it name
// sub.
func storeRoutes(customer, fresh, sub, delivery string, now time.Time) []storeRoute {
	return []storeRoute{
		{"POST", "/v1/events", map[string]any{"events": []any{ev("usage", customer, now, nil)}}, writesStore, 202},
		{"GET", "/v1/customers/" + customer + "/risk", nil, writesStore, 200}, // keeps the score it computes
		{"GET", "/v1/customers/" + customer, nil, readsStore, 200},
		{"PUT", "/v1/customers/" + fresh, map[string]any{"plan": "x", "mrr": 40}, writesStore, 200},
		{"PUT", "/v1/customers/" + customer, map[string]any{"plan": "enterprise", "mrr": 250}, writesStore, 200},
		{"GET", "/v1/customers/" + customer + "/history", nil, readsStore, 200},
		{"GET", "/v1/customers/" + customer + "/alerts", nil, readsStore, 200},
		{"GET", "/v1/at-risk", nil, readsStore, 200},
		{"GET", "/v1/metrics/churn", nil, readsStore, 200},
		{"POST", "/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/other"}, writesStore, 201},
		{"GET", "/v1/webhooks", nil, readsStore, 200},
		{"GET", "/v1/webhooks/" + sub + "/deliveries", nil, readsStore, 200},
		{"POST", "/v1/webhooks/" + sub + "/deliveries/" + delivery + "/redeliver", nil, writesStore, 202},
		{"DELETE", "/v1/webhooks/" + sub, nil, deletesStore, 204},
		{"GET", "/healthz", nil, needsNothing, 200},
		{"POST", "/v1/score", map[string]any{"customers": []any{map[string]any{"plan": "growth"}}}, needsNothing, 200},
		{"GET", "/v1/model", nil, needsNothing, 200},
		{"GET", "/v1/plans", nil, needsNothing, 200},
		{"GET", "/v1/models", nil, needsNothing, 200},
	}
}

// failedDelivery subscribes a webhook over the API and stores one failed
// delivery of it for customer; it returns the subscription's and the
// delivery's ids.
func failedDelivery(t *testing.T, a *testAPI, hooks webhook.Store, customer string) (sub, delivery string) {
	t.Helper()
	code, body, _ := a.do("POST", "/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook"})
	if code != 201 {
		t.Fatalf("subscribe: %d %v", code, body)
	}
	sub, _ = body["id"].(string)
	ctx := context.Background()
	now := time.Now().UTC()
	d := webhook.Delivery{ID: webhook.NewMessageID(), SubscriptionID: sub, Type: webhook.EventAtRisk, CustomerID: customer,
		Payload: []byte(`{}`), CreatedAt: now, UpdatedAt: now}
	if err := hooks.Enqueue(ctx, []webhook.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		claimed, err := hooks.Claim(ctx, "test", 10, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range claimed {
			if err := hooks.Fail(ctx, c); err != nil {
				t.Fatal(err)
			}
			if c.ID == d.ID {
				return sub, d.ID
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s never claimed", d.ID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// storeCheck is the store's check in a /readyz answer.
func storeCheck(body map[string]any) any {
	checks, _ := body["checks"].(map[string]any)
	return checks["store"]
}
