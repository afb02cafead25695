package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// oneMinusEps is 1-1e-15 rounded to float64 (a variable, so that the
// expression 1-oneMinusEps is evaluated in floating point, not exactly).
var oneMinusEps = 1 - 1e-15

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestEvaluateHandWorked(t *testing.T) {
	// Pairs (positive, negative): (0.8, 0.8) tie = 1/2, (0.8, 0.2) = 1,
	// (0.4, 0.8) = 0, (0.4, 0.2) = 1: AUC = 2.5 / 4.
	// AP: at 0.8 recall 1/2 precision 1/2; at 0.4 recall 1 precision 2/3:
	// 0.5*0.5 + 0.5*2/3.
	y := []float64{1, 0, 1, 0}
	p := []float64{0.8, 0.8, 0.4, 0.2}
	m, err := Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := Evaluation{
		N: 4, Positives: 2,
		ROCAUC:    0.625,
		PRAUC:     0.25 + 1.0/3,
		Brier:     (0.04 + 0.64 + 0.36 + 0.04) / 4,
		LogLoss:   -(math.Log(0.8) + math.Log(0.2) + math.Log(0.4) + math.Log(0.8)) / 4,
		Threshold: 0.5, Precision: 0.5, Recall: 0.5, F1: 0.5,
		// top 10% of 4 rows = 1 row (0.8, positive, first in input order):
		// rate 1 against 0.5 overall.
		LiftTopDecile: 2,
	}
	checkMetrics(t, m, want)
}

func checkMetrics(t *testing.T, got, want Evaluation) {
	t.Helper()
	if got.N != want.N || got.Positives != want.Positives {
		t.Errorf("N, Positives = %d, %d; want %d, %d", got.N, got.Positives, want.N, want.Positives)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"roc_auc", got.ROCAUC, want.ROCAUC},
		{"pr_auc", got.PRAUC, want.PRAUC},
		{"brier", got.Brier, want.Brier},
		{"log_loss", got.LogLoss, want.LogLoss},
		{"threshold", got.Threshold, want.Threshold},
		{"precision", got.Precision, want.Precision},
		{"recall", got.Recall, want.Recall},
		{"f1", got.F1, want.F1},
		{"lift", got.LiftTopDecile, want.LiftTopDecile},
	} {
		if !near(c.got, c.want, 1e-12) {
			t.Errorf("%s = %.15g, want %.15g", c.name, c.got, c.want)
		}
	}
}

func TestEvaluateCases(t *testing.T) {
	tests := []struct {
		name    string
		y, p    []float64
		auc, ap float64
		lift    float64
		logloss float64
	}{
		{
			name: "perfect", y: []float64{0, 0, 1, 1}, p: []float64{0.1, 0.2, 0.7, 0.9},
			auc: 1, ap: 1, lift: 2,
			logloss: -(math.Log(0.9) + math.Log(0.8) + math.Log(0.7) + math.Log(0.9)) / 4,
		},
		{
			name: "reversed", y: []float64{1, 1, 0, 0}, p: []float64{0.1, 0.2, 0.7, 0.9},
			// AP: recall jumps at 0.2 (precision 1/3) and 0.1 (precision 2/4).
			auc: 0, ap: 0.5/3 + 0.5*0.5, lift: 0,
			logloss: -(math.Log(0.1) + math.Log(0.2) + math.Log(0.3) + math.Log(0.1)) / 4,
		},
		{
			name: "all tied", y: []float64{1, 0, 0, 0}, p: []float64{0.5, 0.5, 0.5, 0.5},
			auc: 0.5, ap: 0.25, lift: 4, // the one top row is row 0 (input order)
			logloss: math.Log(2),
		},
		{
			name: "clipped", y: []float64{1, 0}, p: []float64{0, 1},
			auc: 0, ap: 0.5, lift: 0,
			// p is clipped to 1e-15 and 1-1e-15.
			logloss: -(math.Log(1e-15) + math.Log(1-oneMinusEps)) / 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Evaluate(tc.y, tc.p, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			if !near(m.ROCAUC, tc.auc, 1e-12) || !near(m.PRAUC, tc.ap, 1e-12) || !near(m.LiftTopDecile, tc.lift, 1e-12) {
				t.Errorf("auc, ap, lift = %v, %v, %v; want %v, %v, %v", m.ROCAUC, m.PRAUC, m.LiftTopDecile, tc.auc, tc.ap, tc.lift)
			}
			if !near(m.LogLoss, tc.logloss, 1e-9) {
				t.Errorf("log loss = %v, want %v", m.LogLoss, tc.logloss)
			}
		})
	}
}

