package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// pageAtRisk follows next_cursor through GET /v1/at-risk with query q and
// returns every item, failing on a page over limit items.
func (a *testAPI) pageAtRisk(t *testing.T, q url.Values, limit int) []map[string]any {
	t.Helper()
	q.Set("limit", fmt.Sprint(limit))
	var all []map[string]any
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		code, body, _ := a.do("GET", "/v1/at-risk?"+q.Encode(), nil)
		if code != 200 {
			t.Fatalf("at-risk %s: %d %v", q.Encode(), code, body)
		}
		items := body["items"].([]any)
		if len(items) > limit {
			t.Fatalf("%d items on a page of %d", len(items), limit)
		}
		for _, it := range items {
			all = append(all, it.(map[string]any))
		}
		if body["next_cursor"] == nil {
			return all
		}
		q.Set("cursor", body["next_cursor"].(string))
	}
}

// TestAtRiskPlanFilter: with the generated customers of mixed plans scored,
// paging through ?plan=X with a small limit lists exactly the flagged
// customers of plan X, in score order, each once; each item names its plan.
func TestAtRiskPlanFilter(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		const n = 300
		a.loadGenerated(t, n)
		now := a.clock.Now()
		var events []any
		planOf := map[string]string{}
		for i := range testData.Customers[:n] {
			c := &testData.Customers[i]
			planOf[c.ID] = c.Plan
			events = append(events, ev("page_view", c.ID, now.Add(-1e9), map[string]any{"path": "/dashboard"}))
			if i%4 == 0 { // a quarter visit the cancel page and complain, to flag more of them
				for k := range 3 {
					at := now.Add(-time.Duration(k+1) * time.Hour)
					events = append(events, ev("page_view", c.ID, at, map[string]any{"path": "/account/cancel"}),
						ev("ticket", c.ID, at, map[string]any{"text": "Terrible. I want to cancel and get a refund."}))
				}
			}
		}
		if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
			t.Fatalf("events: %d %v", code, body)
		}
		if err := a.srv.App().Settle(context.Background()); err != nil {
			t.Fatal(err)
		}
		all := a.pageAtRisk(t, url.Values{}, 50)
		byPlan := map[string][]string{}
		for _, it := range all {
			id := it["customer_id"].(string)
			if it["plan"] != planOf[id] {
				t.Errorf("%s listed with plan %v, its profile says %q", id, it["plan"], planOf[id])
			}
			byPlan[planOf[id]] = append(byPlan[planOf[id]], id)
		}
		if len(byPlan) < 2 {
			t.Fatalf("flagged customers of %d plan(s) only: %v", len(byPlan), byPlan)
		}
		for plan, want := range byPlan {
			got := a.pageAtRisk(t, url.Values{"plan": {plan}}, 3)
			var ids []string
			for i, it := range got {
				ids = append(ids, it["customer_id"].(string))
				if it["plan"] != plan {
					t.Errorf("plan=%s listed %v of plan %v", plan, it["customer_id"], it["plan"])
				}
				if i > 0 && it["score"].(float64) > got[i-1]["score"].(float64) {
					t.Errorf("plan=%s: not highest first at %d", plan, i)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(want) {
				t.Errorf("plan=%s lists %v, want %v", plan, ids, want)
			}
			t.Logf("plan %s: %d flagged of %d", plan, len(want), len(all))
		}
		// Case-insensitive match; an unknown plan lists nobody.
		p0 := testData.Customers[0].Plan
		if got, want := a.pageAtRisk(t, url.Values{"plan": {strings.ToUpper(p0)}}, 10), byPlan[p0]; len(got) != len(want) {
			t.Errorf("upper-cased plan listed %d customers, want %d", len(got), len(want))
		}
		if got := a.pageAtRisk(t, url.Values{"plan": {"no-such-plan"}}, 10); len(got) != 0 {
			t.Errorf("unknown plan listed %d customers", len(got))
		}
		for bad, field := range map[string]string{"plan=" + strings.Repeat("p", 101): "plan", "plan=x&cursor=garbage": "cursor"} {
			if code, body, _ := a.do("GET", "/v1/at-risk?"+bad, nil); code != 422 || !slices.Contains(fieldsOf(t, body), field) {
				t.Errorf("%.20s: %d %v, want 422 naming %s", bad, code, body, field)
			}
		}
		if code, _, _ := a.do("GET", "/v1/at-risk?plan="+strings.Repeat("p", 100), nil); code != 200 {
			t.Errorf("plan of 100 characters: %d, want 200", code)
		}
	})
}

// TestAtRiskPlanScanBound: a filtered page examines at most 10,000 entries;
// a page can then be empty with a next_cursor that continues after them.
func TestAtRiskPlanScanBound(t *testing.T) {
	for _, kind := range []string{"mem", "redis"} {
		t.Run(kind, func(t *testing.T) {
			a := newTestAPIStore(t, kind, false)
			ctx := context.Background()
			now := a.clock.Now()
			put := func(id, plan string, score float64) error {
				sc := store.Score{Score: score, RiskLevel: "high", Flagged: true, ModelVersion: "v", AsOf: now, Plan: plan}
				return a.store.PutScore(ctx, id, store.Cached{Day: signals.DayNumber(now), ModelVersion: "v", Score: sc})
			}
			// 10,002 customers of plan "a", then one of plan "b" below them all.
			const many = app.MaxAtRiskScan + 2
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < many; i += 8 {
						if err := put(fmt.Sprintf("a%05d", i), "a", 0.9); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			if err := put("b1", "b", 0.8); err != nil {
				t.Fatal(err)
			}
			code, body, _ := a.do("GET", "/v1/at-risk?plan=b&limit=5", nil)
			if code != 200 || len(body["items"].([]any)) != 0 || body["next_cursor"] == nil {
				t.Fatalf("first page: %d, %d items, next %v; want no item and a cursor", code, len(body["items"].([]any)), body["next_cursor"])
			}
			code, body, _ = a.do("GET", "/v1/at-risk?plan=b&limit=5&cursor="+url.QueryEscape(body["next_cursor"].(string)), nil)
			items := body["items"].([]any)
			if code != 200 || len(items) != 1 || items[0].(map[string]any)["customer_id"] != "b1" || body["next_cursor"] != nil {
				t.Fatalf("second page: %d %v; want b1 and the end", code, body)
			}
			// Collecting limit items mid-page continues right after the last one.
			got := a.pageAtRisk(t, url.Values{"plan": {"a"}, "min_score": {"0.85"}}, 999)
			if len(got) != many {
				t.Fatalf("plan a: %d listed, want %d", len(got), many)
			}
			seen := map[string]bool{}
			for _, it := range got {
				id := it["customer_id"].(string)
				if seen[id] {
					t.Fatalf("%s listed twice", id)
				}
				seen[id] = true
			}
		})
	}
}
