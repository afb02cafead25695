package metrics

import (
	"math/rand/v2"
	"testing"
	"time"
)

// benchCustomers returns n seeded customers signing up over ten years, a
// third churned, with a few MRR changes each.
func benchCustomers(n int) []Customer {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	cs := make([]Customer, n)
	for i := range cs {
		start := base.Add(time.Duration(r.IntN(3650*24)) * time.Hour)
		c := life(start, nil, MRRPoint{MonthOf(start), float64(r.IntN(500))})
		for k := 0; k < 3; k++ {
			m := MonthOf(start) + Month(r.IntN(60))
			c.MRR = setPoint(c.MRR, MRRPoint{m, float64(r.IntN(500))})
		}
		if r.IntN(3) == 0 {
			end := start.Add(time.Duration(r.IntN(2000*24)) * time.Hour)
			c.Lifetimes[0].End = &end
		}
		cs[i] = c
	}
	return cs
}

func BenchmarkContribution(b *testing.B) {
	cs := benchCustomers(1000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		contrib(cs[i%len(cs)])
	}
}

func BenchmarkCompute(b *testing.B) {
	a := aggregate(benchCustomers(20000)...)
	o := Options{From: mo(2024, 1), To: mo(2025, 12), RevenueHistory: true}
	b.ReportAllocs()
	for b.Loop() {
		Compute(a, o)
	}
}

// The prefix-sum stocks agree with a direct count over the customers.
func TestStocksAgreeWithDirectCount(t *testing.T) {
	cs := benchCustomers(2000)
	from, to := mo(2016, 1), mo(2027, 12)
	tab := Compute(aggregate(cs...), Options{From: from, To: to, RevenueHistory: true})
	for i, f := range tab.Months {
		m := from + Month(i)
		var n int64
		var mrr Cents
		for _, c := range cs {
			l := c.Lifetimes[0]
			if MonthOf(l.Start) < m && (l.End == nil || MonthOf(*l.End) >= m) {
				n++
				s, err := newSeries(c.MRR)
				if err != nil {
					t.Fatal(err)
				}
				mrr += s.at(m - 1)
			}
		}
		if f.CustomersStart != n || f.MRRStart != mrr.Float() {
			t.Fatalf("%s: %d customers, MRR %v at start; direct count %d, %v", f.Month, f.CustomersStart, f.MRRStart, n, mrr)
		}
	}
}
