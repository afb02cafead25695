package metrics

import (
	"errors"
	"testing"
	"time"
)

func TestMonth(t *testing.T) {
	tests := []struct {
		in    time.Time
		month Month
		str   string
	}{
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 2026*12 + 2, "2026-03"},
		{time.Date(2026, 3, 31, 23, 59, 59, 999999999, time.UTC), 2026*12 + 2, "2026-03"},
		{time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), 2026*12 + 11, "2026-12"},
		// 2026-04-01T01:00+02:00 is 2026-03-31T23:00Z.
		{time.Date(2026, 4, 1, 1, 0, 0, 0, time.FixedZone("x", 2*3600)), 2026*12 + 2, "2026-03"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			m := MonthOf(tt.in)
			if m != tt.month {
				t.Fatalf("MonthOf(%v) = %d, want %d", tt.in, m, tt.month)
			}
			if m.String() != tt.str {
				t.Errorf("String = %q, want %q", m.String(), tt.str)
			}
			back, err := ParseMonth(tt.str)
			if err != nil || back != m {
				t.Errorf("ParseMonth(%q) = %d, %v; want %d", tt.str, back, err, m)
			}
			if s := m.Start(); MonthOf(s) != m || s.Day() != 1 || s.Hour() != 0 || s.Location() != time.UTC {
				t.Errorf("Start = %v", s)
			}
		})
	}
	if Month(0).String() != "0000-01" || Month(-1).String() != "-001-12" {
		t.Errorf("Month(0) = %s, Month(-1) = %s", Month(0), Month(-1))
	}
}

func TestParseMonthErrors(t *testing.T) {
	for _, s := range []string{"", "2026-3", "2026-13", "2026-00", "2026/03", "26-03-01", "2026-03-01", "２０２６-03", "-026-03", "2026-+3"} {
		m, err := ParseMonth(s)
		if err == nil || !errors.Is(err, ErrBadMonth) || m != 0 {
			t.Errorf("ParseMonth(%q) = %d, %v; want 0 and ErrBadMonth", s, m, err)
		}
	}
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-03", "0000-01", "9999-12", "2026-13", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMonth(s)
		if err != nil {
			return
		}
		if m.String() != s {
			t.Fatalf("ParseMonth(%q) = %d, which prints as %q", s, m, m.String())
		}
		if MonthOf(m.Start()) != m {
			t.Fatalf("MonthOf(Start(%d)) = %d", m, MonthOf(m.Start()))
		}
	})
}
