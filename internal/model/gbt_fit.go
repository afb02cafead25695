package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// GBTConfig configures FitGBT. Start from DefaultGBTConfig; a zero Trees,
// LearningRate, MaxDepth, MaxLeaves, MinLeafRows, RowSample, ColSample,
// MaxBins or EarlyStoppingRounds takes the default value, while L2,
// MinChildHessian, Seed and ClassWeight are used as given.
type GBTConfig struct {
	// Trees is the maximum number of boosting rounds (one tree each).
	Trees int
	// LearningRate (shrinkage) multiplies every leaf value; in (0, 1].
	LearningRate float64
	// MaxDepth bounds the depth of a tree (the root has depth 0); a
	// negative value means no depth limit.
	MaxDepth int
	// MaxLeaves bounds the leaves of a tree, grown best gain first; a
	// negative value means no limit.
	MaxLeaves int
	// MinLeafRows is the smallest number of (sampled) training rows in a leaf.
	MinLeafRows int
	// MinChildHessian is the smallest sum of Hessians (p(1-p), times the
	// class weight) in a leaf; >= 0.
	MinChildHessian float64
	// L2 is the ridge penalty on leaf values (lambda in -G/(H+lambda)); >= 0.
	L2 float64
	// RowSample is the share of training rows drawn (without replacement,
	// each row independently) for every tree; in (0, 1].
	RowSample float64
	// ColSample is the share of the usable features drawn for every tree;
	// in (0, 1].
	ColSample float64
	// MaxBins is the number of quantile bins per feature, in [2, 255];
	// missing values have a bin of their own on top.
	MaxBins int
	// EarlyStoppingRounds stops the boosting when the validation log loss
	// has not improved for that many rounds; negative disables early
	// stopping. Without validation rows there is no early stopping.
	EarlyStoppingRounds int
	// Seed seeds the PCG generator of the row and column subsampling.
	Seed uint64
	// ClassWeight is "" (every row weighs 1, probabilities stay
	// calibrated) or "balanced" (rows weigh n/(2*n_class), the validation
	// log loss too).
	ClassWeight string
	// Monotone holds a monotone constraint per feature, as LightGBM's and
	// XGBoost's monotone_constraints: +1 means the prediction never
	// decreases when the feature grows and every other feature stays, -1
	// never increases, 0 leaves the feature free. Empty (or all 0) means no
	// constraint; otherwise its length is the number of features. A
	// missing value is not ordered: it keeps its learnt default direction.
	Monotone []int8
}

// DefaultGBTConfig returns the defaults: 500 rounds at most with early
// stopping after 30 rounds without improvement, learning rate 0.05, up to
// 31 leaves and depth 6, 20 rows per leaf, L2 1, 80% of the rows and of the
// features per tree, 255 bins, seed 1, no class weights.
func DefaultGBTConfig() GBTConfig {
	return GBTConfig{
		Trees: 500, LearningRate: 0.05, MaxDepth: 6, MaxLeaves: 31, MinLeafRows: 20,
		MinChildHessian: 1e-3, L2: 1, RowSample: 0.8, ColSample: 0.8, MaxBins: 255,
		EarlyStoppingRounds: 30, Seed: 1,
	}
}

const (
	gbtMissingBin = 255
	gbtHistBins   = 256
	// gbtChunkRows is the fixed number of rows per work unit of the
	// row-wise passes (gradients, validation scores).
	gbtChunkRows = 8192
	// gbtParallelWork is the number of row x feature cells below which a
	// histogram pass runs on one goroutine.
	gbtParallelWork = 16384
	// gbtMinGain is the smallest split gain worth a split.
	gbtMinGain = 1e-10
	// gbtStopTol is the smallest decrease of the validation log loss that
	// counts as an improvement.
	gbtStopTol = 1e-7
	// gbtStaleStumps stops the boosting after that many consecutive trees
	// without a split.
	gbtStaleStumps = 10
)

