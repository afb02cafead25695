package metrics

import (
	"fmt"
	"math"
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
	// (RevenueAtRisk), in cents.
	Score   Micros
	Revenue Cents
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
	Score   Micros
	Revenue Cents
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

// ScoreUnits returns a score and its revenue at risk (RevenueAtRisk,
// rounded to the cent) as the ledger counts them. It returns an error
// wrapping ErrRange for a score that is not finite or an MRR out of range.
func ScoreUnits(score float64, flagged bool, mrr *float64) (Micros, Cents, error) {
	u, err := MicrosOf(score)
	if err != nil {
		return 0, 0, fmt.Errorf("score: %w", err)
	}
	if flagged && mrr != nil {
		if _, err := MRRCents(*mrr); err != nil {
			return 0, 0, fmt.Errorf("mrr: %w", err)
		}
	}
	r := RevenueAtRisk(score, flagged, mrr)
	if math.IsNaN(r) || r < 0 {
		r = 0 // a negative or NaN MRR counts as 0
	}
	c, err := CentsOf(r)
	if err != nil {
		return 0, 0, fmt.Errorf("revenue at risk: %w", err)
	}
	return u, c, nil
}

// Scored returns the change of a new score (with its revenue at risk,
// ScoreUnits) at time now. A customer who has not left counts the new
// score in place of its previous one, after the month's predicted churn is
// fixed (every score of a customer who has not left fixes it, even an
// unchanged one). A customer who has left changes nothing.
func (s Share) Scored(score Micros, revenue Cents, now time.Time) Change {
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
	// risk, the sum of the counted revenues.
	Scores  Micros
	Revenue Cents
	// Predicted holds each month's predicted churn once it is fixed: the
	// score sum before the month's first change, or a recorded back-test.
	Predicted map[Month]Micros
}

// Apply applies c: it fixes the month's predicted churn at the current
// score sum when c says so and the month has none yet, then adds the
// deltas. It is all or nothing: when a sum would leave MaxSum it returns
// an error wrapping ErrRange and l is unchanged.
func (l *Ledger) Apply(c Change) error {
	scores, err := AddSum(l.Scores, c.Score)
	if err != nil {
		return fmt.Errorf("score sum: %w", err)
	}
	revenue, err := AddSum(l.Revenue, c.Revenue)
	if err != nil {
		return fmt.Errorf("revenue at risk: %w", err)
	}
	if c.Freeze {
		l.Record(map[Month]Micros{c.Month: l.Scores})
	}
	l.Scores, l.Revenue = scores, revenue
	return nil
}

// Record sets the predicted churn of the months that have none yet; a
// month's first value stays.
func (l *Ledger) Record(predicted map[Month]Micros) {
	for m, v := range predicted {
		if _, ok := l.Predicted[m]; ok {
			continue
		}
		if l.Predicted == nil {
			l.Predicted = map[Month]Micros{}
		}
		l.Predicted[m] = v
	}
}

// PredictedMicros converts predicted churn by month (a back-test's sums of
// probabilities) as the ledger keeps it. It returns an error wrapping
// ErrRange for a value that is not finite or out of range.
func PredictedMicros(predicted map[Month]float64) (map[Month]Micros, error) {
	out := make(map[Month]Micros, len(predicted))
	for m, v := range predicted {
		u, err := MicrosOf(v)
		if err != nil {
			return nil, fmt.Errorf("predicted churn of %s: %w", m, err)
		}
		out[m] = u
	}
	return out, nil
}

// PredictedAt returns the predicted churn by month as probabilities, with
// the current month cur at the running score sum when it has none yet:
// until the month's first change the sum is still the one of its start.
func (l *Ledger) PredictedAt(cur Month) map[Month]float64 {
	out := make(map[Month]float64, len(l.Predicted)+1)
	for m, v := range l.Predicted {
		out[m] = v.Float()
	}
	if _, ok := out[cur]; !ok {
		out[cur] = l.Scores.Float()
	}
	return out
}
