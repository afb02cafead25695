package model

import "math"

// Contributions writes Saabas path contributions of x into out and returns
// the base value: walking each tree from its root to x's leaf, every split
// credits its feature with the change of the expected value (the
// cover-weighted mean leaf value of the subtree) from the node to the child x
// goes to; the base is BaseScore plus every tree's expected value at its
// root. So base + sum(out) == Raw(x) up to rounding. It costs one walk per
// tree (a few microseconds), which is why scoring uses it; SHAP gives the
// exact Shapley values at about 100 times the cost. Only
// min(len(out), NumFeatures) entries are written.
func (m *GBT) Contributions(x []float64, out []float64) float64 {
	n := min(len(out), m.NumFeatures)
	for j := range out[:n] {
		out[j] = 0
	}
	exps := m.exps
	if len(exps) != len(m.Trees) { // a model built by hand, not compiled
		exps = expectations(m.Trees)
	}
	base := m.BaseScore
	for t := range m.Trees {
		nodes, exp := m.Trees[t].Nodes, exps[t]
		if len(nodes) == 0 {
			continue
		}
		base += exp[0]
		i := int32(0)
		for steps := 0; nodes[i].Feature >= 0 && steps < len(nodes); steps++ {
			nd := &nodes[i]
			v := math.NaN()
			if int(nd.Feature) < len(x) {
				v = x[nd.Feature]
			}
			next := nd.Right
			if v <= nd.Threshold || (v != v && nd.MissingLeft) {
				next = nd.Left
			}
			if int(nd.Feature) < n {
				out[nd.Feature] += exp[next] - exp[i]
			}
			i = next
		}
	}
	return base
}

// expectations returns, per tree and node, the cover-weighted mean leaf
// value of the node's subtree. Children come after their parents, so one
// backward pass suffices.
func expectations(trees []GBTTree) [][]float64 {
	out := make([][]float64, len(trees))
	for t := range trees {
		nodes := trees[t].Nodes
		e := make([]float64, len(nodes))
		for i := len(nodes) - 1; i >= 0; i-- {
			nd := &nodes[i]
			if nd.Feature < 0 || int(nd.Left) <= i || int(nd.Right) <= i || int(nd.Left) >= len(nodes) || int(nd.Right) >= len(nodes) {
				e[i] = nd.Value
				continue
			}
			l, r := &nodes[nd.Left], &nodes[nd.Right]
			if c := l.Cover + r.Cover; c > 0 {
				e[i] = (l.Cover*e[nd.Left] + r.Cover*e[nd.Right]) / c
			}
		}
		out[t] = e
	}
	return out
}
