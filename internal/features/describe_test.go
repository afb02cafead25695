package features

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

// slice turns a vector read by name back into the schema's order.
func slice(s *Schema, m map[string]float64) []float64 {
	x := make([]float64, s.Len())
	for i, n := range s.Names {
		x[i] = m[n]
	}
	return x
}

// fullSchema has every family: behaviour, tenure, MRR, a plan and a numeric
// and a categorical attribute.
func fullSchema() *Schema {
	signup := ts("2024-01-01T00:00:00Z")
	mrr := 49.0
	var ps []Profile
	for i := range 30 {
		plan, industry := "basic", "retail"
		if i%2 == 0 {
			plan, industry = "pro", "media"
		}
		ps = append(ps, Profile{ID: "c", SignupAt: &signup, MRR: &mrr, Plan: plan,
			Attributes: map[string]string{"seats": "3", "industry": industry}})
	}
	return NewSchema(ps, SchemaOptions{Behaviour: true, LookbackDays: 90})
}

var (
	percentRe = regexp.MustCompile(`(-?[0-9][0-9,.]*)%`)
	badWords  = []string{"NaN", "Inf", "%!", "fell 0%", "rose 0%", " 0% ", "  "}
	minusZero = regexp.MustCompile(`-0([^.0-9]|$)`)
)

// checkSentence asserts what every sentence must be, at any value.
func checkSentence(t *testing.T, what, got string) {
	t.Helper()
	if strings.TrimSpace(got) == "" {
		t.Errorf("%s: empty sentence", what)
		return
	}
	for _, w := range badWords {
		if strings.Contains(got, w) {
			t.Errorf("%s: %q contains %q", what, got, w)
		}
	}
	if minusZero.MatchString(got) {
		t.Errorf("%s: %q has a negative zero", what, got)
	}
	for _, m := range percentRe.FindAllStringSubmatch(got, -1) {
		if p, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64); err != nil || p <= 0 || p > 100 {
			t.Errorf("%s: %q has the percentage %s%%", what, got, m[1])
		}
	}
}

