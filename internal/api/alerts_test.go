package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// hooksFor returns a webhook store of the kind beside the API's store: in
// memory for "mem", in the same Redis (under the test's prefix) otherwise.
func hooksFor(t *testing.T, kind string, st testStore) webhook.Store {
	t.Helper()
	if kind == "mem" {
		return webhook.NewMem()
	}
	r, ok := st.(*store.Redis)
	if !ok {
		t.Fatalf("store of kind %s is %T", kind, st)
	}
	prefix := redistest.Prefix(t)
	if kind == "cluster" {
		redistest.Cleanup(t, "", redistest.ClusterAddrs(t), prefix)
	} else {
		redistest.Cleanup(t, redistest.URL(t), nil, prefix)
	}
	return webhook.NewRedis(r.Client(), prefix)
}

// raw sends a GET and returns the answer's body as text.
func (a *testAPI) raw(path string) string {
	a.t.Helper()
	resp, err := http.Get(a.url + path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// alertsAPI serves the handler on a store and a webhook store (nil: none),
// without a model and without a dispatcher.
func alertsAPI(t *testing.T, st testStore, hooks webhook.Store) *testAPI {
	t.Helper()
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	srv := New(Config{Store: st, ModelsDir: t.TempDir(), Now: clk.Now, Webhooks: hooks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}
}

// TestCustomerAlerts: deliveries of two subscriptions for customers A and
// B; A's alerts are only A's, newest first, limited, without any URL or
// secret; a deleted subscription's deliveries leave the list.
func TestCustomerAlerts(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		clk := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
		st := newStore(t, kind, clk)
		hooks := hooksFor(t, kind, st)
		a := alertsAPI(t, st, hooks)
		ctx := context.Background()
		base := clk().Add(-time.Hour)
		var subs []webhook.Subscription
		for i, u := range []string{"https://user:pw@crm.example/one?token=abc", "https://crm.example/two"} {
			sub, err := webhook.NewSubscription(u, []webhook.EventType{webhook.EventAtRisk, webhook.EventRiskCleared}, nil, base.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if err := hooks.PutSubscription(ctx, sub); err != nil {
				t.Fatal(err)
			}
			subs = append(subs, sub)
		}
		var all []webhook.Delivery
		for i := range 8 {
			customer, typ := "A", webhook.EventAtRisk
			if i%3 == 1 {
				customer = "B"
			}
			if i == 6 {
				typ = webhook.EventRiskCleared
			}
			at := base.Add(time.Duration(i) * time.Minute)
			all = append(all, webhook.Delivery{ID: fmt.Sprintf("msg_%02d", i), SubscriptionID: subs[i%2].ID, Type: typ, CustomerID: customer,
				Payload:   json.RawMessage(fmt.Sprintf(`{"type":%q,"data":{"customer_id":%q,"n":%d}}`, typ, customer, i)),
				CreatedAt: at, UpdatedAt: at})
		}
		if err := hooks.Enqueue(ctx, all); err != nil {
			t.Fatal(err)
		}
		// One of A's deliveries fails with a status: last_status is shown then.
		claimed, err := hooks.Claim(ctx, "t", 20, time.Minute)
		if err != nil || len(claimed) != len(all) {
			t.Fatalf("Claim: %d, %v", len(claimed), err)
		}
		for _, d := range claimed {
			if d.ID == "msg_05" {
				d.Attempts, d.LastStatus, d.LastError, d.UpdatedAt = 1, 400, "rejected by "+subs[1].URL, clk()
				if err := hooks.Fail(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
		}
		ids := func(customer, query string) ([]string, []map[string]any) {
			t.Helper()
			code, body, _ := a.do("GET", "/v1/customers/"+customer+"/alerts"+query, nil)
			if code != 200 {
				t.Fatalf("alerts of %s: %d %v", customer, code, body)
			}
			var out []string
			var items []map[string]any
			for _, it := range body["items"].([]any) {
				m := it.(map[string]any)
				out = append(out, m["id"].(string))
				items = append(items, m)
			}
			return out, items
		}
		// A: 0, 2, 3, 5, 6 (B has 1, 4, 7), newest first.
		if got, _ := ids("A", ""); fmt.Sprint(got) != "[msg_06 msg_05 msg_03 msg_02 msg_00]" {
			t.Errorf("A's alerts = %v", got)
		}
		if got, _ := ids("A", "?limit=2"); fmt.Sprint(got) != "[msg_06 msg_05]" {
			t.Errorf("A's alerts, limit 2 = %v", got)
		}
		if got, _ := ids("B", ""); fmt.Sprint(got) != "[msg_07 msg_04 msg_01]" {
			t.Errorf("B's alerts = %v", got)
		}
		if got, _ := ids("nobody", ""); len(got) != 0 {
			t.Errorf("alerts of an unknown customer = %v", got)
		}
		_, items := ids("A", "?limit=3")
		failed, cleared, pending := items[1], items[0], items[2]
		if failed["status"] != "failed" || failed["attempts"] != 1.0 || failed["last_status"] != 400.0 || failed["subscription_id"] != subs[1].ID {
			t.Errorf("failed delivery shown as %v", failed)
		}
		if cleared["type"] != string(webhook.EventRiskCleared) || cleared["status"] != "pending" || cleared["attempts"] != 0.0 {
			t.Errorf("pending delivery shown as %v", cleared)
		}
		if _, ok := pending["last_status"]; ok {
			t.Errorf("last_status shown for a delivery never attempted: %v", pending)
		}
		if p, _ := pending["payload"].(map[string]any); p == nil || p["data"].(map[string]any)["n"] != 3.0 {
			t.Errorf("payload = %v", pending["payload"])
		}
		want := []string{"attempts", "created_at", "id", "payload", "status", "subscription_id", "type", "updated_at"}
		for _, it := range items {
			var keys []string
			for k := range it {
				if k != "last_status" {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			if fmt.Sprint(keys) != fmt.Sprint(want) {
				t.Errorf("item fields %v, want %v (and last_status)", keys, want)
			}
		}
		code, _, _ := a.do("GET", "/v1/customers/A/alerts?limit=200", nil)
		raw := a.raw("/v1/customers/A/alerts?limit=200")
		for _, secret := range []string{subs[0].Secret, subs[1].Secret, "crm.example", "token", "pw@"} {
			if code != 200 || strings.Contains(raw, secret) {
				t.Errorf("the answer (%d) shows %q: %s", code, secret, raw)
			}
		}
		// Deleting a subscription takes its deliveries off the list.
		if err := hooks.DeleteSubscription(ctx, subs[1].ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := ids("A", ""); fmt.Sprint(got) != "[msg_06 msg_02 msg_00]" {
			t.Errorf("A's alerts after deleting the second subscription = %v", got)
		}
		for _, bad := range []string{"0", "201", "x"} {
			if code, body, _ := a.do("GET", "/v1/customers/A/alerts?limit="+bad, nil); code != 422 || fmt.Sprint(fieldsOf(t, body)) != "[limit]" {
				t.Errorf("limit=%s: %d %v, want 422 naming limit", bad, code, body)
			}
		}
	})
}

// TestCustomerAlertsWithoutWebhooks: with no webhook store the list is empty.
func TestCustomerAlertsWithoutWebhooks(t *testing.T) {
	a := alertsAPI(t, store.NewMem(store.MemOptions{}), nil)
	code, body, _ := a.do("GET", "/v1/customers/A/alerts", nil)
	if items, ok := body["items"].([]any); code != 200 || !ok || len(items) != 0 {
		t.Errorf("alerts without webhooks: %d %v, want 200 {\"items\":[]}", code, body)
	}
}

// TestCustomerAlertsFromScoring: a real alert raised by scoring shows in
// the customer's alerts with its payload.
func TestCustomerAlertsFromScoring(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	a, _ := webhookAPI(t, store.NewMem(store.MemOptions{Now: clk.Now}), webhook.NewMem(), clk, "solo")
	a.loadGenerated(t, 20)
	rcv := newReceiver(t, nil)
	subID, _ := subscribe(t, a, rcv.srv.URL+"/hooks", 0.1)
	id := testData.Customers[7].ID
	pushOver(t, a, id)
	if err := a.srv.App().Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var items []any
	waitFor(t, "a delivered alert", 10*time.Second, func() bool {
		_, body, _ := a.do("GET", "/v1/customers/"+id+"/alerts", nil)
		items = body["items"].([]any)
		return len(items) == 1 && items[0].(map[string]any)["status"] == "delivered"
	})
	it := items[0].(map[string]any)
	p := it["payload"].(map[string]any)
	if it["subscription_id"] != subID || it["type"] != "customer.at_risk" || p["type"] != "customer.at_risk" ||
		p["data"].(map[string]any)["customer_id"] != id || it["last_status"] != 200.0 {
		t.Errorf("alert = %v", it)
	}
}
