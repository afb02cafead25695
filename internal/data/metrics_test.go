package data

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
)

// The cases of metrics' former TestFromDataset: the customers built from a
// data set and the churn figures they give.

// smallDataset: a signs up in January (100), b has no signup (50) and
// churns in March, c joins and churns in February without MRR.
func smallDataset(withRevenue bool) *Dataset {
	ds := &Dataset{
		Customers: []features.Profile{
			{ID: "a", SignupAt: tp(day(2026, 1, 15)), MRR: fp(100)},
			{ID: "b", MRR: fp(50), ChurnedAt: tp(day(2026, 3, 10))},
			{ID: "c", SignupAt: tp(day(2026, 2, 1)), ChurnedAt: tp(day(2026, 2, 20))},
		},
		HasEvents: map[EventFile]bool{Revenue: withRevenue},
		Start:     day(2026, 1, 1),
	}
	if withRevenue {
		ds.Revenue = [][]MonthMRR{
			{{Month: int32(mo(2026, 1)), MRR: 100}, {Month: int32(mo(2026, 2)), MRR: 120}, {Month: int32(mo(2026, 3)), MRR: 90}},
			nil, nil,
		}
	}
	return ds
}

func TestMetricsCustomers(t *testing.T) {
	without := []metrics.Customer{
		{Lifetimes: []metrics.Lifetime{{Start: day(2026, 1, 15)}}, MRR: []metrics.MRRPoint{{Month: mo(2026, 1), MRR: 100}}},
		{Lifetimes: []metrics.Lifetime{{End: tp(day(2026, 3, 10))}}, MRR: []metrics.MRRPoint{{Month: mo(2026, 1), MRR: 50}}},
		{Lifetimes: []metrics.Lifetime{{Start: day(2026, 2, 1), End: tp(day(2026, 2, 20))}}},
	}
	with := append([]metrics.Customer(nil), without...)
	with[0] = metrics.Customer{Lifetimes: without[0].Lifetimes, MRR: []metrics.MRRPoint{{Month: mo(2026, 1), MRR: 100}, {Month: mo(2026, 2), MRR: 120}, {Month: mo(2026, 3), MRR: 90}}}
	tests := []struct {
		name    string
		revenue bool
		want    []metrics.Customer
		// March: MRR at start, gross and net rates, NRR; February expansion.
		marStart            float64
		gross, net, nrr     *float64
		febExp, marContract float64
	}{
		{"without revenue", false, without, 150, fp(50.0 / 150), fp(50.0 / 150), fp(100.0 / 150), 0, 0},
		{"with revenue", true, with, 170, fp(80.0 / 170), fp(80.0 / 170), fp(90.0 / 170), 20, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := smallDataset(tt.revenue)
			cs := MetricsCustomers(ds)
			if !reflect.DeepEqual(cs, tt.want) {
				t.Fatalf("customers = %+v\nwant %+v", cs, tt.want)
			}
			tab := metrics.Compute(aggregate(cs...), metrics.Options{
				From: mo(2026, 1), To: mo(2026, 4), RevenueHistory: ds.HasEvents[Revenue],
				Predicted:     map[metrics.Month]float64{mo(2026, 2): 0.4, mo(2026, 3): 1.5},
				RevenueAtRisk: fp(12.5),
			})
			mustJSON(t, tab)
			jan, feb, mar, apr := month(t, tab, mo(2026, 1)), month(t, tab, mo(2026, 2)), month(t, tab, mo(2026, 3)), month(t, tab, mo(2026, 4))
			if jan.CustomersStart != 1 || jan.MRRStart != 50 || jan.New != 1 || jan.NewMRR != 100 {
				t.Errorf("January: %+v", jan)
			}
			if feb.CustomersStart != 2 || feb.MRRStart != 150 || feb.New != 1 || feb.Churned != 1 ||
				feb.ChurnedJoiners != 1 || feb.ExpansionMRR != tt.febExp || feb.MissingMRR != 1 {
				t.Errorf("February: %+v", feb)
			}
			eqPtr(t, "February churn", feb.CustomerChurnRate, fp(0))
			if mar.CustomersStart != 2 || mar.MRRStart != tt.marStart || mar.ChurnedMRR != 50 || mar.ContractionMRR != tt.marContract {
				t.Errorf("March: %+v", mar)
			}
			eqPtr(t, "March churn", mar.CustomerChurnRate, fp(0.5))
			eqPtr(t, "March gross", mar.GrossMRRChurnRate, tt.gross)
			eqPtr(t, "March net", mar.NetMRRChurnRate, tt.net)
			eqPtr(t, "March nrr", mar.NRR, tt.nrr)
			if apr.CustomersStart != 1 || apr.MRRStart != tt.marStart-50-tt.marContract {
				t.Errorf("April: %+v", apr)
			}
			// Predicted beside actual.
			eqPtr(t, "Feb predicted", feb.PredictedChurn, fp(0.4))
			eqPtr(t, "Feb ratio", feb.PredictedToActual, nil)
			eqPtr(t, "Mar ratio", mar.PredictedToActual, fp(1.5))
			eqPtr(t, "Jan predicted", jan.PredictedChurn, nil)
			eqPtr(t, "overall predicted", tab.Overall.PredictedChurn, fp(0.4+1.5))
			eqPtr(t, "overall ratio", tab.Overall.PredictedToActual, fp(0.4+1.5))
			eqPtr(t, "revenue at risk", tab.RevenueAtRisk, fp(12.5))
			// Overall: churned from start 1 over customer-months 1+2+2+1.
			eqPtr(t, "overall churn", tab.Overall.CustomerChurnRate, fp(1.0/6))
			if hasNote(tab, "no revenue history") == tt.revenue {
				t.Errorf("revenue note wrong for RevenueHistory=%v: %v", tt.revenue, tab.Notes)
			}
			if !hasNote(tab, "1 customer joins up to 2026-04 have no MRR") {
				t.Errorf("no missing-MRR note: %v", tab.Notes)
			}
		})
	}
	if MetricsCustomers(nil) != nil {
		t.Error("MetricsCustomers(nil) != nil")
	}
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC) }

func tp(t time.Time) *time.Time { return &t }

func fp(v float64) *float64 { return &v }

func mo(y, m int) metrics.Month { return metrics.Month(y*12 + m - 1) }

// aggregate sums the contributions of cs.
func aggregate(cs ...metrics.Customer) metrics.Aggregate {
	var a metrics.Aggregate
	for _, c := range cs {
		d, err := metrics.Contribution(c)
		if err == nil {
			err = a.Add(d, 1)
		}
		if err != nil {
			panic(err)
		}
	}
	return a
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
func mustJSON(t *testing.T, tab metrics.Table) string {
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
func month(t *testing.T, tab metrics.Table, m metrics.Month) metrics.MonthFigures {
	t.Helper()
	for _, f := range tab.Months {
		if f.Month == m.String() {
			return f
		}
	}
	t.Fatalf("no figures for %s", m)
	return metrics.MonthFigures{}
}

func hasNote(tab metrics.Table, sub string) bool {
	for _, n := range tab.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}
