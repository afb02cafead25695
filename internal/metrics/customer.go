package metrics

import (
	"sort"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// Lifetime is one period as a customer: from Start (zero = before any data)
// until End (nil = still a customer).
type Lifetime struct {
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end,omitempty"`
}

// MRRPoint is a customer's MRR at the END of a month; months without a point
// carry the previous value forward.
type MRRPoint struct {
	Month Month   `json:"month"`
	MRR   float64 `json:"mrr"`
}

// Customer is what the metrics know of one customer. A customer with no MRR
// points has MRR 0 (and counts as missing MRR).
type Customer struct {
	Lifetimes []Lifetime `json:"lifetimes"`
	MRR       []MRRPoint `json:"mrr,omitempty"`
}

// clone returns a deep copy of c, so that Update never mutates its input.
func (c Customer) clone() Customer {
	out := Customer{}
	if c.Lifetimes != nil {
		out.Lifetimes = make([]Lifetime, len(c.Lifetimes))
		for i, l := range c.Lifetimes {
			out.Lifetimes[i] = Lifetime{Start: l.Start, End: timePtr(l.End)}
		}
	}
	if c.MRR != nil {
		out.MRR = append([]MRRPoint(nil), c.MRR...)
	}
	return out
}

func timePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}

// Update returns the customer after an upsert of profile p at time now (the
// API's PUT); it never mutates old and cannot fail.
//
//   - The first call opens a lifetime at p.SignupAt, or at now when it is
//     missing. While the customer has a single lifetime and the call is not
//     a re-signup, p.SignupAt corrects its start (so a later PUT that
//     supplies the signup date fixes a lifetime opened at now).
//   - p.ChurnedAt set closes the open lifetime at that time, or moves the end
//     of the last one when it is already closed. An end before the
//     lifetime's start is clamped to the start (joined and churned at once).
//   - p.ChurnedAt missing while the last lifetime is closed is a re-signup: a
//     new lifetime starts at p.SignupAt if that is after the last end, else at
//     now (and never before the last end).
//   - p.MRR set is recorded as the MRR point of now's month, replacing a
//     point of the same month.
func Update(old Customer, p features.Profile, now time.Time) Customer {
	c := old.clone()
	now = now.UTC()
	n := len(c.Lifetimes)
	switch {
	case n == 0:
		start := now
		if p.SignupAt != nil {
			start = p.SignupAt.UTC()
		}
		c.Lifetimes = append(c.Lifetimes, Lifetime{Start: start})
	case p.ChurnedAt == nil && c.Lifetimes[n-1].End != nil:
		lastEnd := *c.Lifetimes[n-1].End
		start := now
		if p.SignupAt != nil && p.SignupAt.After(lastEnd) {
			start = p.SignupAt.UTC()
		}
		if start.Before(lastEnd) {
			start = lastEnd
		}
		c.Lifetimes = append(c.Lifetimes, Lifetime{Start: start})
	case n == 1 && p.SignupAt != nil:
		c.Lifetimes[0].Start = p.SignupAt.UTC()
	}
	if p.ChurnedAt != nil {
		last := &c.Lifetimes[len(c.Lifetimes)-1]
		end := p.ChurnedAt.UTC()
		if end.Before(last.Start) {
			end = last.Start
		}
		last.End = &end
	}
	if p.MRR != nil {
		c.MRR = setPoint(c.MRR, MRRPoint{Month: MonthOf(now), MRR: *p.MRR})
	}
	return c
}

// setPoint returns points with p recorded: it replaces the point of the same
// month or is inserted in month order (points are assumed sorted).
func setPoint(points []MRRPoint, p MRRPoint) []MRRPoint {
	i := sort.Search(len(points), func(i int) bool { return points[i].Month >= p.Month })
	if i < len(points) && points[i].Month == p.Month {
		points[i] = p
		return points
	}
	points = append(points, MRRPoint{})
	copy(points[i+1:], points[i:])
	points[i] = p
	return points
}
