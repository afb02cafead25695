package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// GBT is a fitted gradient-boosted trees classifier: Raw(x) is BaseScore
// plus the value of the leaf x reaches in every tree. Its exported fields are
// all it needs to predict, so it marshals to JSON deterministically and
// unmarshals to an identical predictor (call Check on a loaded model).
type GBT struct {
	// NumFeatures is the length of the feature vectors the model scores.
	NumFeatures int `json:"num_features"`
	// BaseScore is the log-odds every prediction starts from: the
	// (weighted) log-odds of the training labels.
	BaseScore float64 `json:"base_score"`
	// LearningRate is the shrinkage the fit applied to every leaf value
	// (already included in GBTNode.Value).
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
	// Trees are the kept trees, in boosting order.
	Trees []GBTTree `json:"trees"`

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
