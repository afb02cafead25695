package model

import (
	"math"
	"slices"
)

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
