package model

import (
	"encoding/json"
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

// GBT is a fitted gradient-boosted trees classifier: Raw(x) is BaseScore
// plus the value of the leaf x reaches in every tree. Its exported fields are
// all it needs to predict, so it marshals to JSON deterministically and
// unmarshals to an identical predictor (call Check on a loaded model).
type GBT struct {
	NumFeatures  int     `json:"num_features"`
	BaseScore    float64 `json:"base_score"`
	LearningRate float64 `json:"learning_rate"`
	// Rounds is the number of trees kept: the best iteration on the
	// validation data, or every round fitted without validation data.
	Rounds int `json:"rounds"`
	// RoundsRun is the number of rounds fitted before boosting stopped.
	RoundsRun int `json:"rounds_run"`
	// ValidLogLoss is the validation log loss at Rounds (0 without
	// validation data).
	ValidLogLoss float64 `json:"valid_log_loss"`
	// Edges holds, per feature, the ascending upper edges of the quantile
	// bins learnt from the training rows (a value v is in bin b when
	// Edges[b-1] < v <= Edges[b]); split thresholds are taken from them.
	Edges [][]float64 `json:"bin_edges"`
	// Importances is the total split gain per feature over the kept trees,
	// normalised to sum to 1 (all zero when no tree split).
	Importances []float64 `json:"importances"`
	Trees       []GBTTree `json:"trees"`

	// flat is a compact copy of Trees for Raw (nil: Raw walks Trees);
	// leaf values are in vals, at the same index.
	flat []gbtFlatNode
	vals []float64
	// roots holds the index in flat of every tree's root; depths the
	// largest depth of every group of gbtLanes trees.
	roots  []int32
	depths []int32
	// exps holds, per tree and node, the cover-weighted mean leaf value of
	// the node's subtree (Contributions walks them).
	exps [][]float64
}

// gbtFlatNode is a node of GBT.flat: a split on feature key>>1 at threshold
// v whose missing values go left when key&1 is set, with children at left
// and left+1. A leaf is a split on feature 0 at threshold NaN with missing
// values left and left pointing at itself, so that walking on from a leaf
// stays there.
type gbtFlatNode struct {
	v    float64
	key  int32
	left int32
}

// gbtLanes is the number of trees Raw walks side by side.
const gbtLanes = 4

// GBTTree is one boosted tree; Nodes[0] is the root and children always
// come after their parent.
type GBTTree struct {
	Nodes []GBTNode `json:"nodes"`
}

// GBTNode is a split (Feature >= 0) or a leaf (Feature == -1). A split sends
// x to Left when x[Feature] <= Threshold, to Right when it is greater, and a
// missing (NaN) value to Left when MissingLeft is set, else to Right.
// FitGBT always puts Right at Left+1, which Raw's fast path needs (a loaded
// model without it is scored by a slower walk). Value is the leaf value
// (learning rate included). Cover
// is the number of sampled training rows that reached the node (TreeSHAP
// weighs by it).
type GBTNode struct {
	Feature     int32   `json:"f"`
	Left        int32   `json:"l,omitempty"`
	Right       int32   `json:"r,omitempty"`
	MissingLeft bool    `json:"ml,omitempty"`
	Threshold   float64 `json:"t,omitempty"`
	Value       float64 `json:"v,omitempty"`
	Cover       float64 `json:"c"`
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

// binStat is one histogram cell: the sums of gradients and Hessians and the
// number of rows whose value falls in the bin.
type binStat struct {
	g, h float64
	n    int32
}

// ghPair is the gradient and Hessian of one row.
type ghPair struct{ g, h float64 }

// gbtSplit is a candidate split of a node on one feature.
type gbtSplit struct {
	gain        float64
	feature     int
	bin         int // bins <= bin go left
	missingLeft bool
	ok          bool
	// wl and wr are the children's leaf weights (before the learning
	// rate) within the leaf's bounds; set under monotone constraints only.
	wl, wr float64
}

// gbtLeaf is a node that may still be split.
type gbtLeaf struct {
	node       int32
	start, end int // segment of gbtFitter.idx
	depth      int
	hist       []binStat
	best       gbtSplit
	// lo and hi bound the weight of every leaf below this node (monotone
	// constraints; ±Inf otherwise).
	lo, hi float64
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

// getHist returns a histogram buffer (not cleared) for p features.
func (f *gbtFitter) getHist() []binStat {
	if k := len(f.pool); k > 0 {
		h := f.pool[k-1]
		f.pool = f.pool[:k-1]
		return h
	}
	return make([]binStat, f.p*gbtHistBins)
}

func (f *gbtFitter) putHist(h []binStat) {
	if h != nil {
		f.pool = append(f.pool, h)
	}
}

// addNode appends a leaf node over the rows idx[start:end], whose weight
// stays within [lo, hi], and returns it.
func (f *gbtFitter) addNode(start, end, depth int, lo, hi float64) gbtLeaf {
	var G, H float64
	for _, r := range f.idx[start:end] {
		G += f.g[r]
		H += f.h[r]
	}
	id := int32(len(f.nodes))
	f.nodes = append(f.nodes, GBTNode{Feature: -1, Cover: float64(end - start)})
	f.nodeG = append(f.nodeG, G)
	f.nodeH = append(f.nodeH, H)
	f.nodeSB = append(f.nodeSB, 0)
	f.segs = append(f.segs, [2]int{start, end})
	f.nodeLo = append(f.nodeLo, lo)
	f.nodeHi = append(f.nodeHi, hi)
	return gbtLeaf{node: id, start: start, end: end, depth: depth, lo: lo, hi: hi}
}

// splittable reports whether a leaf may be split at all.
func (f *gbtFitter) splittable(l *gbtLeaf) bool {
	cfg := &f.cfg
	return (cfg.MaxDepth < 0 || l.depth < cfg.MaxDepth) && l.end-l.start >= 2*cfg.MinLeafRows &&
		f.nodeH[l.node] >= 2*cfg.MinChildHessian && len(f.feats) > 0
}

// gather copies the gradients of the rows of a leaf into f.gh.
func (f *gbtFitter) gather(l *gbtLeaf) []ghPair {
	gh := f.gh[:l.end-l.start]
	for k, r := range f.idx[l.start:l.end] {
		gh[k] = ghPair{f.g[r], f.h[r]}
	}
	return gh
}

// buildFeature fills the histogram of feature j over the rows of leaf l
// (whose gradients are gh).
func (f *gbtFitter) buildFeature(hist []binStat, j int, l *gbtLeaf, gh []ghPair) {
	hj := hist[j*gbtHistBins : (j+1)*gbtHistBins : (j+1)*gbtHistBins]
	clear(hj)
	col := f.bins[j*f.n : (j+1)*f.n]
	for k, r := range f.idx[l.start:l.end] {
		b := &hj[col[r]]
		b.g += gh[k].g
		b.h += gh[k].h
		b.n++
	}
}

// bestFeatureSplit finds the best split of leaf l on feature j from its
// histogram, trying missing values on either side.
//
// Under monotone constraints (as XGBoost does), the children's weights are
// clamped to the leaf's bounds, the gain is measured with the clamped
// weights, and a split that orders the values of a constrained feature is
// rejected when its low side would weigh more than its high side (+1) or
// less (-1).
func (f *gbtFitter) bestFeatureSplit(hist []binStat, j int, l *gbtLeaf) gbtSplit {
	hj := hist[j*gbtHistBins : (j+1)*gbtHistBins]
	G, H := f.nodeG[l.node], f.nodeH[l.node]
	N := int32(l.end - l.start)
	lambda, minRows, minHess := f.cfg.L2, int32(f.cfg.MinLeafRows), f.cfg.MinChildHessian
	score := func(g, h float64) float64 { return g * g / (h + lambda) }
	parent := score(G, H)
	var dir int8
	mono := f.mono != nil
	weight := func(g, h float64) float64 { return clampWeight(-g/(h+lambda), l.lo, l.hi) }
	// scoreAt is the loss reduction of weight w, equal to score(g, h) at
	// the unclamped weight.
	scoreAt := func(g, h, w float64) float64 { return -(2*g*w + (h+lambda)*w*w) }
	if mono {
		dir = f.mono[j]
		parent = scoreAt(G, H, weight(G, H))
	}
	nb := f.nb[j]
	miss := hj[gbtMissingBin]
	best := gbtSplit{feature: j}
	try := func(gl, hl float64, nl int32, bin int, missLeft bool) {
		gr, hr, nr := G-gl, H-hl, N-nl
		if nl < minRows || nr < minRows || hl < minHess || hr < minHess || !(hl+lambda > 0) || !(hr+lambda > 0) {
			return
		}
		var gain, wl, wr float64
		if mono {
			wl, wr = weight(gl, hl), weight(gr, hr)
			if bin < nb-1 && (dir > 0 && wl > wr || dir < 0 && wl < wr) {
				return
			}
			gain = scoreAt(gl, hl, wl) + scoreAt(gr, hr, wr) - parent
		} else {
			gain = score(gl, hl) + score(gr, hr) - parent
		}
		if gain > best.gain {
			best = gbtSplit{gain: gain, feature: j, bin: bin, missingLeft: missLeft, ok: true, wl: wl, wr: wr}
		}
	}
	var gl, hl float64
	var nl int32
	for b := range nb - 1 {
		gl += hj[b].g
		hl += hj[b].h
		nl += hj[b].n
		if miss.n == 0 {
			// No missing value here: at prediction a missing value
			// follows the larger side.
			try(gl, hl, nl, b, nl >= N-nl)
			continue
		}
		try(gl, hl, nl, b, false)
		try(gl+miss.g, hl+miss.h, nl+miss.n, b, true)
	}
	if miss.n > 0 {
		// Every present value left, missing values right.
		try(G-miss.g, H-miss.h, N-miss.n, nb-1, false)
	}
	return best
}

// findSplits computes the histograms of the leaves in build (from their
// rows), derives sub (when not nil) as parent minus build[0] in place, and
// sets the best split of every leaf in want, using all cores feature by
// feature.
func (f *gbtFitter) findSplits(build *gbtLeaf, sub *gbtLeaf, want []*gbtLeaf) {
	gh := f.gather(build)
	work := (build.end - build.start) * len(f.feats)
	workers := f.workers
	if work < gbtParallelWork {
		workers = 1
	}
	res := make([]gbtSplit, len(want)*len(f.feats))
	parallelFor(len(f.feats), workers, func(k int) {
		j := f.feats[k]
		f.buildFeature(build.hist, j, build, gh)
		if sub != nil {
			ps := sub.hist[j*gbtHistBins : (j+1)*gbtHistBins]
			bs := build.hist[j*gbtHistBins : (j+1)*gbtHistBins]
			for b := range ps {
				ps[b].g -= bs[b].g
				ps[b].h -= bs[b].h
				ps[b].n -= bs[b].n
			}
		}
		for w, l := range want {
			res[w*len(f.feats)+k] = f.bestFeatureSplit(l.hist, j, l)
		}
	})
	for w, l := range want {
		l.best = gbtSplit{}
		for k := range f.feats {
			if s := res[w*len(f.feats)+k]; s.ok && s.gain > l.best.gain {
				l.best = s
			}
		}
	}
}

// grow grows one tree on the in-bag rows and returns it; f.gain holds the
// gain per feature of its splits.
func (f *gbtFitter) grow() GBTTree {
	cfg := &f.cfg
	f.nodes, f.nodeG, f.nodeH, f.nodeSB, f.segs = f.nodes[:0], f.nodeG[:0], f.nodeH[:0], f.nodeSB[:0], f.segs[:0]
	f.nodeLo, f.nodeHi = f.nodeLo[:0], f.nodeHi[:0]
	clear(f.gain)
	root := f.addNode(0, len(f.idx), 0, math.Inf(-1), math.Inf(1))
	var open []*gbtLeaf
	if f.splittable(&root) {
		root.hist = f.getHist()
		f.findSplits(&root, nil, []*gbtLeaf{&root})
		open = append(open, &root)
	}
	leaves := 1
	for cfg.MaxLeaves < 0 || leaves < cfg.MaxLeaves {
		bi := -1
		for i, l := range open {
			if l.best.ok && l.best.gain > gbtMinGain && (bi < 0 || l.best.gain > open[bi].best.gain) {
				bi = i
			}
		}
		if bi < 0 {
			break
		}
		par := open[bi]
		open = slices.Delete(open, bi, bi+1)
		s := par.best
		mid := f.partition(par, s)
		llo, lhi, rlo, rhi := f.childBounds(par, s)
		left := f.addNode(par.start, mid, par.depth+1, llo, lhi)
		right := f.addNode(mid, par.end, par.depth+1, rlo, rhi)
		thr := math.MaxFloat64
		if s.bin < f.nb[s.feature]-1 {
			thr = f.edges[s.feature][s.bin]
		}
		nd := &f.nodes[par.node]
		nd.Feature, nd.Threshold, nd.MissingLeft = int32(s.feature), thr, s.missingLeft
		nd.Left, nd.Right = left.node, right.node
		f.nodeSB[par.node] = s.bin
		f.gain[s.feature] += s.gain
		leaves++

		small, large := &left, &right
		if right.end-right.start < left.end-left.start {
			small, large = &right, &left
		}
		okSmall, okLarge := f.splittable(small), f.splittable(large)
		if cfg.MaxLeaves >= 0 && leaves >= cfg.MaxLeaves {
			okSmall, okLarge = false, false
		}
		var want []*gbtLeaf
		switch {
		case okLarge:
			small.hist = f.getHist()
			large.hist = par.hist
			if okSmall {
				want = []*gbtLeaf{small, large}
			} else {
				want = []*gbtLeaf{large}
			}
			f.findSplits(small, large, want)
		case okSmall:
			small.hist = f.getHist()
			f.findSplits(small, nil, []*gbtLeaf{small})
			f.putHist(par.hist)
		default:
			f.putHist(par.hist)
		}
		par.hist = nil
		if okSmall {
			open = append(open, small)
		} else {
			f.putHist(small.hist)
			small.hist = nil
		}
		if okLarge {
			open = append(open, large)
		}
	}
	for _, l := range open {
		f.putHist(l.hist)
		l.hist = nil
	}
	nodes := slices.Clone(f.nodes)
	for i := range nodes {
		if nodes[i].Feature < 0 {
			v := -f.nodeG[i] / (f.nodeH[i] + cfg.L2)
			if !isFinite(v) {
				v = 0
			}
			if f.mono != nil {
				v = clampWeight(v, f.nodeLo[i], f.nodeHi[i])
			}
			nodes[i].Value = v * cfg.LearningRate
		}
	}
	return GBTTree{Nodes: nodes}
}

// childBounds returns the weight bounds of the children of par split by s.
// They inherit the parent's; a split that orders the values of a
// constrained feature also cuts them at the midpoint of the two children's
// weights, so that every leaf on the low side stays at or below every leaf
// on the high side (for +1; the other way round for -1), whatever splits
// follow. A "present vs missing" split does not order values.
func (f *gbtFitter) childBounds(par *gbtLeaf, s gbtSplit) (llo, lhi, rlo, rhi float64) {
	llo, lhi, rlo, rhi = par.lo, par.hi, par.lo, par.hi
	if f.mono == nil || s.bin >= f.nb[s.feature]-1 {
		return
	}
	mid := s.wl/2 + s.wr/2
	switch f.mono[s.feature] {
	case 1:
		lhi, rlo = mid, mid
	case -1:
		llo, rhi = mid, mid
	}
	return
}

// clampWeight returns w within [lo, hi].
func clampWeight(w, lo, hi float64) float64 {
	if w < lo {
		return lo
	}
	if w > hi {
		return hi
	}
	return w
}

// partition reorders the rows of leaf l, keeping their order, so that the
// rows going left come first, and returns the first row going right.
func (f *gbtFitter) partition(l *gbtLeaf, s gbtSplit) int {
	col := f.bins[s.feature*f.n : (s.feature+1)*f.n]
	seg := f.idx[l.start:l.end]
	nl, nr := 0, 0
	for _, r := range seg {
		b := col[r]
		if b == gbtMissingBin && s.missingLeft || b != gbtMissingBin && int(b) <= s.bin {
			seg[nl] = r
			nl++
		} else {
			f.tmp[nr] = r
			nr++
		}
	}
	copy(seg[nl:], f.tmp[:nr])
	return l.start + nl
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

// value returns the leaf value x reaches in t; x has every feature. The
// right child of a split is always Left+1, so the walk needs no branch on
// the comparison.
func (t *GBTTree) value(x []float64) float64 {
	nodes := t.Nodes
	i := int32(0)
	for {
		nd := &nodes[i]
		if nd.Feature < 0 {
			return nd.Value
		}
		v := x[nd.Feature]
		right := !nd.MissingLeft
		if v == v {
			right = v > nd.Threshold
		}
		i = nd.Left + int32(b2i(right))
	}
}

// b2i returns 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// next returns the child of split node nd that x goes to; a feature
// beyond len(x) is missing.
func (nd *GBTNode) next(x []float64) int32 {
	v := math.NaN()
	if int(nd.Feature) < len(x) {
		v = x[nd.Feature]
	}
	switch {
	case v <= nd.Threshold:
		return nd.Left
	case v > nd.Threshold:
		return nd.Right
	case nd.MissingLeft:
		return nd.Left
	default:
		return nd.Right
	}
}

// Raw returns the log-odds of churn for x: BaseScore plus the leaf value x
// reaches in every tree. NaN, and a feature beyond len(x), is missing and
// follows each split's learnt direction; +Inf above the largest threshold
// follows the missing direction of a "present vs missing" split. It does not
// allocate.
func (m *GBT) Raw(x []float64) float64 {
	s := m.BaseScore
	if len(x) < m.NumFeatures || m.flat == nil {
		for t := range m.Trees {
			nodes := m.Trees[t].Nodes
			i := int32(0)
			for nodes[i].Feature >= 0 {
				i = nodes[i].next(x)
			}
			s += nodes[i].Value
		}
		return s
	}
	// Walk gbtLanes trees at a time, each for the largest depth of the
	// group, without data-dependent branches: the walks overlap in the
	// pipeline instead of waiting on each other.
	flat, vals, roots := m.flat, m.vals, m.roots
	for g, d := range m.depths {
		if (g+1)*gbtLanes > len(roots) {
			for _, i := range roots[g*gbtLanes:] {
				for range d {
					i = flatStep(flat, i, x)
				}
				s += vals[i]
			}
			break
		}
		r := roots[g*gbtLanes : (g+1)*gbtLanes : (g+1)*gbtLanes]
		i0, i1, i2, i3 := r[0], r[1], r[2], r[3]
		for range d {
			i0 = flatStep(flat, i0, x)
			i1 = flatStep(flat, i1, x)
			i2 = flatStep(flat, i2, x)
			i3 = flatStep(flat, i3, x)
		}
		s += vals[i0]
		s += vals[i1]
		s += vals[i2]
		s += vals[i3]
	}
	return s
}

// flatStep returns the child of flat node i that x goes to.
func flatStep(flat []gbtFlatNode, i int32, x []float64) int32 {
	nd := &flat[i]
	v := x[nd.key>>1]
	right := b2i(v > nd.v) | b2i(v != v)&int(1-nd.key&1)
	return nd.left + int32(right)
}

// compile builds the compact copy of the trees that Raw walks. It is a
// plain copy plus a depth count, and leaves the model on the slower path
// for a tree that is not well formed (see Check).
func (m *GBT) compile() {
	m.exps = expectations(m.Trees)
	m.flat, m.vals, m.roots, m.depths = nil, nil, nil, nil
	n := 0
	for t := range m.Trees {
		n += len(m.Trees[t].Nodes)
		for i, nd := range m.Trees[t].Nodes {
			if nd.Feature >= 0 && (nd.Right != nd.Left+1 || int(nd.Left) <= i || int(nd.Right) >= len(m.Trees[t].Nodes) ||
				int(nd.Feature) >= m.NumFeatures || nd.Feature >= 1<<30) || nd.Feature < -1 {
				return
			}
		}
	}
	if n >= math.MaxInt32 || m.NumFeatures < 1 {
		return
	}
	flat := make([]gbtFlatNode, 0, n)
	vals := make([]float64, 0, n)
	roots := make([]int32, len(m.Trees))
	depths := make([]int32, (len(m.Trees)+gbtLanes-1)/gbtLanes)
	for t := range m.Trees {
		off := int32(len(flat))
		roots[t] = off
		for i, nd := range m.Trees[t].Nodes {
			vals = append(vals, nd.Value)
			if nd.Feature < 0 {
				flat = append(flat, gbtFlatNode{v: math.NaN(), key: 1, left: off + int32(i)})
				continue
			}
			key := nd.Feature << 1
			if nd.MissingLeft {
				key |= 1
			}
			flat = append(flat, gbtFlatNode{v: nd.Threshold, key: key, left: off + nd.Left})
		}
		depths[t/gbtLanes] = max(depths[t/gbtLanes], int32(m.Trees[t].depth()))
	}
	m.flat, m.vals, m.roots, m.depths = flat, vals, roots, depths
}

// UnmarshalJSON decodes a model written by encoding/json and prepares its
// fast scoring path. It returns the decoding error, if any; call Check
// before scoring a model read from outside.
func (m *GBT) UnmarshalJSON(b []byte) error {
	type plain GBT
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = GBT(p)
	m.compile()
	return nil
}

// Probability returns the churn probability of x, the logistic function of
// Raw(x).
func (m *GBT) Probability(x []float64) float64 {
	return sigmoidStable(m.Raw(x))
}

// Importance returns the normalised total split gain of every feature over
// the kept trees (all zero when no tree split).
func (m *GBT) Importance() []float64 {
	return slices.Clone(m.Importances)
}

// shapElem is one element of a TreeSHAP path: the feature split on, the
// share of cover-weighted ("zero") and of x's ("one") paths flowing
// through, and the permutation weight.
type shapElem struct {
	feat int
	z, o float64
	w    float64
}

// SHAP writes the exact path-dependent TreeSHAP values (Lundberg,
// Erion and Lee 2018, "Consistent individualized feature attribution for
// tree ensembles", algorithm 2) of x into out and returns the base value,
// BaseScore plus the cover-weighted mean leaf value of every tree, so that
// base + sum(out) == Raw(x) up to rounding. A missing value (NaN, or a
// feature beyond len(x)) is a value like any other: it follows the split's
// learnt direction. Only min(len(out), NumFeatures) entries are written.
// It costs O(trees x leaves x depth^2), about 100 times Contributions.
func (m *GBT) SHAP(x []float64, out []float64) float64 {
	phi := make([]float64, m.NumFeatures)
	base := m.BaseScore
	depth := 0
	for t := range m.Trees {
		depth = max(depth, m.Trees[t].depth())
	}
	buf := make([]shapElem, (depth+2)*(depth+3)/2+1)
	for t := range m.Trees {
		tr := &m.Trees[t]
		base += tr.expected(0)
		tr.shap(x, phi, 0, nil, buf, 1, 1, -1)
	}
	copy(out, phi)
	return base
}

// depth returns the depth of the tree (0 for a single leaf), in one pass
// that relies on children coming after their parent.
func (t *GBTTree) depth() int {
	d := make([]int, len(t.Nodes))
	most := 0
	for i, nd := range t.Nodes {
		most = max(most, d[i])
		if nd.Feature >= 0 && int(nd.Left) > i && int(nd.Right) > i && int(nd.Left) < len(d) && int(nd.Right) < len(d) {
			d[nd.Left] = max(d[nd.Left], d[i]+1)
			d[nd.Right] = max(d[nd.Right], d[i]+1)
		}
	}
	return most
}

// expected returns the cover-weighted mean leaf value of the subtree at i.
func (t *GBTTree) expected(i int32) float64 {
	nd := &t.Nodes[i]
	if nd.Feature < 0 {
		return nd.Value
	}
	l, r := &t.Nodes[nd.Left], &t.Nodes[nd.Right]
	return l.Cover/nd.Cover*t.expected(nd.Left) + r.Cover/nd.Cover*t.expected(nd.Right)
}

// shap is the RECURSE step of TreeSHAP at node i: parent is the path so
// far, free the scratch space for this node's copy and its descendants.
func (t *GBTTree) shap(x, phi []float64, i int32, parent, free []shapElem, pz, po float64, pf int) {
	path := free[:len(parent)]
	copy(path, parent)
	free = free[len(parent)+1:]
	path = shapExtend(path, pz, po, pf)
	nd := &t.Nodes[i]
	if nd.Feature < 0 {
		for k := 1; k < len(path); k++ {
			e := &path[k]
			phi[e.feat] += shapUnwoundSum(path, k) * (e.o - e.z) * nd.Value
		}
		return
	}
	hot, cold := nd.next(x), nd.Left
	if hot == nd.Left {
		cold = nd.Right
	}
	iz, io := 1.0, 1.0
	f := int(nd.Feature)
	for k := 1; k < len(path); k++ {
		if path[k].feat == f {
			iz, io = path[k].z, path[k].o
			path = shapUnwind(path, k)
			break
		}
	}
	t.shap(x, phi, hot, path, free, iz*t.Nodes[hot].Cover/nd.Cover, io, f)
	t.shap(x, phi, cold, path, free, iz*t.Nodes[cold].Cover/nd.Cover, 0, f)
}

// shapExtend appends an element to the path (capacity is available) and
// updates the permutation weights.
func shapExtend(path []shapElem, z, o float64, f int) []shapElem {
	l := len(path)
	path = path[:l+1]
	path[l] = shapElem{feat: f, z: z, o: o}
	if l == 0 {
		path[l].w = 1
	}
	d := float64(l + 1)
	for i := l - 1; i >= 0; i-- {
		path[i+1].w += o * path[i].w * float64(i+1) / d
		path[i].w = z * path[i].w * float64(l-i) / d
	}
	return path
}

// shapUnwind removes element k from the path, undoing its extension.
func shapUnwind(path []shapElem, k int) []shapElem {
	l := len(path) - 1
	z, o := path[k].z, path[k].o
	d := float64(l + 1)
	n := path[l].w
	for j := l - 1; j >= 0; j-- {
		if o != 0 {
			t := path[j].w
			path[j].w = n * d / (float64(j+1) * o)
			n = t - path[j].w*z*float64(l-j)/d
		} else {
			path[j].w = path[j].w * d / (z * float64(l-j))
		}
	}
	for j := k; j < l; j++ {
		path[j].feat, path[j].z, path[j].o = path[j+1].feat, path[j+1].z, path[j+1].o
	}
	return path[:l]
}

// shapUnwoundSum returns the total permutation weight of the path with
// element k removed, without changing the path.
func shapUnwoundSum(path []shapElem, k int) float64 {
	l := len(path) - 1
	z, o := path[k].z, path[k].o
	d := float64(l + 1)
	total := 0.0
	if o != 0 {
		n := path[l].w
		for j := l - 1; j >= 0; j-- {
			t := n * d / (float64(j+1) * o)
			total += t
			n = path[j].w - t*z*float64(l-j)/d
		}
	} else if z != 0 {
		for j := l - 1; j >= 0; j-- {
			total += path[j].w * d / (z * float64(l-j))
		}
	}
	return total
}

// Check reports whether m is a well-formed model over n features: bin
// edges ascending and finite, every split on a feature below n with a
// non-NaN threshold and children after it, every node but the root the
// child of exactly one split, finite leaf values and positive covers.
// Loading an artifact calls it so that a corrupt file cannot make
// prediction loop, recurse forever or index out of range.
func (m *GBT) Check(n int) error {
	if m.NumFeatures != n || len(m.Edges) != n {
		return fmt.Errorf("gbt: %d features and %d bin edge lists, want %d", m.NumFeatures, len(m.Edges), n)
	}
	if m.Importances != nil && len(m.Importances) != n {
		return fmt.Errorf("gbt: %d importances, want %d", len(m.Importances), n)
	}
	for j, v := range m.Importances {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("gbt: importance %d is %v", j, v)
		}
	}
	if !isFinite(m.BaseScore) {
		return errors.New("gbt: base score is not finite")
	}
	if m.Rounds != len(m.Trees) {
		return fmt.Errorf("gbt: %d rounds but %d trees", m.Rounds, len(m.Trees))
	}
	for j, e := range m.Edges {
		for k, v := range e {
			if !isFinite(v) || k > 0 && !(v > e[k-1]) {
				return fmt.Errorf("gbt: bin edges of feature %d are not finite and ascending", j)
			}
		}
	}
	for t, tr := range m.Trees {
		nn := len(tr.Nodes)
		if nn == 0 {
			return fmt.Errorf("gbt: tree %d has no nodes", t)
		}
		parents := make([]int, nn)
		for i, nd := range tr.Nodes {
			if !isFinite(nd.Value) || !isFinite(nd.Cover) || !(nd.Cover > 0) {
				return fmt.Errorf("gbt: tree %d node %d: value %v, cover %v", t, i, nd.Value, nd.Cover)
			}
			if nd.Feature == -1 {
				continue
			}
			if nd.Feature < 0 || int(nd.Feature) >= n || math.IsNaN(nd.Threshold) ||
				int(nd.Left) <= i || int(nd.Right) <= i || int(nd.Left) >= nn || int(nd.Right) >= nn || nd.Left == nd.Right {
				return fmt.Errorf("gbt: tree %d node %d is malformed", t, i)
			}
			parents[nd.Left]++
			parents[nd.Right]++
		}
		for i := 1; i < nn; i++ {
			if parents[i] != 1 {
				return fmt.Errorf("gbt: tree %d node %d has %d parents", t, i, parents[i])
			}
		}
	}
	return nil
}
