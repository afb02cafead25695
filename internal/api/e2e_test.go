package api

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// TestHealthyCustomerTurnsChurner plays a customer's life through the real
// HTTP API with a model trained on generated data: the healthiest active
// customer of that data (steady usage) is loaded with its history and scores
// low; three weeks later its usage has stopped, angry tickets talk of
// cancelling and the cancel page is visited, and its score rises with the
// matching drivers.
func TestHealthyCustomerTurnsChurner(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		m := a.srv.App().Models().Active()
		start := a.clock.Now() // the day after the generated data ends
		end := signals.EndDay(start)
		// A typical healthy customer: the median-scored of the low-risk customers
		// that were active on at least 20 of the last 30 days.
		type cand struct {
			i int
			s float64
		}
		var healthy []cand
		for i := range testData.Customers {
			p := testData.Customers[i]
			if !p.ActiveAt(start) {
				continue
			}
			active := 0
			for _, d := range testData.Histories[i].Window(end-30, end) {
				if d.Usage > 0 {
					active++
				}
			}
			if active < 20 {
				continue
			}
			if pr := m.Score(&p, testData.Histories[i], start); pr.RiskLevel == "low" {
				healthy = append(healthy, cand{i, pr.Score})
			}
		}
		if len(healthy) == 0 {
			t.Fatal("no steadily active low-risk customer in the generated data")
		}
		sort.Slice(healthy, func(a, b int) bool { return healthy[a].s < healthy[b].s })
		best := healthy[len(healthy)/2].i
		p := testData.Customers[best]
		id := p.ID
		// Load its profile and history as `api --load` does.
		ctx := context.Background()
		if err := a.store.PutCustomer(ctx, p); err != nil {
			t.Fatal(err)
		}
		var days []store.Event
		for _, d := range testData.Histories[best] {
			days = append(days, store.Event{CustomerID: id, Day: d})
		}
		if _, _, err := a.store.AddEvents(ctx, days); err != nil {
			t.Fatal(err)
		}
		code, before, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
		if code != 200 {
			t.Fatalf("risk: %d %v", code, before)
		}
		if before["flagged"] != false || before["risk_level"] == "high" {
			t.Fatalf("the healthiest customer is already at risk: %v", before)
		}

		// Three weeks on: no usage since, angry tickets, cancel and refund pages.
		now := start.AddDate(0, 0, 21)
		a.clock.Set(now)
		bad := []any{
			ev("ticket", id, now.AddDate(0, 0, -3), map[string]any{"text": "This is the third outage this month. Terrible service, I am very angry."}),
			ev("ticket", id, now.AddDate(0, 0, -1), map[string]any{"text": "I want to cancel my subscription and get a refund. We are switching to a competitor."}),
			ev("page_view", id, now.AddDate(0, 0, -2), map[string]any{"path": "/account/cancel"}),
			ev("page_view", id, now.AddDate(0, 0, -1), map[string]any{"path": "/account/cancel"}),
			ev("page_view", id, now.AddDate(0, 0, -1), map[string]any{"path": "https://app.example.com/legal/refund-policy"}),
		}
		if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": bad}); code != 202 {
			t.Fatalf("events: %d %v", code, body)
		}
		code, after, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
		if code != 200 {
			t.Fatalf("risk: %d %v", code, after)
		}
		s0, s1 := before["score"].(float64), after["score"].(float64)
		t.Logf("%s (%s): score %.3f (%v) -> %.3f (%v)", id, m.Meta.Chosen, s0, before["risk_level"], s1, after["risk_level"])
		if !(s1 > s0+0.2) {
			t.Errorf("score rose from %.3f to %.3f; want a rise of more than 0.2", s0, s1)
		}
		if after["flagged"] != true || after["risk_level"] != "high" {
			t.Errorf("after: flagged %v, level %v; want flagged high", after["flagged"], after["risk_level"])
		}
		expected := map[string]bool{
			"usage_30d": true, "usage_7d": true, "usage_drop_30d": true, "usage_drop_7d": true, "days_since_last_activity": true,
			"active_days_30d": true, "usage_trend": true, "negative_tickets_90d": true, "ticket_sentiment_min_90d": true,
			"ticket_sentiment_mean_90d": true, "churn_intent_tickets_90d": true, "visits_cancel_30d": true, "visits_refund_30d": true,
			"risk_visit_days_30d": true, "days_since_negative_ticket": true, "tickets_30d": true,
		}
		found := 0
		for _, d := range after["drivers"].([]any) {
			m := d.(map[string]any)
			t.Logf("driver %v %.3f: %v", m["feature"], m["contribution"], m["reason"])
			if expected[m["feature"].(string)] && m["contribution"].(float64) > 0 {
				found++
			}
		}
		if found < 2 {
			t.Errorf("only %d of the drivers are the behaviour that changed (usage stop, angry tickets, cancel page)", found)
		}
		if after["model_version"] == "" || after["as_of"] != now.Format(time.RFC3339) {
			t.Errorf("model_version %v, as_of %v", after["model_version"], after["as_of"])
		}
	})
}
