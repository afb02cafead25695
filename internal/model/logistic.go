package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ErrSingleClass is returned when the labels hold only one class but the
// computation needs both (fitting a classifier, ROC AUC, ...).
var ErrSingleClass = errors.New("labels hold a single class")

// LogisticConfig configures FitLogistic. The zero value is usable.
type LogisticConfig struct {
	// L2 is the ridge penalty on the standardised coefficients (not the
	// intercept), added as L2/2 * sum(coef^2) to the MEAN log-loss, so its
	// effect does not depend on the number of rows. 1e-3 is a mild default
	// choice; 0 means no penalty (a 1e-9 jitter keeps the Newton system
	// solvable). Negative values are an error.
	L2 float64
	// MaxIter bounds the Newton iterations; 0 means 50.
	MaxIter int
	// Log1p fits on sign(x)*log(1+|x|) of every feature instead of x, which
	// tames heavy tails (counts, money) so that an extreme value cannot
	// dominate the score.
	Log1p bool
	// Tol stops the iterations when half the squared Newton decrement
	// (the predicted decrease of the objective) falls below it; 0 means 1e-10.
	Tol float64
	// Monotone holds a sign constraint per feature (see GBTConfig.Monotone):
	// +1 keeps the coefficient >= 0, -1 keeps it <= 0, 0 leaves it free;
	// empty means none, else its length is the number of features. The
	// standardisation and Log1p are increasing transforms, so the sign of a
	// coefficient is the direction of its feature's effect on the score.
	Monotone []int8
}

// Logistic is a fitted L2-regularised logistic regression on standardised
// features. Its exported fields are all it needs to predict, so it
// marshals to JSON deterministically and unmarshals to an identical predictor.
//
// A feature value z_j = (x_j - Mean[j]) / Std[j]; a missing (NaN or ±Inf)
// value, or a feature beyond len(x), has z_j = 0, i.e. it is imputed with
// the training mean.
type Logistic struct {
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
	Mean      []float64 `json:"mean"`
	Std       []float64 `json:"std"`
	L2        float64   `json:"l2"`
	// Log1p: features enter as sign(x)*log(1+|x|) (see LogisticConfig).
	Log1p bool `json:"log1p,omitempty"`
	// Iterations is the number of Newton iterations run; Converged reports
	// whether the fit stopped before MaxIter, because the tolerance was met
	// or no step could lower the objective any further in floating point
	// (which is also how perfectly separable data without L2 ends).
	Iterations int  `json:"iterations"`
	Converged  bool `json:"converged"`
}

// lrChunkRows is the fixed number of rows per work unit in the gradient and
// Hessian passes. Partial sums are made per chunk and added in chunk order,
// so the result does not depend on the number of goroutines or on scheduling.
const lrChunkRows = 2048

