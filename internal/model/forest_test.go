package model

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/trees"
)

// xorData draws rows with two informative features (label = 1 when they
// share a sign, 10% of labels flipped) and two noise features.
func xorData(n int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range n {
		x := []float64{rng.Float64()*2 - 1, rng.Float64()*2 - 1, rng.NormFloat64(), rng.NormFloat64()}
		if x[0]*x[1] > 0 {
			y[i] = 1
		}
		if rng.Float64() < 0.1 {
			y[i] = 1 - y[i]
		}
		X[i] = x
	}
	return X, y
}

func forestJSON(t *testing.T, X [][]float64, y []float64, cfg ForestConfig) []byte {
	t.Helper()
	f, err := FitForest(X, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestForestReproducible(t *testing.T) {
	X, y := xorData(1500, 1)
	for i := range X {
		if i%7 == 0 {
			X[i][2] = math.NaN()
		}
	}
	cfg := ForestConfig{Trees: 12, MaxDepth: 6, Seed: 42}
	a := forestJSON(t, X, y, cfg)
	b := forestJSON(t, X, y, cfg)
	prev := runtime.GOMAXPROCS(1)
	c := forestJSON(t, X, y, cfg)
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatal("same seed gave different forests")
	}
	cfg.Seed = 43
	if d := forestJSON(t, X, y, cfg); bytes.Equal(a, d) {
		t.Fatal("another seed gave the same forest")
	}

	var back Forest
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Check(4); err != nil {
		t.Fatalf("Check after round trip: %v", err)
	}
	again, _ := json.Marshal(&back)
	if !bytes.Equal(a, again) {
		t.Error("JSON round trip changed the bytes")
	}
}

func TestForestBeatsLogisticOnXOR(t *testing.T) {
	X, y := xorData(3000, 2)
	Xt, yt := xorData(2000, 3)
	f, err := FitForest(X, y, ForestConfig{Trees: 40, MaxDepth: 6, FeatureFraction: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	lr, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	pf := make([]float64, len(Xt))
	pl := make([]float64, len(Xt))
	for i, x := range Xt {
		pf[i] = f.Probability(x)
		pl[i] = 1 / (1 + math.Exp(-lr.Raw(x)))
		if r := 1 / (1 + math.Exp(-f.Raw(x))); math.Abs(r-min(max(pf[i], 1e-6), 1-1e-6)) > 1e-12 {
			t.Fatalf("sigmoid(Raw) = %v, Probability = %v", r, pf[i])
		}
	}
	mf, err := Evaluate(yt, pf, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	ml, err := Evaluate(yt, pl, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	// The Bayes AUC with 10% flipped labels is about 0.9.
	if mf.ROCAUC < 0.8 {
		t.Errorf("forest AUC on XOR = %.3f, want >= 0.8", mf.ROCAUC)
	}
	if ml.ROCAUC > 0.6 {
		t.Errorf("logistic AUC on XOR = %.3f, want <= 0.6 (it cannot model XOR)", ml.ROCAUC)
	}
	imp := f.Importance()
	sum := 0.0
	for _, v := range imp {
		sum += v
	}
	if !near(sum, 1, 1e-9) {
		t.Errorf("importances sum to %v, want 1", sum)
	}
	if min(imp[0], imp[1]) <= max(imp[2], imp[3]) {
		t.Errorf("importances %v: the XOR features should lead", imp)
	}
}

func TestForestContributionsSumToRaw(t *testing.T) {
	X, y := xorData(1000, 4)
	for i := range X {
		if i%5 == 0 {
			X[i][0] = math.NaN()
		}
	}
	f, err := FitForest(X, y, ForestConfig{Trees: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	p0 := 0.0
	for _, tr := range f.Trees {
		p0 += tr.Nodes[0].Value
	}
	wantBase := math.Log(p0 / float64(len(f.Trees)) / (1 - p0/float64(len(f.Trees))))
	out := make([]float64, 4)
	nonzero := 0
	for i, x := range X {
		base := f.Contributions(x, out)
		if !near(base, wantBase, 1e-9) {
			t.Fatalf("base = %v, want logit(mean root value) %v", base, wantBase)
		}
		s := base
		for _, c := range out {
			s += c
			if c != 0 {
				nonzero++
			}
		}
		if math.Abs(s-f.Raw(x)) > 1e-9 {
			t.Fatalf("row %d: base + sum = %.15g, Raw = %.15g", i, s, f.Raw(x))
		}
	}
	if nonzero == 0 {
		t.Error("all contributions are zero")
	}
	// Missing values are read as the training median.
	x := []float64{math.NaN(), 0.5, 0, 0}
	filled := []float64{f.Fill[0], 0.5, 0, 0}
	if f.Raw(x) != f.Raw(filled) {
		t.Errorf("Raw with NaN %v != Raw with the fill value %v", f.Raw(x), f.Raw(filled))
	}
}

func TestForestOddInput(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		X    [][]float64
		y    []float64
	}{
		{"one row per class", [][]float64{{1, 2}, {3, 4}}, []float64{0, 1}},
		{"all-NaN column", [][]float64{{nan, 1}, {nan, 2}, {nan, 3}, {nan, 4}, {nan, 5}, {nan, 6}, {nan, 7}, {nan, 8}}, []float64{0, 0, 0, 0, 1, 1, 1, 1}},
		{"only NaN", [][]float64{{nan}, {nan}, {nan}, {nan}}, []float64{0, 1, 0, 1}},
		{"constant column", [][]float64{{5, 1}, {5, 2}, {5, 3}, {5, 4}, {5, 5}, {5, 6}, {5, 7}, {5, 8}}, []float64{0, 1, 0, 1, 0, 1, 0, 1}},
		{"identical rows, both labels", [][]float64{{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}}, []float64{0, 1, 0, 1, 0, 1, 1, 1}},
		{"huge values", [][]float64{{1e300, -1e300}, {-1e300, 1e300}, {1e300, 0}, {0, 0}, {5, 1e-300}, {-5, 1}}, []float64{0, 1, 0, 1, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := len(tc.X[0])
			f, err := FitForest(tc.X, tc.y, ForestConfig{Trees: 5, Seed: 9})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Check(p); err != nil {
				t.Fatal(err)
			}
			out := make([]float64, p)
			for _, x := range append(tc.X, make([]float64, p), nil) {
				r := f.Raw(x)
				if math.IsNaN(r) || math.IsInf(r, 0) {
					t.Fatalf("Raw(%v) = %v", x, r)
				}
				base := f.Contributions(x, out)
				s := base
				for _, c := range out {
					s += c
				}
				if math.Abs(s-r) > 1e-9 {
					t.Fatalf("base + sum = %v, Raw = %v", s, r)
				}
			}
		})
	}
}

func TestForestGolearnPanicIsAnError(t *testing.T) {
	orig := golearnSplit
	defer func() { golearnSplit = orig }()
	golearnSplit = func([]base.Attribute, base.FixedDataGrid) *trees.DecisionTreeRule {
		panic("boom")
	}
	X, y := xorData(200, 6)
	f, err := FitForest(X, y, ForestConfig{Trees: 4, Seed: 1})
	if err == nil || f != nil {
		t.Fatalf("FitForest = %v, %v; want an error", f, err)
	}
	if !strings.Contains(err.Error(), "golearn panicked: boom") {
		t.Errorf("error %q does not report the panic", err)
	}
}

func TestForestConfigErrors(t *testing.T) {
	X, y := xorData(50, 5)
	for _, cfg := range []ForestConfig{
		{Trees: -1},
		{MaxDepth: -2},
		{FeatureFraction: 1.5},
		{FeatureFraction: math.NaN()},
		{MaxSamples: -3},
		{SplitFeatures: -1},
	} {
		if _, err := FitForest(X, y, cfg); err == nil {
			t.Errorf("config %+v: no error", cfg)
		}
	}
}

func TestForestCheck(t *testing.T) {
	good := func() *Forest {
		return &Forest{NumFeatures: 2, Fill: []float64{0, 0}, Trees: []Tree{{Nodes: []Node{
			{Feature: 1, Threshold: 0.5, Left: 1, Right: 2, Value: 0.3},
			{Feature: -1, Value: 0.1},
			{Feature: -1, Value: 0.6},
		}}}}
	}
	tests := []struct {
		name   string
		mutate func(f *Forest)
		ok     bool
	}{
		{"good", func(*Forest) {}, true},
		{"child loops back", func(f *Forest) { f.Trees[0].Nodes[0].Left = 0 }, false},
		{"child out of range", func(f *Forest) { f.Trees[0].Nodes[0].Right = 3 }, false},
		{"feature out of range", func(f *Forest) { f.Trees[0].Nodes[0].Feature = 2 }, false},
		{"negative feature", func(f *Forest) { f.Trees[0].Nodes[0].Feature = -2 }, false},
		{"value above 1", func(f *Forest) { f.Trees[0].Nodes[2].Value = 1.5 }, false},
		{"NaN threshold", func(f *Forest) { f.Trees[0].Nodes[0].Threshold = math.NaN() }, false},
		{"no trees", func(f *Forest) { f.Trees = nil }, false},
		{"empty tree", func(f *Forest) { f.Trees[0].Nodes = nil }, false},
		{"fill width", func(f *Forest) { f.Fill = []float64{0} }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := good()
			tc.mutate(f)
			if err := f.Check(2); (err == nil) != tc.ok {
				t.Errorf("Check = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	f := good()
	if got := f.Probability([]float64{0, 0.7}); got != 0.6 {
		t.Errorf("Probability(x1 > 0.5) = %v, want the right leaf 0.6", got)
	}
	if got := f.Probability([]float64{0, 0.5}); got != 0.1 {
		t.Errorf("Probability(x1 == 0.5) = %v, want the left leaf 0.1", got)
	}
}

func BenchmarkFitForest5000x80(b *testing.B) {
	X, y := simulateWide(5000, 80, 1)
	for b.Loop() {
		if _, err := FitForest(X, y, ForestConfig{Trees: 50, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForestContributions(b *testing.B) {
	X, y := simulateWide(2000, 80, 1)
	f, err := FitForest(X, y, ForestConfig{Trees: 100, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float64, 80)
	b.ReportAllocs()
	for b.Loop() {
		f.Contributions(X[0], out)
	}
}
