package impact

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Newcombe (1998), Table II, method 10: the published intervals.
func TestDifferenceNewcombeExamples(t *testing.T) {
	for _, c := range []struct {
		k1, n1, k2, n2 int
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{6, 7, 2, 7, 0.0582, 0.8062},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1.0000},
		{10, 10, 0, 10, 0.6075, 1.0000},
	} {
		d, iv, err := Difference(c.k1, c.n1, c.k2, c.n2)
		if err != nil {
			t.Fatal(err)
		}
		want := float64(c.k1)/float64(c.n1) - float64(c.k2)/float64(c.n2)
		if math.Abs(d-want) > 1e-12 {
			t.Errorf("%d/%d - %d/%d: difference %v, want %v", c.k1, c.n1, c.k2, c.n2, d, want)
		}
		if math.Abs(iv.Lo-c.lo) > 5e-5 || math.Abs(iv.Hi-c.hi) > 5e-5 {
			t.Errorf("%d/%d - %d/%d: interval [%.4f, %.4f], Newcombe gives [%.4f, %.4f]", c.k1, c.n1, c.k2, c.n2, iv.Lo, iv.Hi, c.lo, c.hi)
		}
	}
}

func TestDifferenceRefusesEmptyGroups(t *testing.T) {
	for _, c := range [][4]int{{0, 0, 1, 2}, {1, 2, 0, 0}, {3, 2, 1, 2}, {-1, 2, 1, 2}} {
		if _, _, err := Difference(c[0], c[1], c[2], c[3]); err == nil {
			t.Errorf("Difference%v: no error", c)
		}
	}
}

// The interval's coverage, simulated: about 95% of intervals cover the true
// difference at the sizes of a 10% hold-out.
func TestDifferenceCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const trials = 4000
	p1, p2, n1, n2 := 0.20, 0.35, 900, 100
	covered := 0
	for i := 0; i < trials; i++ {
		k1, k2 := binomial(rng, n1, p1), binomial(rng, n2, p2)
		_, iv, err := Difference(k1, n1, k2, n2)
		if err != nil {
			t.Fatal(err)
		}
		if iv.Covers(p1 - p2) {
			covered++
		}
	}
	if got := float64(covered) / trials; got < 0.93 || got > 0.97 {
		t.Errorf("coverage %.3f, want about 0.95", got)
	}
}

func binomial(rng *rand.Rand, n int, p float64) int {
	k := 0
	for i := 0; i < n; i++ {
		if rng.Float64() < p {
			k++
		}
	}
	return k
}

func TestCasesNeeded(t *testing.T) {
	// Equal groups, 0.20 against 0.35: the textbook normal approximation
	// without continuity correction gives 138 per group.
	n1, n2, err := CasesNeeded(0.20, 0.35, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n1 != 138 || n2 != 138 {
		t.Errorf("equal groups: %d and %d, want 138 each", n1, n2)
	}
	// The sizes docs/cases.md gives for a 10% hold-out.
	for _, c := range []struct {
		p1, p2 float64
		n1, n2 int
	}{{0.25, 0.30, 6130, 682}, {0.20, 0.35, 641, 72}} {
		if a, b, _ := CasesNeeded(c.p1, c.p2, 1.0/9); a != c.n1 || b != c.n2 {
			t.Errorf("%v against %v, 10%% hold-out: %d and %d, docs/cases.md says %d and %d", c.p1, c.p2, a, b, c.n1, c.n2)
		}
	}
	// A smaller control group needs more cases in all.
	m1, m2, err := CasesNeeded(0.20, 0.35, 1.0/9)
	if err != nil {
		t.Fatal(err)
	}
	if m1+m2 <= n1+n2 || m2 >= m1 {
		t.Errorf("10%% hold-out: %d treated, %d control; want more in all than %d and fewer controls than treated", m1, m2, n1+n2)
	}
	// The sizes it gives detect the difference about 80% of the time.
	rng := rand.New(rand.NewPCG(3, 4))
	detected := 0
	const trials = 2000
	for i := 0; i < trials; i++ {
		_, iv, _ := Difference(binomial(rng, m1, 0.20), m1, binomial(rng, m2, 0.35), m2)
		if !iv.Covers(0) {
			detected++
		}
	}
	if got := float64(detected) / trials; got < 0.74 || got > 0.88 {
		t.Errorf("power at the computed sizes %.3f, want about 0.80", got)
	}
	for _, c := range [][3]float64{{0.2, 0.2, 1}, {0, 0.3, 1}, {0.2, 1, 1}, {0.2, 0.3, 0}, {0.2, 0.3, math.Inf(1)}, {math.NaN(), 0.3, 1}} {
		if _, _, err := CasesNeeded(c[0], c[1], c[2]); err == nil {
			t.Errorf("CasesNeeded%v: no error", c)
		}
	}
}
