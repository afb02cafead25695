package model

import (
	"math"
	"slices"

	"github.com/churnrisk/churn/internal/metrics"
)

// Curve is a sequence of points (X[i], Y[i]).
type Curve struct {
	X []float64 `json:"x"`
	Y []float64 `json:"y"`
}

// Decile is one tenth of the rows ranked by score, highest first.
type Decile struct {
	Decile    int     `json:"decile"` // 1 = the highest scores
	Rows      int     `json:"rows"`
	Positives int     `json:"positives"`
	MeanScore float64 `json:"mean_score"`
	Rate      float64 `json:"rate"` // positives / rows
	Lift      float64 `json:"lift"` // rate / overall rate
}

// Evaluation is everything measured of one set of predictions: the metrics
// at the threshold, the expected calibration error, and the curves the
// model report plots.
type Evaluation struct {
	Metrics     Metrics  `json:"metrics"`
	ECE         float64  `json:"ece"`
	ROC         Curve    `json:"roc"`         // X = false positive rate, Y = true positive rate
	PR          Curve    `json:"pr"`          // X = recall, Y = precision
	Calibration []Bin    `json:"calibration"` // 10 equal-width bins
	Deciles     []Decile `json:"deciles"`
}

// Assess measures predictions p against labels y at a threshold,
// including the curves. It returns the error of Evaluate for unusable input.
func Assess(y, p []float64, threshold float64) (Evaluation, error) {
	m, err := Evaluate(y, p, threshold)
	if err != nil {
		return Evaluation{}, err
	}
	ev := Evaluation{Metrics: m, ECE: ECE(y, p, 10), Calibration: CalibrationBins(y, p, 10), Deciles: LiftByDecile(y, p)}
	fpr, tpr := ROCCurve(y, p)
	ev.ROC = thin(Curve{X: fpr, Y: tpr}, 400)
	rec, prec := PRCurve(y, p)
	ev.PR = thin(Curve{X: rec, Y: prec}, 400)
	return ev, nil
}

// ECE is the expected calibration error over equal-width probability bins:
// the row-weighted mean of |mean predicted - observed rate| per bin. It
// returns NaN for empty or mismatched input.
func ECE(y, p []float64, bins int) float64 {
	if len(y) == 0 || len(y) != len(p) || bins < 1 {
		return math.NaN()
	}
	sumP := make([]float64, bins)
	sumY := make([]float64, bins)
	n := make([]int, bins)
	for i := range p {
		b := int(p[i] * float64(bins))
		b = min(max(b, 0), bins-1)
		sumP[b] += p[i]
		sumY[b] += y[i]
		n[b]++
	}
	e := 0.0
	for b := range n {
		if n[b] > 0 {
			e += math.Abs(sumP[b]-sumY[b]) / float64(len(p))
		}
	}
	return e
}

// LiftByDecile ranks rows by score (ties in input order) and reports each
// tenth. It returns nil for empty or mismatched input.
func LiftByDecile(y, p []float64) []Decile {
	if len(y) == 0 || len(y) != len(p) {
		return nil
	}
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return 0
	})
	total := 0.0
	for _, v := range y {
		total += v
	}
	overall := total / float64(len(y))
	var out []Decile
	for d := 0; d < 10; d++ {
		lo, hi := d*len(idx)/10, (d+1)*len(idx)/10
		if lo >= hi {
			continue
		}
		dec := Decile{Decile: d + 1, Rows: hi - lo}
		for _, i := range idx[lo:hi] {
			dec.Positives += int(y[i])
			dec.MeanScore += p[i]
		}
		dec.MeanScore /= float64(dec.Rows)
		dec.Rate = float64(dec.Positives) / float64(dec.Rows)
		if overall > 0 {
			dec.Lift = dec.Rate / overall
		}
		out = append(out, dec)
	}
	return out
}

// thin keeps at most n points of a curve (always the first and the last), so
// that reports of large validation sets stay small.
func thin(c Curve, n int) Curve {
	if len(c.X) <= n {
		return c
	}
	out := Curve{X: make([]float64, 0, n), Y: make([]float64, 0, n)}
	step := float64(len(c.X)-1) / float64(n-1)
	for k := 0; k < n; k++ {
		i := int(math.Round(float64(k) * step))
		out.X = append(out.X, c.X[i])
		out.Y = append(out.Y, c.Y[i])
	}
	return out
}

// FeatureImportance is one feature's share of the model's importance.
type FeatureImportance struct {
	Feature    string  `json:"feature"`
	Importance float64 `json:"importance"`
}

// CalibrationSummary compares the validation predictions before and after
// calibration.
type CalibrationSummary struct {
	Method      string  `json:"method"`
	BrierBefore float64 `json:"brier_before"`
	BrierAfter  float64 `json:"brier_after"`
	ECEBefore   float64 `json:"ece_before"`
	ECEAfter    float64 `json:"ece_after"`
}

// DataSummary describes the training data of a model.
type DataSummary struct {
	Dir         string   `json:"dir"`
	Files       []string `json:"files"`
	Customers   int      `json:"customers"`
	From        string   `json:"from,omitempty"`
	To          string   `json:"to,omitempty"`
	Rows        int      `json:"rows"`
	Positives   int      `json:"positives"`
	Features    int      `json:"features"`
	Snapshots   []string `json:"snapshots,omitempty"`
	BadRows     int      `json:"bad_rows"`
	UnknownRows int      `json:"unknown_customer_rows"`
}

// Report is metrics.json: the figures of the model report.
type Report struct {
	Version     string              `json:"version"`
	CreatedAt   string              `json:"created_at"`
	Mode        string              `json:"mode"`
	Chosen      string              `json:"chosen"`
	Threshold   float64             `json:"threshold"`
	Data        DataSummary         `json:"data"`
	Candidates  []Candidate         `json:"candidates"`
	Validation  Evaluation          `json:"validation"` // the chosen model, calibrated
	Calibration CalibrationSummary  `json:"calibration"`
	Importance  []FeatureImportance `json:"importance"` // largest first
	// Guard is the leakage guard's findings (see Metadata.Guard).
	Guard []GuardFinding `json:"guard,omitempty"`
	// Churn is the actual churn table of the training data (time mode), with
	// the model's predicted churn beside it.
	Churn *metrics.Table `json:"churn,omitempty"`
}
