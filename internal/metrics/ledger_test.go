package metrics

import (
	"errors"
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
	counted := Share{Counted: true, Score: 400000, Revenue: 4000}
	left := Share{Left: true}
	back := Share{} // came back: neither counted nor left
	before := now.Add(-time.Hour)
	current := &features.Profile{ID: "a"}
	churned := &features.Profile{ID: "a", ChurnedAt: &before}
	later := now.AddDate(0, 1, 0)
	notYet := &features.Profile{ID: "a", SignupAt: &later}
	tests := []struct {
		name  string
		share Share
		score *[2]int64 // a score (micros) and its revenue (cents); nil: profile
		p     *features.Profile
		want  Change
	}{
		{"first score", Share{}, &[2]int64{500000, 0}, nil,
			Change{Month: mar, Next: Share{Counted: true, Score: 500000}, Score: 500000, Freeze: true}},
		{"new score replaces the counted one", counted, &[2]int64{700000, 7000}, nil,
			Change{Month: mar, Next: Share{Counted: true, Score: 700000, Revenue: 7000}, Score: 300000, Revenue: 3000, Freeze: true}},
		{"same score still freezes", counted, &[2]int64{400000, 4000}, nil,
			Change{Month: mar, Next: counted, Freeze: true}},
		{"score of a customer who left", left, &[2]int64{900000, 9000}, nil,
			Change{Month: mar, Next: left}},
		{"score of a customer who came back", back, &[2]int64{300000, 0}, nil,
			Change{Month: mar, Next: Share{Counted: true, Score: 300000}, Score: 300000, Freeze: true}},
		{"churn takes the counted share out", counted, nil, churned,
			Change{Month: mar, Next: left, Score: -400000, Revenue: -4000, Freeze: true}},
		{"churn without a counted share", Share{}, nil, churned,
			Change{Month: mar, Next: left}},
		{"churn of a customer who left", left, nil, churned,
			Change{Month: mar, Next: left}},
		{"a signup after now has not joined", counted, nil, notYet,
			Change{Month: mar, Next: left, Score: -400000, Revenue: -4000, Freeze: true}},
		{"a current customer keeps its share", counted, nil, current,
			Change{Month: mar, Next: counted}},
		{"a customer who left comes back", left, nil, current,
			Change{Month: mar, Next: back}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Change
			if tt.score != nil {
				got = tt.share.Scored(Micros(tt.score[0]), Cents(tt.score[1]), now)
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
	apply := func(c Change) {
		t.Helper()
		if err := l.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	apply(Change{Month: jan, Score: 100000, Revenue: 1000, Freeze: true})
	apply(Change{Month: jan, Score: 200000, Revenue: 30, Freeze: true})
	apply(Change{Month: feb, Score: -300000}) // no freeze asked
	l.Record(map[Month]Micros{jan: 9e6, mo(2025, 12): 1e6})
	if l.Scores != 0 || l.Revenue != 1030 {
		t.Errorf("sums %v, %v; want 0 and 1030 cents", l.Scores, l.Revenue)
	}
	if fmt.Sprint(l.Predicted) != fmt.Sprint(map[Month]Micros{mo(2025, 12): 1e6, jan: 0}) {
		t.Errorf("predicted %v", l.Predicted)
	}
	apply(Change{Month: feb, Score: 250000, Freeze: true})
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
	// A sum that would leave MaxSum is refused and changes nothing.
	before := l
	if err := l.Apply(Change{Month: mo(2026, 4), Revenue: Cents(MaxSum), Score: 1, Freeze: true}); !errors.Is(err, ErrRange) {
		t.Fatalf("apply beyond MaxSum: %v, want ErrRange", err)
	}
	if l.Scores != before.Scores || l.Revenue != before.Revenue || len(l.Predicted) != len(before.Predicted) {
		t.Errorf("a refused change changed the ledger: %+v", l)
	}
}
