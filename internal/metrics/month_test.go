package metrics

import (
	"errors"
	"strings"
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

func TestDefaultFrom(t *testing.T) {
	jun := Month(2026*12 + 5)
	agg := func(churnMonths ...Month) Aggregate {
		a := Aggregate{Flows: map[Month]Flow{jun - 40: {New: 100}}}
		for _, m := range churnMonths {
			a.Flows[m] = Flow{Churned: 1}
		}
		return a
	}
	for _, c := range []struct {
		name string
		a    Aggregate
		want Month
		note bool
	}{
		{"no churn at all", agg(), jun - 11, false},
		{"churn long before", agg(jun-30, jun-2), jun - 11, false},
		{"churn from the 12th month back", agg(jun - 11), jun - 11, false},
		{"data observes 5 months", agg(jun-4, jun-1), jun - 4, true},
		{"churn only after the end", agg(jun + 3), jun - 11, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, note := DefaultFrom(c.a, jun)
			if got != c.want || (note != "") != c.note {
				t.Errorf("DefaultFrom = %s, %q; want %s, note %v", got, note, c.want, c.note)
			}
		})
	}
}

func TestPredictedNote(t *testing.T) {
	jan := Month(2026 * 12)
	var a Aggregate
	tbl := Compute(a, Options{From: jan, To: jan + 3, Predicted: map[Month]float64{jan + 2: 5, jan + 3: 6}, LookbackDays: 90})
	want := "predicted churn is absent (not zero) for 2026-01..2026-02: a month is back-tested only when a full lookback (90 days) of events lies before its start"
	found := false
	for _, n := range tbl.Notes {
		found = found || strings.HasPrefix(n, want)
	}
	if !found {
		t.Errorf("notes %q lack %q", tbl.Notes, want)
	}
	if tbl.Months[0].PredictedChurn != nil || tbl.Months[2].PredictedChurn == nil || *tbl.Months[2].PredictedChurn != 5 {
		t.Errorf("predicted %v, %v", tbl.Months[0].PredictedChurn, tbl.Months[2].PredictedChurn)
	}
	for _, n := range Compute(a, Options{From: jan, To: jan + 3}).Notes {
		if strings.Contains(n, "predicted") {
			t.Errorf("note %q without any prediction", n)
		}
	}
}
