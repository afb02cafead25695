package model

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/trees"
)

// ForestConfig configures FitForest. Zero fields take the defaults named.
type ForestConfig struct {
	// Trees is the number of bagged trees; 0 means 100.
	Trees int
	// MaxDepth bounds the depth of every tree; 0 means 8.
	MaxDepth int
	// FeatureFraction is the share of features each tree may split on,
	// drawn per tree; 0 means 0.6. It must be in (0, 1].
	FeatureFraction float64
	// MaxSamples caps the bootstrap sample of each tree; 0 means the number
	// of training rows.
	MaxSamples int
	// SplitFeatures is how many of the tree's features are drawn as split
	// candidates at each node; 0 means ceil(sqrt(features of the tree)),
	// and any value at or above that count means all of them.
	SplitFeatures int
	// Seed drives the bootstrap and the feature subsets.
	Seed uint64
}

// Forest is a bag of decision trees whose splits were chosen by golearn's
// ID3 information-gain rule (trees.InformationGainRuleGenerator), converted
// to a plain node representation so that prediction and saving never call
// golearn. Missing values are replaced by Fill (the training medians).
type Forest struct {
	NumFeatures int `json:"num_features"`
	// Fill holds the value that replaces a missing (NaN) feature value.
	Fill []float64 `json:"fill"`
	// Importances is the mean entropy decrease per feature, normalised to
	// sum to 1 (all zero when no tree split).
	Importances []float64 `json:"importances"`
	Trees       []Tree    `json:"trees"`
}

// Tree is one fitted tree; Nodes[0] is the root and children always come
// after their parent.
type Tree struct {
	Nodes []Node `json:"nodes"`
}

// Node is a split (Feature >= 0: go to Right when x[Feature] > Threshold,
// else to Left) or a leaf (Feature == -1). Value is the smoothed share of
// positives among the training rows that reached the node.
type Node struct {
	Feature   int     `json:"f"`
	Threshold float64 `json:"t,omitempty"`
	Left      int     `json:"l,omitempty"`
	Right     int     `json:"r,omitempty"`
	Value     float64 `json:"v"`
}

const (
	// forestMinLeaf is the smallest number of sampled rows on each side of a split.
	forestMinLeaf = 3
	// forestSmoothing is the weight of the tree's base rate in the node
	// values: (positives + a*rate) / (rows + a).
	forestSmoothing = 2.0
	// forestProbEps keeps probabilities away from 0 and 1 before the logit.
	forestProbEps = 1e-6
)

var silenceGolearn sync.Once

// golearnSplit asks golearn's ID3 rule generator for the information-gain
// split of inst among attrs. It is a variable so that a test can make it
// panic.
var golearnSplit = func(attrs []base.Attribute, inst base.FixedDataGrid) *trees.DecisionTreeRule {
	return new(trees.InformationGainRuleGenerator).GetSplitRuleFromSelection(attrs, inst)
}

// FitForest fits cfg.Trees decision trees, each on a bootstrap sample of at
// most cfg.MaxSamples rows and a random subset of the features, both drawn
// from a PCG generator seeded with cfg.Seed, so the same data and seed give
// the same forest. Trees are fitted in parallel; the result does not depend
// on the number of cores.
//
// golearn's tree builder (trees.InferID3Tree) is not used: it walks the data
// through nested base.InstancesView values whose MapOverRows iterates a Go
// map, so the class order inside its entropy computation, hence the last bits
// of the gains it compares, varies from run to run; it also has no depth
// limit and never reuses a feature on a path. Instead this function grows the
// tree itself and asks golearn's ID3 rule generator for the split at every
// node, on a fresh base.DenseInstances holding that node's rows in a fixed
// order. golearn's global random source is not on this path.
//
// It returns an error (never panics) for empty data, ragged rows, ±Inf
// values, labels other than 0/1, a single class (wrapping ErrSingleClass),
// an invalid configuration, or a panic inside golearn.
func FitForest(X [][]float64, y []float64, cfg ForestConfig) (*Forest, error) {
	p, err := checkTrainingData(X, y)
	if err != nil {
		return nil, fmt.Errorf("fit forest: %w", err)
	}
	if cfg.Trees < 0 || cfg.MaxDepth < 0 || cfg.MaxSamples < 0 || cfg.FeatureFraction < 0 || cfg.FeatureFraction > 1 || math.IsNaN(cfg.FeatureFraction) {
		return nil, fmt.Errorf("fit forest: invalid config %+v", cfg)
	}
	if cfg.Trees == 0 {
		cfg.Trees = 100
	}
	if cfg.MaxDepth == 0 {
		cfg.MaxDepth = 8
	}
	if cfg.FeatureFraction == 0 {
		cfg.FeatureFraction = 0.6
	}
	if cfg.SplitFeatures < 0 {
		return nil, fmt.Errorf("fit forest: invalid config %+v", cfg)
	}
	if cfg.MaxSamples == 0 || cfg.MaxSamples > len(X) {
		cfg.MaxSamples = len(X)
	}
	silenceGolearn.Do(func() { base.SetLoggerOut(io.Discard) })

	f := &Forest{NumFeatures: p, Fill: medians(X, p), Trees: make([]Tree, cfg.Trees)}
	gains := make([][]float64, cfg.Trees)
	errs := make([]error, cfg.Trees)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), cfg.Trees) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t := int(next.Add(1) - 1)
				if t >= cfg.Trees {
					return
				}
				f.Trees[t], gains[t], errs[t] = fitTree(X, y, f.Fill, cfg, t)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("fit forest: %w", err)
	}
	f.Importances = make([]float64, p)
	total := 0.0
	for _, g := range gains {
		for j, v := range g {
			f.Importances[j] += v
			total += v
		}
	}
	if total > 0 {
		for j := range f.Importances {
			f.Importances[j] /= total
		}
	}
	return f, nil
}

