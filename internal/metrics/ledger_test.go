package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// The ledger rule's decisions, one change at a time. The sequences of
// changes run against every store in internal/store (ledger_test.go).
func TestShareChanges(t *testing.T) {
	now := day(2026, 3, 10)
	mar := MonthOf(now)
	counted := Share{Counted: true, Score: 0.4, Revenue: 40}
	left := Share{Left: true}
	back := Share{} // came back: neither counted nor left
	before := now.Add(-time.Hour)
	current := &features.Profile{ID: "a"}
	churned := &features.Profile{ID: "a", ChurnedAt: &before}
	later := now.AddDate(0, 1, 0)
	sub := func(a, b float64) float64 { return a - b } // at run time, as the rule does
	notYet := &features.Profile{ID: "a", SignupAt: &later}
	tests := []struct {
		name  string
		share Share
		score *[2]float64 // a score and its revenue; nil: profile
		p     *features.Profile
		want  Change
	}{
		{"first score", Share{}, &[2]float64{0.5, 0}, nil,
			Change{Month: mar, Next: Share{Counted: true, Score: 0.5}, Score: 0.5, Freeze: true}},
		{"new score replaces the counted one", counted, &[2]float64{0.7, 70}, nil,
			Change{Month: mar, Next: Share{Counted: true, Score: 0.7, Revenue: 70}, Score: sub(0.7, 0.4), Revenue: 30, Freeze: true}},
		{"same score still freezes", counted, &[2]float64{0.4, 40}, nil,
			Change{Month: mar, Next: counted, Freeze: true}},
		{"score of a customer who left", left, &[2]float64{0.9, 90}, nil,
			Change{Month: mar, Next: left}},
		{"score of a customer who came back", back, &[2]float64{0.3, 0}, nil,
			Change{Month: mar, Next: Share{Counted: true, Score: 0.3}, Score: 0.3, Freeze: true}},
		{"churn takes the counted share out", counted, nil, churned,
			Change{Month: mar, Next: left, Score: -0.4, Revenue: -40, Freeze: true}},
		{"churn without a counted share", Share{}, nil, churned,
			Change{Month: mar, Next: left}},
		{"churn of a customer who left", left, nil, churned,
			Change{Month: mar, Next: left}},
		{"a signup after now has not joined", counted, nil, notYet,
			Change{Month: mar, Next: left, Score: -0.4, Revenue: -40, Freeze: true}},
		{"a current customer keeps its share", counted, nil, current,
			Change{Month: mar, Next: counted}},
		{"a customer who left comes back", left, nil, current,
			Change{Month: mar, Next: back}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Change
			if tt.score != nil {
				got = tt.share.Scored(tt.score[0], tt.score[1], now)
			} else {
				got = tt.share.Profiled(tt.p, now)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLedgerApply(t *testing.T) {
	jan, feb := mo(2026, 1), mo(2026, 2)
	var l Ledger
	l.Apply(Change{Month: jan, Score: 0.1, Revenue: 10, Freeze: true})
	l.Apply(Change{Month: jan, Score: 0.2, Revenue: 0.3, Freeze: true})
	l.Apply(Change{Month: feb, Score: -0.3}) // no freeze asked
	l.Record(map[Month]float64{jan: 9, mo(2025, 12): 1.0000004})
	if l.Scores != 0 || l.Revenue != 10.3 {
		t.Errorf("sums %v, %v; want 0 and 10.3 (on the 1e-6 grid)", l.Scores, l.Revenue)
	}
	if fmt.Sprint(l.Predicted) != fmt.Sprint(map[Month]float64{mo(2025, 12): 1, jan: 0}) {
		t.Errorf("predicted %v", l.Predicted)
	}
	l.Apply(Change{Month: feb, Score: 0.25, Freeze: true})
	if got := l.PredictedAt(mo(2026, 3)); fmt.Sprint(got) != fmt.Sprint(map[Month]float64{mo(2025, 12): 1, jan: 0, feb: 0, mo(2026, 3): 0.25}) {
		t.Errorf("predicted at March %v", got)
	}
	if got := l.PredictedAt(feb); got[feb] != 0 {
		t.Errorf("a fixed month keeps its value: %v", got)
	}
	if _, ok := l.Predicted[mo(2026, 3)]; ok {
		t.Error("PredictedAt changed the ledger")
	}
	if got := RevenueAtRisk(0.5, true, nil); got != 0 {
		t.Errorf("revenue without MRR %v", got)
	}
	mrr := 80.0
	if a, b := RevenueAtRisk(0.5, true, &mrr), RevenueAtRisk(0.5, false, &mrr); a != 40 || b != 0 {
		t.Errorf("revenue flagged %v, not flagged %v", a, b)
	}
}
