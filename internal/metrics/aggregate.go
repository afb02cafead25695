package metrics

import (
	"fmt"
	"sort"
	"time"
)

// Flow is what happened in one month, summed over customers. MRR amounts
// are exact sums of cents.
type Flow struct {
	New         int64 `json:"new"`
	Reactivated int64 `json:"reactivated"`
	// Churned counts every lifetime that ended in the month, ChurnedJoiners
	// included.
	Churned int64 `json:"churned"`
	// ChurnedJoiners counts lifetimes that churned in the month they
	// (re)joined: in Churned, not in the churn rate.
	ChurnedJoiners  int64 `json:"churned_joiners"`
	NewMRR          Cents `json:"new_mrr"`
	ReactivationMRR Cents `json:"reactivation_mrr"`
	ChurnedMRR      Cents `json:"churned_mrr"`
	ExpansionMRR    Cents `json:"expansion_mrr"`
	ContractionMRR  Cents `json:"contraction_mrr"`
	// MissingMRR counts joiners of customers without any MRR point.
	MissingMRR int64 `json:"missing_mrr"`
}

// CohortKey addresses one cell of the cohort counts. Age 0 holds the cohort's
// size (signups of the first lifetime in month Cohort); Age k >= 1 counts
// members whose first lifetime ended in month Cohort+k-1 (so they are not
// customers at the start of Cohort+k).
type CohortKey struct {
	Cohort Month
	Age    int
}

// Aggregate is the sum of customers' contributions. The zero value is an
// empty aggregate; Add allocates the maps when needed.
type Aggregate struct {
	Flows   map[Month]Flow
	Cohorts map[CohortKey]int64
}

// span is one lifetime in months: joined in J, ended in E (when closed).
type span struct {
	J, E   Month
	closed bool
}

// spans returns the lifetimes of c in months, sorted by start, with
// overlapping lifetimes merged and ends before starts clamped to the start,
// so that any stored Customer gives consistent flows.
func spans(c Customer) (out []span, firstKnown bool) {
	ls := make([]Lifetime, len(c.Lifetimes))
	copy(ls, c.Lifetimes)
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].Start.Before(ls[j].Start) })
	var merged []Lifetime
	for _, l := range ls {
		if l.End != nil && l.End.Before(l.Start) {
			s := l.Start
			l.End = &s
		}
		if k := len(merged); k > 0 {
			prev := &merged[k-1]
			if prev.End == nil || l.Start.Before(*prev.End) {
				if prev.End != nil && (l.End == nil || l.End.After(*prev.End)) {
					prev.End = l.End
				}
				continue
			}
		}
		merged = append(merged, l)
	}
	if len(merged) > 0 {
		firstKnown = !merged[0].Start.IsZero()
	}
	out = make([]span, len(merged))
	for i, l := range merged {
		s := span{J: monthOrZero(l.Start)}
		if l.End != nil {
			s.closed = true
			s.E = max(monthOrZero(*l.End), s.J)
		}
		out[i] = s
	}
	return out, firstKnown
}

// monthOrZero returns the month of t, Month(0) for the zero time, and never
// a month below 0.
func monthOrZero(t time.Time) Month {
	if t.IsZero() {
		return 0
	}
	return max(MonthOf(t), 0)
}

// centPoint is an MRR point in cents.
type centPoint struct {
	Month Month
	MRR   Cents
}

// mrrSeries answers e(m) for a customer's MRR points.
type mrrSeries struct {
	pts []centPoint // sorted by month, one per month
}

// newSeries returns the series of points, in cents (MRRCents). It returns
// an error wrapping ErrRange for a point out of range.
func newSeries(points []MRRPoint) (mrrSeries, error) {
	pts := make([]MRRPoint, len(points))
	copy(pts, points)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Month < pts[j].Month })
	out := make([]centPoint, 0, len(pts))
	for _, p := range pts {
		c, err := MRRCents(p.MRR)
		if err != nil {
			return mrrSeries{}, fmt.Errorf("mrr of %s: %w", p.Month, err)
		}
		if k := len(out); k > 0 && out[k-1].Month == p.Month {
			out[k-1].MRR = c // the later point of a month wins
			continue
		}
		out = append(out, centPoint{p.Month, c})
	}
	return mrrSeries{pts: out}, nil
}

// at returns e(m): the value of the last point in or before m, the first
// point's value before it, 0 without points.
func (s mrrSeries) at(m Month) Cents {
	i := sort.Search(len(s.pts), func(i int) bool { return s.pts[i].Month > m })
	if i == 0 {
		if len(s.pts) == 0 {
			return 0
		}
		return s.pts[0].MRR
	}
	return s.pts[i-1].MRR
}

