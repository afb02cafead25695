package api

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/store"
)

// loadGenerated puts the first n customers of the generated data (profile
// and history) into the test API's store as `api --load` would.
func (a *testAPI) loadGenerated(t *testing.T, n int) {
	t.Helper()
	var batch []store.CustomerData
	for i := range testData.Customers[:n] {
		batch = append(batch, store.CustomerData{Profile: testData.Customers[i], History: testData.Histories[i]})
	}
	if err := a.store.Import(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

func TestAtRiskListFollowsEvents(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		a.loadGenerated(t, 300)
		ctx := context.Background()
		now := a.clock.Now()
		// One event per customer: ingestion queues them for rescoring.
		var events []any
		for i := range testData.Customers[:300] {
			events = append(events, ev("page_view", testData.Customers[i].ID, now.Add(-1e9), map[string]any{"path": "/dashboard"}))
		}
		if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
			t.Fatalf("events: %d %v", code, body)
		}
		if err := a.srv.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		var all []map[string]any
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("pagination does not end")
			}
			q := url.Values{"limit": {"7"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			code, body, _ := a.do("GET", "/v1/at-risk?"+q.Encode(), nil)
			if code != 200 {
				t.Fatalf("at-risk: %d %v", code, body)
			}
			items := body["items"].([]any)
			if len(items) > 7 {
				t.Fatalf("%d items on a page of 7", len(items))
			}
			for _, it := range items {
				all = append(all, it.(map[string]any))
			}
			if body["next_cursor"] == nil {
				break
			}
			cursor = body["next_cursor"].(string)
		}
		if len(all) == 0 {
			t.Fatal("no customer at risk among 300 generated customers")
		}
		m := a.srv.Model()
		seen := map[string]bool{}
		for i, it := range all {
			id := it["customer_id"].(string)
			if seen[id] {
				t.Fatalf("%s listed twice", id)
			}
			seen[id] = true
			s := it["score"].(float64)
			if s < m.Threshold || it["risk_level"] != "high" || it["top_driver"] == "" {
				t.Errorf("item %v below the threshold %.3f or incomplete", it, m.Threshold)
			}
			if i > 0 && s > all[i-1]["score"].(float64) {
				t.Fatalf("not highest first at %d", i)
			}
			mrr, _ := it["mrr"].(float64)
			if rar, _ := it["revenue_at_risk"].(float64); math.Abs(rar-mrr*s) > 1e-9 {
				t.Errorf("revenue at risk %v, mrr %v x score %v", rar, mrr, s)
			}
			// The list agrees with the risk endpoint.
			code, risk, _ := a.do("GET", "/v1/customers/"+url.PathEscape(id)+"/risk", nil)
			if code != 200 || risk["score"] != s {
				t.Errorf("%s: list score %v, risk %v", id, s, risk["score"])
			}
		}
		// Every flagged current customer is listed (those who already churned
		// are not): count them from the risk endpoint.
		flagged := 0
		for i := range testData.Customers[:300] {
			if !testData.Customers[i].ActiveAt(now) {
				continue
			}
			code, risk, _ := a.do("GET", "/v1/customers/"+testData.Customers[i].ID+"/risk", nil)
			if code == 200 && risk["flagged"] == true {
				flagged++
			}
		}
		if flagged != len(all) {
			t.Errorf("%d flagged by the risk endpoint, %d on the list", flagged, len(all))
		}
		t.Logf("%d of 300 customers at risk", len(all))

		min := all[0]["score"].(float64)
		code, body, _ := a.do("GET", fmt.Sprintf("/v1/at-risk?min_score=%v", min), nil)
		if code != 200 || len(body["items"].([]any)) < 1 {
			t.Errorf("min_score=%v: %d %v", min, code, body)
		}
		for _, bad := range []string{"min_score=2", "min_score=x", "limit=0", "limit=5000", "cursor=garbage"} {
			if code, body, _ := a.do("GET", "/v1/at-risk?"+bad, nil); code != 422 {
				t.Errorf("%s: %d %v, want 422", bad, code, body)
			}
		}
	})
}

func TestRiskUsesTheCache(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		a.loadGenerated(t, 5)
		ctx := context.Background()
		id := testData.Customers[0].ID
		if _, c, _ := a.store.Snapshot(ctx, id); c != nil {
			t.Fatal("cached vector before any score")
		}
		code, first, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
		if code != 200 {
			t.Fatalf("risk: %d %v", code, first)
		}
		_, c, _ := a.store.Snapshot(ctx, id)
		if c == nil || c.ModelVersion != a.srv.Model().Version || c.Score.Score != first["score"] {
			t.Fatalf("cached after the first request: %+v", c)
		}
		// Served from the cache: the same answer without touching the history.
		code, second, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
		if code != 200 || second["score"] != first["score"] || fmt.Sprint(second["drivers"]) != fmt.Sprint(first["drivers"]) {
			t.Fatalf("second answer differs: %v vs %v", second, first)
		}
		// POST /v1/score never writes, even for a stored customer's id.
		before, _ := a.store.GetScore(ctx, id)
		code, body, _ := a.do("POST", "/v1/score", map[string]any{"customers": []any{map[string]any{"customer_id": id, "plan": "starter"}}})
		if code != 200 {
			t.Fatalf("score: %d %v", code, body)
		}
		after, _ := a.store.GetScore(ctx, id)
		if after.Score != before.Score || !after.AsOf.Equal(before.AsOf) || after.ModelVersion != before.ModelVersion {
			t.Errorf("POST /v1/score changed the stored score: %+v -> %+v", before, after)
		}
		// An event invalidates the cache and the next request recomputes.
		a.do("POST", "/v1/events", map[string]any{"events": []any{ev("page_view", id, a.clock.Now(), map[string]any{"path": "/account/cancel"})}})
		a.srv.Settle(ctx)
		code, third, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
		if code != 200 || third["score"] == first["score"] {
			t.Errorf("score unchanged after a cancel-page visit: %v", third["score"])
		}
	})
}

// TestProfileChangeRescores: a PUT of a profile (here a new plan) rescores
// the customer in the background, so the stored score and the at-risk
// list's plan filter follow the change without a new event.
func TestProfileChangeRescores(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		a.loadGenerated(t, 50)
		ctx := context.Background()
		p := testData.Customers[0]
		if code, body, _ := a.do("GET", "/v1/customers/"+p.ID+"/risk", nil); code != 200 {
			t.Fatalf("risk: %d %v", code, body)
		}
		before, err := a.store.GetScore(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		newPlan := "plan-" + p.Plan + "-changed"
		body := map[string]any{"signup_at": p.SignupAt.Format(time.RFC3339), "plan": newPlan}
		if p.MRR != nil {
			body["mrr"] = *p.MRR
		}
		if code, out, _ := a.do("PUT", "/v1/customers/"+p.ID, body); code != 200 {
			t.Fatalf("put: %d %v", code, out)
		}
		if err := a.srv.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := a.store.GetScore(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if before.Plan != p.Plan || after.Plan != newPlan {
			t.Errorf("stored score's plan %q before, %q after the PUT; want %q then %q", before.Plan, after.Plan, p.Plan, newPlan)
		}
	})
}
