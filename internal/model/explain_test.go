package model

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/churnrisk/churn/internal/features"
)

// impactArtifact fits gradient-boosted trees on six numeric attributes with
// a nonlinear signal and missing values, behind a Platt calibration that
// moves and scales the log-odds.
func impactArtifact(t *testing.T) (*Artifact, [][]float64) {
	t.Helper()
	const p = 6
	attrs := map[string]string{}
	for j := range p {
		attrs[fmt.Sprintf("a%d", j)] = "1"
	}
	s := features.NewSchema([]features.Profile{{Attributes: attrs}}, features.SchemaOptions{})
	rng := rand.New(rand.NewPCG(7, 11))
	X := make([][]float64, 3000)
	y := make([]float64, len(X))
	for i := range X {
		x := make([]float64, p)
		for j := range x {
			x[j] = rng.NormFloat64()
			if rng.Float64() < 0.05 {
				x[j] = math.NaN()
			}
		}
		z := -2.0
		if !math.IsNaN(x[0]) && !math.IsNaN(x[1]) {
			z += 2 * x[0] * x[1]
		}
		if !math.IsNaN(x[2]) {
			z += 1.5 * x[2]
		}
		if rng.Float64() < sigmoid(z) {
			y[i] = 1
		}
		X[i] = x
	}
	cfg := DefaultGBTConfig()
	cfg.Trees, cfg.EarlyStoppingRounds = 80, -1
	m, err := FitGBT(X, y, nil, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Artifact{Kind: KindGBT, Schema: s, Learner: m, Calibration: Platt{A: 0.8, B: -0.7}, Threshold: 0.5, MediumThreshold: 0.2}, X
}

// TestPredictImpactsAddUp: the impacts of all features add up to the move
// from the base score to the score, each keeps its contribution's sign, the
// base score is the calibrated base value (the same for every customer),
// and the top k drivers carry the same impacts as the full explanation.
func TestPredictImpactsAddUp(t *testing.T) {
	a, X := impactArtifact(t)
	base := math.NaN()
	for i, x := range X[:500] {
		all := a.Predict(x, len(x))
		if want := a.Probability(x); math.Abs(all.Score-want) > 1e-12 {
			t.Fatalf("row %d: score %v, Probability %v", i, all.Score, want)
		}
		if math.IsNaN(base) {
			base = all.BaseScore
			contrib := make([]float64, len(x))
			if want := sigmoid(a.Calibration.Apply(a.Learner.Contributions(x, contrib))); base != want || base <= 0 || base >= 1 {
				t.Fatalf("base score %v, want %v", base, want)
			}
		}
		if all.BaseScore != base {
			t.Fatalf("row %d: base score %v, row 0 had %v", i, all.BaseScore, base)
		}
		sum := 0.0
		for _, d := range all.Drivers {
			if d.Impact == 0 || math.Signbit(d.Impact) != math.Signbit(d.Contribution) {
				t.Fatalf("row %d: driver %s impact %v, contribution %v", i, d.Feature, d.Impact, d.Contribution)
			}
			sum += d.Impact
		}
		if math.Abs(sum-(all.Score-all.BaseScore)) > 1e-12 {
			t.Fatalf("row %d: impacts add up to %v, score - base_score = %v", i, sum, all.Score-all.BaseScore)
		}
		top := a.Predict(x, 2)
		for _, d := range top.Drivers {
			found := false
			for _, e := range all.Drivers {
				found = found || (e.Feature == d.Feature && e.Impact == d.Impact)
			}
			if !found {
				t.Fatalf("row %d: top driver %+v not in the full explanation", i, d)
			}
		}
	}
}

// TestImpactScale: the secant slope equals the sigmoid's derivative when
// the contributions cancel out, varies continuously around it (where the
// sigmoid is not saturated), and is the exact secant elsewhere.
func TestImpactScale(t *testing.T) {
	for _, z0 := range []float64{-6, -1.5, 0, 2, 30} {
		q := sigmoid(z0)
		if got, want := impactScale(z0, 0, q, q), q*(1-q); got != want {
			t.Errorf("z0 %v: scale at no move %v, want the derivative %v", z0, got, want)
		}
		for _, sum := range []float64{1e-9, -1e-7, 2e-6, -3e-5} {
			if z0 > 10 {
				break // saturated: the probabilities no longer differ in float64
			}
			got := impactScale(z0, sum, sigmoid(z0+sum), q)
			if d := q * (1 - q); math.Abs(got-d) > 1e-4*d+1e-15 {
				t.Errorf("z0 %v, sum %v: scale %v, derivative %v", z0, sum, got, d)
			}
		}
		for _, sum := range []float64{-4, 0.5, 3} {
			p := sigmoid(z0 + sum)
			if got := impactScale(z0, sum, p, q) * sum; math.Abs(got-(p-q)) > 1e-15 {
				t.Errorf("z0 %v, sum %v: scale x sum %v, want %v", z0, sum, got, p-q)
			}
		}
	}
}

// TestPredictInfiniteValue: an infinite feature value (an MRR of "Inf" in a
// file) is reported without a value, so the answer still encodes as JSON.
func TestPredictInfiniteValue(t *testing.T) {
	a, X := impactArtifact(t)
	x := append([]float64(nil), X[0]...)
	x[2] = math.Inf(1)
	p := a.Predict(x, len(x))
	found := false
	for _, d := range p.Drivers {
		if d.Feature == a.Schema.Names[2] {
			found = true
			if d.Value != nil {
				t.Errorf("infinite value reported as %v", *d.Value)
			}
		}
	}
	if !found {
		t.Fatalf("the infinite feature is not a driver: %+v", p.Drivers)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("prediction does not encode: %v", err)
	}
}