// FitLogistic fits a logistic regression of y (0 or 1) on the rows of X by
// Newton's method with a backtracking line search; under sign constraints
// it is a projected Newton method: a coefficient at 0 whose gradient pushes
// it to the forbidden sign is held at 0 for the step, and a step that
// crosses 0 is clamped there. Each pass over the rows is
// split into fixed chunks run on all available cores and summed in a fixed
// order, so the same input always gives bit-identical coefficients.
//
// It returns an error (never panics) for empty data, rows of different
// lengths, rows without features, ±Inf feature values, labels other than 0
// and 1 (wrapping nothing), a single class (wrapping ErrSingleClass), a
// negative L2, or a Newton system that cannot be solved.
func FitLogistic(X [][]float64, y []float64, cfg LogisticConfig) (*Logistic, error) {
	p, err := checkTrainingData(X, y)
	if err != nil {
		return nil, fmt.Errorf("fit logistic: %w", err)
	}
	if cfg.L2 < 0 || math.IsNaN(cfg.L2) || math.IsInf(cfg.L2, 0) {
		return nil, fmt.Errorf("fit logistic: L2 must be a finite value >= 0, got %v", cfg.L2)
	}
	if err := checkMonotone(cfg.Monotone, p); err != nil {
		return nil, fmt.Errorf("fit logistic: %w", err)
	}
	signs := activeMonotone(cfg.Monotone)
	if cfg.MaxIter <= 0 {
		cfg.MaxIter = 50
	}
	if !(cfg.Tol > 0) {
		cfg.Tol = 1e-10
	}
	m := &Logistic{L2: cfg.L2, Log1p: cfg.Log1p}
	if cfg.Log1p {
		X = logRows(X, p)
	}
	m.Mean, m.Std = standardisation(X, p)

	s := newLRSolver(X, y, m.Mean, m.Std, cfg.L2)
	w := make([]float64, p+1) // w[0] is the intercept
	// Start from the intercept of the base rate: fewer Newton steps.
	pos := 0.0
	for _, v := range y {
		pos += v
	}
	w[0] = math.Log(pos / (float64(len(y)) - pos))

	d := mat.NewVecDense(p+1, nil)
	trial := make([]float64, p+1)
	var held []bool // per w index: held at 0 for this step
	if signs != nil {
		held = make([]bool, p+1)
	}
	for it := 0; it < cfg.MaxIter; it++ {
		loss, grad, hess := s.pass(w, true)
		if signs != nil {
			clear(held)
			for j, c := range signs {
				held[j+1] = c != 0 && w[j+1] == 0 && float64(c)*grad[j+1] > 0
			}
		}
		var step []float64
		for {
			var err error
			if step, err = newtonStep(d, grad, hess, held, p); err != nil {
				return nil, fmt.Errorf("fit logistic: %w at iteration %d", err, it+1)
			}
			// A free coefficient at 0 whose Newton step leaves the allowed
			// sign is held too, so that short steps descend.
			more := false
			for j, c := range signs {
				if k := j + 1; c != 0 && !held[k] && w[k] == 0 && float64(c)*step[k] > 0 {
					held[k], more = true, true
				}
			}
			if !more {
				break
			}
		}
		for k, h := range held {
			if h {
				grad[k] = 0
			}
		}
		dec := floats.Dot(grad, step) // squared Newton decrement
		m.Iterations = it + 1
		if dec/2 <= cfg.Tol {
			m.Converged = true
			break
		}
		t := 1.0
		accepted := false
		for t > 1e-12 {
			floats.AddScaledTo(trial, w, -t, step)
			pred := t * dec
			if signs != nil {
				project(trial, signs)
				pred = 0
				for k := range trial {
					pred += grad[k] * (w[k] - trial[k])
				}
			}
			if l, _, _ := s.pass(trial, false); l <= loss-1e-4*pred {
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			// No decrease is possible at floating-point precision: the
			// current point is the optimum we can reach.
			m.Converged = true
			break
		}
		copy(w, trial)
	}
	m.Intercept = w[0]
	m.Coef = append([]float64(nil), w[1:]...)
	return m, nil
}

// newtonStep solves the Newton system hess * step = grad into d (with a
// growing jitter on the diagonal when it is not positive definite) and
// returns step. A coefficient marked in held (nil: none) is left out: its
// step is 0.
func newtonStep(d *mat.VecDense, grad, hess []float64, held []bool, p int) ([]float64, error) {
	g := grad
	if held != nil {
		g = make([]float64, p+1)
		for k := range g {
			if !held[k] {
				g[k] = grad[k]
			}
		}
	}
	var chol mat.Cholesky
	for jitter := 0.0; jitter <= 1e-2; {
		h := mat.NewSymDense(p+1, nil)
		for i := 0; i <= p; i++ {
			for j := i; j <= p; j++ {
				if held != nil && (held[i] || held[j]) {
					continue
				}
				h.SetSym(i, j, hess[i*(p+1)+j])
			}
			if held != nil && held[i] {
				h.SetSym(i, i, 1)
				continue
			}
			h.SetSym(i, i, hess[i*(p+1)+i]+jitter)
		}
		if chol.Factorize(h) {
			if err := chol.SolveVecTo(d, mat.NewVecDense(p+1, g)); err != nil {
				return nil, fmt.Errorf("solve Newton system: %w", err)
			}
			return d.RawVector().Data, nil
		}
		if jitter == 0 {
			jitter = 1e-9
		} else {
			jitter *= 100
		}
	}
	return nil, errors.New("Newton system is not positive definite")
}

// project sets to 0 every coefficient of w (w[0] is the intercept) whose
// sign contradicts its constraint.
func project(w []float64, signs []int8) {
	for j, c := range signs {
		if float64(c)*w[j+1] < 0 {
			w[j+1] = 0
		}
	}
}

// checkTrainingData validates X and y for a binary learner and returns the
// number of features.
func checkTrainingData(X [][]float64, y []float64) (int, error) {
	if len(X) == 0 {
		return 0, errors.New("no rows")
	}
	if len(X) != len(y) {
		return 0, fmt.Errorf("%d rows but %d labels", len(X), len(y))
	}
	p := len(X[0])
	if p == 0 {
		return 0, errors.New("rows have no features")
	}
	var n0, n1 int
	for i, row := range X {
		if len(row) != p {
			return 0, fmt.Errorf("row %d has %d features, row 0 has %d", i, len(row), p)
		}
		for j, v := range row {
			if math.IsInf(v, 0) {
				return 0, fmt.Errorf("row %d feature %d: infinite value", i, j)
			}
		}
		switch y[i] {
		case 0:
			n0++
		case 1:
			n1++
		default:
			return 0, fmt.Errorf("row %d: label %v is not 0 or 1", i, y[i])
		}
	}
	if n0 == 0 || n1 == 0 {
		return 0, fmt.Errorf("%d positives and %d negatives: %w", n1, n0, ErrSingleClass)
	}
	return p, nil
}

// standardisation returns the mean and standard deviation of every column,
// ignoring NaN. A column without values gets mean 0; a column with zero
// spread (or no values) gets std 1.
func standardisation(X [][]float64, p int) (mean, std []float64) {
	mean = make([]float64, p)
	std = make([]float64, p)
	count := make([]float64, p)
	for _, row := range X {
		for j, v := range row {
			if !math.IsNaN(v) {
				mean[j] += v
				count[j]++
			}
		}
	}
	for j := range mean {
		if count[j] > 0 {
			mean[j] /= count[j]
		}
	}
	for _, row := range X {
		for j, v := range row {
			if !math.IsNaN(v) {
				d := v - mean[j]
				std[j] += d * d
			}
		}
	}
	for j := range std {
		if count[j] > 0 {
			std[j] = math.Sqrt(std[j] / count[j])
		}
		if !(std[j] > 1e-12*math.Max(1, math.Abs(mean[j]))) {
			std[j] = 1
		}
	}
	return mean, std
}

// lrSolver computes the penalised mean log-loss, its gradient and Hessian.
type lrSolver struct {
	X         [][]float64
	y         []float64
	mean, std []float64
	l2        float64
	p1        int // features + intercept
	chunks    int
	workers   int
	// per-chunk partial results, reused across passes
	loss []float64
	grad [][]float64
	hess [][]float64
}

func newLRSolver(X [][]float64, y, mean, std []float64, l2 float64) *lrSolver {
	s := &lrSolver{X: X, y: y, mean: mean, std: std, l2: l2, p1: len(mean) + 1}
	s.chunks = (len(X) + lrChunkRows - 1) / lrChunkRows
	s.workers = min(runtime.GOMAXPROCS(0), s.chunks)
	s.loss = make([]float64, s.chunks)
	s.grad = make([][]float64, s.chunks)
	s.hess = make([][]float64, s.chunks)
	return s
}

// pass evaluates the objective at w; with hessian it also returns the
// gradient and the Hessian (row-major, (p+1)x(p+1), full).
func (s *lrSolver) pass(w []float64, hessian bool) (float64, []float64, []float64) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			z := make([]float64, s.p1)
			for {
				c := int(next.Add(1) - 1)
				if c >= s.chunks {
					return
				}
				s.chunk(c, w, z, hessian)
			}
		}()
	}
	wg.Wait()

	n := float64(len(s.X))
	loss := 0.0
	for c := range s.chunks {
		loss += s.loss[c]
	}
	loss /= n
	for j := 1; j < s.p1; j++ {
		loss += s.l2 / 2 * w[j] * w[j]
	}
	if !hessian {
		return loss, nil, nil
	}
	p1 := s.p1
	grad := make([]float64, p1)
	hess := make([]float64, p1*p1)
	for c := range s.chunks {
		floats.Add(grad, s.grad[c])
		floats.Add(hess, s.hess[c])
	}
	floats.Scale(1/n, grad)
	floats.Scale(1/n, hess)
	for j := 1; j < p1; j++ {
		grad[j] += s.l2 * w[j]
		hess[j*p1+j] += s.l2
	}
	// Mirror the upper triangle.
	for i := range p1 {
		for j := i + 1; j < p1; j++ {
			hess[j*p1+i] = hess[i*p1+j]
		}
	}
	return loss, grad, hess
}

