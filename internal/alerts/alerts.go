// Package alerts decides when a customer's score raises or clears an alert
// of a webhook subscription: a Schmitt trigger per subscription, so that a
// score wandering around the threshold alerts once per real crossing. A
// customer is at risk for a rule once its score reaches the rule's
// threshold from below, and stays so until its score falls below the
// rule's clear level (the threshold minus the hysteresis). A customer who
// has left raises and clears nothing: its states stay as they are.
//
// The stores keep each customer's states and apply Evaluate's result
// atomically (the Redis store applies the table of Rule.Next, see
// internal/store); they decide nothing.
package alerts

// DefaultHysteresis is how far below a subscription's threshold a score
// must fall before its alert clears (customer.risk_cleared).
const DefaultHysteresis = 0.05

// Rule is one subscription's trigger.
type Rule struct {
	ID        string  // the subscription id
	Threshold float64 // at risk at or above it
	Clear     float64 // cleared below it (Threshold minus the hysteresis)
}

// NewRule returns the rule of subscription id: at risk from threshold,
// cleared below threshold minus hysteresis, or below 0 (never) when that is
// negative.
func NewRule(id string, threshold, hysteresis float64) Rule {
	return Rule{ID: id, Threshold: threshold, Clear: max(0, threshold-hysteresis)}
}

// Transition is a change of a customer's alert state for one rule.
type Transition struct {
	RuleID string
	AtRisk bool // true: became at risk; false: risk cleared
}

// Next returns a customer's state for r after a new score, given its state
// before (atRisk) and whether the customer has left: a customer who is not
// at risk becomes so at or above the threshold; one who is stays so unless
// the score is below the clear level; one who has left keeps its state. A
// NaN score changes nothing.
func (r Rule) Next(atRisk bool, score float64, left bool) bool {
	switch {
	case left:
		return atRisk
	case atRisk:
		return !(score < r.Clear)
	}
	return score >= r.Threshold
}

// Evaluate applies a new score to a customer's states (rule id -> at risk;
// a missing id is not at risk) for every rule, and returns the transitions
// in rule order. states is updated in place: a rule that clears is deleted.
func Evaluate(states map[string]bool, score float64, left bool, rules []Rule) []Transition {
	var out []Transition
	for _, r := range rules {
		at := states[r.ID]
		next := r.Next(at, score, left)
		if next == at {
			continue
		}
		if next {
			states[r.ID] = true
		} else {
			delete(states, r.ID)
		}
		out = append(out, Transition{RuleID: r.ID, AtRisk: next})
	}
	return out
}
