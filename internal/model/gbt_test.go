package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// gbtXOR returns n rows whose label depends on the sign of x0*x1 (a
// problem no linear model can rank), plus noise features and label noise.
func gbtXOR(n int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		x := []float64{rng.Float64()*2 - 1, rng.Float64()*2 - 1, rng.NormFloat64(), rng.NormFloat64()}
		X[i] = x
		pos := x[0]*x[1] > 0
		if rng.Float64() < 0.05 {
			pos = !pos
		}
		if pos {
			y[i] = 1
		}
	}
	return X, y
}

// gbtMixed returns rows with a nonlinear signal on features 0-2, noise on
// the rest, and 10% missing values everywhere.
func gbtMixed(n, p int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 5))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		x := make([]float64, p)
		for j := range x {
			x[j] = rng.NormFloat64()
			if j == 2 {
				x[j] = math.Floor(x[j] * 2)
			}
		}
		z := 2*math.Tanh(2*x[0]) + x[1]*x[1] - 1 + 0.5*x[2]
		for j := range x {
			if rng.Float64() < 0.1 {
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

func gbtScores(m Learner, X [][]float64) []float64 {
	p := make([]float64, len(X))
	for i, x := range X {
		p[i] = sigmoidStable(m.Raw(x))
	}
	return p
}

func gbtAUC(t *testing.T, y, p []float64) float64 {
	t.Helper()
	met, err := Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	return met.ROCAUC
}

func mustFitGBT(t *testing.T, X [][]float64, y []float64, Xv [][]float64, yv []float64, cfg GBTConfig) *GBT {
	t.Helper()
	m, err := FitGBT(X, y, Xv, yv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check(len(X[0])); err != nil {
		t.Fatalf("fitted model fails Check: %v", err)
	}
	return m
}

func gbtJSON(t *testing.T, m *GBT) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGBTReproducible(t *testing.T) {
	X, y := gbtMixed(3000, 8, 1)
	Xv, yv := gbtMixed(1000, 8, 2)
	cfg := DefaultGBTConfig()
	cfg.Trees = 60
	a := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	b := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	if !bytes.Equal(a, b) {
		t.Fatal("two fits with the same seed differ")
	}
	prev := runtime.GOMAXPROCS(1)
	c := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	runtime.GOMAXPROCS(max(prev, 4))
	d := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(a, c) || !bytes.Equal(a, d) {
		t.Fatal("the fit depends on GOMAXPROCS")
	}
	cfg.Seed++
	if e := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg)); bytes.Equal(a, e) {
		t.Fatal("another seed gives the same model despite row and column subsampling")
	}
	cfg.Seed--
	cfg.RowSample, cfg.ColSample = 1, 1
	f := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg))
	cfg.Seed += 100
	if g := gbtJSON(t, mustFitGBT(t, X, y, Xv, yv, cfg)); !bytes.Equal(f, g) {
		t.Fatal("without subsampling the seed should not matter")
	}
}

func TestGBTLearnsNonlinear(t *testing.T) {
	tests := []struct {
		name             string
		data             func(n int, seed uint64) ([][]float64, []float64)
		minGBT, maxLogit float64
		minGap           float64
	}{
		{"xor", gbtXOR, 0.90, 0.60, 0.3},
		{"mixed with missing values", func(n int, seed uint64) ([][]float64, []float64) { return gbtMixed(n, 6, seed) }, 0.80, 1, 0.03},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			X, y := tc.data(4000, 1)
			Xv, yv := tc.data(1000, 2)
			Xt, yt := tc.data(3000, 3)
			m := mustFitGBT(t, X, y, Xv, yv, DefaultGBTConfig())
			lr, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
			if err != nil {
				t.Fatal(err)
			}
			ag, al := gbtAUC(t, yt, gbtScores(m, Xt)), gbtAUC(t, yt, gbtScores(lr, Xt))
			t.Logf("test ROC AUC: gbt %.4f (%d rounds), logistic %.4f", ag, m.Rounds, al)
			if ag < tc.minGBT {
				t.Errorf("gbt AUC %.4f < %.2f", ag, tc.minGBT)
			}
			if al > tc.maxLogit {
				t.Errorf("logistic AUC %.4f > %.2f: the problem is not as nonlinear as meant", al, tc.maxLogit)
			}
			if ag-al < tc.minGap {
				t.Errorf("gbt beats logistic by %.4f < %.2f", ag-al, tc.minGap)
			}
		})
	}
}