// FitGBT fits gradient-boosted trees for the log loss of y (0 or 1) on the
// rows of X. Features are cut into quantile bins learnt from X; NaN is a
// missing value routed by a learnt default direction per split. Trees grow
// best gain first from gradient/Hessian histograms (the larger child's
// histogram is the parent's minus the smaller child's). When Xvalid has rows,
// the validation log loss is tracked after every round, boosting stops after
// cfg.EarlyStoppingRounds rounds without improvement, and the trees up to the
// best round are kept.
//
// Histograms and split searches are spread over all cores feature by
// feature, and every sum is made in a fixed order, so the same data and
// seed give a bit-identical model whatever GOMAXPROCS is.
//
// It returns an error (never panics) for empty data, ragged rows, ±Inf
// values, labels other than 0 and 1, a single class in y (wrapping
// ErrSingleClass), validation rows that do not match, or an invalid
// configuration. Constant or all-missing columns are never split on.
func FitGBT(X [][]float64, y []float64, Xvalid [][]float64, yvalid []float64, cfg GBTConfig) (*GBT, error) {
	p, err := checkTrainingData(X, y)
	if err != nil {
		return nil, fmt.Errorf("fit gbt: %w", err)
	}
	if err := checkValidData(Xvalid, yvalid, p); err != nil {
		return nil, fmt.Errorf("fit gbt: validation data: %w", err)
	}
	if err := cfg.resolve(); err != nil {
		return nil, fmt.Errorf("fit gbt: %w", err)
	}
	if err := checkMonotone(cfg.Monotone, p); err != nil {
		return nil, fmt.Errorf("fit gbt: %w", err)
	}
	f := newGBTFitter(X, y, p, cfg)
	return f.fit(Xvalid, yvalid), nil
}

// checkValidData validates the optional validation rows against p features.
func checkValidData(X [][]float64, y []float64, p int) error {
	if len(X) != len(y) {
		return fmt.Errorf("%d rows but %d labels", len(X), len(y))
	}
	for i, row := range X {
		if len(row) != p {
			return fmt.Errorf("row %d has %d features, want %d", i, len(row), p)
		}
		for j, v := range row {
			if math.IsInf(v, 0) {
				return fmt.Errorf("row %d feature %d: infinite value", i, j)
			}
		}
		if y[i] != 0 && y[i] != 1 {
			return fmt.Errorf("row %d: label %v is not 0 or 1", i, y[i])
		}
	}
	return nil
}

// checkMonotone validates monotone constraints for p features.
func checkMonotone(c []int8, p int) error {
	if len(c) != 0 && len(c) != p {
		return fmt.Errorf("Monotone has %d constraints for %d features", len(c), p)
	}
	for j, v := range c {
		if v < -1 || v > 1 {
			return fmt.Errorf("Monotone constraint of feature %d is %d, want -1, 0 or 1", j, v)
		}
	}
	return nil
}

// activeMonotone returns c, or nil when it constrains no feature.
func activeMonotone(c []int8) []int8 {
	for _, v := range c {
		if v != 0 {
			return c
		}
	}
	return nil
}

// resolve fills the defaults and validates cfg.
func (c *GBTConfig) resolve() error {
	d := DefaultGBTConfig()
	if c.Trees == 0 {
		c.Trees = d.Trees
	}
	if c.LearningRate == 0 {
		c.LearningRate = d.LearningRate
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = d.MaxDepth
	}
	if c.MaxLeaves == 0 {
		c.MaxLeaves = d.MaxLeaves
	}
	if c.MinLeafRows == 0 {
		c.MinLeafRows = d.MinLeafRows
	}
	if c.RowSample == 0 {
		c.RowSample = d.RowSample
	}
	if c.ColSample == 0 {
		c.ColSample = d.ColSample
	}
	if c.MaxBins == 0 {
		c.MaxBins = d.MaxBins
	}
	if c.EarlyStoppingRounds == 0 {
		c.EarlyStoppingRounds = d.EarlyStoppingRounds
	}
	switch {
	case c.Trees < 0:
		return fmt.Errorf("Trees must be > 0, got %d", c.Trees)
	case !(c.LearningRate > 0 && c.LearningRate <= 1):
		return fmt.Errorf("LearningRate must be in (0, 1], got %v", c.LearningRate)
	case c.MaxLeaves == 1:
		return errors.New("MaxLeaves must be at least 2 (or negative for no limit)")
	case c.MinLeafRows < 0:
		return fmt.Errorf("MinLeafRows must be >= 1, got %d", c.MinLeafRows)
	case !(c.MinChildHessian >= 0) || math.IsInf(c.MinChildHessian, 0):
		return fmt.Errorf("MinChildHessian must be a finite value >= 0, got %v", c.MinChildHessian)
	case !(c.L2 >= 0) || math.IsInf(c.L2, 0):
		return fmt.Errorf("L2 must be a finite value >= 0, got %v", c.L2)
	case !(c.RowSample > 0 && c.RowSample <= 1):
		return fmt.Errorf("RowSample must be in (0, 1], got %v", c.RowSample)
	case !(c.ColSample > 0 && c.ColSample <= 1):
		return fmt.Errorf("ColSample must be in (0, 1], got %v", c.ColSample)
	case c.MaxBins < 2 || c.MaxBins > 255:
		return fmt.Errorf("MaxBins must be in [2, 255], got %d", c.MaxBins)
	case c.ClassWeight != "" && c.ClassWeight != "balanced":
		return fmt.Errorf("ClassWeight must be \"\" or \"balanced\", got %q", c.ClassWeight)
	}
	return nil
}

