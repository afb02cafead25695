package features

import (
	"math"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func behaviourSchema() *Schema {
	return NewSchema(nil, SchemaOptions{Behaviour: true, LookbackDays: 90})
}

func vector(s *Schema, p *Profile, events []signals.Event, asOf time.Time) map[string]float64 {
	agg := signals.NewAggregator()
	var h signals.History
	for i := range events {
		h.Add(agg.Day(&events[i]))
	}
	out := make([]float64, s.Len())
	s.Vector(p, h, asOf, out)
	m := map[string]float64{}
	for i, n := range s.Names {
		m[n] = out[i]
	}
	return m
}

// TestPointInTime shifts each kind of event across the as-of time T and checks
// that a feature changes only once the event is strictly before T.
func TestPointInTime(t *testing.T) {
	T := ts("2026-03-01T00:00:00Z")
	s := behaviourSchema()
	p := &Profile{ID: "c1"}
	neg := -0.9
	kinds := []struct {
		name    string
		event   signals.Event
		feature string
	}{
		{"usage", signals.Event{Type: signals.TypeUsage, Quantity: 5}, Usage7d},
		{"ticket", signals.Event{Type: signals.TypeTicket, Text: "I want to cancel", Sentiment: &neg}, NegativeTickets90d},
		{"intent", signals.Event{Type: signals.TypeTicket, Text: "I want to cancel my subscription and get a refund"}, IntentTickets90d},
		{"cancel page", signals.Event{Type: signals.TypePageView, Path: "/account/cancel"}, VisitFeature(signals.CatCancel)},
		{"page view", signals.Event{Type: signals.TypePageView, Path: "/dashboard"}, PageViews30d},
	}
	shifts := []struct {
		at      time.Time
		visible bool
	}{
		{T.Add(-24 * time.Hour), true},
		{T.Add(-time.Nanosecond), true},
		{T, false},
		{T.Add(time.Second), false},
		{T.Add(48 * time.Hour), false},
	}
	for _, k := range kinds {
		for _, sh := range shifts {
			t.Run(k.name+"/"+sh.at.Format(time.RFC3339Nano), func(t *testing.T) {
				e := k.event
				e.CustomerID = "c1"
				e.Timestamp = sh.at
				with := vector(s, p, []signals.Event{e}, T)
				without := vector(s, p, nil, T)
				changed := with[k.feature] != without[k.feature]
				if changed != sh.visible {
					t.Fatalf("%s at %s: feature %s changed=%v (with %v, without %v), want visible=%v",
						k.name, sh.at, k.feature, changed, with[k.feature], without[k.feature], sh.visible)
				}
				if !sh.visible {
					for n, v := range with {
						if v != without[n] && !(math.IsNaN(v) && math.IsNaN(without[n])) {
							t.Errorf("event on or after T changed %s: %v -> %v", n, without[n], v)
						}
					}
				}
			})
		}
	}
}

func TestBehaviourValues(t *testing.T) {
	T := ts("2026-03-01T00:00:00Z")
	s := behaviourSchema()
	var ev []signals.Event
	day := func(n int) time.Time { return T.Add(-time.Duration(n) * 24 * time.Hour).Add(time.Hour) }
	// 10 a day in the 30 days before the last 30, 2 a day on 18 of the last 30 days.
	for n := 31; n <= 89; n++ {
		ev = append(ev, signals.Event{Type: signals.TypeUsage, CustomerID: "c", Timestamp: day(n), Quantity: 10})
	}
	for n := 13; n <= 30; n++ {
		ev = append(ev, signals.Event{Type: signals.TypeUsage, CustomerID: "c", Timestamp: day(n), Quantity: 2})
	}
	for i := 0; i < 3; i++ {
		ev = append(ev, signals.Event{Type: signals.TypePageView, CustomerID: "c", Timestamp: day(2 + i), Path: "/account/cancel"})
	}
	v := vector(s, &Profile{ID: "c"}, ev, T)
	want := map[string]float64{
		UsagePrev30d:                     300,
		Usage30d:                         36,
		Usage7d:                          0,
		UsageDrop30d:                     0.88,
		ActiveDays30d:                    18,
		DaysSinceActive:                  13 - 1,
		VisitFeature(signals.CatCancel):  3,
		RiskVisitDays30d:                 3,
		PageViews30d:                     3,
		Tickets90d:                       0,
		DaysSinceNegTicket:               90,
		VisitFeature(signals.CatPricing): 0,
	}
	for n, w := range want {
		if math.Abs(v[n]-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", n, v[n], w)
		}
	}
	if v[UsageTrend] >= 0 {
		t.Errorf("usage trend %v, want negative", v[UsageTrend])
	}
	x := slice(s, v)
	if got := s.Describe(UsageDrop30d, x); got != "usage fell 88% against the previous 30 days (from 300 to 36 a month)" {
		t.Errorf("describe drop: %q", got)
	}
	if got := s.Describe(Usage30d, x); got != "usage fell from 300 to 36 a month" {
		t.Errorf("describe usage: %q", got)
	}
	if got := s.Describe(VisitFeature(signals.CatCancel), x); got != "3 visits to the cancel page in the last 30 days" {
		t.Errorf("describe visits: %q", got)
	}
}

func TestSchemaAttributes(t *testing.T) {
	mrr := 10.0
	signup := ts("2025-01-01T00:00:00Z")
	var ps []Profile
	for i := 0; i < 30; i++ {
		plan := "basic"
		if i%3 == 0 {
			plan = "pro"
		}
		if i == 7 {
			plan = "rare"
		}
		ps = append(ps, Profile{ID: "x", Plan: plan, MRR: &mrr, SignupAt: &signup,
			Attributes: map[string]string{"seats": "3", "industry": "Retail & Food", "flag": "yes"}})
	}
	ps[4].Attributes["seats"] = "12.5"
	s := NewSchema(ps, SchemaOptions{})
	want := []string{TenureDays, MRR, "plan_basic", "plan_pro", "plan_other", "attr_flag_yes", "attr_flag_other",
		"attr_industry_retail_food", "attr_industry_other", "attr_seats"}
	if len(s.Names) != len(want) {
		t.Fatalf("names %v, want %v", s.Names, want)
	}
	for i := range want {
		if s.Names[i] != want[i] {
			t.Fatalf("names %v, want %v", s.Names, want)
		}
	}
	out := make([]float64, s.Len())
	asOf := ts("2025-01-11T00:00:00Z")
	s.Vector(&Profile{Plan: "enterprise", Attributes: map[string]string{"seats": "n/a?", "industry": "Retail & Food"}}, nil, asOf, out)
	// unseen plan -> other; unparsable number -> NaN; missing flag -> zeros; missing signup -> NaN.
	exp := []float64{math.NaN(), math.NaN(), 0, 0, 1, 0, 0, 1, 0, math.NaN()}
	for i := range exp {
		if !(out[i] == exp[i] || (math.IsNaN(out[i]) && math.IsNaN(exp[i]))) {
			t.Errorf("%s = %v, want %v", s.Names[i], out[i], exp[i])
		}
	}
	s.Vector(&ps[0], nil, asOf, out)
	if out[0] != 10 || out[1] != 10 {
		t.Errorf("tenure, mrr = %v, %v; want 10, 10", out[0], out[1])
	}
	out[3], out[4] = 0, 1 // an unseen plan: plan_other
	if got := s.Describe("plan_other", out); got != "plan is a rare or new value" {
		t.Errorf("describe plan_other: %q", got)
	}
	if got := s.Describe("attr_industry_retail_food", out); got != "industry is Retail & Food" {
		t.Errorf("describe industry: %q", got)
	}
	// A schema survives a JSON round trip through Init.
	s2 := &Schema{LookbackDays: s.LookbackDays, Tenure: s.Tenure, MRR: s.MRR, Plan: s.Plan, Attributes: s.Attributes, Names: s.Names}
	if err := s2.Init(); err != nil {
		t.Fatal(err)
	}
	s2.Names = append([]string{}, s.Names...)
	s2.Names[0] = "bogus"
	if err := s2.Init(); err == nil {
		t.Fatal("Init accepted a mismatched name list")
	}
}

func TestDrop(t *testing.T) {
	cases := []struct{ recent, earlier, want float64 }{
		{36, 100, 0.64}, {0, 0, 0}, {5, 0, -1}, {0, 10, 1}, {300, 100, -1}, {150, 100, -0.5},
	}
	for _, c := range cases {
		if got := Drop(c.recent, c.earlier); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Drop(%v, %v) = %v, want %v", c.recent, c.earlier, got, c.want)
		}
	}
}
