package api

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
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
		if err := a.srv.App().Settle(ctx); err != nil {
			t.Fatal(err)
		}
		var all []map[string]any
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("pagination does not end")
			}
			q := url.Values{"limit": {"7"}, "level": {"high"}}
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
		m := a.srv.App().Models().Active()
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
		if snap, _ := a.store.Snapshot(ctx, id); snap.Cached != nil {
			t.Fatal("cached vector before any score")
		}
		code, first, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
		if code != 200 {
			t.Fatalf("risk: %d %v", code, first)
		}
		snap, _ := a.store.Snapshot(ctx, id)
		c := snap.Cached
		if c == nil || c.ModelVersion != a.srv.App().Models().Active().Version || c.Score.Score != first["score"] {
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
		a.srv.App().Settle(ctx)
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
		if err := a.srv.App().Settle(ctx); err != nil {
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

// TestAtRiskLevelsSortsSearch: the generated customers scored twice a week
// apart; the list's tiers, orders, search, name and owner, and the weekly
// change agree with the risk endpoint and with each other, page by page.
func TestAtRiskLevelsSortsSearch(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		const n = 300
		a.loadGenerated(t, n)
		ctx := context.Background()
		scoreAll := func(cancel bool) {
			t.Helper()
			now := a.clock.Now()
			var events []any
			for i := range testData.Customers[:n] {
				id := testData.Customers[i].ID
				events = append(events, ev("page_view", id, now.Add(-1e9), map[string]any{"path": "/dashboard"}))
				if cancel && i%3 == 0 {
					events = append(events, ev("page_view", id, now.Add(-2e9), map[string]any{"path": "/account/cancel"}),
						ev("ticket", id, now.Add(-3e9), map[string]any{"text": "Terrible. I want to cancel and get a refund."}))
				}
			}
			if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
				t.Fatalf("events: %d %v", code, body)
			}
			if err := a.srv.App().Settle(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// Two customers get an account name and owner.
		named := map[string][2]string{}
		for i, who := range [][2]string{{"Acme Widgets", "dana@example.com"}, {"Globex ACME Ltd", "lee@example.com"}} {
			p := testData.Customers[i]
			body := map[string]any{"signup_at": p.SignupAt.Format(time.RFC3339), "plan": p.Plan, "attributes": map[string]any{"name": who[0], "owner": who[1]}}
			if p.MRR != nil {
				body["mrr"] = *p.MRR
			}
			if code, out, _ := a.do("PUT", "/v1/customers/"+p.ID, body); code != 200 {
				t.Fatalf("put: %d %v", code, out)
			}
			named[p.ID] = who
		}
		scoreAll(false)
		a.clock.Set(a.clock.Now().AddDate(0, 0, 7))
		scoreAll(true) // a third get worse
		m := a.srv.App().Models().Active()

		ids := func(items []map[string]any) []string {
			out := make([]string, len(items))
			for i, it := range items {
				out[i] = it["customer_id"].(string)
			}
			return out
		}
		high := a.pageAtRisk(t, url.Values{"level": {"high"}}, 13)
		medium := a.pageAtRisk(t, url.Values{"level": {"medium"}}, 13)
		both := a.pageAtRisk(t, url.Values{}, 13)
		if len(high) == 0 || len(medium) == 0 {
			t.Fatalf("%d high, %d medium: the test needs both", len(high), len(medium))
		}
		if fmt.Sprint(ids(both)) != fmt.Sprint(append(ids(high), ids(medium)...)) {
			t.Errorf("no level lists %v, want high then medium", ids(both))
		}
		for _, it := range high {
			if it["risk_level"] != "high" || it["score"].(float64) < m.Threshold {
				t.Errorf("level=high lists %v", it)
			}
		}
		withAgo := 0
		for _, it := range medium {
			if s := it["score"].(float64); it["risk_level"] != "medium" || s < m.MediumThreshold || s >= m.Threshold {
				t.Errorf("level=medium lists %v (thresholds %v, %v)", it, m.MediumThreshold, m.Threshold)
			}
		}
		for _, it := range both {
			id := it["customer_id"].(string)
			code, risk, _ := a.do("GET", "/v1/customers/"+url.PathEscape(id)+"/risk", nil)
			if code != 200 || risk["score"] != it["score"] || risk["risk_level"] != it["risk_level"] {
				t.Errorf("%s: listed %v %v, risk %v %v", id, it["score"], it["risk_level"], risk["score"], risk["risk_level"])
			}
			if ago, ok := it["score_7d_ago"].(float64); ok {
				withAgo++
				if ch := it["change"].(float64); math.Abs(ch-(it["score"].(float64)-ago)) > 1e-6 {
					t.Errorf("%s: change %v, score %v - %v", id, ch, it["score"], ago)
				}
			} else if it["change"] != nil {
				t.Errorf("%s: change %v without a score 7 days ago", id, it["change"])
			}
			if who, ok := named[id]; ok && (it["name"] != who[0] || it["owner"] != who[1]) {
				t.Errorf("%s: name %v owner %v, want %v", id, it["name"], it["owner"], who)
			}
		}
		if withAgo == 0 {
			t.Fatal("no listed customer has a score 7 days ago")
		}
		// Each order lists the same customers, largest first, the same page by page.
		value := func(it map[string]any, o string) float64 {
			v, ok := it[o].(float64)
			if !ok {
				return math.Inf(-1)
			}
			return v
		}
		for _, o := range []string{"score", "revenue_at_risk", "change"} {
			for _, level := range []string{"", "high", "medium"} {
				q := url.Values{"sort": {o}}
				if level != "" {
					q.Set("level", level)
				}
				small := a.pageAtRisk(t, q, 4)
				big := a.pageAtRisk(t, url.Values{"sort": {o}, "level": {level}}, 1000)
				if fmt.Sprint(ids(small)) != fmt.Sprint(ids(big)) {
					t.Errorf("sort=%s level=%s: pages of 4 differ from one page", o, level)
				}
				want := map[string]int{"": len(both), "high": len(high), "medium": len(medium)}[level]
				if len(big) != want {
					t.Errorf("sort=%s level=%s lists %d, want %d", o, level, len(big), want)
				}
				for i := 1; i < len(big); i++ {
					if value(big[i], o) > value(big[i-1], o)+1e-9 {
						t.Errorf("sort=%s level=%s: %v after %v", o, level, big[i][o], big[i-1][o])
						break
					}
				}
			}
		}
		// Search: a case-insensitive substring of the name or the id.
		var acme []string
		for _, it := range both {
			if _, ok := named[it["customer_id"].(string)]; ok {
				acme = append(acme, it["customer_id"].(string))
			}
		}
		if got := ids(a.pageAtRisk(t, url.Values{"q": {"acme"}}, 5)); fmt.Sprint(got) != fmt.Sprint(acme) {
			t.Errorf("q=acme lists %v, want %v", got, acme)
		}
		id := both[len(both)/2]["customer_id"].(string)
		got := ids(a.pageAtRisk(t, url.Values{"q": {strings.ToUpper(id)}, "sort": {"change"}}, 5))
		if !slices.Contains(got, id) {
			t.Errorf("q=%s lists %v", strings.ToUpper(id), got)
		}
		for _, g := range got {
			if !strings.Contains(strings.ToLower(g), strings.ToLower(id)) {
				t.Errorf("q=%s lists %s", id, g)
			}
		}
		// Bad values name their field; a read never says that nothing was stored.
		for bad, field := range map[string]string{"level=low": "level", "sort=name": "sort", "q=" + strings.Repeat("x", 101): "q",
			"min_score=50": "min_score", "sort=change&cursor=" + url.QueryEscape(fmt.Sprint(both[0]["customer_id"])): "cursor"} {
			code, body, _ := a.do("GET", "/v1/at-risk?"+bad, nil)
			if code != 422 || !slices.Contains(fieldsOf(t, body), field) || strings.Contains(fmt.Sprint(body["detail"]), "stored") {
				t.Errorf("%.30s: %d %v, want 422 naming %s and no word of storing", bad, code, body, field)
			}
		}
		if code, body, _ := a.do("PUT", "/v1/customers/x", map[string]any{"mrr": -1}); code != 422 || !strings.HasSuffix(fmt.Sprint(body["detail"]), "nothing was stored") {
			t.Errorf("invalid write: %d %v, want 422 saying nothing was stored", code, body)
		}
		// A score-order cursor is refused by the change order.
		code, body, _ := a.do("GET", "/v1/at-risk?limit=1", nil)
		if code != 200 || body["next_cursor"] == nil {
			t.Fatalf("first page of one: %d %v, want 200 with a cursor", code, body)
		}
		if code, _, _ = a.do("GET", "/v1/at-risk?sort=change&cursor="+url.QueryEscape(body["next_cursor"].(string)), nil); code != 422 {
			t.Errorf("score cursor in the change order: %d, want 422", code)
		}
		// The plans to choose from are the model's.
		code, body, _ = a.do("GET", "/v1/plans", nil)
		plans, _ := body["plans"].([]any)
		if code != 200 || len(plans) == 0 || len(plans) != len(m.Schema.Plan.Levels) {
			t.Errorf("plans: %d %v, model's %v", code, body, m.Schema.Plan.Levels)
		}
		for i, p := range plans {
			if i > 0 && p.(string) < plans[i-1].(string) {
				t.Errorf("plans not sorted: %v", plans)
			}
			if !slices.Contains(m.Schema.Plan.Levels, p.(string)) {
				t.Errorf("plan %v not among the model's", p)
			}
		}
	})
}