func TestGBTMissingIsPredictive(t *testing.T) {
	tests := []struct {
		name    string
		present func(rng *rand.Rand) float64
	}{
		{"continuous where present", func(rng *rand.Rand) float64 { return rng.NormFloat64() }},
		{"constant where present", func(*rand.Rand) float64 { return 5 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			n := 4000
			X := make([][]float64, n)
			y := make([]float64, n)
			for i := range X {
				X[i] = []float64{rng.NormFloat64(), tc.present(rng), rng.NormFloat64()}
				rate := 0.1
				if rng.Float64() < 0.3 {
					X[i][1] = math.NaN()
					rate = 0.7
				}
				if rng.Float64() < rate {
					y[i] = 1
				}
			}
			cfg := DefaultGBTConfig()
			cfg.Trees = 100
			m := mustFitGBT(t, X, y, nil, nil, cfg)
			imp := m.Importance()
			if slices.Index(imp, slices.Max(imp)) != 1 {
				t.Errorf("importances %v: feature 1 (missingness) should lead", imp)
			}
			pMiss := m.Probability([]float64{0, math.NaN(), 0})
			pHere := m.Probability([]float64{0, 5, 0})
			if !(pMiss > 0.55 && pHere < 0.2) {
				t.Errorf("P(churn) with feature 1 missing %.3f (want ~0.7), present %.3f (want ~0.1)", pMiss, pHere)
			}
			// A row shorter than the model: the absent feature is missing.
			if short := m.Probability([]float64{0}); math.Abs(short-m.Probability([]float64{0, math.NaN(), math.NaN()})) > 1e-15 {
				t.Errorf("absent features are not treated as missing: %v", short)
			}
		})
	}
}

func TestGBTEarlyStoppingOnNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	noise := func(n int) ([][]float64, []float64) {
		X := make([][]float64, n)
		y := make([]float64, n)
		for i := range X {
			X[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.Float64()}
			if rng.Float64() < 0.3 {
				y[i] = 1
			}
		}
		return X, y
	}
	X, y := noise(3000)
	Xv, yv := noise(1000)
	cfg := DefaultGBTConfig()
	m := mustFitGBT(t, X, y, Xv, yv, cfg)
	t.Logf("rounds kept %d, run %d, valid loss %.5f", m.Rounds, m.RoundsRun, m.ValidLogLoss)
	if m.RoundsRun >= cfg.Trees || m.RoundsRun != m.Rounds+cfg.EarlyStoppingRounds {
		t.Errorf("ran %d rounds, kept %d: want early stopping %d rounds after the best", m.RoundsRun, m.Rounds, cfg.EarlyStoppingRounds)
	}
	if m.Rounds > 60 || len(m.Trees) != m.Rounds {
		t.Errorf("kept %d rounds (%d trees) on pure noise", m.Rounds, len(m.Trees))
	}
	// Without validation data all rounds are kept.
	cfg.Trees = 40
	m = mustFitGBT(t, X, y, nil, nil, cfg)
	if m.Rounds != 40 || m.RoundsRun != 40 || m.ValidLogLoss != 0 {
		t.Errorf("without validation: rounds %d, run %d, loss %v; want 40, 40, 0", m.Rounds, m.RoundsRun, m.ValidLogLoss)
	}
	// Early stopping disabled with validation data: all rounds kept, the
	// loss reported is the final one.
	cfg.EarlyStoppingRounds = -1
	m = mustFitGBT(t, X, y, Xv, yv, cfg)
	if m.Rounds != 40 || !(m.ValidLogLoss > 0) {
		t.Errorf("early stopping off: rounds %d, loss %v", m.Rounds, m.ValidLogLoss)
	}
}