func TestEvaluateLiftTopDecile(t *testing.T) {
	// 20 rows, 4 positives; the top 2 scores hold 1 positive:
	// (1/2) / (4/20) = 2.5.
	y := make([]float64, 20)
	p := make([]float64, 20)
	for i := range p {
		p[i] = float64(i) / 20
	}
	y[19], y[3], y[5], y[7] = 1, 1, 1, 1
	m, err := Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if m.LiftTopDecile != 2.5 {
		t.Errorf("lift = %v, want 2.5", m.LiftTopDecile)
	}
	// 21 rows: the top decile is 3 rows.
	y = append(y, 1)
	p = append(p, 0.99)
	m, err = Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if want := (2.0 / 3) / (5.0 / 21); !near(m.LiftTopDecile, want, 1e-12) {
		t.Errorf("lift = %v, want %v", m.LiftTopDecile, want)
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name   string
		y, p   []float64
		single bool
	}{
		{name: "empty"},
		{name: "length mismatch", y: []float64{0, 1}, p: []float64{0.5}},
		{name: "bad label", y: []float64{0, 2}, p: []float64{0.5, 0.5}},
		{name: "NaN label", y: []float64{0, math.NaN()}, p: []float64{0.5, 0.5}},
		{name: "probability above 1", y: []float64{0, 1}, p: []float64{0.5, 1.5}},
		{name: "NaN probability", y: []float64{0, 1}, p: []float64{0.5, math.NaN()}},
		{name: "only negatives", y: []float64{0, 0}, p: []float64{0.5, 0.5}, single: true},
		{name: "only positives", y: []float64{1, 1}, p: []float64{0.5, 0.5}, single: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Evaluate(tc.y, tc.p, 0.5)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrSingleClass); got != tc.single {
				t.Errorf("errors.Is(err, ErrSingleClass) = %v, want %v (%v)", got, tc.single, err)
			}
		})
	}
}

