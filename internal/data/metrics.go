package data

import (
	"cmp"
	"slices"

	"github.com/churnrisk/churn/internal/metrics"
)

// MetricsCustomers builds what the churn metrics know of every customer of
// ds, aligned with ds.Customers: one lifetime [signup_at, churned_at) (a
// missing signup gives a zero Start), and MRR points from revenue.csv when
// the customer has rows there (each month's value as its end-of-month MRR);
// otherwise one point holding customers.csv's mrr at the signup month, or at
// the first month with data when the signup is missing (no point when mrr is
// missing). It returns nil for a nil data set.
func MetricsCustomers(ds *Dataset) []metrics.Customer {
	if ds == nil {
		return nil
	}
	firstMonth := metrics.Month(0)
	if !ds.Start.IsZero() {
		firstMonth = metrics.MonthOf(ds.Start)
	}
	out := make([]metrics.Customer, len(ds.Customers))
	for i := range ds.Customers {
		p := &ds.Customers[i]
		var c metrics.Customer
		var l metrics.Lifetime
		if p.SignupAt != nil {
			l.Start = p.SignupAt.UTC()
		}
		if p.ChurnedAt != nil {
			end := p.ChurnedAt.UTC()
			l.End = &end
		}
		c.Lifetimes = []metrics.Lifetime{l}
		var rev []MonthMRR
		if ds.HasEvents[Revenue] && i < len(ds.Revenue) {
			rev = ds.Revenue[i]
		}
		switch {
		case len(rev) > 0:
			c.MRR = mrrPoints(rev)
		case p.MRR != nil:
			m := firstMonth
			if p.SignupAt != nil {
				m = metrics.MonthOf(*p.SignupAt)
			}
			c.MRR = []metrics.MRRPoint{{Month: m, MRR: *p.MRR}}
		}
		out[i] = c
	}
	return out
}

// mrrPoints returns a revenue history as MRR points sorted by month, one per
// month (the later row of a month wins; Load's histories are already sorted
// with one row per month).
func mrrPoints(rev []MonthMRR) []metrics.MRRPoint {
	pts := make([]metrics.MRRPoint, len(rev))
	for i, r := range rev {
		pts[i] = metrics.MRRPoint{Month: metrics.Month(r.Month), MRR: r.MRR}
	}
	slices.SortStableFunc(pts, func(a, b metrics.MRRPoint) int { return cmp.Compare(a.Month, b.Month) })
	out := pts[:0]
	for _, p := range pts {
		if n := len(out); n > 0 && out[n-1].Month == p.Month {
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}
