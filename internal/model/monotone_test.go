package model

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// gbtNonMonotone returns rows whose log-odds go up and down in x0 (a sine),
// down then up in x1 (a parabola), up in x2 and down in x3, plus a noise
// feature; 5% of every feature is missing.
func gbtNonMonotone(n int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 17))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		x := []float64{rng.Float64()*6 - 3, rng.Float64()*4 - 2, rng.NormFloat64(), rng.Float64() * 10, rng.NormFloat64()}
		z := 2*math.Sin(2*x[0]) + x[1]*x[1] - 2 + 1.5*x[2] - 0.3*x[3] + 1.5
		for j := range x {
			if rng.Float64() < 0.05 {
				x[j] = math.NaN()
			}
		}
		X[i] = x
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	return X, y
}

// monotoneViolations varies feature j of points rows of X over a grid that
// spans its values (and beyond), everything else fixed, and counts the
// points whose Raw moves against direction dir somewhere on the grid.
func monotoneViolations(m *GBT, X [][]float64, j int, dir int8, points int) int {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range X {
		if v := x[j]; !math.IsNaN(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	const steps = 60
	bad := 0
	x := make([]float64, len(X[0]))
	for i := range points {
		copy(x, X[i*len(X)/points])
		prev := math.NaN()
		for s := range steps + 1 {
			x[j] = lo - 1 + (hi-lo+2)*float64(s)/steps
			r := m.Raw(x)
			if s > 0 && (dir > 0 && r < prev || dir < 0 && r > prev) {
				bad++
				break
			}
			prev = r
		}
	}
	return bad
}

// TestGBTMonotoneConstraints fits data that is not monotone in x0 and x1
// with constraints on them and checks, at many points, that the prediction
// is monotone in every constrained feature; without the constraints the
// same check must find violations, and the constrained model must still
// learn the directions the data supports.
func TestGBTMonotoneConstraints(t *testing.T) {
	X, y := gbtNonMonotone(6000, 1)
	Xv, yv := gbtNonMonotone(2000, 2)
	cfg := DefaultGBTConfig()
	cfg.Trees = 150
	free := mustFitGBT(t, X, y, Xv, yv, cfg)
	cons := []int8{1, -1, 1, -1, 0}
	cfg.Monotone = cons
	m := mustFitGBT(t, X, y, Xv, yv, cfg)
	for j, d := range cons {
		if d == 0 {
			continue
		}
		if n := monotoneViolations(m, Xv, j, d, 300); n > 0 {
			t.Errorf("feature %d (constraint %+d): %d of 300 points are not monotone", j, d, n)
		}
	}
	for _, j := range []int{0, 1} {
		if n := monotoneViolations(free, Xv, j, cons[j], 300); n < 30 {
			t.Errorf("unconstrained feature %d: only %d of 300 points break the order, the test data should not be monotone", j, n)
		}
	}
	// x2 raises and x3 lowers the risk in the data: the constrained model
	// keeps those effects.
	for _, c := range []struct {
		j       int
		lo, hi  float64
		atLeast float64
	}{{2, -2, 2, 2}, {3, 9, 1, 1}} {
		x := []float64{0, 0, 0, 5, 0}
		x[c.j] = c.lo
		a := m.Raw(x)
		x[c.j] = c.hi
		if d := m.Raw(x) - a; d < c.atLeast {
			t.Errorf("feature %d: raw score moves by %.3f from %v to %v, want at least %v", c.j, d, c.lo, c.hi, c.atLeast)
		}
	}
	// The constraints cost little where the data agrees with them (x2, x3)
	// and some where it does not (x0, x1).
	aFree, aCons := gbtAUC(t, yv, gbtScores(free, Xv)), gbtAUC(t, yv, gbtScores(m, Xv))
	if !(aCons < aFree) || aCons < 0.7 {
		t.Errorf("validation ROC AUC %.4f constrained, %.4f free: want lower but above 0.7", aCons, aFree)
	}
}

// TestGBTMonotoneReproducible checks that a constrained fit is bit-identical
// across runs and GOMAXPROCS, and that all-zero constraints change nothing.
func TestGBTMonotoneReproducible(t *testing.T) {
	X, y := gbtNonMonotone(3000, 3)
	Xv, yv := gbtNonMonotone(1000, 4)
	cfg := DefaultGBTConfig()
	cfg.Trees = 40
	plain := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	cfg.Monotone = make([]int8, 5)
	if zero := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg)); !bytes.Equal(plain, zero) {
		t.Error("all-zero constraints change the model")
	}
	cfg.Monotone = []int8{1, -1, 0, 0, 1}
	a := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	prev := runtime.GOMAXPROCS(1)
	b := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	runtime.GOMAXPROCS(max(prev, 4))
	c := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Error("a constrained fit depends on GOMAXPROCS")
	}
	if bytes.Equal(a, plain) {
		t.Error("constraints on non-monotone features change nothing")
	}
}

func TestGBTMonotoneBadConfig(t *testing.T) {
	X, y := gbtNonMonotone(200, 5)
	for _, c := range []struct {
		mono []int8
		want string
	}{
		{[]int8{1, 0}, "2 constraints for 5 features"},
		{[]int8{1, 0, 2, 0, 0}, "feature 2 is 2"},
	} {
		cfg := DefaultGBTConfig()
		cfg.Monotone = c.mono
		if _, err := FitGBT(X, y, nil, nil, cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Monotone %v: error %v, want %q", c.mono, err, c.want)
		}
	}
}

