package model

import (
	"math"
)

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
