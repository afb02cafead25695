package data

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/churnrisk/churn/internal/value"
)

// IsMissing reports whether s is a missing value (value.IsMissing: empty,
// NA, N/A, null or NaN).
func IsMissing(s string) bool { return value.IsMissing(s) }

// ParseBool parses a boolean of the contract (value.ParseBool: yes/no,
// true/false, 1/0, y/n); any other value returns an error.
func ParseBool(s string) (bool, error) { return value.ParseBool(s) }

// ParseTime parses a timestamp or a date of the contract into UTC
// (value.ParseTime); a value in neither form returns an error.
func ParseTime(s string) (time.Time, error) { return value.ParseTime(s) }

// digits parses a run of ASCII decimal digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseMonth parses YYYY-MM (or, leniently, a timestamp, whose month is
// taken) into year*12 + month-1.
func parseMonth(s string) (int32, error) {
	if len(s) == 7 && s[4] == '-' {
		y, ok1 := digits(s[:4])
		m, ok2 := digits(s[5:])
		if ok1 && ok2 && m >= 1 && m <= 12 {
			return int32(y*12 + m - 1), nil
		}
	} else if t, err := ParseTime(s); err == nil {
		return int32(t.Year()*12 + int(t.Month()) - 1), nil
	}
	return 0, fmt.Errorf("cannot parse %s as a month (YYYY-MM)", quote(s))
}

// MonthStart returns the UTC midnight starting month m (year*12 + month-1).
func MonthStart(m int32) time.Time {
	return time.Date(int(m/12), time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
}

// parseAmount parses an MRR or a quantity: a finite number in [0,
// value.MaxAmount] (value.ParseAmount). The error is the reason text for a
// RowError.
func parseAmount(s string) (float64, error) { return value.ParseAmount(s) }

// parseNumber parses a finite decimal number.
func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("cannot parse %s as a number", quote(s))
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("must be a finite number, got %s", quote(s))
	}
	return v, nil
}

// quote returns s quoted for an error message, shortened when long.
func quote(s string) string { return value.Quote(s) }
