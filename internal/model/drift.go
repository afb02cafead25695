package model

import (
	"math"
	"slices"
	"sort"
)

// DriftBins is the most bins a feature's reference distribution has (not
// counting the bin above every edge and the missing bin).
const DriftBins = 10

// psiFloor is the smallest share used in a PSI term, so that an empty bin
// on either side gives a large but finite contribution instead of log(0).
const psiFloor = 1e-4

// DriftReference is the training distribution of every feature, for drift
// (population stability index) checks. It is built by NewDriftReference and
// stored in the artifact as "drift_reference".
type DriftReference struct {
	Features []FeatureReference `json:"features"`
}

// FeatureReference is one feature's training distribution.
type FeatureReference struct {
	Name    string    `json:"name"`
	Edges   []float64 `json:"edges"`   // upper bin edges, ascending
	Shares  []float64 `json:"shares"`  // share of training rows per bin, len(Edges)+1 (the last bin is above every edge)
	Missing float64   `json:"missing"` // share of training rows with the value missing
}

// NewDriftReference returns the training distribution of every feature of
// X (rows of len(names) values; NaN is missing): up to DriftBins quantile
// bins per feature, or one bin per distinct value when a feature has at
// most DriftBins of them, plus the bin above every edge and the missing
// share. Edges come from the finite values only (±Inf fall in the first or
// last bin), so the reference always encodes as JSON. Rows shorter than
// names count as missing for the absent features. It never fails; with no
// rows every feature has no edges and zero shares. The result is
// deterministic.
func NewDriftReference(names []string, X [][]float64) *DriftReference {
	ref := &DriftReference{Features: make([]FeatureReference, len(names))}
	col := make([]float64, 0, len(X))
	for j, name := range names {
		col = col[:0]
		missing := 0
		for _, row := range X {
			if j >= len(row) || math.IsNaN(row[j]) {
				missing++
				continue
			}
			col = append(col, row[j])
		}
		f := FeatureReference{Name: name, Edges: driftEdges(col)}
		f.Shares = make([]float64, len(f.Edges)+1)
		if len(X) > 0 {
			for _, v := range col {
				f.Shares[binOf(f.Edges, v)]++
			}
			for i := range f.Shares {
				f.Shares[i] /= float64(len(X))
			}
			f.Missing = float64(missing) / float64(len(X))
		}
		ref.Features[j] = f
	}
	return ref
}

// driftEdges returns the ascending upper bin edges for the (non-missing)
// values: the distinct finite values when there are at most DriftBins of
// them, else the distinct deciles.
func driftEdges(values []float64) []float64 {
	finite := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) == 0 {
		return []float64{}
	}
	slices.Sort(finite)
	distinct := slices.Compact(slices.Clone(finite))
	if len(distinct) <= DriftBins {
		return distinct
	}
	edges := make([]float64, 0, DriftBins-1)
	n := len(finite)
	for i := 1; i < DriftBins; i++ {
		k := (i*n+DriftBins-1)/DriftBins - 1 // ceil(i*n/bins) - 1
		e := finite[k]
		if len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	return edges
}

// binOf returns the bin of a non-missing value: the first edge it does not
// exceed, or len(edges) above every edge.
func binOf(edges []float64, v float64) int {
	return sort.SearchFloat64s(edges, v)
}

// PSI returns the population stability index of feature j for a sample of
// its values (NaN is missing, a bin of its own) against the training
// distribution, and the sample size n. Shares on both sides are floored at
// 1e-4. It returns (0, 0) for an empty sample, a nil reference or a feature
// index out of range.
func (r *DriftReference) PSI(j int, values []float64) (psi float64, n int) {
	if r == nil || j < 0 || j >= len(r.Features) || len(values) == 0 {
		return 0, 0
	}
	f := &r.Features[j]
	if len(f.Shares) != len(f.Edges)+1 {
		return 0, 0 // a malformed stored reference
	}
	counts := make([]float64, len(f.Shares))
	missing := 0.0
	for _, v := range values {
		if math.IsNaN(v) {
			missing++
			continue
		}
		counts[binOf(f.Edges, v)]++
	}
	total := float64(len(values))
	for i, c := range counts {
		psi += psiTerm(c/total, f.Shares[i])
	}
	psi += psiTerm(missing/total, f.Missing)
	return psi, len(values)
}

// psiTerm is one bin's contribution (actual - expected) * ln(actual / expected).
func psiTerm(actual, expected float64) float64 {
	a, e := max(actual, psiFloor), max(expected, psiFloor)
	return (a - e) * math.Log(a/e)
}
