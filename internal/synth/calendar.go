package synth

import (
	"math"
	"math/rand/v2"
	"time"
)

// calendar holds everything about the data window that is shared by all
// customers: the dates as text, the per-day activity factor (weekends,
// holidays, season, a little shared noise) and the months of the window.
type calendar struct {
	start    time.Time // first day of the window, UTC midnight
	days     int
	limit    int64     // the last second after start an event may have (Config.NotAfter)
	date     []string  // "2026-03-01" per window day
	factor   []float64 // activity multiplier per window day
	monthDay []int     // day of month (1-31) per window day
	monthOf  []time.Month
	month    []int    // index into months per window day
	months   []string // "2025-09", ... in order
}

// newCalendar builds the calendar of the window of cfg. The shared noise is
// drawn from a generator seeded by the global seed only, so it is the same for
// every customer and every run with that seed.
func newCalendar(cfg Config) *calendar {
	end := cfg.End.UTC()
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, 0, -(cfg.Days - 1))
	c := &calendar{
		start:    start,
		days:     cfg.Days,
		limit:    math.MaxInt64,
		date:     make([]string, cfg.Days),
		factor:   make([]float64, cfg.Days),
		monthDay: make([]int, cfg.Days),
		monthOf:  make([]time.Month, cfg.Days),
		month:    make([]int, cfg.Days),
	}
	if !cfg.NotAfter.IsZero() {
		c.limit = int64(cfg.NotAfter.Sub(start) / time.Second)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	for d := 0; d < cfg.Days; d++ {
		t := start.AddDate(0, 0, d)
		c.date[d] = t.Format(time.DateOnly)
		c.monthDay[d] = t.Day()
		c.monthOf[d] = t.Month()
		m := t.Format("2006-01")
		if len(c.months) == 0 || c.months[len(c.months)-1] != m {
			c.months = append(c.months, m)
		}
		c.month[d] = len(c.months) - 1
		noise := math.Exp(0.05 * rng.NormFloat64())
		c.factor[d] = weekdayFactor(t.Weekday()) * holidayFactor(t) * seasonFactor(t) * noise
	}
	return c
}

// allows reports whether an event at day d plus sec seconds is within
// Config.NotAfter.
func (c *calendar) allows(d, sec int) bool {
	return int64(d)*86400+int64(min(max(sec, 0), 86399)) <= c.limit
}

// weekdayFactor is the share of weekday activity that happens on day wd.
func weekdayFactor(wd time.Weekday) float64 {
	switch wd {
	case time.Saturday:
		return 0.35
	case time.Sunday:
		return 0.28
	case time.Monday:
		return 1.05
	case time.Friday:
		return 0.9
	default:
		return 1.0
	}
}

// holidayFactor is the activity multiplier of public holidays: the week from
// Christmas Eve to New Year's Day, and a few single days (May Day, US
// Independence Day, Labor Day, Thanksgiving and the day after). Holidays cut
// everyone's usage; they never cause churn.
func holidayFactor(t time.Time) float64 {
	m, d := t.Month(), t.Day()
	switch {
	case m == time.December && (d == 25 || d == 31):
		return 0.2
	case m == time.December && d >= 24:
		return 0.35
	case m == time.January && d == 1:
		return 0.2
	case m == time.January && d == 2:
		return 0.6
	case m == time.May && d == 1:
		return 0.7
	case m == time.July && d == 4:
		return 0.55
	case m == time.September && t.Weekday() == time.Monday && d <= 7: // Labor Day
		return 0.6
	case m == time.November && t.Weekday() == time.Thursday && d >= 22 && d <= 28: // Thanksgiving
		return 0.45
	case m == time.November && t.Weekday() == time.Friday && d >= 23 && d <= 29:
		return 0.65
	}
	return 1
}

// seasonFactor is a mild yearly rhythm: an August vacation dip and a small
// bump in the last days of each month (month-end reporting).
func seasonFactor(t time.Time) float64 {
	doy := float64(t.YearDay())
	f := 1 - 0.1*math.Exp(-((doy-222)/18)*((doy-222)/18))
	if t.AddDate(0, 0, 3).Month() != t.Month() {
		f *= 1.06
	}
	return f
}
