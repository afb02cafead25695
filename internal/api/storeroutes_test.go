package api

import (
	"context"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/webhook"
)

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
