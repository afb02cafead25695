package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/training"
)

// TestImportBacktestsPredictedChurn: loading a history with a model records
// the back-tested predicted churn of the last 12 months, the current one
// included (scoring the loaded customers must not fix it first), so the churn
// figures show predicted beside actual for them.
func TestImportBacktestsPredictedChurn(t *testing.T) {
	for _, kind := range []string{"mem", "redis"} {
		t.Run(kind, func(t *testing.T) {
			a := newTestAPIStore(t, kind, true)
			if _, err := dataload.Import(context.Background(), a.srv.App(), testData); err != nil {
				t.Fatal(err)
			}
			to := metrics.MonthOf(a.clock.Now())
			from := max(training.DataFrom(testData), to-11)
			want := training.PredictedByMonth(testData, a.srv.App().Models().Active(), from, to)

			resp, err := http.Get(a.url + "/v1/metrics/churn")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got metrics.Table
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("metrics: %d %v", resp.StatusCode, err)
			}
			seen, absent := 0, 0
			first := training.BacktestFrom(testData, a.srv.App().Models().Active())
			for _, m := range got.Months {
				month, err := metrics.ParseMonth(m.Month)
				if err != nil {
					t.Fatal(err)
				}
				w, ok := want[month]
				if month < first {
					// Before a full lookback of events: absent, not zero.
					if ok || m.PredictedChurn != nil {
						t.Errorf("%s: predicted %v before the first back-testable month %s", m.Month, m.PredictedChurn, first)
					}
					absent++
					continue
				}
				if !ok {
					t.Errorf("%s: no back-test from %s on", m.Month, first)
					continue
				}
				seen++
				if m.PredictedChurn == nil || math.Abs(*m.PredictedChurn-w) > 1e-6 {
					t.Errorf("%s: predicted %v, back-test %v", m.Month, m.PredictedChurn, w)
				}
				if w <= 0 {
					t.Errorf("%s: back-test predicts no churn at all", m.Month)
				}
			}
			if seen < 4 || absent < 1 {
				t.Errorf("%d back-tested and %d absent months in the figures (%s..%s)", seen, absent, from, to)
			}
			if absent > 0 && !slices.ContainsFunc(got.Notes, func(n string) bool { return strings.Contains(n, "predicted churn is absent (not zero) for") }) {
				t.Errorf("no note on the months without a prediction: %q", got.Notes)
			}
		})
	}
}