// TestDescribeEdges describes every feature of a full schema at its edge
// values (zero, negative, a fraction, one, over 100%, very large, missing,
// infinite), alone in a typical customer's vector and for a whole vector at
// that value, and for a brand-new customer with no history.
func TestDescribeEdges(t *testing.T) {
	s := fullSchema()
	asOf := ts("2026-03-01T00:00:00Z")
	// A typical customer: steady usage, a few tickets and page views.
	signup := ts("2025-01-01T00:00:00Z")
	mrr := 49.0
	var ev []signals.Event
	neg := -0.6
	for n := 1; n <= 89; n++ {
		at := asOf.Add(-time.Duration(n)*24*time.Hour + time.Hour)
		ev = append(ev, signals.Event{Type: signals.TypeUsage, CustomerID: "c", Timestamp: at, Quantity: 10})
		if n%20 == 0 {
			ev = append(ev, signals.Event{Type: signals.TypeTicket, CustomerID: "c", Timestamp: at, Text: "the export is slow", Sentiment: &neg})
			ev = append(ev, signals.Event{Type: signals.TypePageView, CustomerID: "c", Timestamp: at, Path: "/pricing"})
		}
	}
	typical := slice(s, vector(s, &Profile{ID: "c", SignupAt: &signup, MRR: &mrr, Plan: "pro", Attributes: map[string]string{"seats": "12", "industry": "media"}}, ev, asOf))
	edges := []float64{0, -1, -1e9, 0.004, 0.5, 0.995, 1, 1.5, 3, 100, 1e12, 1e300, math.NaN(), math.Inf(1), math.Inf(-1)}
	for i, name := range s.Names {
		for _, e := range edges {
			x := append([]float64(nil), typical...)
			x[i] = e
			checkSentence(t, name+"="+strconv.FormatFloat(e, 'g', -1, 64), s.Describe(name, x))
			checkChinese(t, name+"="+strconv.FormatFloat(e, 'g', -1, 64), s, name, x)
			all := make([]float64, s.Len())
			for j := range all {
				all[j] = e
			}
			checkSentence(t, name+" in a vector of "+strconv.FormatFloat(e, 'g', -1, 64), s.Describe(name, all))
			checkChinese(t, name+" in a vector of "+strconv.FormatFloat(e, 'g', -1, 64), s, name, all)
		}
		checkSentence(t, name+" typical", s.Describe(name, typical))
		checkChinese(t, name+" typical", s, name, typical)
	}
	// A brand-new customer: signed up at the as-of time, no events, no plan,
	// MRR or attributes.
	fresh := slice(s, vector(s, &Profile{ID: "new", SignupAt: &asOf}, nil, asOf))
	want := map[string]string{
		Usage7d:                         "no usage in the last 7 days, nor in the 3 weeks before",
		Usage30d:                        "no usage in the last 30 days, nor in the 30 before",
		UsagePrev30d:                    "no usage in the 30 days before the last 30, nor since",
		UsageDrop30d:                    "no usage in the last 30 days, nor in the 30 before",
		UsageDrop7d:                     "no usage this week, nor in the 3 weeks before",
		DaysSinceActive:                 "no product activity yet: signed up less than a day ago",
		ActiveDays30d:                   "did not use the product on any of the last 30 days",
		UsageTrend:                      "no usage in the last 90 days",
		Tickets30d:                      "no support tickets in the last 90 days",
		Tickets90d:                      "no support tickets in the last 90 days",
		SentimentMean90d:                "no support tickets in the last 90 days to judge their tone",
		SentimentMin90d:                 "no support tickets in the last 90 days to judge their tone",
		NegativeTickets90d:              "no unhappy support tickets in the last 90 days",
		DaysSinceNegTicket:              "no unhappy support ticket in the last 90 days",
		IntentTickets90d:                "no support ticket in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product",
		VisitFeature(signals.CatCancel): "no visits to the cancel page in the last 30 days",
		VisitFeature(signals.CatRefund): "no visits to the refund policy page in the last 30 days",
		RiskVisitDays30d:                "no visits to risk pages (cancel, pricing, refund...) in the last 30 days",
		PageViews30d:                    "no page views in the last 30 days",
		TenureDays:                      "new customer: signed up less than a day ago",
		MRR:                             "the monthly revenue is not known",
		"plan_pro":                      "plan is not known",
		"attr_industry_media":           "industry is not known",
		"attr_seats":                    "seats is not known",
	}
	for _, name := range s.Names {
		got := s.Describe(name, fresh)
		checkSentence(t, "new customer "+name, got)
		checkChinese(t, "new customer "+name, s, name, fresh)
		if w, ok := want[name]; ok && got != w {
			t.Errorf("new customer %s: %q, want %q", name, got, w)
		}
	}
	for name := range want {
		if s.Index(name) < 0 {
			t.Errorf("the schema has no %s", name)
		}
	}
}