// chunk fills the partial sums of chunk c.
func (s *lrSolver) chunk(c int, w, z []float64, hessian bool) {
	lo := c * lrChunkRows
	hi := min(lo+lrChunkRows, len(s.X))
	p1 := s.p1
	var g, h []float64
	if hessian {
		if s.grad[c] == nil {
			s.grad[c] = make([]float64, p1)
			s.hess[c] = make([]float64, p1*p1)
		}
		g, h = s.grad[c], s.hess[c]
		clear(g)
		clear(h)
	}
	loss := 0.0
	z[0] = 1
	for i := lo; i < hi; i++ {
		standardiseRow(s.X[i], s.mean, s.std, z[1:])
		eta := floats.Dot(w, z)
		yi := s.y[i]
		loss += softplus(eta) - yi*eta
		if !hessian {
			continue
		}
		pr := sigmoidStable(eta)
		floats.AddScaled(g, pr-yi, z)
		wt := pr * (1 - pr)
		for j := range p1 {
			if z[j] != 0 {
				floats.AddScaled(h[j*p1+j:j*p1+p1], wt*z[j], z[j:])
			}
		}
	}
	s.loss[c] = loss
}

// standardiseRow writes the standardised values of x into z (len(z) ==
// len(mean)); missing values and features beyond len(x) become 0.
func standardiseRow(x, mean, std, z []float64) {
	for j := range z {
		if j >= len(x) {
			z[j] = 0
			continue
		}
		v := x[j]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			z[j] = 0
			continue
		}
		z[j] = (v - mean[j]) / std[j]
	}
}

