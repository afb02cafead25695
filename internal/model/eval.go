package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Evaluation is what was measured of a set of predicted churn
// probabilities against the observed labels (1 churned, 0 stayed): the
// figures at a decision threshold, the expected calibration error, and the
// curves the model report plots. Evaluate produces it.
//
// Its JSON holds the figures alone (as in metadata.json, the candidates and
// `train evaluate --json`); the calibration error and the curves are not
// part of it, and metrics.json writes them beside the figures (see Report).
type Evaluation struct {
	// N is the number of rows, Positives the number labelled 1.
	N         int `json:"n"`
	Positives int `json:"positives"`
	// ROCAUC is the area under the ROC curve (tied scores count one half).
	ROCAUC float64 `json:"roc_auc"`
	// PRAUC is the average precision: the sum over distinct score
	// thresholds of (recall gain) x precision.
	PRAUC float64 `json:"pr_auc"`
	// Brier is the mean squared difference between probability and label.
	Brier float64 `json:"brier"`
	// LogLoss is the mean negative log-likelihood, probabilities clipped to
	// [1e-15, 1-1e-15].
	LogLoss float64 `json:"log_loss"`
	// Threshold is the decision threshold: a probability >= Threshold is a
	// positive prediction. Precision, Recall and F1 are taken at it
	// (0 when undefined: no predicted positives).
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// LiftTopDecile is the positive rate among the 10% highest scores
	// (rounded up to whole rows; equal scores at the cut are taken in input
	// order) divided by the overall positive rate.
	LiftTopDecile float64 `json:"lift_top_decile"`

	// ECE is the expected calibration error over 10 equal-width
	// probability bins (see the function ECE).
	ECE float64 `json:"-"`
	// ROC is the ROC curve (X the false positive rate, Y the true positive
	// rate) and PR the precision-recall curve (X recall, Y precision), each
	// thinned to at most 400 points, the first and the last kept.
	ROC Curve `json:"-"`
	PR  Curve `json:"-"`
	// Calibration is the reliability curve over 10 equal-width bins (see
	// CalibrationBins).
	Calibration []Bin `json:"-"`
	// Deciles is the positive rate and lift of every tenth of the rows
	// ranked by score (see LiftByDecile).
	Deciles []Decile `json:"-"`
}

// curvePoints is the largest number of points Evaluate keeps of a curve, so
// that reports of large validation sets stay small.
const curvePoints = 400

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

// Bin is one bin of a calibration (reliability) curve.
type Bin struct {
	MeanPredicted float64 `json:"mean_predicted"`
	Observed      float64 `json:"observed"`
	Count         int     `json:"count"`
}

const logLossEps = 1e-15

// checkScored validates labels and probabilities and returns the number of
// positives.
func checkScored(y, p []float64) (int, error) {
	if len(y) != len(p) {
		return 0, fmt.Errorf("%d labels but %d scores", len(y), len(p))
	}
	if len(y) == 0 {
		return 0, errors.New("no rows")
	}
	pos := 0
	for i := range y {
		switch y[i] {
		case 0:
		case 1:
			pos++
		default:
			return 0, fmt.Errorf("row %d: label %v is not 0 or 1", i, y[i])
		}
		if !(p[i] >= 0 && p[i] <= 1) {
			return 0, fmt.Errorf("row %d: probability %v is not in [0, 1]", i, p[i])
		}
	}
	return pos, nil
}

// Evaluate measures probabilities p against labels y (0 or 1) at the given
// decision threshold: the figures, the expected calibration error and the
// curves. It returns an error for mismatched lengths, empty input, labels
// other than 0/1, probabilities outside [0, 1] (or NaN), and, wrapping
// ErrSingleClass, labels of a single class (ROC AUC and lift are undefined
// then).
func Evaluate(y, p []float64, threshold float64) (Evaluation, error) {
	pos, err := checkScored(y, p)
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluate: %w", err)
	}
	n := len(y)
	if pos == 0 || pos == n {
		return Evaluation{}, fmt.Errorf("evaluate: %d positives of %d rows: %w", pos, n, ErrSingleClass)
	}
	m := Evaluation{N: n, Positives: pos, Threshold: threshold}
	m.ROCAUC = rocAUC(y, p, pos)
	m.PRAUC = averagePrecision(y, p, pos)

	var tp, fp int
	for i := range y {
		d := p[i] - y[i]
		m.Brier += d * d
		q := min(max(p[i], logLossEps), 1-logLossEps)
		if y[i] == 1 {
			m.LogLoss -= math.Log(q)
		} else {
			m.LogLoss -= math.Log(1 - q)
		}
		if p[i] >= threshold {
			if y[i] == 1 {
				tp++
			} else {
				fp++
			}
		}
	}
	m.Brier /= float64(n)
	m.LogLoss /= float64(n)
	if tp+fp > 0 {
		m.Precision = float64(tp) / float64(tp+fp)
	}
	m.Recall = float64(tp) / float64(pos)
	if tp > 0 {
		m.F1 = 2 * float64(tp) / float64(2*tp+fp+(pos-tp))
	}

	order := descending(p)
	k := (n + 9) / 10
	top := 0
	for _, i := range order[:k] {
		if y[i] == 1 {
			top++
		}
	}
	m.LiftTopDecile = (float64(top) / float64(k)) / (float64(pos) / float64(n))

	m.ECE, m.Calibration, m.Deciles = ECE(y, p, 10), CalibrationBins(y, p, 10), LiftByDecile(y, p)
	fpr, tpr := ROCCurve(y, p)
	m.ROC = thin(Curve{X: fpr, Y: tpr}, curvePoints)
	rec, prec := PRCurve(y, p)
	m.PR = thin(Curve{X: rec, Y: prec}, curvePoints)
	return m, nil
}