// TestDescribeSentences checks the sentences of the key cases: the fact and
// its direction, in words a support agent repeats.
func TestDescribeSentences(t *testing.T) {
	s := fullSchema()
	cases := []struct {
		name string
		set  map[string]float64
		want string
	}{
		{Usage30d, map[string]float64{Usage30d: 120, UsagePrev30d: 582}, "usage fell from 582 to 120 a month"},
		{Usage30d, map[string]float64{Usage30d: 582, UsagePrev30d: 120}, "usage rose from 120 to 582 a month"},
		{Usage30d, map[string]float64{Usage30d: 300, UsagePrev30d: 301}, "usage steady at about 300 a month"},
		{Usage30d, map[string]float64{Usage30d: 0, UsagePrev30d: 582}, "usage stopped: none in the last 30 days, against 582 in the 30 before"},
		{Usage30d, map[string]float64{Usage30d: 12500, UsagePrev30d: 0}, "usage started: 12,500 in the last 30 days, after none in the 30 before"},
		{UsagePrev30d, map[string]float64{Usage30d: 120, UsagePrev30d: 582}, "usage was 582 in the 30 days before the last 30, then fell to 120"},
		{UsagePrev30d, map[string]float64{Usage30d: 0, UsagePrev30d: 582}, "usage of 582 in the 30 days before the last 30, then none since"},
		{UsageDrop30d, map[string]float64{Usage30d: 120, UsagePrev30d: 582, UsageDrop30d: Drop(120, 582)}, "usage fell 79% against the previous 30 days (from 582 to 120 a month)"},
		{UsageDrop30d, map[string]float64{Usage30d: 999, UsagePrev30d: 1000, UsageDrop30d: Drop(999, 1000)}, "usage about the same as the previous 30 days (from 1,000 to 999 a month)"},
		{UsageDrop30d, map[string]float64{Usage30d: 1, UsagePrev30d: 1000, UsageDrop30d: Drop(1, 1000)}, "usage fell 99% against the previous 30 days (from 1,000 to 1 a month)"},
		{UsageDrop30d, map[string]float64{Usage30d: 0, UsagePrev30d: 582, UsageDrop30d: 1.7}, "usage stopped: none in the last 30 days, against 582 in the 30 before"},
		{UsageDrop30d, map[string]float64{Usage30d: 140, UsagePrev30d: 100, UsageDrop30d: Drop(140, 100)}, "usage rose 40% against the previous 30 days (from 100 to 140 a month)"},
		{UsageDrop30d, map[string]float64{Usage30d: 500, UsagePrev30d: 100, UsageDrop30d: Drop(500, 100)}, "usage more than doubled against the previous 30 days (from 100 to 500 a month)"},
		{UsageDrop30d, map[string]float64{Usage30d: 120, UsagePrev30d: 0, UsageDrop30d: Drop(120, 0)}, "usage started: 120 in the last 30 days, after none in the 30 before"},
		// 42 this week against 230 in the 23 days before: a usual week is 70.
		{UsageDrop7d, map[string]float64{Usage7d: 42, Usage30d: 272, UsageDrop7d: Drop(42, 70)}, "usage this week is 40% below its usual week"},
		{UsageDrop7d, map[string]float64{Usage7d: 70, Usage30d: 300, UsageDrop7d: Drop(70, 70)}, "usage this week about the same as its usual week"},
		{UsageDrop7d, map[string]float64{Usage7d: 98, Usage30d: 328, UsageDrop7d: Drop(98, 70)}, "usage this week is 40% above its usual week"},
		{UsageDrop7d, map[string]float64{Usage7d: 0, Usage30d: 230, UsageDrop7d: 1}, "no usage this week, against about 70 in a usual week"},
		{Usage7d, map[string]float64{Usage7d: 42, Usage30d: 272}, "usage of 42 in the last 7 days, down from about 70 in a usual week"},
		{DaysSinceActive, map[string]float64{DaysSinceActive: 19, TenureDays: 400}, "no product activity for 19 days"},
		{DaysSinceActive, map[string]float64{DaysSinceActive: 1, TenureDays: 400}, "no product activity for 1 day"},
		{DaysSinceActive, map[string]float64{DaysSinceActive: 0, TenureDays: 400}, "used the product in the last day"},
		{DaysSinceActive, map[string]float64{DaysSinceActive: 90, TenureDays: 400}, "no product activity in the last 90 days"},
		{DaysSinceActive, map[string]float64{DaysSinceActive: 90, TenureDays: 12.5}, "no product activity since signing up 12 days ago"},
		{ActiveDays30d, map[string]float64{ActiveDays30d: 12}, "used the product on 12 of the last 30 days"},
		{UsageTrend, map[string]float64{UsageTrend: -0.25, Usage30d: 50}, "usage roughly halved over the last 90 days"},
		{UsageTrend, map[string]float64{UsageTrend: -0.1, Usage30d: 50}, "usage has fallen by about 30% over the last 90 days"},
		{UsageTrend, map[string]float64{UsageTrend: -1.05, Usage30d: 50}, "usage has been falling steeply over the last 90 days"},
		{UsageTrend, map[string]float64{UsageTrend: 0.01, Usage30d: 50}, "usage roughly steady over the last 90 days"},
		{UsageTrend, map[string]float64{UsageTrend: 0.25, Usage30d: 50}, "usage roughly doubled over the last 90 days"},
		{UsageTrend, map[string]float64{UsageTrend: 5, Usage30d: 50}, "usage has been rising steeply over the last 90 days"},
		{Tickets30d, map[string]float64{Tickets30d: 3, Tickets90d: 4}, "3 support tickets in the last 30 days, against 1 in the 60 days before"},
		{Tickets30d, map[string]float64{Tickets30d: 1, Tickets90d: 1}, "1 support ticket in the last 30 days, none in the 60 days before"},
		{Tickets90d, map[string]float64{Tickets30d: 3, Tickets90d: 5}, "5 support tickets in the last 90 days, 3 of them in the last 30"},
		{SentimentMean90d, map[string]float64{Tickets90d: 4, SentimentMean90d: -0.42}, "support tickets in the last 90 days were unhappy on average (tone -0.42, from -1 angry to +1 happy)"},
		{SentimentMin90d, map[string]float64{Tickets90d: 4, SentimentMin90d: -0.9}, "the unhappiest support ticket in the last 90 days was angry (tone -0.90, from -1 angry to +1 happy)"},
		{SentimentMin90d, map[string]float64{Tickets90d: 4, SentimentMin90d: 0.3}, "no unhappy support ticket in the last 90 days (lowest tone +0.30, from -1 angry to +1 happy)"},
		{NegativeTickets90d, map[string]float64{Tickets90d: 5, NegativeTickets90d: 2}, "2 of 5 support tickets in the last 90 days were unhappy"},
		{NegativeTickets90d, map[string]float64{Tickets90d: 1, NegativeTickets90d: 1}, "the only support ticket in the last 90 days was unhappy"},
		{DaysSinceNegTicket, map[string]float64{DaysSinceNegTicket: 12}, "last unhappy support ticket 12 days ago"},
		{IntentTickets90d, map[string]float64{IntentTickets90d: 1}, "1 support ticket in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product or of the price"},
		{IntentTickets90d, map[string]float64{IntentTickets90d: 2}, "2 support tickets in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product or of the price"},
		{VisitFeature(signals.CatCancel), map[string]float64{VisitFeature(signals.CatCancel): 3}, "3 visits to the cancel page in the last 30 days"},
		{VisitFeature(signals.CatCompetitor), map[string]float64{VisitFeature(signals.CatCompetitor): 1}, "1 visit to the competitor comparison page in the last 30 days"},
		{RiskVisitDays30d, map[string]float64{RiskVisitDays30d: 2}, "visited risk pages (cancel, pricing, refund...) on 2 of the last 30 days"},
		{PageViews30d, map[string]float64{PageViews30d: 40, VisitFeature(signals.CatCancel): 2, VisitFeature(signals.CatPricing): 3}, "40 page views in the last 30 days, 5 on risk pages (cancel, pricing, refund...)"},
		{TenureDays, map[string]float64{TenureDays: 19}, "new customer: signed up 19 days ago"},
		{TenureDays, map[string]float64{TenureDays: 400}, "customer for about 13 months"},
		{TenureDays, map[string]float64{TenureDays: 1100}, "customer for about 3 years"},
		{MRR, map[string]float64{MRR: 1234.5}, "pays 1,234.50 a month"},
		{MRR, map[string]float64{MRR: 0}, "pays nothing a month (a free or unpaid account)"},
		{MRR, map[string]float64{MRR: math.NaN()}, "the monthly revenue is not known"},
		{"plan_pro", map[string]float64{"plan_basic": 1}, "plan is basic, not pro"},
		{"plan_pro", map[string]float64{"plan_pro": 1}, "plan is pro"},
		{"plan_other", map[string]float64{"plan_other": 1}, "plan is a rare or new value"},
		{"plan_basic", map[string]float64{"plan_other": 1}, "plan is a rare or new value, not basic"},
		{"attr_seats", map[string]float64{"attr_seats": 12}, "seats is 12"},
		{"attr_industry_media", map[string]float64{"attr_industry_retail": 1}, "industry is retail, not media"},
	}
	for _, c := range cases {
		x := make([]float64, s.Len())
		for n, v := range c.set {
			if s.Index(n) < 0 {
				t.Fatalf("the schema has no %s", n)
			}
			x[s.Index(n)] = v
		}
		got := s.Describe(c.name, x)
		if got != c.want {
			t.Errorf("%s %v:\n got %q\nwant %q", c.name, c.set, got, c.want)
		}
		checkSentence(t, c.name, got)
	}
}
