package metrics

import (
	"errors"
	"fmt"
	"time"
)

// Month is a calendar month in UTC, encoded as year*12 + (month-1), the
// encoding of data.MonthMRR.Month. Month(0), January of year 0, stands for
// the time before all data.
type Month int32

// ErrBadMonth is wrapped by the errors of ParseMonth.
var ErrBadMonth = errors.New("bad month")

// MonthOf returns the month that contains t, in UTC.
func MonthOf(t time.Time) Month {
	t = t.UTC()
	return Month(t.Year()*12 + int(t.Month()) - 1)
}

// ParseMonth parses a month written "YYYY-MM" (four-digit year, two-digit
// month 01..12). On failure it returns 0 and an error that wraps ErrBadMonth
// and quotes the value.
func ParseMonth(s string) (Month, error) {
	if len(s) != 7 || s[4] != '-' {
		return 0, fmt.Errorf("%w: %q: want YYYY-MM", ErrBadMonth, s)
	}
	year, month := 0, 0
	for i := 0; i < 7; i++ {
		if i == 4 {
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q: want YYYY-MM", ErrBadMonth, s)
		}
		if i < 4 {
			year = year*10 + int(c-'0')
		} else {
			month = month*10 + int(c-'0')
		}
	}
	if month < 1 || month > 12 {
		return 0, fmt.Errorf("%w: %q: month must be 01..12", ErrBadMonth, s)
	}
	return Month(year*12 + month - 1), nil
}

// yearMonth splits m into its year and its month 1..12 (floor division, so
// that negative months are still well formed).
func (m Month) yearMonth() (year, month int) {
	v := int(m)
	year = v / 12
	r := v % 12
	if r < 0 {
		r += 12
		year--
	}
	return year, r + 1
}

// String returns the month as "YYYY-MM" (ParseMonth reads it back for years
// 0..9999).
func (m Month) String() string {
	y, mo := m.yearMonth()
	return fmt.Sprintf("%04d-%02d", y, mo)
}

// Start returns UTC midnight of the first day of the month.
func (m Month) Start() time.Time {
	y, mo := m.yearMonth()
	return time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
}