// softplus returns log(1 + e^t) without overflow.
func softplus(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

// sigmoidStable returns 1 / (1 + e^-t) without overflow.
func sigmoidStable(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// z returns the standardised value of feature j of x (0 when missing).
func (m *Logistic) z(x []float64, j int) float64 {
	if j >= len(x) {
		return 0
	}
	v := x[j]
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	if m.Log1p {
		v = slog(v)
	}
	return (v - m.Mean[j]) / m.Std[j]
}

// slog is sign(v) * log(1 + |v|).
func slog(v float64) float64 {
	if v < 0 {
		return -math.Log1p(-v)
	}
	return math.Log1p(v)
}

// logRows returns a transformed copy of X (NaN stays NaN).
func logRows(X [][]float64, p int) [][]float64 {
	backing := make([]float64, len(X)*p)
	out := make([][]float64, len(X))
	for i, row := range X {
		r := backing[i*p : (i+1)*p : (i+1)*p]
		for j, v := range row {
			r[j] = slog(v)
		}
		out[i] = r
	}
	return out
}

// Raw returns the log-odds of churn for x: Intercept + sum Coef[j] * z_j.
// Missing values (NaN, ±Inf) and features beyond len(x) count as the
// training mean; values beyond the model's features are ignored.
func (m *Logistic) Raw(x []float64) float64 {
	r := m.Intercept
	for j, c := range m.Coef {
		r += c * m.z(x, j)
	}
	return r
}

// Contributions writes Coef[j] * z_j into out[j] (0 for a missing value) and
// returns the intercept, so that the intercept plus the sum of out is Raw(x).
// Only min(len(out), number of features) entries are written.
func (m *Logistic) Contributions(x []float64, out []float64) float64 {
	for j := range min(len(out), len(m.Coef)) {
		out[j] = m.Coef[j] * m.z(x, j)
	}
	return m.Intercept
}

// Importance returns |Coef[j]|, the effect of one standard deviation of
// feature j on the log-odds.
func (m *Logistic) Importance() []float64 {
	out := make([]float64, len(m.Coef))
	for j, c := range m.Coef {
		out[j] = math.Abs(c)
	}
	return out
}

// Check reports whether m is a usable predictor for n features: matching
// lengths, finite values and positive standard deviations. It returns a
// descriptive error otherwise.
func (m *Logistic) Check(n int) error {
	if len(m.Coef) != n || len(m.Mean) != n || len(m.Std) != n {
		return fmt.Errorf("logistic: %d coefficients, %d means, %d stds for %d features", len(m.Coef), len(m.Mean), len(m.Std), n)
	}
	if math.IsNaN(m.Intercept) || math.IsInf(m.Intercept, 0) {
		return errors.New("logistic: intercept is not finite")
	}
	for j := range n {
		if !isFinite(m.Coef[j]) || !isFinite(m.Mean[j]) || !isFinite(m.Std[j]) || m.Std[j] <= 0 {
			return fmt.Errorf("logistic: feature %d: coefficient %v, mean %v, std %v", j, m.Coef[j], m.Mean[j], m.Std[j])
		}
	}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