// slowRaw walks the exported trees only, as a reference for Raw's fast path.
func slowRaw(m *GBT, x []float64) float64 {
	s := m.BaseScore
	for _, tr := range m.Trees {
		i := int32(0)
		for tr.Nodes[i].Feature >= 0 {
			i = tr.Nodes[i].next(x)
		}
		s += tr.Nodes[i].Value
	}
	return s
}

func TestGBTRawFastPath(t *testing.T) {
	X, y := gbtMixed(2000, 5, 1)
	cfg := DefaultGBTConfig()
	cfg.Trees, cfg.MaxDepth, cfg.MaxLeaves = 37, -1, 40 // a partial group of lanes, uneven depths
	m := mustFitGBT(t, X, y, nil, nil, cfg)
	if m.flat == nil {
		t.Fatal("fast path not compiled")
	}
	rows := append(X[:200:200], []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()},
		[]float64{math.Inf(1), math.Inf(-1), 1e300, -1e300, 0})
	for i, x := range rows {
		if got, want := m.Raw(x), slowRaw(m, x); got != want {
			t.Fatalf("row %d: Raw %v, reference walk %v", i, got, want)
		}
	}
	if a := testing.AllocsPerRun(100, func() { m.Raw(X[0]) }); a != 0 {
		t.Errorf("Raw allocates %v times", a)
	}
}

func TestGBTContributionsSumToRaw(t *testing.T) {
	X, y := gbtMixed(3000, 6, 1)
	Xv, yv := gbtMixed(1000, 6, 2)
	m := mustFitGBT(t, X, y, Xv, yv, DefaultGBTConfig())
	if m.Rounds < 20 {
		t.Fatalf("only %d rounds: too few to test", m.Rounds)
	}
	out := make([]float64, 6)
	var base0 float64
	for i, x := range append(Xv[:300:300], []float64{1, 2}) {
		base := m.Contributions(x, out)
		if i == 0 {
			base0 = base
		} else if base != base0 {
			t.Fatalf("base value changes with x: %v vs %v", base, base0)
		}
		sum := base
		for _, c := range out {
			sum += c
		}
		if d := math.Abs(sum - m.Raw(x)); d > 1e-9 {
			t.Fatalf("row %d: base + contributions = %v, Raw = %v (diff %g)", i, sum, m.Raw(x), d)
		}
	}
	// Noise features (3..5) get much less than the signal features.
	var abs [6]float64
	for _, x := range Xv {
		m.Contributions(x, out)
		for j, c := range out {
			abs[j] += math.Abs(c)
		}
	}
	if !(abs[0] > 3*abs[3] && abs[1] > 3*abs[4]) {
		t.Errorf("mean |contribution| per feature %v: signal features should dominate", abs)
	}
	// A short out gets its first entries only.
	short := make([]float64, 2)
	full := make([]float64, 6)
	m.Contributions(Xv[0], short)
	m.Contributions(Xv[0], full)
	if short[0] != full[0] || short[1] != full[1] {
		t.Errorf("short output %v, full %v", short, full)
	}
}

// condExpect is the path-dependent conditional expectation TreeSHAP
// explains: features in S follow x, the others average their children by
// cover.
func condExpect(tr *GBTTree, i int32, x []float64, S map[int]bool) float64 {
	nd := &tr.Nodes[i]
	if nd.Feature < 0 {
		return nd.Value
	}
	if S[int(nd.Feature)] {
		return condExpect(tr, nd.next(x), x, S)
	}
	l, r := &tr.Nodes[nd.Left], &tr.Nodes[nd.Right]
	return (l.Cover*condExpect(tr, nd.Left, x, S) + r.Cover*condExpect(tr, nd.Right, x, S)) / nd.Cover
}

