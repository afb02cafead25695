package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// historyFixture imports customer h1 with 41 days of usage (10 a day until
// 8 days ago, 1 a day since), two tickets 2 days ago and risk-page views
// yesterday, and returns today's day number.
func historyFixture(t *testing.T, a *testAPI) int32 {
	t.Helper()
	to := signals.DayNumber(a.clock.Now())
	var h signals.History
	for d := to - 40; d <= to; d++ {
		u := 10.0
		if d >= to-7 {
			u = 1
		}
		h.Add(signals.Day{Day: d, Usage: u, UsageEvents: 2})
	}
	h.Add(signals.Day{Day: to - 2, Tickets: 2, NegTickets: 2, IntentTickets: 1, SentimentSum: -0.8, SentimentMin: -0.6})
	risk := [signals.NumCategories]int32{}
	risk[signals.CatCancel], risk[signals.CatPricing] = 1, 2
	h.Add(signals.Day{Day: to - 1, PageViews: 4, Risk: risk})
	mrr := 49.0
	signup := a.clock.Now().AddDate(-1, 0, 0)
	p := features.Profile{ID: "h1", Plan: "starter", MRR: &mrr, SignupAt: &signup}
	if err := a.store.Import(context.Background(), []store.CustomerData{{Profile: p, History: h}}); err != nil {
		t.Fatal(err)
	}
	return to
}

func TestCustomerHistory(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		to := historyFixture(t, a)
		date := func(d int32) string { return signals.DayStart(d).Format("2006-01-02") }
		code, body, _ := a.do("GET", "/v1/customers/h1/history?days=10", nil)
		if code != 200 {
			t.Fatalf("history: %d %v", code, body)
		}
		if body["customer_id"] != "h1" || body["from"] != date(to-9) || body["to"] != date(to) || body["model_version"] != a.srv.App().Models().Active().Version {
			t.Errorf("header %v %v %v %v", body["customer_id"], body["from"], body["to"], body["model_version"])
		}
		list := body["days"].([]any)
		if len(list) != 10 {
			t.Fatalf("%d days, want 10", len(list))
		}
		day := func(d int32) map[string]any { return list[d-(to-9)].(map[string]any) }
		for i := range list {
			d := day(to - 9 + int32(i))
			if d["date"] != date(to-9+int32(i)) {
				t.Fatalf("day %d is %v, want %s", i, d["date"], date(to-9+int32(i)))
			}
			if _, ok := d["score"].(float64); !ok {
				t.Errorf("%v: score %v, want a number", d["date"], d["score"])
			}
		}
		if d := day(to - 8); d["usage"] != 10.0 || d["usage_events"] != 2.0 || d["tickets"] != 0.0 || d["sentiment_mean"] != nil || d["sentiment_min"] != nil {
			t.Errorf("a day of usage: %v", d)
		}
		if d := day(to - 2); d["usage"] != 1.0 || d["tickets"] != 2.0 || d["negative_tickets"] != 2.0 || d["intent_tickets"] != 1.0 ||
			math.Abs(d["sentiment_mean"].(float64)+0.4) > 1e-12 || d["sentiment_min"] != -0.6 {
			t.Errorf("the day of the tickets: %v", d)
		}
		want := map[string]any{"cancel": 1.0, "downgrade": 0.0, "pricing": 2.0, "billing": 0.0, "refund": 0.0, "export": 0.0, "competitor": 0.0}
		if d := day(to - 1); d["page_views"] != 4.0 || fmt.Sprint(d["risk_pages"]) != fmt.Sprint(want) {
			t.Errorf("the day of the page views: %v", d)
		}
		// The drop began 4 days ago (r7 = 34/7 < 5, 5 days ago 43/7 >= 5).
		drop, _ := body["usage_drop"].(map[string]any)
		if drop == nil || drop["date"] != date(to-4) || drop["baseline"] != 10.0 || drop["recent"] != 1.0 {
			t.Errorf("usage_drop = %v, want %s, baseline 10, recent 1", body["usage_drop"], date(to-4))
		}
		// The history writes no score.
		if _, err := a.store.GetScore(context.Background(), "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a score was stored by the history: %v", err)
		}
		// Today's score is what the risk endpoint answers at the same clock.
		code, risk, _ := a.do("GET", "/v1/customers/h1/risk", nil)
		if code != 200 || risk["score"] != day(to)["score"] {
			t.Errorf("risk %d %v, history's last day %v", code, risk["score"], day(to)["score"])
		}
		// Each earlier day's score is the risk endpoint's at the end of that day.
		now := a.clock.Now()
		for _, d := range []int32{to - 9, to - 4, to - 1} {
			a.clock.Set(signals.DayStart(d + 1))
			code, risk, _ := a.do("GET", "/v1/customers/h1/risk", nil)
			if code != 200 || risk["score"] != day(d)["score"] {
				t.Errorf("%s: risk at its end %v, history %v", date(d), risk["score"], day(d)["score"])
			}
		}
		a.clock.Set(now)
		// A short window clamps the drop to its first day.
		_, body, _ = a.do("GET", "/v1/customers/h1/history?days=3", nil)
		if drop, _ := body["usage_drop"].(map[string]any); drop == nil || drop["date"] != date(to-2) || drop["baseline"] != 10.0 {
			t.Errorf("days=3: usage_drop = %v, want %s", body["usage_drop"], date(to-2))
		}
		// 90 days by default, every one present.
		_, body, _ = a.do("GET", "/v1/customers/h1/history", nil)
		if n := len(body["days"].([]any)); n != 90 || body["from"] != date(to-89) {
			t.Errorf("default: %d days from %v", n, body["from"])
		}
		if code, body, _ := a.do("GET", "/v1/customers/nobody/history", nil); code != 404 {
			t.Errorf("unknown customer: %d %v", code, body)
		}
		for _, bad := range []string{"0", "366", "x", "-1"} {
			if code, body, _ := a.do("GET", "/v1/customers/h1/history?days="+bad, nil); code != 422 || fmt.Sprint(fieldsOf(t, body)) != "[days]" {
				t.Errorf("days=%s: %d %v, want 422 naming days", bad, code, body)
			}
		}
	})
}

