package features

import (
	"slices"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

// TestDirectionsTable checks that every declared direction names a real
// behavioural feature (a typo would silently leave it unconstrained) and
// that the schema's vector gives attributes, plan, tenure and MRR none.
func TestDirectionsTable(t *testing.T) {
	names := BehaviourNames()
	for n, d := range directions {
		if !slices.Contains(names, n) {
			t.Errorf("direction declared for unknown feature %q", n)
		}
		if d != Increasing && d != Decreasing {
			t.Errorf("%s: direction %d is not -1 or +1", n, d)
		}
	}
	mrr, signup := 10.0, ts("2025-01-01T00:00:00Z")
	ps := make([]Profile, 12)
	for i := range ps {
		ps[i] = Profile{ID: "c", Plan: "pro", MRR: &mrr, SignupAt: &signup, Attributes: map[string]string{"seats": "3", "region": "eu"}}
	}
	s := NewSchema(ps, SchemaOptions{Behaviour: true})
	dirs := s.Directions()
	if len(dirs) != s.Len() {
		t.Fatalf("%d directions for %d features", len(dirs), s.Len())
	}
	want := map[string]Direction{
		VisitFeature(signals.CatCancel): Increasing, IntentTickets90d: Increasing, DaysSinceActive: Increasing,
		SentimentMean90d: Decreasing, DaysSinceNegTicket: Decreasing, ActiveDays30d: Decreasing,
		VisitFeature(signals.CatPricing): Unconstrained, Tickets90d: Unconstrained, Usage30d: Unconstrained,
		PageViews30d: Unconstrained, TenureDays: Unconstrained, MRR: Unconstrained, "plan_pro": Unconstrained,
		"attr_seats": Unconstrained, "attr_region_eu": Unconstrained,
	}
	for n, w := range want {
		i := s.Index(n)
		if i < 0 {
			t.Fatalf("no feature %q in %v", n, s.Names)
		}
		if dirs[i] != w {
			t.Errorf("%s: direction %v, want %v", n, dirs[i], w)
		}
	}
	if !s.Constrained() {
		t.Error("a behavioural schema is not constrained")
	}
	if static := NewSchema(ps, SchemaOptions{}); static.Constrained() {
		t.Errorf("a static schema declares directions: %v", static.Directions())
	}
}

// TestDirectionsFollowRisk builds a steady customer and, for each kind of
// risk event added to its history, checks that every feature with a
// declared direction moves the risky way or not at all, and that the
// features the event is about do move.
func TestDirectionsFollowRisk(t *testing.T) {
	T := ts("2026-03-01T00:00:00Z")
	s := behaviourSchema()
	day := func(n int) time.Time { return T.Add(-time.Duration(n) * 24 * time.Hour).Add(time.Hour) }
	sent := func(v float64) *float64 { return &v }
	var base []signals.Event
	for n := 1; n <= 89; n++ {
		base = append(base, signals.Event{Type: signals.TypeUsage, CustomerID: "c", Timestamp: day(n), Quantity: 5})
	}
	base = append(base, signals.Event{Type: signals.TypeTicket, CustomerID: "c", Timestamp: day(60), Text: "thanks", Sentiment: sent(0.6)})
	worse := map[string]struct {
		change func([]signals.Event) []signals.Event
		moves  []string
	}{
		"ticket asking to cancel": {func(ev []signals.Event) []signals.Event {
			return append(ev, signals.Event{Type: signals.TypeTicket, CustomerID: "c", Timestamp: day(3),
				Text: "This is terrible, I want to cancel and get a refund.", Sentiment: sent(-0.8)})
		}, []string{IntentTickets90d, NegativeTickets90d, SentimentMean90d, SentimentMin90d, DaysSinceNegTicket}},
		"cancel and export visits": {func(ev []signals.Event) []signals.Event {
			return append(ev, signals.Event{Type: signals.TypePageView, CustomerID: "c", Timestamp: day(2), Path: "/account/cancel"},
				signals.Event{Type: signals.TypePageView, CustomerID: "c", Timestamp: day(4), Path: "/export"})
		}, []string{VisitFeature(signals.CatCancel), VisitFeature(signals.CatExport), RiskVisitDays30d}},
		"usage stopped 20 days ago": {func(ev []signals.Event) []signals.Event {
			var out []signals.Event
			for _, e := range ev {
				if e.Type != signals.TypeUsage || e.Timestamp.Before(day(20)) {
					out = append(out, e)
				}
			}
			return out
		}, []string{DaysSinceActive, ActiveDays30d, UsageDrop30d, UsageDrop7d, UsageTrend}},
	}
	b := vector(s, &Profile{ID: "c"}, base, T)
	for name, w := range worse {
		v := vector(s, &Profile{ID: "c"}, w.change(slices.Clone(base)), T)
		for n, d := range directions {
			if delta := v[n] - b[n]; float64(d)*delta < 0 {
				t.Errorf("%s: %s (%v) went from %v to %v, the safe way", name, n, d, b[n], v[n])
			}
		}
		for _, n := range w.moves {
			if v[n] == b[n] {
				t.Errorf("%s: %s stayed at %v", name, n, v[n])
			}
		}
	}
}
