package metrics

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/churnrisk/churn/internal/value"
)

// Exact sums: money is kept as whole cents (Cents) and probabilities as
// millionths (Micros), both int64, so that adding any amount beside any
// other loses nothing and a sum that is added to and subtracted from
// returns exactly to where it was, in any order. The conversions from and
// to float64 are here and nowhere else: amounts enter through CentsOf,
// MRRCents and MicrosOf, and figures leave through Cents.Float and
// Micros.Float.
//
// Why cents: they are the unit money is billed in, and an amount of the
// contract (at most value.MaxAmount, 1e12) is at most 1e14 cents, so a sum
// may hold some 90,000 maximal amounts before it nears the int64 limit
// (9.2e18). Micro-units of money would leave room for only 9 of them. A
// probability is already kept to 1e-6 (the score grid).
//
// Near the limit: every stored sum is bounded by about MaxSum in magnitude,
// and an addition that would leave the bound is refused with an error
// wrapping ErrRange before anything is changed (AddSum; the Redis store's
// Lua makes the same test with the same float64 arithmetic), so a sum never
// wraps.

// Cents is an amount of money in hundredths of the currency unit.
type Cents int64

// Micros is a probability, or a sum of probabilities, in millionths.
type Micros int64

// MaxSum bounds every stored sum. The test (AddSum) is made in float64 so
// that it is the same in Go and in Redis's Lua, whose numbers are doubles:
// float64(a) + float64(d) errs by less than 2048 units, so an accepted sum
// is within MaxSum + 2048, far inside the 2.2e17 margin below the int64
// limit, and is then added exactly in int64.
const MaxSum = 9e18

// ErrRange is wrapped by the errors of a value or a sum outside what the
// figures hold exactly: an amount that is not finite or above
// value.MaxAmount, or a sum that would leave MaxSum.
var ErrRange = errors.New("outside the exact range of the churn figures")

// AddSum returns a + d, or an error wrapping ErrRange when
// |float64(a) + float64(d)| > MaxSum (then the caller changes nothing).
func AddSum[T ~int64](a, d T) (T, error) {
	if math.Abs(float64(a)+float64(d)) > MaxSum {
		return a, fmt.Errorf("%w: %d + %d is beyond %g", ErrRange, a, d, float64(MaxSum))
	}
	return a + d, nil
}

// CentsOf converts an amount of money to cents, rounding half away from
// zero. It returns an error wrapping ErrRange for a value that is not
// finite or whose magnitude is above value.MaxAmount.
func CentsOf(v float64) (Cents, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > value.MaxAmount {
		return 0, fmt.Errorf("%w: amount %g (the bound is %g)", ErrRange, v, float64(value.MaxAmount))
	}
	return Cents(math.Round(v * 100)), nil
}

// MRRCents is CentsOf for an MRR: a negative or NaN MRR counts as 0 (the
// package rule); an infinite one or one above value.MaxAmount is an error
// wrapping ErrRange.
func MRRCents(v float64) (Cents, error) {
	if math.IsNaN(v) || v < 0 {
		return 0, nil
	}
	return CentsOf(v)
}

// MicrosOf converts a probability (or a sum of them) to millionths,
// rounding half away from zero. It returns an error wrapping ErrRange for
// a value that is not finite or whose millionths would leave MaxSum.
func MicrosOf(p float64) (Micros, error) {
	if math.IsNaN(p) || math.IsInf(p, 0) || math.Abs(p*1e6) > MaxSum {
		return 0, fmt.Errorf("%w: probability sum %g", ErrRange, p)
	}
	return Micros(math.Round(p * 1e6)), nil
}

// Float returns c in currency units. It is exact to the cent (the nearest
// float64, which prints as the decimal amount) while |c| < 2^53 cents,
// about 9e13 units.
func (c Cents) Float() float64 { return float64(c) / 100 }

// Float returns u as a probability (sum).
func (u Micros) Float() float64 { return float64(u) / 1e6 }

// String writes c in currency units, the shortest decimal that reads back
// as c (ParseCents).
func (c Cents) String() string { return strconv.FormatFloat(c.Float(), 'f', -1, 64) }

// String writes u as a decimal probability that reads back as u
// (ParseMicros).
func (u Micros) String() string { return strconv.FormatFloat(u.Float(), 'f', -1, 64) }

// ParseCents reads an amount written in currency units (Cents.String, or
// any decimal: it is rounded to the cent). It returns an error for text
// that is not a number and one wrapping ErrRange as CentsOf does.
func ParseCents(s string) (Cents, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	return CentsOf(v)
}

// ParseMicros reads a probability written as a decimal (Micros.String, or
// any decimal: it is rounded to 1e-6). It returns an error for text that
// is not a number and one wrapping ErrRange as MicrosOf does.
func ParseMicros(s string) (Micros, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("probability %q: %w", s, err)
	}
	return MicrosOf(v)
}