// gbtFitter holds the binned training data and the boosting state.
type gbtFitter struct {
	cfg     GBTConfig
	n, p    int
	y       []float64
	w       []float64 // row weights, nil when all rows weigh 1
	wPos    float64   // weight of a positive row
	wNeg    float64   // weight of a negative row
	bins    []uint8   // column-major: feature j at bins[j*n : (j+1)*n]
	nb      []int     // value bins per feature
	edges   [][]float64
	usable  []int  // features with at least two value bins, or one and missing values
	mono    []int8 // monotone constraint per feature; nil when there is none
	workers int
	rng     *rand.Rand

	g, h, raw []float64
	idx, oob  []int32 // in-bag rows (partitioned by node), out-of-bag rows
	tmp       []int32
	gh        []ghPair
	pool      [][]binStat

	// per tree
	feats  []int // features this tree may split on, ascending
	nodes  []GBTNode
	nodeG  []float64
	nodeH  []float64
	nodeSB []int // split bin of each split node
	nodeLo []float64
	nodeHi []float64 // weight bounds of each node (monotone constraints)
	segs   [][2]int
	gain   []float64
}

func newGBTFitter(X [][]float64, y []float64, p int, cfg GBTConfig) *gbtFitter {
	n := len(X)
	f := &gbtFitter{cfg: cfg, n: n, p: p, y: y, workers: max(1, runtime.GOMAXPROCS(0)),
		bins: make([]uint8, n*p), nb: make([]int, p), edges: make([][]float64, p),
		wPos: 1, wNeg: 1, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6762745f73656564)), mono: activeMonotone(cfg.Monotone)}
	hasMissing := make([]bool, p)
	parallelFor(p, f.workers, func(j int) {
		f.edges[j], hasMissing[j] = binColumn(X, j, cfg.MaxBins, f.bins[j*n:(j+1)*n])
		f.nb[j] = len(f.edges[j]) + 1
	})
	for j := range p {
		// A column with a single value bin still splits "present vs
		// missing" when it has both; an all-missing column never splits.
		if f.nb[j] >= 2 || hasMissing[j] && f.hasValues(j) {
			f.usable = append(f.usable, j)
		}
	}
	if cfg.ClassWeight == "balanced" {
		pos := 0.0
		for _, v := range y {
			pos += v
		}
		f.wPos, f.wNeg = float64(n)/(2*pos), float64(n)/(2*(float64(n)-pos))
		f.w = make([]float64, n)
		for i, v := range y {
			f.w[i] = f.wNeg
			if v == 1 {
				f.w[i] = f.wPos
			}
		}
	}
	return f
}

// hasValues reports whether column j has a non-missing value.
func (f *gbtFitter) hasValues(j int) bool {
	for _, b := range f.bins[j*f.n : (j+1)*f.n] {
		if b != gbtMissingBin {
			return true
		}
	}
	return false
}

