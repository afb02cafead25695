package app

import (
	"context"
	"fmt"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// The usage-drop rule: a day is low when the mean usage of the 7 days ending
// with it is below half the mean of the 28 days before those.
const (
	dropRecentDays   = 7
	dropBaselineDays = 28
	dropBefore       = dropRecentDays + dropBaselineDays - 1 // days before a day that the rule reads
	dropRatio        = 0.5
)

// History is a customer's recent days: the daily aggregates, the score the
// active model gives as of the end of each day, and the usage drop going on
// at the last day.
type History struct {
	CustomerID string
	// From and To are the first and last day (day numbers, inclusive).
	From, To int32
	// Days are the daily aggregates of From..To (days without events are absent).
	Days signals.History
	// ModelVersion is the version that gave Scores; "" without a model.
	ModelVersion string
	// Scores holds one score per day of From..To, the last one as of now;
	// nil without a model.
	Scores []float64
	// UsageDrop is the drop in usage going on at To; nil when there is none.
	UsageDrop *UsageDrop
}

// UsageDrop is a run of low-usage days ending at the last day of a history:
// its first day, the baseline mean usage before it and the mean usage of the
// last 7 days.
type UsageDrop struct {
	Start            int32
	Baseline, Recent float64
}

// History returns a stored customer's last `days` days (today included),
// each day scored with the active model (if any) as of its end, today as of
// now, from the current profile and the aggregates visible at that time: the
// features the risk endpoint computes. It writes nothing and raises no
// alert. It returns the store's error (store.ErrNotFound for an unknown
// customer), or an error for fewer than 1 day.
func (s *Service) History(ctx context.Context, id string, days int) (History, error) {
	if days < 1 {
		return History{}, fmt.Errorf("history of %s: %d days, want at least 1", id, days)
	}
	now := s.Now()
	to := signals.DayNumber(now)
	from := to - int32(days-1)
	m := s.models.Active()
	before := int32(dropBefore)
	if m != nil {
		before = max(before, int32(m.Schema.LookbackDays))
	}
	p, err := s.st.GetCustomer(ctx, id)
	if err != nil {
		return History{}, err
	}
	h, err := s.st.History(ctx, id, from-before, to+1)
	if err != nil {
		return History{}, err
	}
	out := History{CustomerID: id, From: from, To: to, Days: h.Window(from, to+1)}
	if m != nil {
		out.ModelVersion = m.Version
		out.Scores = scoreDays(m, &p, h, from, to, now)
	}
	usage := make([]float64, days+dropBefore)
	for _, d := range h.Window(from-dropBefore, to+1) {
		usage[d.Day-(from-dropBefore)] = d.Usage
	}
	if start, baseline, recent, ok := usageDrop(usage, days); ok {
		out.UsageDrop = &UsageDrop{Start: from - dropBefore + int32(start), Baseline: baseline, Recent: recent}
	}
	return out, nil
}

// scoreDays returns the model's calibrated score of the customer as of the
// end of each day from..to, the last day as of now.
func scoreDays(m *model.Artifact, p *features.Profile, h signals.History, from, to int32, now time.Time) []float64 {
	out := make([]float64, to-from+1)
	x := make([]float64, m.Schema.Len())
	lookback := int32(m.Schema.LookbackDays)
	for i := range out {
		asOf := signals.DayStart(from + int32(i) + 1)
		if i == len(out)-1 {
			asOf = now
		}
		end := signals.EndDay(asOf)
		out[i] = m.ScoreInto(x, p, h.Window(end-lookback, end), asOf, 0).Score
	}
	return out
}

// usageDrop finds the drop in usage going on at the last day. usage holds
// one value per day, the last one today's; the days of interest are the last
// n, and each needs the 34 days before it in usage (len(usage) >= n+34,
// otherwise there is no drop). With r7(d) the mean usage of days d-6..d and
// b(d) the mean of days d-34..d-7, day d is low when b(d) > 0 and
// r7(d) < 0.5 b(d). When the last day is low, start is the index in usage of
// the first day of the run of low days ending with it (no earlier than the
// first of the n days), baseline is b(start) and recent r7(last day);
// otherwise ok is false.
func usageDrop(usage []float64, n int) (start int, baseline, recent float64, ok bool) {
	last, first := len(usage)-1, len(usage)-n
	if n < 1 || first < dropBefore {
		return 0, 0, 0, false
	}
	mean := func(lo, hi int) float64 { // days lo..hi inclusive
		sum := 0.0
		for _, u := range usage[lo : hi+1] {
			sum += u
		}
		return sum / float64(hi-lo+1)
	}
	base := func(d int) float64 { return mean(d-dropBefore, d-dropRecentDays) }
	rec := func(d int) float64 { return mean(d-dropRecentDays+1, d) }
	low := func(d int) bool {
		b := base(d)
		return b > 0 && rec(d) < dropRatio*b
	}
	if !low(last) {
		return 0, 0, 0, false
	}
	start = last
	for start > first && low(start-1) {
		start--
	}
	return start, base(start), rec(last), true
}