// descending returns the row indices ordered by score, highest first;
// equal scores keep input order.
func descending(p []float64) []int {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[b], p[a]) })
	return idx
}

// rocAUC is the Mann-Whitney statistic with average ranks for ties.
func rocAUC(y, p []float64, pos int) float64 {
	order := descending(p)
	n := len(order)
	// Ranks ascending: the highest score has rank n.
	rankSum := 0.0
	for i := 0; i < n; {
		j := i
		for j < n && p[order[j]] == p[order[i]] {
			j++
		}
		// order[i:j] hold tied scores at descending positions i..j-1, i.e.
		// ascending ranks n-j+1 .. n-i; their average:
		avg := float64((n-j+1)+(n-i)) / 2
		for _, r := range order[i:j] {
			if y[r] == 1 {
				rankSum += avg
			}
		}
		i = j
	}
	neg := n - pos
	u := rankSum - float64(pos)*float64(pos+1)/2
	return u / (float64(pos) * float64(neg))
}

// averagePrecision is sum over distinct thresholds of (R_k - R_{k-1}) P_k.
func averagePrecision(y, p []float64, pos int) float64 {
	ap := 0.0
	prevRecall := 0.0
	walkThresholds(y, p, func(_ float64, tp, fp int) {
		recall := float64(tp) / float64(pos)
		precision := float64(tp) / float64(tp+fp)
		ap += (recall - prevRecall) * precision
		prevRecall = recall
	})
	return ap
}

// walkThresholds calls fn for each distinct score, highest first, with the
// true and false positives among rows scoring >= that score.
func walkThresholds(y, p []float64, fn func(score float64, tp, fp int)) {
	order := descending(p)
	tp, fp := 0, 0
	for i := 0; i < len(order); {
		s := p[order[i]]
		for i < len(order) && p[order[i]] == s {
			if y[order[i]] == 1 {
				tp++
			} else {
				fp++
			}
			i++
		}
		fn(s, tp, fp)
	}
}

// ChooseThreshold returns the score that maximises F1 when rows scoring at
// or above it are predicted positive; among equal F1 the highest such score
// wins. For invalid input (see Evaluate) or labels without positives it
// returns 0.5.
func ChooseThreshold(y, p []float64) float64 {
	pos, err := checkScored(y, p)
	if err != nil || pos == 0 {
		return 0.5
	}
	best, bestF1 := 0.5, -1.0
	walkThresholds(y, p, func(s float64, tp, fp int) {
		f1 := 2 * float64(tp) / float64(2*tp+fp+(pos-tp))
		if f1 > bestF1 {
			best, bestF1 = s, f1
		}
	})
	return best
}

// ROCCurve returns the ROC curve: false and true positive rates at every
// distinct score, highest first, starting at (0, 0) and ending at (1, 1).
// It returns nil slices for invalid input or labels of a single class.
func ROCCurve(y, p []float64) (fpr, tpr []float64) {
	pos, err := checkScored(y, p)
	if err != nil || pos == 0 || pos == len(y) {
		return nil, nil
	}
	neg := len(y) - pos
	fpr, tpr = []float64{0}, []float64{0}
	walkThresholds(y, p, func(_ float64, tp, fp int) {
		fpr = append(fpr, float64(fp)/float64(neg))
		tpr = append(tpr, float64(tp)/float64(pos))
	})
	return fpr, tpr
}

// PRCurve returns the precision-recall curve at every distinct score,
// highest first, preceded by the conventional point (recall 0, precision 1).
// It returns nil slices for invalid input or labels without positives.
func PRCurve(y, p []float64) (recall, precision []float64) {
	pos, err := checkScored(y, p)
	if err != nil || pos == 0 {
		return nil, nil
	}
	recall, precision = []float64{0}, []float64{1}
	walkThresholds(y, p, func(_ float64, tp, fp int) {
		recall = append(recall, float64(tp)/float64(pos))
		precision = append(precision, float64(tp)/float64(tp+fp))
	})
	return recall, precision
}

// CalibrationBins splits [0, 1] into bins of equal width and returns, for
// each bin that holds at least one row, the mean probability, the observed
// positive rate and the row count, in increasing order of probability.
// It returns nil for invalid input (see Evaluate) or bins < 1.
func CalibrationBins(y, p []float64, bins int) []Bin {
	if bins < 1 {
		return nil
	}
	if _, err := checkScored(y, p); err != nil {
		return nil
	}
	sumP := make([]float64, bins)
	sumY := make([]float64, bins)
	count := make([]int, bins)
	for i := range p {
		b := min(int(p[i]*float64(bins)), bins-1)
		sumP[b] += p[i]
		sumY[b] += y[i]
		count[b]++
	}
	var out []Bin
	for b := range bins {
		if count[b] == 0 {
			continue
		}
		c := float64(count[b])
		out = append(out, Bin{MeanPredicted: sumP[b] / c, Observed: sumY[b] / c, Count: count[b]})
	}
	return out
}

// ROCAUC returns the ROC AUC of scores p against labels y (1 positive, else
// negative), with average ranks for ties; NaN when y holds a single class.
// p must not hold NaN (map missing values to ±Inf first).
func ROCAUC(y, p []float64) float64 {
	pos := 0
	for _, v := range y {
		if v == 1 {
			pos++
		}
	}
	if pos == 0 || pos == len(y) {
		return math.NaN()
	}
	return rocAUC(y, p, pos)
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
