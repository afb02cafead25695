package value

import (
	"math"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{in: "0", want: 0},
		{in: "10", want: 10},
		{in: "49.99", want: 49.99},
		{in: "1e12", want: MaxAmount},
		{in: "1000000000000", want: MaxAmount},
		{in: "1000000000000.01", err: `must be at most 1e+12, got "1000000000000.01"`},
		{in: "1e300", err: `must be at most 1e+12, got "1e300"`},
		{in: "1.7e308", err: `must be at most 1e+12, got "1.7e308"`},
		{in: "1e999", err: `must be at most 1e+12, got "1e999"`},
		{in: "-1e999", err: `must be >= 0, got "-1e999"`},
		{in: "-10", err: `must be >= 0, got "-10"`},
		{in: "Inf", err: `must be a finite number, got "Inf"`},
		{in: "-infinity", err: `must be a finite number, got "-infinity"`},
		{in: "NaN", err: `cannot parse "NaN" as a number`},
		{in: "12$", err: `cannot parse "12$" as a number`},
		{in: "", err: `cannot parse "" as a number`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAmount(tt.in)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("ParseAmount(%q): %v", tt.in, err)
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Fatalf("ParseAmount(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
			case tt.err == "" && got != tt.want:
				t.Fatalf("ParseAmount(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckAmount(t *testing.T) {
	for _, v := range []float64{0, 1e-9, 10, MaxAmount} {
		if err := CheckAmount(v); err != nil {
			t.Errorf("CheckAmount(%v): %v", v, err)
		}
	}
	bad := map[float64]string{
		math.NaN():                      "must be a finite number",
		math.Inf(1):                     "must be a finite number",
		math.Inf(-1):                    "must be a finite number",
		-1:                              "must be >= 0, got -1",
		math.Nextafter(MaxAmount, 2e12): "must be at most 1e+12",
		1e300:                           "must be at most 1e+12, got 1e+300",
		math.MaxFloat64:                 "must be at most 1e+12",
	}
	for v, want := range bad {
		err := CheckAmount(v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckAmount(%v) = %v, want %q", v, err, want)
		}
	}
}

// TestMaxAmountSums: the bound's doc comment holds: a day's total of the
// largest allowed quantities, 10,000 a request, stays finite and exact, and
// a sum of maximal amounts keeps a cent beside it.
func TestMaxAmountSums(t *testing.T) {
	sum := 0.0
	for range 10000 {
		sum += MaxAmount
	}
	if sum != 1e16 || math.IsInf(sum, 0) {
		t.Errorf("10,000 x MaxAmount = %v", sum)
	}
	s := 45*MaxAmount + 0.01
	if got := s - 45*MaxAmount; math.Abs(got-0.01) > 0.005 {
		t.Errorf("a cent beside 45 maximal amounts comes back as %v", got)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "10", "1e12", "1e300", "-1", "Inf", "NaN", "1e999", "0x1p40", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAmount(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > MaxAmount {
			t.Fatalf("ParseAmount(%q) = %v accepted out of bounds", s, v)
		}
		if CheckAmount(v) != nil {
			t.Fatalf("ParseAmount(%q) = %v, which CheckAmount refuses", s, v)
		}
	})
}