// bruteShapley returns the exact Shapley values of the model's conditional
// expectations by enumerating every feature subset, and the value of the
// empty set.
func bruteShapley(m *GBT, x []float64) ([]float64, float64) {
	M := m.NumFeatures
	f := func(mask int) float64 {
		S := map[int]bool{}
		for j := range M {
			if mask&(1<<j) != 0 {
				S[j] = true
			}
		}
		s := m.BaseScore
		for t := range m.Trees {
			s += condExpect(&m.Trees[t], 0, x, S)
		}
		return s
	}
	fact := func(k int) float64 {
		r := 1.0
		for i := 2; i <= k; i++ {
			r *= float64(i)
		}
		return r
	}
	phi := make([]float64, M)
	for i := range M {
		for mask := range 1 << M {
			if mask&(1<<i) != 0 {
				continue
			}
			k := 0
			for j := range M {
				if mask&(1<<j) != 0 {
					k++
				}
			}
			w := fact(k) * fact(M-k-1) / fact(M)
			phi[i] += w * (f(mask|1<<i) - f(mask))
		}
	}
	return phi, f(0)
}

func TestTreeSHAPMatchesBruteForce(t *testing.T) {
	// A hand-made tree that splits twice on feature 0 along one path and
	// routes missing values left on feature 2.
	hand := &GBT{NumFeatures: 3, BaseScore: -0.5, Rounds: 2, Edges: make([][]float64, 3), Trees: []GBTTree{
		{Nodes: []GBTNode{
			{Feature: 0, Threshold: 0.5, Left: 1, Right: 2, Cover: 10},
			{Feature: 1, Threshold: 0, Left: 3, Right: 4, Cover: 6},
			{Feature: 0, Threshold: 2, Left: 5, Right: 6, Cover: 4},
			{Feature: -1, Value: 1, Cover: 2},
			{Feature: -1, Value: -0.5, Cover: 4},
			{Feature: 2, Threshold: 1, MissingLeft: true, Left: 7, Right: 8, Cover: 3},
			{Feature: -1, Value: 2, Cover: 1},
			{Feature: -1, Value: 0.3, Cover: 1},
			{Feature: -1, Value: 0.7, Cover: 2},
		}},
		{Nodes: []GBTNode{
			{Feature: 2, Threshold: 0, Left: 1, Right: 2, Cover: 10},
			{Feature: -1, Value: 0.25, Cover: 7},
			{Feature: 1, Threshold: 3, Left: 3, Right: 4, Cover: 3},
			{Feature: -1, Value: -1, Cover: 1},
			{Feature: -1, Value: 0.1, Cover: 2},
		}},
	}}
	hand.compile()
	if err := hand.Check(3); err != nil {
		t.Fatal(err)
	}
	X, y := gbtMixed(1500, 4, 7)
	cfg := DefaultGBTConfig()
	cfg.Trees, cfg.MaxDepth, cfg.MaxLeaves, cfg.MinLeafRows = 5, 4, 12, 5
	fitted := mustFitGBT(t, X, y, nil, nil, cfg)

	tests := []struct {
		name string
		m    *GBT
		rows [][]float64
	}{
		{"hand-made", hand, [][]float64{{0, -1, 0.5}, {1, 1, math.NaN()}, {3, -2, 2}, {1.5, 5, -1}, {math.NaN(), 0, 0}}},
		{"fitted", fitted, X[:25]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]float64, tc.m.NumFeatures)
			for r, x := range tc.rows {
				base := tc.m.SHAP(x, out)
				want, wantBase := bruteShapley(tc.m, x)
				if math.Abs(base-wantBase) > 1e-12 {
					t.Errorf("row %d: base %v, brute force %v", r, base, wantBase)
				}
				for j := range out {
					if math.Abs(out[j]-want[j]) > 1e-10 {
						t.Errorf("row %d feature %d: TreeSHAP %v, brute force %v", r, j, out[j], want[j])
					}
				}
			}
		})
	}
}

func TestGBTJSONRoundTrip(t *testing.T) {
	X, y := gbtMixed(2000, 5, 3)
	Xv, yv := gbtMixed(500, 5, 4)
	m := mustFitGBT(t, X, y, Xv, yv, DefaultGBTConfig())
	b := gbtJSON(t, m)
	var back GBT
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Check(5); err != nil {
		t.Fatal(err)
	}
	if back.flat == nil {
		t.Error("decoded model has no fast path")
	}
	if !bytes.Equal(b, gbtJSON(t, &back)) {
		t.Error("re-encoding a decoded model changes the bytes")
	}
	o1, o2 := make([]float64, 5), make([]float64, 5)
	for i, x := range Xv {
		if m.Raw(x) != back.Raw(x) {
			t.Fatalf("row %d: Raw %v before, %v after the round trip", i, m.Raw(x), back.Raw(x))
		}
		if m.Contributions(x, o1) != back.Contributions(x, o2) || !slices.Equal(o1, o2) {
			t.Fatalf("row %d: contributions differ after the round trip", i)
		}
	}
	if !slices.Equal(m.Importance(), back.Importance()) {
		t.Error("importances differ after the round trip")
	}
}