// TestCustomerHistoryWithoutModel: without a model the history still
// answers, with null scores and model_version.
func TestCustomerHistoryWithoutModel(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, false)
		to := historyFixture(t, a)
		code, body, _ := a.do("GET", "/v1/customers/h1/history?days=5", nil)
		if code != 200 || body["model_version"] != nil {
			t.Fatalf("history: %d %v", code, body)
		}
		for _, d := range body["days"].([]any) {
			if s := d.(map[string]any)["score"]; s != nil {
				t.Errorf("score %v without a model", s)
			}
		}
		if drop, _ := body["usage_drop"].(map[string]any); drop == nil || drop["date"] != signals.DayStart(to-4).Format("2006-01-02") {
			t.Errorf("usage_drop = %v", body["usage_drop"])
		}
	})
}

// TestHistoryAtMidnight: at exactly midnight the last day's score is still
// the risk endpoint's (which sees no event of the new day).
func TestHistoryAtMidnight(t *testing.T) {
	a := newTestAPIStore(t, "mem", true)
	historyFixture(t, a)
	a.clock.Set(signals.DayStart(signals.DayNumber(a.clock.Now()) + 1))
	_, body, _ := a.do("GET", "/v1/customers/h1/history?days=2", nil)
	_, risk, _ := a.do("GET", "/v1/customers/h1/risk", nil)
	list := body["days"].([]any)
	if last := list[len(list)-1].(map[string]any); last["score"] != risk["score"] || last["date"] != a.clock.Now().Format("2006-01-02") {
		t.Errorf("last day %v, risk %v", last, risk["score"])
	}
}