// medians returns the median of every column ignoring NaN (0 for a column
// without values).
func medians(X [][]float64, p int) []float64 {
	out := make([]float64, p)
	col := make([]float64, 0, len(X))
	for j := range p {
		col = col[:0]
		for _, row := range X {
			if !math.IsNaN(row[j]) {
				col = append(col, row[j])
			}
		}
		if len(col) == 0 {
			continue
		}
		slices.Sort(col)
		h := len(col) / 2
		if len(col)%2 == 1 {
			out[j] = col[h]
		} else {
			out[j] = col[h-1]/2 + col[h]/2
		}
	}
	return out
}

// treeBuilder grows one tree.
type treeBuilder struct {
	X        [][]float64
	y        []float64
	fill     []float64
	features []int // the features this tree may use, ascending
	attrs    []*base.FloatAttribute
	class    *base.CategoricalAttribute
	maxDepth int
	mtry     int // split candidates drawn per node
	rng      *rand.Rand
	rate     float64 // positive share of the bootstrap sample
	nodes    []Node
	gain     []float64 // per feature, entropy decrease weighted by node share
	nRoot    float64
	lo, hi   []float64 // scratch: per tree feature min and max at a node
	buf      [8]byte
}

// fitTree fits tree t. A panic inside golearn is returned as an error.
func fitTree(X [][]float64, y, fill []float64, cfg ForestConfig, t int) (tree Tree, gain []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tree %d: golearn panicked: %v", t, r)
		}
	}()
	p := len(fill)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15^uint64(t)))
	rows := make([]int, cfg.MaxSamples)
	pos := 0.0
	for i := range rows {
		rows[i] = rng.IntN(len(X))
		pos += y[rows[i]]
	}
	m := max(1, int(math.Round(cfg.FeatureFraction*float64(p))))
	perm := rng.Perm(p)
	feats := slices.Clone(perm[:m])
	slices.Sort(feats)

	mtry := cfg.SplitFeatures
	if mtry == 0 {
		mtry = int(math.Ceil(math.Sqrt(float64(m))))
	}
	b := &treeBuilder{X: X, y: y, fill: fill, features: feats, maxDepth: cfg.MaxDepth, mtry: mtry, rng: rng,
		rate: pos / float64(len(rows)), gain: make([]float64, p), nRoot: float64(len(rows)),
		lo: make([]float64, m), hi: make([]float64, m)}
	b.class = base.NewCategoricalAttribute()
	b.class.SetName("churned")
	b.class.GetSysValFromString("0")
	b.class.GetSysValFromString("1")
	for _, j := range feats {
		b.attrs = append(b.attrs, base.NewFloatAttribute("f"+strconv.Itoa(j)))
	}
	if err := b.grow(rows, 0); err != nil {
		return Tree{}, nil, fmt.Errorf("tree %d: %w", t, err)
	}
	return Tree{Nodes: b.nodes}, b.gain, nil
}

// value returns feature j of row i with missing values filled.
func (b *treeBuilder) value(i, j int) float64 {
	v := b.X[i][j]
	if math.IsNaN(v) {
		return b.fill[j]
	}
	return v
}

