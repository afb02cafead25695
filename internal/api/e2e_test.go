package api

import (
	"fmt"
	"testing"
	"time"
)

// TestHealthyCustomerTurnsChurner plays a customer's life through the real
// HTTP API with a trained model: steady usage and a friendly ticket give a low
// score; three weeks later usage has stopped, angry tickets talk of
// cancelling and the cancel page is visited, and the score rises with the
// matching drivers.
func TestHealthyCustomerTurnsChurner(t *testing.T) {
	a := newTestAPI(t, true)
	start := a.clock.Now()
	id := "healthy-1"
	if code, body, _ := a.do("PUT", "/v1/customers/"+id, map[string]any{
		"signup_at": start.AddDate(-1, 0, 0).Format(time.DateOnly), "plan": "growth", "mrr": 300}); code != 200 {
		t.Fatalf("put: %d %v", code, body)
	}
	var events []any
	for d := 89; d >= 1; d-- {
		at := start.AddDate(0, 0, -d)
		if at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			continue
		}
		events = append(events,
			ev("usage", id, at, map[string]any{"quantity": 40, "metric": "sessions", "event_id": fmt.Sprintf("s%d", d)}),
			ev("page_view", id, at, map[string]any{"path": "/dashboard"}))
	}
	events = append(events, ev("ticket", id, start.AddDate(0, 0, -20), map[string]any{"text": "Thanks, the new reports are great!"}))
	if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
		t.Fatalf("events: %d %v", code, body)
	}
	code, before, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
	if code != 200 {
		t.Fatalf("risk: %d %v", code, before)
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
	t.Logf("score %.3f (%v) -> %.3f (%v)", s0, before["risk_level"], s1, after["risk_level"])
	if !(s1 > s0+0.2) {
		t.Errorf("score rose from %.3f to %.3f; want a rise of more than 0.2", s0, s1)
	}
	if after["flagged"] != true || after["risk_level"] != "high" {
		t.Errorf("after: flagged %v, level %v; want flagged high", after["flagged"], after["risk_level"])
	}
	if before["risk_level"] == "high" {
		t.Errorf("healthy customer already high risk: %v", before)
	}
	expected := map[string]bool{
		"usage_30d": true, "usage_7d": true, "usage_drop_30d": true, "usage_drop_7d": true, "days_since_last_activity": true,
		"active_days_30d": true, "usage_trend": true, "negative_tickets_90d": true, "ticket_sentiment_min_90d": true,
		"ticket_sentiment_mean_90d": true, "churn_intent_tickets_90d": true, "visits_cancel_30d": true, "visits_refund_30d": true,
		"risk_visit_days_30d": true, "days_since_negative_ticket": true, "tickets_30d": true,
	}
	drivers := after["drivers"].([]any)
	found := 0
	for _, d := range drivers {
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
}