func TestGBTImportance(t *testing.T) {
	X, y := gbtMixed(3000, 6, 1)
	m := mustFitGBT(t, X, y, nil, nil, GBTConfig{Trees: 80})
	imp := m.Importance()
	sum := 0.0
	for _, v := range imp {
		sum += v
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("importances sum to %v", sum)
	}
	if !(imp[0] > imp[3] && imp[0] > imp[4] && imp[1] > imp[5]) {
		t.Errorf("importances %v: signal features 0 and 1 should beat noise 3-5", imp)
	}
	imp[0] = -1
	if m.Importances[0] == -1 {
		t.Error("Importance returns the model's own slice")
	}
}

func TestGBTClassWeight(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	n := 5000
	X := make([][]float64, n)
	y := make([]float64, n)
	pos := 0.0
	for i := range X {
		X[i] = []float64{rng.NormFloat64(), rng.NormFloat64()}
		if rng.Float64() < 1/(1+math.Exp(-(X[i][0]-2.5))) {
			y[i] = 1
			pos++
		}
	}
	rate := pos / float64(n)
	mean := func(m *GBT) float64 {
		s := 0.0
		for _, x := range X {
			s += m.Probability(x)
		}
		return s / float64(n)
	}
	cfg := DefaultGBTConfig()
	cfg.Trees = 100
	plain := mustFitGBT(t, X, y, nil, nil, cfg)
	cfg.ClassWeight = "balanced"
	bal := mustFitGBT(t, X, y, nil, nil, cfg)
	mp, mb := mean(plain), mean(bal)
	t.Logf("positive rate %.3f, mean probability %.3f unweighted, %.3f balanced", rate, mp, mb)
	if math.Abs(mp-rate) > 0.01 {
		t.Errorf("unweighted mean probability %.4f, positive rate %.4f: not calibrated", mp, rate)
	}
	if !(mb > rate+0.15) {
		t.Errorf("balanced mean probability %.4f should be well above the positive rate %.4f", mb, rate)
	}
	if math.Abs(bal.BaseScore) > 1e-9 {
		t.Errorf("balanced base score %v, want 0", bal.BaseScore)
	}
}

func TestQuantileEdges(t *testing.T) {
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(i)
	}
	heavy := make([]float64, 1000)
	for i := range heavy {
		heavy[i] = float64(i)
		if i < 600 {
			heavy[i] = 0
		}
	}
	tests := []struct {
		name    string
		sorted  []float64
		maxBins int
		want    []float64
		count   int
	}{
		{"empty", nil, 255, nil, 0},
		{"constant", []float64{3, 3, 3}, 255, nil, 0},
		{"few values", []float64{1, 1, 2, 4, 4, 4}, 255, []float64{1.5, 3}, 2},
		{"few values, 2 bins: the median", []float64{1, 1, 2, 4, 4, 4}, 2, []float64{3}, 1},
		{"quantiles", many, 10, []float64{99.5, 199.5, 299.5, 399.5, 499.5, 599.5, 699.5, 799.5, 899.5}, 9},
		{"heavy value gets a bin of its own", heavy, 10, []float64{300, 699.5, 799.5, 899.5}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := quantileEdges(tc.sorted, tc.maxBins)
			if len(got) != tc.count || !slices.Equal(got, tc.want) {
				t.Errorf("edges %v, want %v (%d)", got, tc.want, tc.count)
			}
		})
	}
}

