package model

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/metrics"
)

// TestReportFileMatchesReport: the layout of metrics.json has Report's
// fields in the same order, with the same tags and types, but Validation.
func TestReportFileMatchesReport(t *testing.T) {
	r, f := reflect.TypeFor[Report](), reflect.TypeFor[reportFile]()
	if r.NumField() != f.NumField() {
		t.Fatalf("Report has %d fields, reportFile %d", r.NumField(), f.NumField())
	}
	for i := range r.NumField() {
		a, b := r.Field(i), f.Field(i)
		if a.Name != b.Name || a.Tag != b.Tag {
			t.Errorf("field %d: Report has %s %q, reportFile %s %q", i, a.Name, a.Tag, b.Name, b.Tag)
		}
		if a.Name != "Validation" && a.Type != b.Type {
			t.Errorf("field %s: Report has %v, reportFile %v", a.Name, a.Type, b.Type)
		}
	}
}

// fullReport sets every field of a Report.
func fullReport() *Report {
	fig := Evaluation{N: 10, Positives: 3, ROCAUC: 0.8, PRAUC: 0.6, Brier: 0.1, LogLoss: 0.3, Threshold: 0.4, Precision: 0.5, Recall: 0.6, F1: 0.55, LiftTopDecile: 2}
	v := fig
	v.ECE = 0.05
	v.ROC = Curve{X: []float64{0, 0.5, 1}, Y: []float64{0, 0.8, 1}}
	v.PR = Curve{X: []float64{0, 1}, Y: []float64{1, 0.3}}
	v.Calibration = []Bin{{MeanPredicted: 0.2, Observed: 0.25, Count: 4}}
	v.Deciles = []Decile{{Decile: 1, Rows: 1, Positives: 1, MeanScore: 0.9, Rate: 1, Lift: 3.3}}
	rate := 0.1
	return &Report{
		Version: "v1", CreatedAt: "2026-01-02T03:04:05Z", Mode: "time", Chosen: "gbt", Threshold: 0.4,
		Data:        DataSummary{Dir: "d", Files: []string{"customers.csv"}, Customers: 10, Rows: 10, Positives: 3, Features: 2},
		Candidates:  []Candidate{{Name: "gbt", Metrics: fig, ECE: 0.05, Rounds: 7, FitSeconds: 0.5}},
		Validation:  v,
		Calibration: CalibrationSummary{Method: "platt", BrierBefore: 0.2, BrierAfter: 0.1, ECEBefore: 0.1, ECEAfter: 0.05},
		Importance:  []FeatureImportance{{Feature: "a", Importance: 1}},
		Guard:       []GuardFinding{{Feature: "b", AUC: 0.99, Action: "excluded", Reason: "r"}},
		Churn:       &metrics.Table{Notes: []string{"n"}, RevenueAtRisk: &rate},
	}
}

// TestReportJSON: metrics.json holds the validation figures under
// "metrics" with the calibration error and the curves beside them, and
// reads back to the same Report; an Evaluation elsewhere (a candidate,
// metadata.json) is its figures alone.
func TestReportJSON(t *testing.T) {
	r := fullReport()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	figures := `{"n":10,"positives":3,"roc_auc":0.8,"pr_auc":0.6,"brier":0.1,"log_loss":0.3,"threshold":0.4,"precision":0.5,"recall":0.6,"f1":0.55,"lift_top_decile":2}`
	for _, want := range []string{
		`{"version":"v1","created_at":"2026-01-02T03:04:05Z","mode":"time","chosen":"gbt","threshold":0.4,"data":{`,
		`"candidates":[{"name":"gbt","validation":` + figures + `,"ece":0.05,"rounds":7,"fit_seconds":0.5}],`,
		`"validation":{"metrics":` + figures + `,"ece":0.05,"roc":{"x":[0,0.5,1],"y":[0,0.8,1]},"pr":{"x":[0,1],"y":[1,0.3]},` +
			`"calibration":[{"mean_predicted":0.2,"observed":0.25,"count":4}],"deciles":[{"decile":1,"rows":1,"positives":1,"mean_score":0.9,"rate":1,"lift":3.3}]},"calibration":{"method":"platt"`,
		`"importance":[{"feature":"a","importance":1}],"guard":[{"feature":"b","auc":0.99,"action":"excluded","reason":"r"}],"churn":{`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("report JSON lacks %s\n%s", want, b)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("report does not round-trip:\ngot  %+v\nwant %+v", back, *r)
	}

	ev, err := json.Marshal(r.Validation)
	if err != nil {
		t.Fatal(err)
	}
	if string(ev) != figures {
		t.Errorf("Evaluation JSON = %s, want %s", ev, figures)
	}
}

// TestReportJSONNonFinite: NaN and infinite numbers are null, anywhere.
func TestReportJSONNonFinite(t *testing.T) {
	r := fullReport()
	r.Threshold = math.NaN()
	r.Validation.ECE = math.Inf(1)
	r.Validation.ROCAUC = math.NaN()
	r.Candidates[0].Metrics.Brier = math.Inf(-1)
	r.Validation.ROC.Y[1] = math.NaN()
	nan := math.NaN()
	r.Churn.RevenueAtRisk = &nan
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"threshold":null`, `"ece":null`, `"roc_auc":null`, `"brier":null`, `"y":[0,null,1]`, `"revenue_at_risk":null`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report JSON lacks %s\n%s", want, b)
		}
	}
}
