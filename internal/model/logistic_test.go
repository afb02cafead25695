package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Both learners satisfy the Learner contract of learner.go.
var (
	_ interface {
		Raw(x []float64) float64
		Contributions(x []float64, out []float64) float64
	} = (*Logistic)(nil)
	_ interface {
		Raw(x []float64) float64
		Contributions(x []float64, out []float64) float64
	} = (*Forest)(nil)
)

// simulateLogistic draws n rows from a known logistic model on the original
// feature scale: x0 ~ N(0,1), x1 ~ N(5,2), x2 ~ U(0,10), plus a constant
// feature x3 = 7; logit = -1 + 1*x0 - 0.5*x1 + 0.3*x2.
func simulateLogistic(n int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range n {
		x := []float64{rng.NormFloat64(), 5 + 2*rng.NormFloat64(), 10 * rng.Float64(), 7}
		eta := -1 + 1*x[0] - 0.5*x[1] + 0.3*x[2]
		if rng.Float64() < 1/(1+math.Exp(-eta)) {
			y[i] = 1
		}
		X[i] = x
	}
	return X, y
}

func TestLogisticRecoversCoefficients(t *testing.T) {
	X, y := simulateLogistic(20000, 1)
	m, err := FitLogistic(X, y, LogisticConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Converged {
		t.Errorf("not converged after %d iterations", m.Iterations)
	}
	// Back to the original scale: beta_j = Coef_j / Std_j.
	want := []float64{1, -0.5, 0.3, 0}
	intercept := m.Intercept
	for j, w := range want {
		got := m.Coef[j] / m.Std[j]
		intercept -= m.Coef[j] * m.Mean[j] / m.Std[j]
		if math.Abs(got-w) > 0.06 {
			t.Errorf("coefficient %d = %.4f, want %.2f ± 0.06", j, got, w)
		}
	}
	if math.Abs(intercept-(-1)) > 0.2 {
		t.Errorf("intercept = %.4f, want -1 ± 0.2", intercept)
	}
	// The constant feature: std 1, mean 7, coefficient exactly 0.
	if m.Std[3] != 1 || m.Mean[3] != 7 || m.Coef[3] != 0 {
		t.Errorf("constant feature: mean %v std %v coef %v; want 7, 1, 0", m.Mean[3], m.Std[3], m.Coef[3])
	}
	imp := m.Importance()
	for j := range imp {
		if imp[j] != math.Abs(m.Coef[j]) {
			t.Errorf("importance %d = %v, want |coef| %v", j, imp[j], math.Abs(m.Coef[j]))
		}
	}
	if err := m.Check(4); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestLogisticL2Shrinks(t *testing.T) {
	X, y := simulateLogistic(5000, 2)
	weak, err := FitLogistic(X, y, LogisticConfig{L2: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	strong, err := FitLogistic(X, y, LogisticConfig{L2: 1})
	if err != nil {
		t.Fatal(err)
	}
	norm := func(c []float64) float64 {
		s := 0.0
		for _, v := range c {
			s += v * v
		}
		return s
	}
	if !(norm(strong.Coef) < 0.5*norm(weak.Coef)) {
		t.Errorf("L2=1 coefficient norm %v not well below L2=1e-4 norm %v", norm(strong.Coef), norm(weak.Coef))
	}
}

func TestLogisticMissingValues(t *testing.T) {
	X, y := simulateLogistic(4000, 3)
	sum, cnt := 0.0, 0.0
	for i := range X {
		if i%10 == 0 {
			X[i][1] = math.NaN()
		} else {
			sum += X[i][1]
			cnt++
		}
	}
	m, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	if !near(m.Mean[1], sum/cnt, 1e-9) {
		t.Errorf("mean ignoring NaN = %v, want %v", m.Mean[1], sum/cnt)
	}
	x := []float64{0.3, math.NaN(), 4, 7}
	imputed := []float64{0.3, m.Mean[1], 4, 7}
	if m.Raw(x) != m.Raw(imputed) {
		t.Errorf("Raw with NaN %v != Raw with the mean %v", m.Raw(x), m.Raw(imputed))
	}
	out := make([]float64, 4)
	m.Contributions(x, out)
	if out[1] != 0 {
		t.Errorf("contribution of a missing value = %v, want 0", out[1])
	}
	// A short vector: absent features count as missing.
	if m.Raw(x[:1]) != m.Raw([]float64{0.3, math.NaN(), math.NaN(), math.NaN()}) {
		t.Error("short vector not treated as missing")
	}
}

func TestLogisticContributionsSumToRaw(t *testing.T) {
	X, y := simulateLogistic(3000, 4)
	m, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 4)
	for i, x := range X[:200] {
		base := m.Contributions(x, out)
		if base != m.Intercept {
			t.Fatalf("base = %v, want the intercept %v", base, m.Intercept)
		}
		s := base
		for _, c := range out {
			s += c
		}
		if math.Abs(s-m.Raw(x)) > 1e-9 {
			t.Fatalf("row %d: base + sum = %v, Raw = %v", i, s, m.Raw(x))
		}
	}
}

func TestLogisticReproducibleJSON(t *testing.T) {
	X, y := simulateLogistic(10000, 5) // several chunks
	fit := func() []byte {
		m, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := fit()
	b := fit()
	// The chunked sums must not depend on the number of cores.
	prev := runtime.GOMAXPROCS(1)
	c := fit()
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatalf("fits differ:\n%s\n%s\n%s", a, b, c)
	}
	var back Logistic
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&back)
	if !bytes.Equal(a, again) {
		t.Errorf("JSON round trip changed the bytes")
	}
	m, _ := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
	for _, x := range X[:100] {
		if back.Raw(x) != m.Raw(x) {
			t.Fatalf("unmarshalled Raw %v != fitted Raw %v", back.Raw(x), m.Raw(x))
		}
	}
}

func TestLogisticSeparableData(t *testing.T) {
	// Perfectly separable with no penalty: the optimum is at infinity; the
	// fit must stop at MaxIter with finite coefficients, not fail or panic.
	X := [][]float64{{-2}, {-1}, {1}, {2}}
	y := []float64{0, 0, 1, 1}
	m, err := FitLogistic(X, y, LogisticConfig{MaxIter: 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check(1); err != nil {
		t.Fatal(err)
	}
	if !(m.Raw([]float64{2}) > 5 && m.Raw([]float64{-2}) < -5) {
		t.Errorf("Raw(2) = %v, Raw(-2) = %v; want clearly separated", m.Raw([]float64{2}), m.Raw([]float64{-2}))
	}
}

func TestFitErrors(t *testing.T) {
	tests := []struct {
		name   string
		X      [][]float64
		y      []float64
		single bool
	}{
		{name: "empty"},
		{name: "label count", X: [][]float64{{1}, {2}}, y: []float64{0}},
		{name: "no features", X: [][]float64{{}, {}}, y: []float64{0, 1}},
		{name: "ragged", X: [][]float64{{1, 2}, {3}}, y: []float64{0, 1}},
		{name: "label 2", X: [][]float64{{1}, {2}}, y: []float64{0, 2}},
		{name: "NaN label", X: [][]float64{{1}, {2}}, y: []float64{0, math.NaN()}},
		{name: "Inf value", X: [][]float64{{1}, {math.Inf(1)}}, y: []float64{0, 1}},
		{name: "single class", X: [][]float64{{1}, {2}}, y: []float64{1, 1}, single: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitLogistic(tc.X, tc.y, LogisticConfig{})
			if err == nil {
				t.Fatal("logistic: no error")
			}
			if errors.Is(err, ErrSingleClass) != tc.single {
				t.Errorf("logistic: errors.Is(ErrSingleClass) = %v (%v)", !tc.single, err)
			}
			_, err = FitForest(tc.X, tc.y, ForestConfig{Trees: 3})
			if err == nil {
				t.Fatal("forest: no error")
			}
			if errors.Is(err, ErrSingleClass) != tc.single {
				t.Errorf("forest: errors.Is(ErrSingleClass) = %v (%v)", !tc.single, err)
			}
		})
	}
	if _, err := FitLogistic([][]float64{{1}, {2}}, []float64{0, 1}, LogisticConfig{L2: -1}); err == nil {
		t.Error("negative L2: no error")
	}
}

func TestLogisticCheck(t *testing.T) {
	good := Logistic{Coef: []float64{1, 2}, Mean: []float64{0, 0}, Std: []float64{1, 1}}
	tests := []struct {
		name   string
		mutate func(m *Logistic)
		n      int
		ok     bool
	}{
		{"good", func(*Logistic) {}, 2, true},
		{"wrong width", func(*Logistic) {}, 3, false},
		{"zero std", func(m *Logistic) { m.Std[1] = 0 }, 2, false},
		{"NaN coef", func(m *Logistic) { m.Coef[0] = math.NaN() }, 2, false},
		{"Inf intercept", func(m *Logistic) { m.Intercept = math.Inf(-1) }, 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Logistic{Coef: append([]float64(nil), good.Coef...), Mean: append([]float64(nil), good.Mean...), Std: append([]float64(nil), good.Std...)}
			tc.mutate(&m)
			if err := m.Check(tc.n); (err == nil) != tc.ok {
				t.Errorf("Check = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func BenchmarkFitLogistic5000x80(b *testing.B) {
	X, y := simulateWide(5000, 80, 1)
	for b.Loop() {
		if _, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogisticContributions(b *testing.B) {
	X, y := simulateWide(2000, 80, 1)
	m, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float64, 80)
	b.ReportAllocs()
	for b.Loop() {
		m.Contributions(X[0], out)
	}
}

// simulateWide draws n rows of p standard normal features (5% missing in
// feature 3) with a logistic label on the first five.
func simulateWide(n, p int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = make([]float64, p)
		eta := -1.0
		for j := range X[i] {
			X[i][j] = rng.NormFloat64()
			if j < 5 {
				eta += 0.5 * X[i][j]
			}
		}
		if rng.Float64() < 0.05 {
			X[i][3] = math.NaN()
		}
		if rng.Float64() < 1/(1+math.Exp(-eta)) {
			y[i] = 1
		}
	}
	return X, y
}
