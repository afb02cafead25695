package metrics

import (
	"reflect"
	"strings"
	"testing"
)

// CLV: a base of 10 customers (ARPA 100) that never churns until one churns
// in January 2026.
func TestCLV(t *testing.T) {
	dec, jan, feb := mo(2025, 12), mo(2026, 1), mo(2026, 2)
	a := Aggregate{Flows: map[Month]Flow{
		0:   {New: 10, NewMRR: 100000},
		jan: {Churned: 1, ChurnedMRR: 10000},
	}}
	tests := []struct {
		name                 string
		gm                   float64
		dec, jan, feb, total *float64
	}{
		// Feb: ARPA 900/9, churn rates Sep..Feb 0,0,0,0,0.1,0.
		{"margin 1 by default", 0, nil, fp(100 / (0.1 / 6)), fp(100 / (0.1 / 6)), fp(100 / (1.0 / 29))},
		{"margin 0.5", 0.5, nil, fp(100 * 0.5 / (0.1 / 6)), fp(100 * 0.5 / (0.1 / 6)), fp(100 * 0.5 / (1.0 / 29))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := Compute(a, Options{From: dec, To: feb, GrossMargin: tt.gm})
			mustJSON(t, tab)
			eqPtr(t, "Dec CLV", month(t, tab, dec).CLV, tt.dec)
			eqPtr(t, "Jan CLV", month(t, tab, jan).CLV, tt.jan)
			eqPtr(t, "Feb CLV", month(t, tab, feb).CLV, tt.feb)
			eqPtr(t, "overall CLV", tab.Overall.CLV, tt.total)
			eqPtr(t, "overall ARPA", tab.Overall.ARPA, fp(100))
			if !hasNote(tab, "CLV is undefined") {
				t.Errorf("December has no churn in its window but no note: %v", tab.Notes)
			}
		})
	}
	// Churn leaves the window after six months: July 2026 is undefined.
	tab := Compute(a, Options{From: mo(2026, 6), To: mo(2026, 7)})
	eqPtr(t, "June CLV", month(t, tab, mo(2026, 6)).CLV, fp(100/(0.1/6)))
	eqPtr(t, "July CLV", month(t, tab, mo(2026, 7)).CLV, nil)
	// Without any churn: CLV null everywhere, with the note.
	tab = Compute(Aggregate{Flows: map[Month]Flow{0: {New: 10, NewMRR: 100000}}}, Options{From: jan, To: feb, GrossMargin: 0.8})
	mustJSON(t, tab)
	for _, f := range tab.Months {
		eqPtr(t, f.Month+" CLV", f.CLV, nil)
		eqPtr(t, f.Month+" ARPA", f.ARPA, fp(100))
	}
	if tab.Overall.CLV != nil || !hasNote(tab, "CLV is undefined") || tab.GrossMargin != 0.8 {
		t.Errorf("no churn: overall CLV %v, notes %v, margin %v", show(tab.Overall.CLV), tab.Notes, tab.GrossMargin)
	}
}

func TestCohorts(t *testing.T) {
	jan, feb := mo(2026, 1), mo(2026, 2)
	cs := []Customer{
		life(day(2026, 1, 3), tp(day(2026, 1, 20))), // gone at the start of February
		life(day(2026, 1, 4), tp(day(2026, 3, 2))),  // gone at the start of April
		life(day(2026, 1, 5), nil),
		life(day(2026, 2, 7), nil),
		// A re-signup: the second lifetime does not rejoin the cohort.
		{Lifetimes: []Lifetime{{Start: day(2026, 1, 9), End: tp(day(2026, 2, 1))}, {Start: day(2026, 3, 1)}}},
	}
	a := aggregate(cs...)
	tab := Compute(a, Options{From: jan, To: mo(2026, 4)})
	want := []CohortRow{
		{Cohort: "2026-01", Size: 4, Retained: []int64{3, 2, 1}, Retention: []float64{0.75, 0.5, 0.25}},
		{Cohort: "2026-02", Size: 1, Retained: []int64{1, 1}, Retention: []float64{1, 1}},
	}
	if !reflect.DeepEqual(tab.Cohorts, want) {
		t.Errorf("cohorts = %+v\nwant %+v", tab.Cohorts, want)
	}
	// At most 12 ages, and none past To.
	tab = Compute(a, Options{From: jan, To: mo(2027, 6)})
	if got := tab.Cohorts[0].Retained; len(got) != 12 || got[11] != 1 {
		t.Errorf("January cohort over 18 months: %v", got)
	}
	tab = Compute(a, Options{From: feb, To: feb})
	if want := []CohortRow{{Cohort: "2026-02", Size: 1, Retained: []int64{}, Retention: []float64{}}}; !reflect.DeepEqual(tab.Cohorts, want) {
		t.Errorf("one-month range: %+v", tab.Cohorts)
	}
	if js := mustJSON(t, tab); !strings.Contains(js, `"retention":[]`) {
		t.Errorf("empty retention not encoded as []: %s", js)
	}
}

func TestRangeCut(t *testing.T) {
	tab := Compute(Aggregate{}, Options{From: mo(2000, 1), To: mo(2500, 1)})
	if len(tab.Months) != MaxMonths || !hasNote(tab, "range cut") || tab.Overall.To != "2099-12" {
		t.Errorf("%d months, to %s, notes %v", len(tab.Months), tab.Overall.To, tab.Notes)
	}
}