// Contribution returns what customer c adds to the aggregate: its monthly
// flows and its cohort counts, as defined in the package documentation. A
// customer without lifetimes contributes nothing. It returns an error
// wrapping ErrRange for an MRR that is infinite or above value.MaxAmount
// (one customer's flows, at most a few such amounts each, then stay far
// inside MaxSum).
func Contribution(c Customer) (Aggregate, error) {
	a := Aggregate{Flows: map[Month]Flow{}, Cohorts: map[CohortKey]int64{}}
	sp, firstKnown := spans(c)
	if len(sp) == 0 {
		return a, nil
	}
	e, err := newSeries(c.MRR)
	if err != nil {
		return Aggregate{}, err
	}
	missing := len(e.pts) == 0
	upd := func(m Month, f func(*Flow)) {
		v := a.Flows[m]
		f(&v)
		a.Flows[m] = v
	}
	for i, s := range sp {
		upd(s.J, func(f *Flow) {
			if i == 0 {
				f.New++
			} else {
				f.Reactivated++
			}
			if missing {
				f.MissingMRR++
			}
		})
		if s.closed && s.E == s.J {
			upd(s.J, func(f *Flow) { f.Churned++; f.ChurnedJoiners++ })
			continue
		}
		joinMRR := e.at(s.J)
		upd(s.J, func(f *Flow) {
			if i == 0 {
				f.NewMRR += joinMRR
			} else {
				f.ReactivationMRR += joinMRR
			}
		})
		// Months strictly inside: only months with a point can change e.
		for k, p := range e.pts {
			if p.Month <= s.J || (s.closed && p.Month >= s.E) {
				continue
			}
			prev := e.pts[0].MRR
			if k > 0 {
				prev = e.pts[k-1].MRR
			}
			d := p.MRR - prev
			switch {
			case d > 0:
				upd(p.Month, func(f *Flow) { f.ExpansionMRR += d })
			case d < 0:
				upd(p.Month, func(f *Flow) { f.ContractionMRR -= d })
			}
		}
		if s.closed {
			churnMRR := e.at(s.E - 1)
			upd(s.E, func(f *Flow) {
				f.Churned++
				f.ChurnedMRR += churnMRR
			})
		}
	}
	if firstKnown {
		s := sp[0]
		a.Cohorts[CohortKey{Cohort: s.J, Age: 0}]++
		if s.closed {
			a.Cohorts[CohortKey{Cohort: s.J, Age: int(s.E-s.J) + 1}]++
		}
	}
	return a, nil
}

// Add adds sign*b to a: sign must be +1 or -1 (any negative sign counts as
// -1, anything else as +1). Every sum is exact (int64); entries that
// become zero are deleted. It is all or nothing: when a sum would leave
// MaxSum it returns an error wrapping ErrRange (naming the month and the
// field) and a is unchanged.
func (a *Aggregate) Add(b Aggregate, sign int) error {
	s := int64(1)
	if sign < 0 {
		s = -1
	}
	// Every sum is checked before the first change.
	for m, f := range b.Flows {
		v, w := a.Flows[m], scaled(f, s)
		for i, x := range fieldsOf(&v) {
			if _, err := AddSum(*x, *fieldsOf(&w)[i]); err != nil {
				return fmt.Errorf("%s of %s: %w", FlowFieldNames[i], m, err)
			}
		}
	}
	for k, n := range b.Cohorts {
		if _, err := AddSum(a.Cohorts[k], s*n); err != nil {
			return fmt.Errorf("cohort %s age %d: %w", k.Cohort, k.Age, err)
		}
	}
	if len(b.Flows) > 0 && a.Flows == nil {
		a.Flows = make(map[Month]Flow, len(b.Flows))
	}
	for m, f := range b.Flows {
		v, w := a.Flows[m], scaled(f, s)
		for i, x := range fieldsOf(&v) {
			*x += *fieldsOf(&w)[i]
		}
		if v == (Flow{}) {
			delete(a.Flows, m)
		} else {
			a.Flows[m] = v
		}
	}
	if len(b.Cohorts) > 0 && a.Cohorts == nil {
		a.Cohorts = make(map[CohortKey]int64, len(b.Cohorts))
	}
	for k, n := range b.Cohorts {
		v := a.Cohorts[k] + s*n
		if v == 0 {
			delete(a.Cohorts, k)
		} else {
			a.Cohorts[k] = v
		}
	}
	return nil
}

// FlowFieldNames name the fields of a Flow in FlowFields order (the names
// the Redis store keeps them under).
var FlowFieldNames = [...]string{"new", "reactivated", "churned", "churned_joiners", "missing_mrr",
	"new_mrr", "reactivation_mrr", "churned_mrr", "expansion_mrr", "contraction_mrr"}

// FlowFields returns f's fields as int64 values (counts, and cents for
// the MRR amounts), in FlowFieldNames order.
func FlowFields(f Flow) [len(FlowFieldNames)]int64 {
	var out [len(FlowFieldNames)]int64
	for i, x := range fieldsOf(&f) {
		out[i] = *x
	}
	return out
}

// SetFlowField sets the field of f named name (FlowFieldNames) to v; it
// reports false for an unknown name.
func SetFlowField(f *Flow, name string, v int64) bool {
	for i, x := range fieldsOf(f) {
		if FlowFieldNames[i] == name {
			*x = v
			return true
		}
	}
	return false
}

// fieldsOf points at f's fields in FlowFieldNames order.
func fieldsOf(f *Flow) [len(FlowFieldNames)]*int64 {
	return [...]*int64{&f.New, &f.Reactivated, &f.Churned, &f.ChurnedJoiners, &f.MissingMRR,
		(*int64)(&f.NewMRR), (*int64)(&f.ReactivationMRR), (*int64)(&f.ChurnedMRR), (*int64)(&f.ExpansionMRR), (*int64)(&f.ContractionMRR)}
}

// scaled returns f with every field times s.
func scaled(f Flow, s int64) Flow {
	for _, x := range fieldsOf(&f) {
		*x *= s
	}
	return f
}

// Diff returns Contribution(newC) - Contribution(oldC), holding only the
// months and cohort cells that differ (empty maps when nothing does): the
// change to add to an aggregate when a customer changes from oldC to newC.
// The receiver is not used. It returns an error wrapping ErrRange when
// either contribution does.
func (a Aggregate) Diff(newC, oldC Customer) (Aggregate, error) {
	d, err := Contribution(newC)
	if err != nil {
		return Aggregate{}, err
	}
	o, err := Contribution(oldC)
	if err != nil {
		return Aggregate{}, fmt.Errorf("stored state: %w", err)
	}
	if err := d.Add(o, -1); err != nil {
		return Aggregate{}, err
	}
	return d, nil
}
