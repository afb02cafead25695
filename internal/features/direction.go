package features

import "github.com/churnrisk/churn/internal/signals"

// Direction is the way a feature may move the churn risk when every other
// feature stays the same: a learner honours it as a monotone constraint.
type Direction int8

// The directions a feature can declare.
const (
	// Decreasing: a higher value can never make a customer riskier.
	Decreasing Direction = -1
	// Unconstrained: the data decides (the meaning is not clear-cut).
	Unconstrained Direction = 0
	// Increasing: a higher value can never make a customer safer.
	Increasing Direction = 1
)

// String returns "increasing", "decreasing" or "unconstrained".
func (d Direction) String() string {
	switch d {
	case Increasing:
		return "increasing"
	case Decreasing:
		return "decreasing"
	}
	return "unconstrained"
}

// directions holds the declared direction of the behavioural features whose
// meaning is not in doubt; a feature absent from it is Unconstrained. Every
// entry says why, with the definitions in features.go in mind.
var directions = map[string]Direction{
	// Drop is the relative fall of recent usage against earlier usage in
	// [-1, 1] (1: stopped, -1: grew or started); a deeper fall is never safer.
	// With no usage in either window it is 0, between growth and a fall.
	UsageDrop30d: Increasing,
	UsageDrop7d:  Increasing,
	// Days without product activity; capped at the lookback when there was
	// none in it, which is the riskiest value, as it should be.
	DaysSinceActive: Increasing,
	// More days with usage in the last 30 days is never riskier.
	ActiveDays30d: Decreasing,
	// The usage slope per 30 days relative to the mean (0 without usage, a
	// case days_since_last_activity already marks as risky): rising usage is
	// never riskier than falling usage.
	UsageTrend: Decreasing,
	// Mean and lowest ticket sentiment in [-1, 1], 0 without tickets: a
	// customer without tickets sits between happy and unhappy ones, so a
	// higher sentiment is never riskier.
	SentimentMean90d: Decreasing,
	SentimentMin90d:  Decreasing,
	// Negative tickets and tickets asking to cancel, refund or leave.
	NegativeTickets90d: Increasing,
	IntentTickets90d:   Increasing,
	// Days since the last negative ticket, capped at the lookback when there
	// was none: the older the last complaint, the safer (none is safest).
	DaysSinceNegTicket: Decreasing,
	// Visits to the pages people open on their way out.
	VisitFeature(signals.CatCancel):     Increasing,
	VisitFeature(signals.CatDowngrade):  Increasing,
	VisitFeature(signals.CatRefund):     Increasing,
	VisitFeature(signals.CatExport):     Increasing,
	VisitFeature(signals.CatCompetitor): Increasing,
	// Days with any risk-page visit. It counts pricing and billing days too,
	// but the visits per category stay separate features, so holding them
	// fixed, more days of such visits is repeated attention, never safer.
	RiskVisitDays30d: Increasing,

	// Deliberately Unconstrained (absent): raw usage totals (usage_7d,
	// usage_30d, usage_prev_30d: their meaning depends on the plan and on
	// each other), ticket counts (a support-heavy customer is often an
	// engaged one), pricing and billing page visits (often an upgrade or an
	// invoice, not a departure), page views, tenure, MRR, the plan and the
	// account attributes.
}

// DirectionOf returns the declared direction of a feature name;
// Unconstrained for a name without one (attributes, plan, tenure, MRR).
func DirectionOf(name string) Direction { return directions[name] }

// Directions returns the direction of every feature of the schema, in vector
// order (len Schema.Len()). Learners take it as their monotone constraints;
// it only matters at fit time.
func (s *Schema) Directions() []Direction {
	out := make([]Direction, len(s.Names))
	for i, n := range s.Names {
		out[i] = directions[n]
	}
	return out
}

// Constrained reports whether any feature of the schema declares a direction.
func (s *Schema) Constrained() bool {
	for _, d := range s.Directions() {
		if d != Unconstrained {
			return true
		}
	}
	return false
}
