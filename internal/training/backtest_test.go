package training

import (
	"testing"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/testenv"
)

// TestBacktestRatio: on generated data, the model back-tested as the API
// does after `api --load` (trained on the same files, each month predicted
// from its start with the 30-day horizon) predicts between 0.8 and 1.25 times
// the actual churn of every month with at least 30 churners; the months
// without a full lookback of events before their start have no prediction.
func TestBacktestRatio(t *testing.T) {
	testenv.SkipUnderRace(t)
	ds, res := generated(t)
	a := res.Artifact
	to := metrics.MonthOf(ds.End)
	agg, err := Aggregate(ds)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := metrics.DefaultFrom(agg, to)
	tbl, err := ChurnTable(ds, a, metrics.Options{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	first := BacktestFrom(ds, a)
	checked := 0
	for _, m := range tbl.Months {
		month, err := metrics.ParseMonth(m.Month)
		if err != nil {
			t.Fatal(err)
		}
		if month < first {
			if m.PredictedChurn != nil {
				t.Errorf("%s: predicted %.1f before a full lookback of events (first back-test month %s)", m.Month, *m.PredictedChurn, first)
			}
			continue
		}
		if m.PredictedChurn == nil {
			t.Errorf("%s: no prediction", m.Month)
			continue
		}
		t.Logf("%s: predicted %.1f, actual %d (%d customers at start)", m.Month, *m.PredictedChurn, m.ChurnedFromStart, m.CustomersStart)
		if m.ChurnedFromStart < 30 {
			continue
		}
		checked++
		if r := *m.PredictedToActual; r < 0.8 || r > 1.25 {
			t.Errorf("%s: predicted / actual %.2f, want 0.8-1.25", m.Month, r)
		}
	}
	if checked < 3 {
		t.Errorf("only %d months with 30 churners to check (%s..%s, back-tests from %s)", checked, from, to, first)
	}
}
