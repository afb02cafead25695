// Package value is the syntax of single values in the data contract
// (DESIGN.md section 2), shared by the file loader and the HTTP API: missing
// values, booleans and timestamps. It is a leaf: it imports only the
// standard library.
package value

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// IsMissing reports whether s is a missing value: empty, NA, N/A, null or NaN,
// case-insensitive, ignoring surrounding white space.
func IsMissing(s string) bool {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 0:
		return true
	case 2:
		return strings.EqualFold(s, "na")
	case 3:
		return strings.EqualFold(s, "n/a") || strings.EqualFold(s, "nan")
	case 4:
		return strings.EqualFold(s, "null")
	}
	return false
}

// ParseBool parses yes/no, true/false, 1/0 and y/n, case-insensitive and
// ignoring surrounding white space. Any other value returns an error.
func ParseBool(s string) (bool, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "1", strings.EqualFold(t, "yes"), strings.EqualFold(t, "true"), strings.EqualFold(t, "y"):
		return true, nil
	case t == "0", strings.EqualFold(t, "no"), strings.EqualFold(t, "false"), strings.EqualFold(t, "n"):
		return false, nil
	}
	return false, fmt.Errorf("cannot parse %s as a boolean (yes/no, true/false, 1/0)", Quote(s))
}

// ParseTime parses an RFC 3339 timestamp ("2026-03-01T12:00:00Z", with an
// optional fraction and any zone offset; a space instead of the T is accepted)
// or a date ("2026-03-01", read as UTC midnight). The result is in UTC. A value
// in neither form returns an error of the form `cannot parse "..."`.
func ParseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	if v, ok := parseFastTime(t); ok {
		return v, nil
	}
	if len(t) > 10 && (t[10] == 'T' || t[10] == 't' || t[10] == ' ') {
		u := t
		if t[10] != 'T' {
			u = t[:10] + "T" + t[11:]
		}
		if v, err := time.Parse(time.RFC3339Nano, u); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %s", Quote(s))
}

// parseFastTime parses the two common fixed-width forms, YYYY-MM-DD and
// YYYY-MM-DDTHH:MM:SSZ, without going through time.Parse. It reports false
// for anything else, including out-of-range fields.
func parseFastTime(s string) (time.Time, bool) {
	if len(s) != 10 && (len(s) != 20 || s[10] != 'T' || s[19] != 'Z' || s[13] != ':' || s[16] != ':') {
		return time.Time{}, false
	}
	if s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return time.Time{}, false
	}
	var hh, mm, ss int
	if len(s) == 20 {
		var ok4, ok5, ok6 bool
		hh, ok4 = digits(s[11:13])
		mm, ok5 = digits(s[14:16])
		ss, ok6 = digits(s[17:19])
		if !ok4 || !ok5 || !ok6 || hh > 23 || mm > 59 || ss > 59 {
			return time.Time{}, false
		}
	}
	return time.Date(y, time.Month(mo), d, hh, mm, ss, 0, time.UTC), true
}

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

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Quote returns s quoted for an error message, shortened to 64 characters
// and "..." when longer.
func Quote(s string) string {
	const maxRunes = 64
	if utf8.RuneCountInString(s) > maxRunes {
		r := []rune(s)
		return strconv.Quote(string(r[:maxRunes])) + "..."
	}
	return strconv.Quote(s)
}
