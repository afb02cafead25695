package store

import (
	"math"
	"slices"

	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// Level selects the tiers of the at-risk list.
type Level string

// The tiers of the at-risk list.
const (
	// LevelAny lists both tiers, highest first.
	LevelAny Level = ""
	// LevelHigh lists the flagged customers.
	LevelHigh Level = "high"
	// LevelMedium lists the watch tier: scored at or above the model's
	// medium threshold and below its flag threshold.
	LevelMedium Level = "medium"
)

// Sort is an order of the at-risk list. Every order puts the largest value
// first and breaks ties by customer id.
type Sort string

// The orders of the at-risk list.
const (
	// SortScore orders by score.
	SortScore Sort = "score"
	// SortRevenue orders by revenue at risk (MRR x score; none counts as 0).
	SortRevenue Sort = "revenue_at_risk"
	// SortChange orders by the rise of the score over 7 days; customers
	// without a score 7 days before come last.
	SortChange Sort = "change"
)

// Levels and Sorts are the values the at-risk list accepts, in the order
// they are documented.
var (
	Levels = []Level{LevelHigh, LevelMedium}
	Sorts  = []Sort{SortScore, SortRevenue, SortChange}
)

// DailyScoreDays is how many days of daily scores a customer keeps (the
// last score stored on each day, up to the day of its latest score): enough
// for a score 7 days before even when the customer is not scored every day.
const DailyScoreDays = 14

// ChangeDays is how far back the change of a score looks.
const ChangeDays = 7

// noChangeKey is the change order's key of a customer without a score
// ChangeDays before: after every real change (keys are -change, in [-1, 1]).
const noChangeKey = 2

// tier is the at-risk tier of a score: LevelHigh when flagged, LevelMedium
// in the watch tier, ok false when it is on neither.
func tier(s *Score) (l Level, ok bool) {
	switch {
	case s.Flagged:
		return LevelHigh, true
	case s.RiskLevel == model.RiskMedium:
		return LevelMedium, true
	}
	return "", false
}

// scoreDay is the day of a score's as-of time, the day its daily score is
// recorded under.
func scoreDay(s *Score) int32 { return signals.DayNumber(s.AsOf) }

// keptFrom is the first day of daily scores kept along a score of day.
func keptFrom(day int32) int32 { return day - DailyScoreDays + 1 }

// dailyScore is one day's last score of a customer.
type dailyScore struct {
	day   int32
	score float64
}

// weekAgo is the score ChangeDays before day: the last daily score of a
// day no later than day-ChangeDays; nil when none is kept.
func weekAgo(daily []dailyScore, day int32) *float64 {
	var best *dailyScore
	for i := range daily {
		d := &daily[i]
		if d.day <= day-ChangeDays && d.day >= keptFrom(day) && (best == nil || d.day > best.day) {
			best = d
		}
	}
	if best == nil {
		return nil
	}
	v := best.score
	return &v
}

// recordDaily returns daily with the score of day set (replacing that
// day's) and the days before keptFrom(day) dropped, sorted by day.
func recordDaily(daily []dailyScore, day int32, score float64) []dailyScore {
	out := make([]dailyScore, 0, len(daily)+1)
	for _, d := range daily {
		if d.day >= keptFrom(day) && d.day != day {
			out = append(out, d)
		}
	}
	out = append(out, dailyScore{day, score})
	slices.SortFunc(out, func(a, b dailyScore) int { return int(a.day) - int(b.day) })
	return out
}

// sortKey is an item's key in order o: the negated value, so that
// ascending keys (ties by id) list the largest value first.
func sortKey(o Sort, s *Score, ago *float64) float64 {
	switch o {
	case SortRevenue:
		if s.MRR == nil {
			return 0
		}
		return -q6(*s.MRR * s.Score)
	case SortChange:
		if ago == nil {
			return noChangeKey
		}
		return -q6(s.Score - *ago)
	}
	return -s.Score
}

// Change is a score's change over ChangeDays: score minus the score
// ChangeDays before, rounded to 1e-6; nil when that score is unknown.
func Change(score float64, ago *float64) *float64 {
	if ago == nil {
		return nil
	}
	v := q6(score - *ago)
	return &v
}

// valid reports whether the query's level and sort are known and its
// minimum score is a number.
func (q AtRiskQuery) valid() bool {
	return (q.Level == LevelAny || slices.Contains(Levels, q.Level)) && (q.Sort == "" || slices.Contains(Sorts, q.Sort)) &&
		!math.IsNaN(q.MinScore)
}

// order is the query's sort, SortScore when unset.
func (q AtRiskQuery) order() Sort {
	if q.Sort == "" {
		return SortScore
	}
	return q.Sort
}

// levels are the tiers the query lists.
func (q AtRiskQuery) levels() []Level {
	if q.Level == LevelAny {
		return Levels
	}
	return []Level{q.Level}
}