func TestFitGBTOddInput(t *testing.T) {
	nan := math.NaN()
	good := [][]float64{{1, 2}, {2, 1}, {3, 0}, {4, 5}}
	goodY := []float64{0, 1, 0, 1}
	bad := []struct {
		name   string
		X      [][]float64
		y      []float64
		Xv     [][]float64
		yv     []float64
		cfg    func(c *GBTConfig)
		target error
	}{
		{name: "no rows"},
		{name: "label count", X: good, y: goodY[:3]},
		{name: "ragged", X: [][]float64{{1, 2}, {1}}, y: []float64{0, 1}},
		{name: "no features", X: [][]float64{{}, {}}, y: []float64{0, 1}},
		{name: "infinite", X: [][]float64{{1, math.Inf(1)}, {1, 2}}, y: []float64{0, 1}},
		{name: "label 2", X: good, y: []float64{0, 1, 2, 1}},
		{name: "single class", X: good, y: []float64{1, 1, 1, 1}, target: ErrSingleClass},
		{name: "validation ragged", X: good, y: goodY, Xv: [][]float64{{1}}, yv: []float64{0}},
		{name: "validation infinite", X: good, y: goodY, Xv: [][]float64{{1, math.Inf(-1)}}, yv: []float64{0}},
		{name: "validation labels", X: good, y: goodY, Xv: [][]float64{{1, 2}}, yv: []float64{0.5}},
		{name: "validation count", X: good, y: goodY, Xv: [][]float64{{1, 2}}, yv: nil},
		{name: "learning rate", X: good, y: goodY, cfg: func(c *GBTConfig) { c.LearningRate = 2 }},
		{name: "NaN learning rate", X: good, y: goodY, cfg: func(c *GBTConfig) { c.LearningRate = nan }},
		{name: "negative trees", X: good, y: goodY, cfg: func(c *GBTConfig) { c.Trees = -1 }},
		{name: "one leaf", X: good, y: goodY, cfg: func(c *GBTConfig) { c.MaxLeaves = 1 }},
		{name: "max bins", X: good, y: goodY, cfg: func(c *GBTConfig) { c.MaxBins = 256 }},
		{name: "one bin", X: good, y: goodY, cfg: func(c *GBTConfig) { c.MaxBins = 1 }},
		{name: "negative L2", X: good, y: goodY, cfg: func(c *GBTConfig) { c.L2 = -1 }},
		{name: "row sample", X: good, y: goodY, cfg: func(c *GBTConfig) { c.RowSample = 1.5 }},
		{name: "column sample", X: good, y: goodY, cfg: func(c *GBTConfig) { c.ColSample = -0.1 }},
		{name: "min hessian", X: good, y: goodY, cfg: func(c *GBTConfig) { c.MinChildHessian = math.Inf(1) }},
		{name: "min leaf", X: good, y: goodY, cfg: func(c *GBTConfig) { c.MinLeafRows = -3 }},
		{name: "class weight", X: good, y: goodY, cfg: func(c *GBTConfig) { c.ClassWeight = "inverse" }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultGBTConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			m, err := FitGBT(tc.X, tc.y, tc.Xv, tc.yv, cfg)
			if err == nil || m != nil {
				t.Fatalf("got a model and error %v, want an error", err)
			}
			if !strings.HasPrefix(err.Error(), "fit gbt: ") {
				t.Errorf("error %q lacks context", err)
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("error %v does not wrap %v", err, tc.target)
			}
		})
	}

	rng := rand.New(rand.NewPCG(1, 1))
	wide := make([][]float64, 200)
	wideY := make([]float64, 200)
	for i := range wide {
		// all-NaN, constant, constant-or-NaN, informative
		v := rng.NormFloat64()
		wide[i] = []float64{nan, 7, 7, v}
		if i%2 == 0 {
			wide[i][2] = nan
		}
		if v > 0 {
			wideY[i] = 1
		}
	}
	okCases := []struct {
		name   string
		X      [][]float64
		y      []float64
		splits bool
	}{
		{"one row per class", [][]float64{{1, 2}, {3, 4}}, []float64{0, 1}, false},
		{"odd columns", wide, wideY, true},
		{"all NaN", [][]float64{{nan}, {nan}, {nan}}, []float64{0, 1, 1}, false},
	}
	for _, tc := range okCases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustFitGBT(t, tc.X, tc.y, tc.X, tc.y, DefaultGBTConfig())
			p := len(tc.X[0])
			for _, x := range tc.X {
				if r := m.Raw(x); !isFinite(r) {
					t.Fatalf("Raw %v", r)
				}
			}
			split := false
			for _, tr := range m.Trees {
				for _, nd := range tr.Nodes {
					if nd.Feature >= 0 {
						split = true
						if tc.name == "odd columns" && nd.Feature < 2 {
							t.Fatalf("split on the all-NaN or constant feature %d", nd.Feature)
						}
					}
				}
			}
			if split != tc.splits {
				t.Errorf("model splits: %v, want %v", split, tc.splits)
			}
			out := make([]float64, p)
			base := m.Contributions(tc.X[0], out)
			for _, c := range out {
				base += c
			}
			if math.Abs(base-m.Raw(tc.X[0])) > 1e-9 {
				t.Errorf("contributions sum to %v, Raw %v", base, m.Raw(tc.X[0]))
			}
		})
	}
}

