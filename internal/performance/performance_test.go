package performance

import (
	"math"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
)

func TestMeasure(t *testing.T) {
	month := metrics.MonthOf(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	start := month.Start()
	meta := metrics.Snapshot{Month: month, HorizonDays: 30}
	at := func(d int) *time.Time { x := start.AddDate(0, 0, d); return &x }
	scores := map[string]metrics.MonthScore{
		"a": {Score: 0.9, Flagged: true}, "b": {Score: 0.8, Flagged: true}, "c": {Score: 0.6, Flagged: true}, "d": {Score: 0.3, Flagged: false}, "e": {Score: 0.2, Flagged: false}, "f": {Score: 0.1, Flagged: false},
	}
	churned := map[string]*time.Time{
		"a": at(3),   // within
		"c": at(29),  // within
		"d": at(30),  // the horizon's end: outside
		"e": at(-1),  // before the month: not this month's churn
		"f": at(100), // long after
	}
	if r := Measure(meta, scores, churned, start.AddDate(0, 0, 29)); r.Settled || r.ROCAUC != nil || r.Deciles != nil {
		t.Errorf("before the horizon: %+v", r)
	}
	r := Measure(meta, scores, churned, start.AddDate(0, 0, 30))
	if !r.Settled || r.Churned != 2 || r.Actual != 2 || r.Flagged != 3 {
		t.Fatalf("report: %+v", r)
	}
	// Churned a (0.9) and c (0.6) against b, d, e, f: a beats 4, c beats 3 of 4.
	if r.ROCAUC == nil || math.Abs(*r.ROCAUC-7.0/8) > 1e-12 {
		t.Errorf("ROC AUC %v, want 0.875", r.ROCAUC)
	}
	y := []float64{1, 0, 1, 0, 0, 0}
	p := []float64{0.9, 0.8, 0.6, 0.3, 0.2, 0.1}
	if want := model.ROCAUC(y, p); math.Abs(*r.ROCAUC-want) > 1e-12 {
		t.Errorf("ROC AUC %v, model.ROCAUC %v", *r.ROCAUC, want)
	}
	if *r.Precision != 2.0/3 || *r.Recall != 1 {
		t.Errorf("precision %v recall %v", *r.Precision, *r.Recall)
	}
	if math.Abs(r.Predicted-2.9) > 1e-12 || len(r.Deciles) != 6 || r.Deciles[0].MeanScore != 0.9 || r.Deciles[0].Rate != 1 {
		t.Errorf("predicted %v, deciles %+v", r.Predicted, r.Deciles)
	}
	none := Measure(meta, map[string]metrics.MonthScore{"x": {Score: 0.5, Flagged: false}}, nil, start.AddDate(1, 0, 0))
	if !none.Settled || none.ROCAUC != nil || none.Precision != nil || none.Recall != nil {
		t.Errorf("nobody churned, nobody flagged: %+v", none)
	}
}
