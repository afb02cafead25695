package features

import (
	"fmt"
	"math"
	"strings"

	"github.com/churnrisk/churn/internal/signals"
)

// Describe returns a sentence a support agent understands for a feature value,
// e.g. "usage fell 64% against the previous 30 days". The schema resolves
// one-hot and attribute names back to their column and level.
func (s *Schema) Describe(name string, v float64) string {
	if math.IsNaN(v) {
		return fmt.Sprintf("%s is not known", humanName(name))
	}
	switch name {
	case Usage7d:
		return fmt.Sprintf("usage of %s in the last 7 days", num(v))
	case Usage30d:
		if v == 0 {
			return "no usage in the last 30 days"
		}
		return fmt.Sprintf("usage of %s in the last 30 days", num(v))
	case UsagePrev30d:
		return fmt.Sprintf("usage of %s in the 30 days before the last 30", num(v))
	case UsageDrop30d:
		return change(v, "the previous 30 days")
	case UsageDrop7d:
		return strings.Replace(change(v, "the weeks before"), "usage", "usage this week", 1)
	case DaysSinceActive:
		if v >= float64(s.LookbackDays) {
			return fmt.Sprintf("no activity in the last %d days", s.LookbackDays)
		}
		if v < 1 {
			return "active in the last day"
		}
		return fmt.Sprintf("no activity for %s days", num(v))
	case ActiveDays30d:
		return fmt.Sprintf("active on %s of the last 30 days", num(v))
	case UsageTrend:
		// v is the fitted line's change per 30 days over the mean usage.
		switch {
		case v <= -1:
			return fmt.Sprintf("usage falling steeply over the last %d days (by %.0f%% of its average a month)", s.LookbackDays, -v*100)
		case v < 0:
			return fmt.Sprintf("usage trending down by %.0f%% of its average a month over the last %d days", -v*100, s.LookbackDays)
		}
		return fmt.Sprintf("usage trending up by %.0f%% of its average a month over the last %d days", v*100, s.LookbackDays)
	case Tickets30d:
		return plural(v, "support ticket", "in the last 30 days")
	case Tickets90d:
		return plural(v, "support ticket", "in the last 90 days")
	case SentimentMean90d:
		return fmt.Sprintf("support tickets average sentiment %+.2f (-1 angry, +1 happy) over 90 days", v)
	case SentimentMin90d:
		return fmt.Sprintf("most negative support ticket scored %+.2f (-1 angry, +1 happy) in the last 90 days", v)
	case NegativeTickets90d:
		return plural(v, "negative support ticket", "in the last 90 days")
	case DaysSinceNegTicket:
		if v >= float64(s.LookbackDays) {
			return fmt.Sprintf("no negative support ticket in the last %d days", s.LookbackDays)
		}
		if v < 1 {
			return "negative support ticket in the last day"
		}
		return fmt.Sprintf("last negative support ticket %s days ago", num(v))
	case IntentTickets90d:
		return plural(v, "support ticket", "talking of cancelling, refunds, price or a competitor in the last 90 days")
	case RiskVisitDays30d:
		return fmt.Sprintf("visited risk pages (cancel, pricing, refund...) on %s of the last 30 days", num(v))
	case PageViews30d:
		return plural(v, "page view", "in the last 30 days")
	case TenureDays:
		return fmt.Sprintf("customer for %s days", num(v))
	case MRR:
		return fmt.Sprintf("pays %.2f a month", v)
	}
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		if name == VisitFeature(c) {
			return plural(v, "visit", "to the "+c.String()+" page in the last 30 days")
		}
	}
	if col, level, ok := s.categorical(name); ok {
		if v > 0 {
			return fmt.Sprintf("%s is %s", col, level)
		}
		return fmt.Sprintf("%s is not %s", col, level)
	}
	return fmt.Sprintf("%s is %s", humanName(name), num(v))
}

// categorical resolves a one-hot feature name to its column and level.
func (s *Schema) categorical(name string) (col, level string, ok bool) {
	i := s.Index(name)
	if i < 0 {
		return "", "", false
	}
	// Walk the one-hot blocks in vector order to find the one holding i.
	j := 0
	if s.Behaviour {
		j = len(BehaviourNames())
	}
	if s.Tenure {
		j++
	}
	if s.MRR {
		j++
	}
	blocks := []*Attribute{}
	if s.Plan != nil {
		blocks = append(blocks, s.Plan)
	}
	for k := range s.Attributes {
		blocks = append(blocks, &s.Attributes[k])
	}
	for _, a := range blocks {
		if a.Numeric || a.Date {
			j++
			continue
		}
		n := len(a.Levels) + 1
		if i >= j && i < j+n {
			if i-j == len(a.Levels) {
				return a.Name, "a rare or new value", true
			}
			return a.Name, a.Levels[i-j], true
		}
		j += n
	}
	return "", "", false
}

func humanName(name string) string {
	return strings.ReplaceAll(strings.TrimPrefix(name, attrPrefix), "_", " ")
}

func change(drop float64, against string) string {
	switch {
	case drop > 0:
		return fmt.Sprintf("usage fell %.0f%% against %s", drop*100, against)
	case drop < 0:
		return fmt.Sprintf("usage rose %.0f%% against %s", -drop*100, against)
	}
	return fmt.Sprintf("usage unchanged against %s", against)
}

func plural(v float64, what, tail string) string {
	if v == 1 {
		return fmt.Sprintf("1 %s %s", what, tail)
	}
	return fmt.Sprintf("%s %ss %s", num(v), what, tail)
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
