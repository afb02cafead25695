package model

import (
	"math"
	"sort"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
)

// RiskLevel is the band of a score: RiskHigh from the model's threshold,
// RiskMedium from its medium threshold, RiskLow below. Its value is the
// risk_level string of the JSON answers, the score files and the store.
type RiskLevel string

// Risk levels.
const (
	RiskLow    RiskLevel = "low"
	RiskMedium RiskLevel = "medium"
	RiskHigh   RiskLevel = "high"
)

// Driver is one reason behind a score: a feature, its value (nil when
// missing), its signed contribution to the log-odds, its impact in
// probability points, and a plain sentence.
type Driver struct {
	Feature      string   `json:"feature"`
	Value        *float64 `json:"value"`
	Contribution float64  `json:"contribution"`
	// Impact is the driver's share of Score - BaseScore, as a fraction
	// (0.12 is 12 points): the impacts of all features add up to it.
	Impact float64 `json:"impact"`
	Reason string  `json:"reason"`
}

// Prediction is a scored customer.
type Prediction struct {
	Score float64 `json:"score"`
	// BaseScore is the probability of the average customer (the calibrated
	// base value of the explanation), where the drivers' impacts start from.
	BaseScore float64   `json:"base_score"`
	RiskLevel RiskLevel `json:"risk_level"`
	Flagged   bool      `json:"flagged"`
	Drivers   []Driver  `json:"drivers"`
}

// DefaultDrivers is how many drivers a prediction carries.
const DefaultDrivers = 5

// Score computes the features of one customer as of asOf and predicts
// with DefaultDrivers drivers.
func (a *Artifact) Score(p *features.Profile, h signals.History, asOf time.Time) Prediction {
	return a.ScoreInto(make([]float64, a.Schema.Len()), p, h, asOf, DefaultDrivers)
}

// ScoreInto is Score writing the feature vector into x (a.Schema.Len()
// values, which the caller may keep, cache or reuse) and explaining the
// prediction with up to drivers drivers: the one way a profile and its daily
// aggregates become a prediction, in training and in serving.
func (a *Artifact) ScoreInto(x []float64, p *features.Profile, h signals.History, asOf time.Time, drivers int) Prediction {
	a.Schema.Vector(p, h, asOf, x)
	return a.Predict(x, drivers)
}

// ProbabilityInto is ScoreInto without the explanation: the calibrated
// probability alone (Probability), for sums over many customers where no
// driver is read.
func (a *Artifact) ProbabilityInto(x []float64, p *features.Profile, h signals.History, asOf time.Time) float64 {
	a.Schema.Vector(p, h, asOf, x)
	return a.Probability(x)
}

// Probability returns the calibrated churn probability of a feature vector.
func (a *Artifact) Probability(x []float64) float64 {
	return sigmoid(a.Calibration.Apply(a.Learner.Raw(x)))
}

// Level returns the risk level of a probability.
func (a *Artifact) Level(p float64) RiskLevel {
	switch {
	case p >= a.Threshold:
		return RiskHigh
	case p >= a.MediumThreshold:
		return RiskMedium
	}
	return RiskLow
}

// Predict scores a feature vector and explains it with up to k drivers: the
// k features with the largest contributions, those raising the risk first.
// Each driver's impact is its contribution times the slope of the secant of
// the sigmoid between the base log-odds and the customer's (impactScale),
// so the impacts of all features add up to Score - BaseScore.
func (a *Artifact) Predict(x []float64, k int) Prediction {
	contrib := make([]float64, len(x))
	base := a.Learner.Contributions(x, contrib)
	// Calibration is affine in the log-odds: scale the contributions and
	// move the base, so that they add up to the calibrated log-odds.
	z0 := a.Calibration.Apply(base)
	raw, sum := z0, 0.0
	for i := range contrib {
		contrib[i] *= a.Calibration.A
		raw += contrib[i]
		sum += contrib[i]
	}
	p, p0 := sigmoid(raw), sigmoid(z0)
	scale := impactScale(z0, sum, p, p0)
	pred := Prediction{Score: p, BaseScore: p0, RiskLevel: a.Level(p), Flagged: p >= a.Threshold}
	order := make([]int, 0, len(x))
	for i, c := range contrib {
		if math.Abs(c) > 1e-9 {
			order = append(order, i)
		}
	}
	// The k largest contributions by size; among them, the reasons that raise
	// the risk come first: a support agent reads the top of the list.
	sort.SliceStable(order, func(i, j int) bool {
		return math.Abs(contrib[order[i]]) > math.Abs(contrib[order[j]])
	})
	if len(order) > k {
		order = order[:k]
	}
	sort.SliceStable(order, func(i, j int) bool {
		ci, cj := contrib[order[i]], contrib[order[j]]
		return ci > 0 && cj <= 0
	})
	pred.Drivers = make([]Driver, 0, len(order))
	for _, i := range order {
		name := a.Schema.Names[i]
		d := Driver{Feature: name, Contribution: contrib[i], Impact: contrib[i] * scale, Reason: a.Schema.Describe(name, x)}
		if !math.IsNaN(x[i]) && !math.IsInf(x[i], 0) { // JSON has neither
			v := x[i]
			d.Value = &v
		}
		pred.Drivers = append(pred.Drivers, d)
	}
	return pred
}

// impactScale turns log-odds contributions into probability points: the
// slope of the sigmoid's secant from the base log-odds z0 to the customer's
// z0 + sum (whose probabilities are p0 and p), so that sum * scale = p - p0
// and every impact keeps its contribution's sign. When the contributions
// cancel out (or nearly, where the secant loses precision) it is the
// sigmoid's derivative at the midpoint.
func impactScale(z0, sum, p, p0 float64) float64 {
	if math.Abs(sum) < 1e-6 {
		q := sigmoid(z0 + sum/2)
		return q * (1 - q)
	}
	return (p - p0) / sum
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
