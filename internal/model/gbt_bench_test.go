package model_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/testenv"
	"github.com/churnrisk/churn/internal/training"
)

// churnRows loads testdata/mlc_churn through the project's own pipeline.
func churnRows(tb testing.TB) *training.Rows {
	tb.Helper()
	dir := filepath.Join("..", "..", "testdata", "mlc_churn")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("mlc_churn not available: %v", err)
	}
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	schema := features.NewSchema(ds.Customers, features.SchemaOptions{})
	return training.StaticRows(ds, schema, true)
}

type cvResult struct {
	auc, brier, secs, rounds float64
}

// churnCV runs 5-fold stratified CV of FitGBT on rows: every training part
// is split again (85/15, stratified) for early stopping.
func churnCV(tb testing.TB, rows *training.Rows, cfg model.GBTConfig) cvResult {
	tb.Helper()
	const k = 5
	fold := training.StratifiedFolds(rows.Y, k, 42)
	var res cvResult
	for f := range k {
		var trIdx, teIdx []int
		for i, v := range fold {
			if v == f {
				teIdx = append(teIdx, i)
			} else {
				trIdx = append(trIdx, i)
			}
		}
		tr, te := rows.Subset(trIdx), rows.Subset(teIdx)
		in, va := training.StratifiedSplit(tr.Y, 0.15, uint64(f)+1)
		fit, valid := tr.Subset(in), tr.Subset(va)
		start := time.Now()
		m, err := model.FitGBT(fit.X, fit.Y, valid.X, valid.Y, cfg)
		if err != nil {
			tb.Fatal(err)
		}
		res.secs += time.Since(start).Seconds() / k
		res.rounds += float64(m.Rounds) / k
		p := make([]float64, te.Len())
		for i, x := range te.X {
			p[i] = m.Probability(x)
		}
		met, err := model.Evaluate(te.Y, p, 0.5)
		if err != nil {
			tb.Fatal(err)
		}
		res.auc += met.ROCAUC / k
		res.brier += met.Brier / k
	}
	return res
}

// TestGBTChurnCV checks the quality target on the real mlc_churn data:
// 5-fold stratified CV ROC AUC of the default configuration (the reference
// HistGradientBoosting reaches 0.925).
func TestGBTChurnCV(t *testing.T) {
	testenv.SkipUnderRace(t)
	if testing.Short() {
		t.Skip("5-fold CV in -short mode")
	}
	rows := churnRows(t)
	r := churnCV(t, rows, model.DefaultGBTConfig())
	t.Logf("mlc_churn 5-fold CV: ROC AUC %.4f, Brier %.4f, %.3f s and %.0f rounds per fold", r.auc, r.brier, r.secs, r.rounds)
	if r.auc < 0.915 {
		t.Errorf("ROC AUC %.4f < 0.915", r.auc)
	}
	if r.brier > 0.045 {
		t.Errorf("Brier %.4f > 0.045", r.brier)
	}
}

// BenchmarkGBTFitChurn measures one fit on 80% of mlc_churn with early
// stopping on the rest.
func BenchmarkGBTFitChurn(b *testing.B) {
	rows := churnRows(b)
	tr, va := training.StratifiedSplit(rows.Y, 0.2, 1)
	fit, valid := rows.Subset(tr), rows.Subset(va)
	for b.Loop() {
		if _, err := model.FitGBT(fit.X, fit.Y, valid.X, valid.Y, model.DefaultGBTConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// synthRows returns n rows of p features with a nonlinear signal and 5%
// missing values.
func synthRows(n, p int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	X := make([][]float64, n)
	y := make([]float64, n)
	back := make([]float64, n*p)
	for i := range X {
		x := back[i*p : (i+1)*p : (i+1)*p]
		for j := range x {
			x[j] = rng.NormFloat64()
			if j%3 == 2 {
				x[j] = math.Round(x[j] * 3)
			}
			if rng.Float64() < 0.05 {
				x[j] = math.NaN()
			}
		}
		z := 0.0
		if !math.IsNaN(x[0]) && !math.IsNaN(x[1]) {
			z = 1.5 * x[0] * x[1]
		}
		if !math.IsNaN(x[2]) {
			z += math.Abs(x[2]) - 1
		}
		X[i] = x
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	return X, y
}

// BenchmarkGBTFitLarge fits 600,000 rows x 45 features (GBT_BENCH_ROWS
// overrides the row count).
func BenchmarkGBTFitLarge(b *testing.B) {
	n := 600000
	if v, err := strconv.Atoi(os.Getenv("GBT_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	X, y := synthRows(n, 45, 1)
	Xv, yv := synthRows(n/10, 45, 2)
	for b.Loop() {
		m, err := model.FitGBT(X, y, Xv, yv, model.DefaultGBTConfig())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.Rounds), "rounds")
	}
}

// BenchmarkGBTRaw scores one row with 300 trees of depth 6.
func BenchmarkGBTRaw(b *testing.B) {
	X, y := synthRows(20000, 45, 1)
	cfg := model.DefaultGBTConfig()
	cfg.Trees, cfg.MaxDepth, cfg.MaxLeaves, cfg.EarlyStoppingRounds = 300, 6, 64, -1
	m, err := model.FitGBT(X, y, nil, nil, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	s := 0.0
	i := 0
	for b.Loop() {
		s += m.Raw(X[i%len(X)])
		i++
	}
	if math.IsNaN(s) {
		b.Fatal("NaN score")
	}
}

// BenchmarkGBTFitMonotone fits 100,000 rows x 45 features for 100 rounds
// (no early stopping) without and with monotone constraints on every other
// feature, so that the two runs do the same number of rounds.
func BenchmarkGBTFitMonotone(b *testing.B) {
	X, y := synthRows(100000, 45, 1)
	mono := make([]int8, 45)
	for j := range mono {
		mono[j] = int8(j%2) * int8(1-2*(j/2%2))
	}
	for _, c := range []struct {
		name string
		mono []int8
	}{{"free", nil}, {"monotone", mono}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := model.DefaultGBTConfig()
			cfg.Trees, cfg.EarlyStoppingRounds, cfg.Monotone = 100, -1, c.mono
			for b.Loop() {
				if _, err := model.FitGBT(X, y, nil, nil, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