func TestGBTCheck(t *testing.T) {
	X, y := gbtMixed(1000, 3, 1)
	cfg := DefaultGBTConfig()
	cfg.Trees = 5
	fitted := mustFitGBT(t, X, y, nil, nil, cfg)
	b := gbtJSON(t, fitted)
	fresh := func() *GBT {
		var m GBT
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	// the index of a split node with two leaves is handy for the cases
	split := 0
	for i, nd := range fresh().Trees[0].Nodes {
		if nd.Feature >= 0 {
			split = i
		}
	}
	tests := []struct {
		name    string
		n       int
		corrupt func(m *GBT)
	}{
		{"wrong feature count", 4, func(*GBT) {}},
		{"edges missing", 3, func(m *GBT) { m.Edges = m.Edges[:2] }},
		{"edges descending", 3, func(m *GBT) { m.Edges[0] = []float64{2, 1} }},
		{"edge infinite", 3, func(m *GBT) { m.Edges[1] = []float64{math.Inf(1)} }},
		{"importances length", 3, func(m *GBT) { m.Importances = []float64{1} }},
		{"importance negative", 3, func(m *GBT) { m.Importances[0] = -1 }},
		{"base score NaN", 3, func(m *GBT) { m.BaseScore = math.NaN() }},
		{"rounds", 3, func(m *GBT) { m.Rounds++ }},
		{"empty tree", 3, func(m *GBT) { m.Trees[1].Nodes = nil }},
		{"feature out of range", 3, func(m *GBT) { m.Trees[0].Nodes[0].Feature = 3 }},
		{"feature negative", 3, func(m *GBT) { m.Trees[0].Nodes[0].Feature = -2 }},
		{"threshold NaN", 3, func(m *GBT) { m.Trees[0].Nodes[0].Threshold = math.NaN() }},
		{"child before parent", 3, func(m *GBT) { m.Trees[0].Nodes[split].Left = int32(split) }},
		{"child out of range", 3, func(m *GBT) { m.Trees[0].Nodes[split].Right = int32(len(m.Trees[0].Nodes)) }},
		{"shared child", 3, func(m *GBT) { m.Trees[0].Nodes[0].Right = m.Trees[0].Nodes[0].Left }},
		{"two parents", 3, func(m *GBT) {
			nd := &m.Trees[0].Nodes[0]
			nd.Left, nd.Right = m.Trees[0].Nodes[split].Left, m.Trees[0].Nodes[split].Right
		}},
		{"value infinite", 3, func(m *GBT) { m.Trees[2].Nodes[len(m.Trees[2].Nodes)-1].Value = math.Inf(1) }},
		{"cover zero", 3, func(m *GBT) { m.Trees[0].Nodes[1].Cover = 0 }},
	}
	if err := fresh().Check(3); err != nil {
		t.Fatalf("intact model: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := fresh()
			tc.corrupt(m)
			if err := m.Check(tc.n); err == nil {
				t.Error("Check accepted a broken model")
			}
		})
	}
}
