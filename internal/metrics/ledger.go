package metrics

import (
	"maps"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// The ledger of the figures that follow the scores: the running sum of the
// scores of current customers (the predicted churn of a month is that sum
// as it was at the month's start), and the revenue at risk. Each customer
// holds a Share of the sums; a change of the customer (a new score, a new
// profile) gives a Change that says what to write: the customer's next
// share, the deltas to add to the sums, and whether the month's predicted
// churn must be fixed first. The stores keep the shares and the sums and
// apply Changes (Ledger.Apply, or its Redis equivalent); they decide
// nothing.

// Share is one customer's part in the running sums.
type Share struct {
	// Counted says that Score and Revenue are in the sums.
	Counted bool
	// Score is the customer's counted score; Revenue its revenue at risk
	// (RevenueAtRisk).
	Score, Revenue float64
	// Left marks a customer who has left (or not yet joined) as of its last
	// profile: its scores are kept but not counted, and it is on no at-risk
	// list, until a profile makes it a customer again.
	Left bool
}

// Change is what one change of a customer does to the ledger.
type Change struct {
	// Month is the month the change happens in.
	Month Month
	// Next is the customer's share after the change.
	Next Share
	// Score and Revenue are the deltas to add to the running sums.
	Score, Revenue float64
	// Freeze says that Month's predicted churn must be fixed at the running
	// score sum as it is before this change, unless Month has one already.
	Freeze bool
}

// RevenueAtRisk is a score's share of the revenue at risk: MRR x score for
// a flagged customer with a known MRR, else 0.
func RevenueAtRisk(score float64, flagged bool, mrr *float64) float64 {
	if !flagged || mrr == nil {
		return 0
	}
	return *mrr * score
}

// Scored returns the change of a new score (with its revenue at risk) at
// time now. A customer who has not left counts the new score in place of
// its previous one, after the month's predicted churn is fixed (every score
// of a customer who has not left fixes it, even an unchanged one). A
// customer who has left changes nothing.
func (s Share) Scored(score, revenue float64, now time.Time) Change {
	c := Change{Month: MonthOf(now), Next: s}
	if s.Left {
		return c
	}
	c.Next = Share{Counted: true, Score: score, Revenue: revenue}
	c.Score, c.Revenue = score, revenue
	if s.Counted {
		c.Score -= s.Score
		c.Revenue -= s.Revenue
	}
	c.Freeze = true
	return c
}

// Profiled returns the change of a new profile p at time now. A customer
// who is not a customer at now (features.Profile.ActiveAt) has left: a
// counted share leaves the sums, after the month's predicted churn is
// fixed. A customer who is a customer at now is no longer Left; one who had
// left counts again from its next score. A counted share stays as it is.
func (s Share) Profiled(p *features.Profile, now time.Time) Change {
	c := Change{Month: MonthOf(now), Next: s}
	if p.ActiveAt(now) {
		c.Next.Left = false
		return c
	}
	c.Next = Share{Left: true}
	if s.Counted {
		c.Score, c.Revenue = -s.Score, -s.Revenue
		c.Freeze = true
	}
	return c
}

// Ledger is the running sums of every customer's share and the predicted
// churn of past months. The zero value is an empty ledger.
type Ledger struct {
	// Scores is the sum of the counted scores; Revenue is the revenue at
	// risk, the sum of the counted revenues. Both are on the 1e-6 grid.
	Scores, Revenue float64
	// Predicted holds each month's predicted churn once it is fixed: the
	// score sum before the month's first change, or a recorded back-test.
	Predicted map[Month]float64
}

// Apply applies c: it fixes the month's predicted churn at the current
// score sum when c says so and the month has none yet, then adds the
// deltas (on the 1e-6 grid, so that the sums do not drift).
func (l *Ledger) Apply(c Change) {
	if c.Freeze {
		l.Record(map[Month]float64{c.Month: l.Scores})
	}
	l.Scores = q(l.Scores + c.Score)
	l.Revenue = q(l.Revenue + c.Revenue)
}

// Record sets the predicted churn of the months that have none yet (on the
// 1e-6 grid); a month's first value stays.
func (l *Ledger) Record(predicted map[Month]float64) {
	for m, v := range predicted {
		if _, ok := l.Predicted[m]; ok {
			continue
		}
		if l.Predicted == nil {
			l.Predicted = map[Month]float64{}
		}
		l.Predicted[m] = q(v)
	}
}

// PredictedAt returns a copy of the predicted churn by month, with the
// current month cur at the running score sum when it has none yet: until
// the month's first change the sum is still the one of its start.
func (l *Ledger) PredictedAt(cur Month) map[Month]float64 {
	out := maps.Clone(l.Predicted)
	if out == nil {
		out = map[Month]float64{}
	}
	if _, ok := out[cur]; !ok {
		out[cur] = l.Scores
	}
	return out
}