// logisticObjective is the penalised mean log loss FitLogistic minimises.
func logisticObjective(m *Logistic, X [][]float64, y []float64) float64 {
	l := 0.0
	for i, x := range X {
		r := m.Raw(x)
		l += softplus(r) - y[i]*r
	}
	l /= float64(len(X))
	for _, c := range m.Coef {
		l += m.L2 / 2 * c * c
	}
	return l
}

// TestLogisticSignConstraints fits data whose x0 raises and x1 lowers the
// log-odds, with constraints that forbid both effects: their coefficients
// must be exactly 0 and the rest must be the fit without those two
// features (the constrained optimum); moving either off 0 the allowed way
// must not lower the objective. Constraints that agree with the data
// change nothing. With and without the log1p transform.
func TestLogisticSignConstraints(t *testing.T) {
	X, y := simulateLogistic(20000, 3)
	keep := make([][]float64, len(X))
	for i, x := range X {
		keep[i] = x[2:]
	}
	for _, log1p := range []bool{false, true} {
		cfg := LogisticConfig{L2: 1e-3, Log1p: log1p}
		free, err := FitLogistic(X, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !(free.Coef[0] > 0.3 && free.Coef[1] < -0.3) {
			t.Fatalf("log1p %v: unconstrained coefficients %v, want x0 > 0 and x1 < 0", log1p, free.Coef)
		}
		cfg.Monotone = []int8{-1, 1, 1, 0}
		m, err := FitLogistic(X, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if m.Coef[0] != 0 || m.Coef[1] != 0 || !m.Converged {
			t.Errorf("log1p %v: constrained coefficients %v (converged %v), want x0 and x1 exactly 0", log1p, m.Coef, m.Converged)
		}
		cfg.Monotone = nil
		drop, err := FitLogistic(keep, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(m.Coef[2]-drop.Coef[0]) > 1e-6 || math.Abs(m.Intercept-drop.Intercept) > 1e-6 {
			t.Errorf("log1p %v: x2 coefficient %v and intercept %v, the fit without x0 and x1 gives %v and %v",
				log1p, m.Coef[2], m.Intercept, drop.Coef[0], drop.Intercept)
		}
		base := logisticObjective(m, X, y)
		for j, step := range map[int]float64{0: -0.01, 1: 0.01} {
			moved := *m
			moved.Coef = slices.Clone(m.Coef)
			moved.Coef[j] = step
			if l := logisticObjective(&moved, X, y); l < base {
				t.Errorf("log1p %v: coefficient %d at %v lowers the objective from %v to %v", log1p, j, step, base, l)
			}
		}
		cfg.Monotone = []int8{1, -1, 1, 0}
		agree, err := FitLogistic(X, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for j := range free.Coef {
			if math.Abs(agree.Coef[j]-free.Coef[j]) > 1e-6 {
				t.Errorf("log1p %v: agreeing constraints move coefficient %d from %v to %v", log1p, j, free.Coef[j], agree.Coef[j])
			}
		}
	}
	if _, err := FitLogistic(X, y, LogisticConfig{Monotone: []int8{1}}); err == nil || !strings.Contains(err.Error(), "1 constraints for 4 features") {
		t.Errorf("short Monotone: error %v", err)
	}
}

// TestLogisticSignConstraintsOptimal fits random correlated designs under
// mixed sign constraints and checks the optimality conditions: every sign
// is kept, and no coefficient moved a little either way it may go lowers
// the objective (it is convex, so that makes the fit the constrained
// optimum).
func TestLogisticSignConstraintsOptimal(t *testing.T) {
	for seed := uint64(0); seed < 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		const p, n = 6, 3000
		beta := make([]float64, p)
		for j := range beta {
			beta[j] = rng.NormFloat64() * 1.5
		}
		X := make([][]float64, n)
		y := make([]float64, n)
		for i := range X {
			c := rng.NormFloat64()
			x := make([]float64, p)
			eta := 0.5
			for j := range x {
				x[j] = c*0.9 + rng.NormFloat64()*0.4 + 2
				eta += beta[j] * (x[j] - 2)
			}
			X[i] = x
			if rng.Float64() < 1/(1+math.Exp(-eta)) {
				y[i] = 1
			}
		}
		mono := []int8{1, -1, 1, -1, 0, 1}
		m, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3, Monotone: mono, Log1p: seed%2 == 1})
		if err != nil {
			t.Fatal(err)
		}
		base := logisticObjective(m, X, y)
		for j, c := range mono {
			if float64(c)*m.Coef[j] < 0 {
				t.Errorf("seed %d: coefficient %d is %v against constraint %+d", seed, j, m.Coef[j], c)
			}
			for _, d := range []float64{-1e-3, 1e-3} {
				if float64(c)*(m.Coef[j]+d) < 0 {
					continue
				}
				moved := *m
				moved.Coef = slices.Clone(m.Coef)
				moved.Coef[j] += d
				if l := logisticObjective(&moved, X, y); l < base-1e-12 {
					t.Errorf("seed %d: coefficient %d moved by %v from %v lowers the objective by %v", seed, j, d, m.Coef[j], base-l)
				}
			}
		}
	}
}