func TestChooseThreshold(t *testing.T) {
	tests := []struct {
		name string
		y, p []float64
		want float64
	}{
		// F1 at 0.9, 0.8, 0.7, 0.6, 0.1: 0.5, 0.8, 0.667, 0.857, 0.75.
		{"interior maximum", []float64{1, 1, 0, 1, 0}, []float64{0.9, 0.8, 0.7, 0.6, 0.1}, 0.6},
		// F1 at 0.9 and at 0.1 are both 2/3: the higher threshold wins.
		{"tie keeps the highest", []float64{1, 0, 0, 1}, []float64{0.9, 0.8, 0.7, 0.1}, 0.9},
		// Tied scores form one threshold.
		{"tied scores", []float64{1, 0, 1, 0}, []float64{0.8, 0.8, 0.4, 0.2}, 0.4},
		{"no positives", []float64{0, 0}, []float64{0.1, 0.2}, 0.5},
		{"invalid", []float64{0, 1}, []float64{0.1}, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ChooseThreshold(tc.y, tc.p); got != tc.want {
				t.Errorf("ChooseThreshold = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCurves(t *testing.T) {
	y := []float64{1, 0, 1, 0}
	p := []float64{0.8, 0.8, 0.4, 0.2}
	fpr, tpr := ROCCurve(y, p)
	if !slices.Equal(fpr, []float64{0, 0.5, 0.5, 1}) || !slices.Equal(tpr, []float64{0, 0.5, 1, 1}) {
		t.Errorf("ROC = %v, %v", fpr, tpr)
	}
	rec, prec := PRCurve(y, p)
	if !slices.Equal(rec, []float64{0, 0.5, 1, 1}) || !slices.Equal(prec, []float64{1, 0.5, 2.0 / 3, 0.5}) {
		t.Errorf("PR = %v, %v", rec, prec)
	}
	if f, tp := ROCCurve([]float64{1, 1}, []float64{0.1, 0.2}); f != nil || tp != nil {
		t.Errorf("single-class ROC curve = %v, %v; want nil", f, tp)
	}
	if r, pr := PRCurve([]float64{0, 0}, []float64{0.1, 0.2}); r != nil || pr != nil {
		t.Errorf("no-positive PR curve = %v, %v; want nil", r, pr)
	}
}

// The trapezoid area under ROCCurve is the rank AUC, ties included, and
// the step sum under PRCurve is the average precision.
func TestCurvesMatchMetrics(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 500
	y := make([]float64, n)
	p := make([]float64, n)
	for i := range n {
		p[i] = float64(rng.IntN(20)) / 20 // many ties
		if rng.Float64() < p[i] {
			y[i] = 1
		}
	}
	m, err := Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	fpr, tpr := ROCCurve(y, p)
	area := 0.0
	for i := 1; i < len(fpr); i++ {
		area += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
	}
	if !near(area, m.ROCAUC, 1e-12) {
		t.Errorf("trapezoid area %v != ROC AUC %v", area, m.ROCAUC)
	}
	rec, prec := PRCurve(y, p)
	ap := 0.0
	for i := 1; i < len(rec); i++ {
		ap += (rec[i] - rec[i-1]) * prec[i]
	}
	if !near(ap, m.PRAUC, 1e-12) {
		t.Errorf("PR step area %v != PR AUC %v", ap, m.PRAUC)
	}
	if len(fpr) != 21 || len(rec) != 21 {
		t.Errorf("curve lengths %d, %d; want 21 (20 distinct scores + start)", len(fpr), len(rec))
	}
}

func TestCalibrationBins(t *testing.T) {
	y := []float64{0, 1, 0, 1, 1}
	p := []float64{0.05, 0.15, 0.12, 0.95, 1.0}
	got := CalibrationBins(y, p, 10)
	want := []Bin{
		{MeanPredicted: 0.05, Observed: 0, Count: 1},
		{MeanPredicted: 0.135, Observed: 0.5, Count: 2},
		{MeanPredicted: 0.975, Observed: 1, Count: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("bins = %+v, want %+v", got, want)
	}
	for i := range want {
		if !near(got[i].MeanPredicted, want[i].MeanPredicted, 1e-12) || got[i].Observed != want[i].Observed || got[i].Count != want[i].Count {
			t.Errorf("bin %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if CalibrationBins(y, p, 0) != nil || CalibrationBins(y, p[:2], 10) != nil {
		t.Error("invalid input gave bins")
	}
}

// TestEvaluateCurves: besides the figures, Evaluate measures the
// calibration error, the reliability bins, the deciles and the curves, the
// curves thinned to at most 400 points with the first and last kept.
func TestEvaluateCurves(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{40, 5000} {
		y := make([]float64, n)
		p := make([]float64, n)
		for i := range n {
			p[i] = rng.Float64()
			if rng.Float64() < p[i] {
				y[i] = 1
			}
		}
		ev, err := Evaluate(y, p, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		if ece := ECE(y, p, 10); ev.ECE != ece || !(ece > 0) {
			t.Errorf("n=%d: ECE = %v, want %v", n, ev.ECE, ece)
		}
		if bins := CalibrationBins(y, p, 10); !slices.Equal(ev.Calibration, bins) || len(bins) == 0 {
			t.Errorf("n=%d: calibration bins = %v, want %v", n, ev.Calibration, bins)
		}
		if dec := LiftByDecile(y, p); !slices.Equal(ev.Deciles, dec) || len(dec) != 10 {
			t.Errorf("n=%d: deciles = %v, want %v", n, ev.Deciles, dec)
		}
		fpr, tpr := ROCCurve(y, p)
		rec, prec := PRCurve(y, p)
		for _, c := range []struct {
			name         string
			got          Curve
			wantX, wantY []float64
		}{{"ROC", ev.ROC, fpr, tpr}, {"PR", ev.PR, rec, prec}} {
			k := len(c.wantX)
			if len(c.got.X) != min(k, 400) || len(c.got.Y) != len(c.got.X) {
				t.Errorf("n=%d: %s curve has %d and %d points, want %d", n, c.name, len(c.got.X), len(c.got.Y), min(k, 400))
				continue
			}
			if c.got.X[0] != c.wantX[0] || c.got.Y[0] != c.wantY[0] || c.got.X[len(c.got.X)-1] != c.wantX[k-1] || c.got.Y[len(c.got.Y)-1] != c.wantY[k-1] {
				t.Errorf("n=%d: %s curve does not keep the first and last points", n, c.name)
			}
			if k <= 400 && (!slices.Equal(c.got.X, c.wantX) || !slices.Equal(c.got.Y, c.wantY)) {
				t.Errorf("n=%d: %s curve = %v, want %v", n, c.name, c.got, Curve{c.wantX, c.wantY})
			}
		}
	}
}