// binColumn learns the bin edges of column j and writes the bin of every
// row into col (gbtMissingBin for NaN). It reports whether NaN occurs.
func binColumn(X [][]float64, j, maxBins int, col []uint8) ([]float64, bool) {
	vals := make([]float64, 0, len(X))
	for _, row := range X {
		if v := row[j]; !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	edges := quantileEdges(vals, maxBins)
	missing := false
	for i, row := range X {
		v := row[j]
		if math.IsNaN(v) {
			col[i] = gbtMissingBin
			missing = true
			continue
		}
		b, _ := slices.BinarySearch(edges, v)
		col[i] = uint8(b)
	}
	return edges, missing
}

// quantileEdges returns at most maxBins-1 ascending edges for the sorted
// values: between every pair of distinct neighbours when there are at most
// maxBins distinct values, else at the quantiles, so that every bin holds
// about len(sorted)/maxBins values (a frequent value gets a bin of its own).
// An edge is the midpoint of the two distinct values it separates.
func quantileEdges(sorted []float64, maxBins int) []float64 {
	type run struct {
		v float64
		n int
	}
	var runs []run
	for _, v := range sorted {
		if len(runs) > 0 && runs[len(runs)-1].v == v {
			runs[len(runs)-1].n++
		} else {
			runs = append(runs, run{v, 1})
		}
	}
	if len(runs) < 2 {
		return nil
	}
	edges := make([]float64, 0, min(len(runs)-1, maxBins-1))
	m := len(sorted)
	cum, next := 0, 1
	for k := 0; k < len(runs)-1 && len(edges) < maxBins-1; k++ {
		cum += runs[k].n
		if len(runs) > maxBins {
			// Place an edge once the running count reaches the next quantile.
			if cum*maxBins < next*m {
				continue
			}
			next = cum*maxBins/m + 1
		}
		a, b := runs[k].v, runs[k+1].v
		mid := a/2 + b/2
		if !(mid >= a && mid < b) {
			mid = a
		}
		edges = append(edges, mid)
	}
	return edges
}

// parallelFor calls fn(0..n-1) on up to workers goroutines. The caller
// makes every fn(i) independent of the others, so the result does not
// depend on the scheduling.
func parallelFor(n, workers int, fn func(i int)) {
	if workers <= 1 || n <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// weight returns the weight of row i.
func (f *gbtFitter) weight(i int) float64 {
	if f.w == nil {
		return 1
	}
	return f.w[i]
}

// fit runs the boosting rounds.
func (f *gbtFitter) fit(Xvalid [][]float64, yvalid []float64) *GBT {
	cfg := f.cfg
	n := f.n
	m := &GBT{NumFeatures: f.p, LearningRate: cfg.LearningRate, Edges: f.edges}

	// Base score: the weighted log-odds of the training labels.
	var sw, swy float64
	for i, v := range f.y {
		w := f.weight(i)
		sw += w
		swy += w * v
	}
	m.BaseScore = math.Log(swy / (sw - swy))

	f.g, f.h, f.raw = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range f.raw {
		f.raw[i] = m.BaseScore
	}
	f.idx, f.tmp, f.gh = make([]int32, 0, n), make([]int32, n), make([]ghPair, n)
	f.gain = make([]float64, f.p)

	// Validation state; the class weights, if any, are the training ones.
	nv := len(Xvalid)
	early := nv > 0 && cfg.EarlyStoppingRounds > 0
	var rawV, wV []float64
	if nv > 0 {
		rawV, wV = make([]float64, nv), make([]float64, nv)
		for i := range rawV {
			rawV[i] = m.BaseScore
			wV[i] = f.wNeg
			if yvalid[i] == 1 {
				wV[i] = f.wPos
			}
		}
	}
	validLoss := func() float64 {
		var l, s float64
		for i, r := range rawV {
			l += wV[i] * (softplus(r) - yvalid[i]*r)
			s += wV[i]
		}
		return l / s
	}
	var bestLoss float64
	if nv > 0 {
		bestLoss = validLoss()
	}
	bestRound := 0
	var trees []GBTTree
	var gains [][]float64
	stumps := 0

	for round := 1; round <= cfg.Trees; round++ {
		f.gradients()
		f.sample()
		tree := f.grow()
		trees = append(trees, tree)
		gains = append(gains, slices.Clone(f.gain))
		f.update(&tree)
		if nv > 0 {
			parallelFor((nv+gbtChunkRows-1)/gbtChunkRows, f.workers, func(c int) {
				for i := c * gbtChunkRows; i < min(nv, (c+1)*gbtChunkRows); i++ {
					rawV[i] += tree.value(Xvalid[i])
				}
			})
			if l := validLoss(); l < bestLoss-gbtStopTol {
				bestLoss, bestRound = l, round
			}
		} else {
			bestRound = round
		}
		if len(tree.Nodes) == 1 {
			stumps++
		} else {
			stumps = 0
		}
		if early && round-bestRound >= cfg.EarlyStoppingRounds || stumps >= gbtStaleStumps {
			break
		}
	}
	m.RoundsRun = len(trees)
	if nv > 0 && !early {
		bestRound = len(trees)
		bestLoss = validLoss()
	}
	m.Trees = trees[:bestRound:bestRound]
	defer m.compile()
	m.Rounds = bestRound
	if nv > 0 {
		m.ValidLogLoss = bestLoss
	}
	m.Importances = make([]float64, f.p)
	total := 0.0
	for _, g := range gains[:bestRound] {
		for j, v := range g {
			m.Importances[j] += v
			total += v
		}
	}
	if total > 0 {
		for j := range m.Importances {
			m.Importances[j] /= total
		}
	}
	return m
}

// gradients computes the log-loss gradient and Hessian of every row.
func (f *gbtFitter) gradients() {
	parallelFor((f.n+gbtChunkRows-1)/gbtChunkRows, f.workers, func(c int) {
		for i := c * gbtChunkRows; i < min(f.n, (c+1)*gbtChunkRows); i++ {
			pr := sigmoidStable(f.raw[i])
			w := f.weight(i)
			f.g[i] = w * (pr - f.y[i])
			f.h[i] = w * pr * (1 - pr)
		}
	})
}

// sample draws the in-bag rows and the features of the next tree.
func (f *gbtFitter) sample() {
	f.idx, f.oob = f.idx[:0], f.oob[:0]
	if f.cfg.RowSample >= 1 {
		for i := range f.n {
			f.idx = append(f.idx, int32(i))
		}
	} else {
		for i := range f.n {
			if f.rng.Float64() < f.cfg.RowSample {
				f.idx = append(f.idx, int32(i))
			} else {
				f.oob = append(f.oob, int32(i))
			}
		}
		if len(f.idx) == 0 {
			f.idx, f.oob = append(f.idx, f.oob...), f.oob[:0]
		}
	}
	k := len(f.usable)
	if f.cfg.ColSample < 1 {
		k = max(1, int(math.Round(f.cfg.ColSample*float64(k))))
	}
	f.feats = append(f.feats[:0], f.usable...)
	for c := range min(k, len(f.feats)) {
		r := c + f.rng.IntN(len(f.feats)-c)
		f.feats[c], f.feats[r] = f.feats[r], f.feats[c]
	}
	f.feats = f.feats[:min(k, len(f.feats))]
	slices.Sort(f.feats)
}

// update adds the new tree's values to the raw training scores: in-bag rows
// by the leaf they were partitioned into, out-of-bag rows by walking the
// binned tree.
func (f *gbtFitter) update(t *GBTTree) {
	for i, nd := range t.Nodes {
		if nd.Feature >= 0 {
			continue
		}
		for _, r := range f.idx[f.segs[i][0]:f.segs[i][1]] {
			f.raw[r] += nd.Value
		}
	}
	for _, r := range f.oob {
		i := int32(0)
		for {
			nd := &t.Nodes[i]
			if nd.Feature < 0 {
				f.raw[r] += nd.Value
				break
			}
			b := f.bins[int(nd.Feature)*f.n+int(r)]
			if b == gbtMissingBin && nd.MissingLeft || b != gbtMissingBin && int(b) <= f.nodeSB[i] {
				i = nd.Left
			} else {
				i = nd.Right
			}
		}
	}
}
