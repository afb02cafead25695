package model

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

var driftNames = []string{"usage", "tickets", "annual", "nps"}

// driftRows draws n rows like a customer population: a continuous usage
// (mean mu, sd 1), a ticket count (about 2*scale on average), a binary plan
// flag and an NPS that is missing for missingShare of the rows.
func driftRows(seed uint64, n int, mu, scale, missingShare float64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	X := make([][]float64, n)
	for i := range X {
		tickets := 0.0
		for k := 0; k < 4; k++ {
			if r.Float64() < 0.5 {
				tickets++
			}
		}
		annual := 0.0
		if r.Float64() < 0.3 {
			annual = 1
		}
		nps := math.Round(r.Float64() * 10)
		if r.Float64() < missingShare {
			nps = math.NaN()
		}
		X[i] = []float64{mu + r.NormFloat64(), tickets * scale, annual, nps}
	}
	return X
}

func column(X [][]float64, j int) []float64 {
	out := make([]float64, len(X))
	for i, row := range X {
		out[i] = row[j]
	}
	return out
}

func TestPSI(t *testing.T) {
	ref := NewDriftReference(driftNames, driftRows(1, 5000, 0, 1, 0.1))
	tests := []struct {
		name         string
		sample       [][]float64
		feature      int
		lo, hi       float64
		wantMissingN int
	}{
		{"same population, continuous", driftRows(2, 3000, 0, 1, 0.1), 0, 0, 0.02, 0},
		{"same population, count", driftRows(3, 3000, 0, 1, 0.1), 1, 0, 0.02, 0},
		{"same population, binary", driftRows(4, 3000, 0, 1, 0.1), 2, 0, 0.02, 0},
		{"same population, with missing", driftRows(5, 3000, 0, 1, 0.1), 3, 0, 0.02, 0},
		{"mean + 1 sd", driftRows(6, 3000, 1, 1, 0.1), 0, 0.25, math.Inf(1), 0},
		{"counts doubled", driftRows(7, 3000, 0, 2, 0.1), 1, 0.25, math.Inf(1), 0},
		{"missing share 10% -> 60%", driftRows(8, 3000, 0, 1, 0.6), 3, 0.25, math.Inf(1), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			psi, n := ref.PSI(tc.feature, column(tc.sample, tc.feature))
			if n != len(tc.sample) {
				t.Errorf("n = %d, want %d", n, len(tc.sample))
			}
			if psi < tc.lo || psi > tc.hi || math.IsNaN(psi) {
				t.Errorf("PSI = %.4f, want in [%g, %g]", psi, tc.lo, tc.hi)
			}
			t.Logf("PSI %s = %.4f", driftNames[tc.feature], psi)
		})
	}
}

func TestPSIEdgeCases(t *testing.T) {
	ref := NewDriftReference(driftNames, driftRows(1, 1000, 0, 1, 0))
	if psi, n := ref.PSI(0, nil); psi != 0 || n != 0 {
		t.Errorf("empty sample: %v %v", psi, n)
	}
	if psi, n := ref.PSI(9, []float64{1}); psi != 0 || n != 0 {
		t.Errorf("out of range: %v %v", psi, n)
	}
	var nilRef *DriftReference
	if psi, n := nilRef.PSI(0, []float64{1}); psi != 0 || n != 0 {
		t.Errorf("nil reference: %v %v", psi, n)
	}
	// Training had no missing NPS; an all-missing sample puts everything in
	// the missing bin: (1-1e-4)*ln(1/1e-4) + the emptied bins.
	psi, _ := ref.PSI(3, []float64{math.NaN(), math.NaN()})
	if psi < (1-psiFloor)*math.Log(1/psiFloor) {
		t.Errorf("all missing: PSI %.3f too small", psi)
	}
	// Values beyond the training range and infinities are binned, not lost.
	psi, n := ref.PSI(0, []float64{math.Inf(1), 1e9, math.Inf(-1)})
	if n != 3 || math.IsNaN(psi) || math.IsInf(psi, 0) || psi < 1 {
		t.Errorf("out of range values: %v %v", psi, n)
	}
}

func TestNewDriftReference(t *testing.T) {
	X := [][]float64{{1, math.NaN(), 5}, {2, math.NaN(), math.Inf(1)}, {2, math.NaN(), 5}, {3, math.NaN(), 5}}
	ref := NewDriftReference([]string{"a", "b", "c"}, X)
	want := []FeatureReference{
		// few distinct values: they are the edges, the last bin is empty
		{Name: "a", Edges: []float64{1, 2, 3}, Shares: []float64{0.25, 0.5, 0.25, 0}, Missing: 0},
		{Name: "b", Edges: []float64{}, Shares: []float64{0}, Missing: 1},
		// +Inf is not an edge: it falls above every edge
		{Name: "c", Edges: []float64{5}, Shares: []float64{0.75, 0.25}, Missing: 0},
	}
	if !reflect.DeepEqual(ref.Features, want) {
		t.Errorf("reference\n got %+v\nwant %+v", ref.Features, want)
	}

	// Many distinct values: at most DriftBins quantile bins of about equal share.
	big := NewDriftReference(driftNames, driftRows(1, 5000, 0, 1, 0.1))
	f := big.Features[0]
	if len(f.Edges) != DriftBins-1 || len(f.Shares) != DriftBins {
		t.Fatalf("continuous feature: %d edges, %d shares", len(f.Edges), len(f.Shares))
	}
	sum := 0.0
	for i, s := range f.Shares {
		if math.Abs(s-0.1) > 0.001 {
			t.Errorf("bin %d share %.4f, want 0.1", i, s)
		}
		sum += s
	}
	if math.Abs(sum+f.Missing-1) > 1e-9 {
		t.Errorf("shares + missing = %v", sum+f.Missing)
	}
	if m := big.Features[3].Missing; math.Abs(m-0.1) > 0.02 {
		t.Errorf("nps missing share %.3f, want about 0.1", m)
	}
	if len(NewDriftReference(driftNames, nil).Features) != len(driftNames) {
		t.Error("no rows: want one (empty) feature per name")
	}
}

func TestDriftReferenceJSONAndDeterminism(t *testing.T) {
	X := driftRows(1, 3000, 0, 1, 0.1)
	X[0][0] = math.Inf(1)
	a := NewDriftReference(driftNames, X)
	b := NewDriftReference(driftNames, driftRows(1, 3000, 0, 1, 0.1))
	b2 := NewDriftReference(driftNames, driftRows(1, 3000, 0, 1, 0.1))
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatalf("marshal with an infinite value: %v", err)
	}
	var back DriftReference
	if err := json.Unmarshal(ja, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, a) {
		t.Errorf("JSON round trip changed the reference")
	}
	sample := column(driftRows(9, 500, 0.3, 1, 0.1), 0)
	p1, _ := a.PSI(0, sample)
	p2, _ := back.PSI(0, sample)
	if p1 != p2 {
		t.Errorf("PSI after round trip %v, before %v", p2, p1)
	}
	jb, _ := json.Marshal(b)
	jb2, _ := json.Marshal(b2)
	if !bytes.Equal(jb, jb2) {
		t.Error("same rows gave different references")
	}
}
