package app

import (
	"math"
	"slices"
	"testing"
)

// days returns n copies of v.
func days(n int, v float64) []float64 { return slices.Repeat([]float64{v}, n) }

func TestUsageDrop(t *testing.T) {
	cat := func(parts ...[]float64) []float64 { return slices.Concat(parts...) }
	tests := []struct {
		name             string
		usage            []float64
		n                int
		ok               bool
		start            int
		baseline, recent float64
	}{
		// b = 10, r7 = 10: not low.
		{"steady", days(35, 10), 1, false, 0, 0, 0},
		// Day 34: b = mean(days 0..27) = 10, r7 = mean(28..34) = 2 < 5.
		{"one low day", cat(days(28, 10), days(7, 2)), 1, true, 34, 10, 2},
		// r7 = 5 is not below half of 10.
		{"exactly half", cat(days(28, 10), days(7, 5)), 1, false, 0, 0, 0},
		// No baseline usage: never low.
		{"no usage", days(40, 0), 6, false, 0, 0, 0},
		// Days 40..45 at 1 after 40 days at 10, last day 45:
		// r7(45) = (10+6)/7 = 2.29, r7(44) = (20+5)/7 = 3.57, r7(43) = (30+4)/7 = 4.86,
		// r7(42) = (40+3)/7 = 6.14 >= 5; every baseline is 10. The run starts at 43.
		{"run inside the window", cat(days(40, 10), days(6, 1)), 12, true, 43, 10, 16.0 / 7},
		// Same usage, a window of 2 days (44, 45): the run is clamped to 44,
		// baseline b(44) = mean(10..37) = 10.
		{"run clamped to the window", cat(days(40, 10), days(6, 1)), 2, true, 44, 10, 16.0 / 7},
		// 28 at 10, 10 at 0 (last day 37): every day 34..37 is low, b(37) =
		// mean(3..30) = 250/28; clamped to day 34 with b(34) = 10, r7(37) = 0.
		{"stopped using", cat(days(28, 10), days(10, 0)), 4, true, 34, 10, 0},
		// A drop that recovered: 28 at 10, 7 at 0, 7 at 10 (last day 41):
		// b(41) = mean(7..34) = 210/28 = 7.5, r7(41) = 10: not low.
		{"recovered", cat(days(28, 10), days(7, 0), days(7, 10)), 8, false, 0, 0, 0},
		// Baseline 20 over days 0..27 except day 0 at 48: b(34) = (48+27*20)/28 = 21,
		// r7(34) = 10 < 10.5.
		{"just under half", cat([]float64{48}, days(27, 20), days(7, 10)), 1, true, 34, 21, 10},
		// Too little usage before the window: no answer rather than a guess.
		{"short history", days(20, 10), 1, false, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start, b, r, ok := usageDrop(tc.usage, tc.n)
			if ok != tc.ok || start != tc.start || math.Abs(b-tc.baseline) > 1e-9 || math.Abs(r-tc.recent) > 1e-9 {
				t.Errorf("usageDrop = start %d, baseline %v, recent %v, %v; want %d, %v, %v, %v", start, b, r, ok, tc.start, tc.baseline, tc.recent, tc.ok)
			}
		})
	}
}
