package metrics

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC) }

func tp(t time.Time) *time.Time { return &t }

func fp(v float64) *float64 { return &v }

func mo(y, m int) Month { return Month(y*12 + m - 1) }

// aggregate sums the contributions of cs; it panics on an error (the
// customers of the tests are in range).
func aggregate(cs ...Customer) Aggregate {
	var a Aggregate
	for _, c := range cs {
		if err := a.Add(contrib(c), 1); err != nil {
			panic(err)
		}
	}
	return a
}

// contrib is Contribution for customers in range; it panics on an error.
func contrib(c Customer) Aggregate {
	a, err := Contribution(c)
	if err != nil {
		panic(err)
	}
	return a
}

// upserts applies a sequence of PUTs to a new customer.
func upserts(steps ...struct {
	p   features.Profile
	now time.Time
}) Customer {
	var c Customer
	for _, s := range steps {
		c = Update(c, s.p, s.now)
	}
	return c
}

type put = struct {
	p   features.Profile
	now time.Time
}

// life is a shorthand customer: one lifetime and the given points.
func life(start time.Time, end *time.Time, pts ...MRRPoint) Customer {
	return Customer{Lifetimes: []Lifetime{{Start: start, End: end}}, MRR: pts}
}

func eqPtr(t *testing.T, name string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", name, show(got), show(want))
	case *got != *want:
		t.Errorf("%s = %v, want %v", name, *got, *want)
	}
}

func show(p *float64) string {
	if p == nil {
		return "null"
	}
	b, _ := json.Marshal(*p)
	return string(b)
}

// mustJSON encodes tab, failing on NaN or Inf (json refuses them) and
// double-checking the text.
func mustJSON(t *testing.T, tab Table) string {
	t.Helper()
	b, err := json.Marshal(tab)
	if err != nil {
		t.Fatalf("table does not encode as JSON: %v", err)
	}
	s := string(b)
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(s, bad) {
			t.Fatalf("JSON holds %s: %s", bad, s)
		}
	}
	return s
}

// month returns the figures of month m in tab.
func month(t *testing.T, tab Table, m Month) MonthFigures {
	t.Helper()
	for _, f := range tab.Months {
		if f.Month == m.String() {
			return f
		}
	}
	t.Fatalf("no figures for %s", m)
	return MonthFigures{}
}

func hasNote(tab Table, sub string) bool {
	for _, n := range tab.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}