// grow appends the subtree of rows (in a fixed order) to b.nodes.
func (b *treeBuilder) grow(rows []int, depth int) error {
	n := float64(len(rows))
	pos := 0.0
	for _, i := range rows {
		pos += b.y[i]
	}
	idx := len(b.nodes)
	b.nodes = append(b.nodes, Node{Feature: -1, Value: (pos + forestSmoothing*b.rate) / (n + forestSmoothing)})
	if depth >= b.maxDepth || len(rows) < 2*forestMinLeaf || pos == 0 || pos == n {
		return nil
	}

	// Candidates: the tree's features that vary within the node, of which
	// b.mtry are drawn.
	for k := range b.features {
		b.lo[k], b.hi[k] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range rows {
		for k, j := range b.features {
			v := b.value(i, j)
			b.lo[k] = min(b.lo[k], v)
			b.hi[k] = max(b.hi[k], v)
		}
	}
	var cand []int // positions in b.features
	for k := range b.features {
		if b.lo[k] < b.hi[k] {
			cand = append(cand, k)
		}
	}
	if len(cand) == 0 {
		return nil
	}
	if len(cand) > b.mtry {
		// Draw b.mtry candidates (partial Fisher-Yates), keep them in
		// feature order.
		for c := range b.mtry {
			r := c + b.rng.IntN(len(cand)-c)
			cand[c], cand[r] = cand[r], cand[c]
		}
		cand = cand[:b.mtry]
		slices.Sort(cand)
	}

	// Hand the node to golearn: class attribute first, so that golearn's
	// per-row class lookup finds it at once.
	inst := base.NewDenseInstances()
	classSpec := inst.AddAttribute(b.class)
	specs := make([]base.AttributeSpec, len(cand))
	considered := make([]base.Attribute, len(cand))
	for c, k := range cand {
		specs[c] = inst.AddAttribute(b.attrs[k])
		considered[c] = b.attrs[k]
	}
	if err := inst.AddClassAttribute(b.class); err != nil {
		return err
	}
	if err := inst.Extend(len(rows)); err != nil {
		return err
	}
	for r, i := range rows {
		base.PackU64ToBytesInline(uint64(b.y[i]), b.buf[:])
		inst.Set(classSpec, r, b.buf[:])
		for c, k := range cand {
			base.PackFloatToBytesInline(b.value(i, b.features[k]), b.buf[:])
			inst.Set(specs[c], r, b.buf[:])
		}
	}
	rule := golearnSplit(considered, inst)
	if rule == nil || rule.SplitAttr == nil {
		return nil
	}
	k := slices.IndexFunc(b.attrs, func(a *base.FloatAttribute) bool { return a.Equals(rule.SplitAttr) })
	if k < 0 || math.IsNaN(rule.SplitVal) || math.IsInf(rule.SplitVal, 0) {
		return nil
	}
	feat, thr := b.features[k], rule.SplitVal

	// Partition as golearn does: right when value > threshold.
	var left, right []int
	var posL, posR float64
	for _, i := range rows {
		if b.value(i, feat) > thr {
			right = append(right, i)
			posR += b.y[i]
		} else {
			left = append(left, i)
			posL += b.y[i]
		}
	}
	if len(left) < forestMinLeaf || len(right) < forestMinLeaf {
		return nil
	}
	nl, nr := float64(len(left)), float64(len(right))
	g := binaryEntropy(pos/n) - nl/n*binaryEntropy(posL/nl) - nr/n*binaryEntropy(posR/nr)
	if !(g > 1e-12) {
		return nil
	}
	b.gain[feat] += n / b.nRoot * g
	b.nodes[idx].Feature, b.nodes[idx].Threshold = feat, thr
	b.nodes[idx].Left = len(b.nodes)
	if err := b.grow(left, depth+1); err != nil {
		return err
	}
	b.nodes[idx].Right = len(b.nodes)
	return b.grow(right, depth+1)
}

// binaryEntropy returns the entropy in bits of a two-class distribution.
func binaryEntropy(q float64) float64 {
	if q <= 0 || q >= 1 {
		return 0
	}
	return -q*math.Log2(q) - (1-q)*math.Log2(1-q)
}

// feature returns feature j of x with missing values (NaN, or absent
// beyond len(x)) replaced by the fill value.
func (f *Forest) feature(x []float64, j int) float64 {
	if j >= len(x) || math.IsNaN(x[j]) {
		return f.Fill[j]
	}
	return x[j]
}

// leaf returns the index of the leaf x reaches in tree t.
func (f *Forest) leaf(t *Tree, x []float64) int {
	i := 0
	for {
		nd := &t.Nodes[i]
		if nd.Feature < 0 {
			return i
		}
		if f.feature(x, nd.Feature) > nd.Threshold {
			i = nd.Right
		} else {
			i = nd.Left
		}
	}
}

// Probability returns the churn probability of x: the mean over the trees
// of the value of the leaf x reaches.
func (f *Forest) Probability(x []float64) float64 {
	s := 0.0
	for t := range f.Trees {
		tr := &f.Trees[t]
		s += tr.Nodes[f.leaf(tr, x)].Value
	}
	return s / float64(len(f.Trees))
}

// clampLogit returns the log-odds of q kept inside [eps, 1-eps].
func clampLogit(q float64) float64 {
	q = min(max(q, forestProbEps), 1-forestProbEps)
	return math.Log(q / (1 - q))
}

// Raw returns the log-odds of Probability(x), the probability clamped to
// [1e-6, 1-1e-6]. Missing values are replaced by the training medians.
func (f *Forest) Raw(x []float64) float64 {
	return clampLogit(f.Probability(x))
}

// Contributions explains Raw(x) feature by feature and returns the base
// value, the log-odds of the mean root value (the forest's base rate).
//
// It first takes Saabas path contributions on the probability scale: along
// the path of x in every tree, the change of node value at each split is
// credited to the split's feature, and the credits are averaged over the
// trees. These add up exactly to Probability(x) - P0, where P0 is the mean
// root value. The log-odds are not linear in the probability, so each credit
// is then multiplied by one common factor, the slope of the secant of the
// logit between P0 and Probability(x), (Raw(x) - base) / (Probability(x) - P0):
// signs and relative sizes are kept, and base + sum(out) == Raw(x) up to
// rounding. When the two probabilities coincide the factor is the logit's
// derivative at P0. Only min(len(out), NumFeatures) entries are written.
func (f *Forest) Contributions(x []float64, out []float64) float64 {
	out = out[:min(len(out), f.NumFeatures)]
	clear(out)
	nt := float64(len(f.Trees))
	p0 := 0.0
	for t := range f.Trees {
		tr := &f.Trees[t]
		p0 += tr.Nodes[0].Value
		i := 0
		for {
			nd := &tr.Nodes[i]
			if nd.Feature < 0 {
				break
			}
			next := nd.Left
			if f.feature(x, nd.Feature) > nd.Threshold {
				next = nd.Right
			}
			if nd.Feature < len(out) {
				out[nd.Feature] += (tr.Nodes[next].Value - nd.Value) / nt
			}
			i = next
		}
	}
	p0 /= nt
	baseRaw := clampLogit(p0)
	raw := f.Raw(x)
	sum := 0.0
	for _, c := range out {
		sum += c
	}
	var k float64
	if math.Abs(sum) > 1e-12 {
		k = (raw - baseRaw) / sum
	} else {
		q := min(max(p0, forestProbEps), 1-forestProbEps)
		k = 1 / (q * (1 - q))
	}
	for j := range out {
		out[j] *= k
	}
	return baseRaw
}

// Importance returns the normalised mean entropy decrease of every feature.
func (f *Forest) Importance() []float64 {
	return slices.Clone(f.Importances)
}

// Check reports whether f is a well-formed forest over n features: every
// split names a feature below n and children that come after it, and all
// numbers are finite. Loading an artifact calls it so that a corrupt file
// cannot make prediction loop or index out of range.
func (f *Forest) Check(n int) error {
	if f.NumFeatures != n || len(f.Fill) != n {
		return fmt.Errorf("forest: %d features and %d fill values, want %d", f.NumFeatures, len(f.Fill), n)
	}
	if f.Importances != nil && len(f.Importances) != n {
		return fmt.Errorf("forest: %d importances, want %d", len(f.Importances), n)
	}
	for j, v := range f.Fill {
		if !isFinite(v) {
			return fmt.Errorf("forest: fill value %d is not finite", j)
		}
	}
	if len(f.Trees) == 0 {
		return errors.New("forest: no trees")
	}
	for t, tr := range f.Trees {
		if len(tr.Nodes) == 0 {
			return fmt.Errorf("forest: tree %d has no nodes", t)
		}
		for i, nd := range tr.Nodes {
			if !(nd.Value >= 0 && nd.Value <= 1) {
				return fmt.Errorf("forest: tree %d node %d: value %v not in [0, 1]", t, i, nd.Value)
			}
			if nd.Feature == -1 {
				continue
			}
			if nd.Feature < 0 || nd.Feature >= n || !isFinite(nd.Threshold) ||
				nd.Left <= i || nd.Right <= i || nd.Left >= len(tr.Nodes) || nd.Right >= len(tr.Nodes) {
				return fmt.Errorf("forest: tree %d node %d is malformed", t, i)
			}
		}
	}
	return nil
}
