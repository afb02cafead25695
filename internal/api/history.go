package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// Bounds of GET /v1/customers/{id}/history.
const (
	defaultHistoryDays = 90
	maxHistoryDays     = 365
)

// The usage-drop rule: a day is low when the mean usage of the 7 days ending
// with it is below half the mean of the 28 days before those.
const (
	dropRecentDays   = 7
	dropBaselineDays = 28
	dropBefore       = dropRecentDays + dropBaselineDays - 1 // days before a day that the rule reads
	dropRatio        = 0.5
)

// dayFormat is how the history names a day.
const dayFormat = "2006-01-02"

// historyResponse is the body of GET /v1/customers/{id}/history.
type historyResponse struct {
	CustomerID   string         `json:"customer_id"`
	From         string         `json:"from"`
	To           string         `json:"to"`
	ModelVersion *string        `json:"model_version"`
	Days         []historyDay   `json:"days"`
	UsageDrop    *usageDropView `json:"usage_drop"`
}

// historyDay is one day of a customer's history: its daily aggregates and
// the score the active model gives as of the end of the day.
type historyDay struct {
	Date            string    `json:"date"`
	Usage           float64   `json:"usage"`
	UsageEvents     int32     `json:"usage_events"`
	Tickets         int32     `json:"tickets"`
	NegativeTickets int32     `json:"negative_tickets"`
	IntentTickets   int32     `json:"intent_tickets"`
	SentimentMean   *float64  `json:"sentiment_mean"`
	SentimentMin    *float64  `json:"sentiment_min"`
	PageViews       int32     `json:"page_views"`
	RiskPages       riskPages `json:"risk_pages"`
	Score           *float64  `json:"score"`
}

// usageDropView is the drop in usage going on at the last day of a history.
type usageDropView struct {
	Date     string  `json:"date"`
	Baseline float64 `json:"baseline"`
	Recent   float64 `json:"recent"`
}

// riskPages counts the risk-page visits of a day by category; it is a JSON
// object keyed by the category names, in category order.
type riskPages [signals.NumCategories]int32

// MarshalJSON writes {"cancel":n,"downgrade":n,...}.
func (r riskPages) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, n := range r {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, signals.CategoryNames[i])
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, '}'), nil
}

var _ json.Marshaler = riskPages{}

// customerHistory answers GET /v1/customers/{id}/history: one entry per day
// of the last `days` days (today included), the score of each day
// recomputed with the active model as of the end of that day (today: as of
// now, like the risk endpoint), and the usage drop going on today. It
// writes nothing and raises no alert.
func (s *Server) customerHistory(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	days := defaultHistoryDays
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxHistoryDays {
			s.fail(c, invalid([]FieldError{{Field: "days", Message: "must be an integer from 1 to 365"}}))
			return
		}
		days = n
	}
	now := s.now().UTC()
	to := signals.DayNumber(now)
	from := to - int32(days-1)
	m := s.Model()
	before := int32(dropBefore)
	if m != nil {
		before = max(before, int32(m.Schema.LookbackDays))
	}
	ctx := c.Request.Context()
	p, err := s.store.GetCustomer(ctx, id)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	h, err := s.store.History(ctx, id, from-before, to+1)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	out := historyResponse{CustomerID: id, From: dayString(from), To: dayString(to), Days: historyDays(h, from, to)}
	if m != nil {
		out.ModelVersion = &m.Version
		scoreDays(m, &p, h, from, now, out.Days)
	}
	usage := make([]float64, days+dropBefore)
	for _, d := range h.Window(from-dropBefore, to+1) {
		usage[d.Day-(from-dropBefore)] = d.Usage
	}
	if start, baseline, recent, ok := usageDrop(usage, days); ok {
		out.UsageDrop = &usageDropView{Date: dayString(from - dropBefore + int32(start)), Baseline: baseline, Recent: recent}
	}
	c.JSON(http.StatusOK, out)
}

// dayString formats a day number as YYYY-MM-DD.
func dayString(d int32) string { return signals.DayStart(d).Format(dayFormat) }

// historyDays returns one entry per day from..to (inclusive), filled from
// the aggregates of h; days without events have zero counts and null
// sentiment.
func historyDays(h signals.History, from, to int32) []historyDay {
	out := make([]historyDay, to-from+1)
	for i := range out {
		out[i].Date = dayString(from + int32(i))
	}
	for _, d := range h.Window(from, to+1) {
		e := &out[d.Day-from]
		e.Usage, e.UsageEvents, e.PageViews = d.Usage, d.UsageEvents, d.PageViews
		e.Tickets, e.NegativeTickets, e.IntentTickets = d.Tickets, d.NegTickets, d.IntentTickets
		e.RiskPages = d.Risk
		if d.Tickets > 0 {
			mean, low := d.SentimentSum/float64(d.Tickets), d.SentimentMin
			e.SentimentMean, e.SentimentMin = &mean, &low
		}
	}
	return out
}

// scoreDays sets the score of each day of out (out[0] is day from) to the
// model's calibrated score of the customer as of the end of that day, the
// last day as of now: the features the risk endpoint computes, from the
// current profile and the aggregates visible at that time.
func scoreDays(m *model.Artifact, p *features.Profile, h signals.History, from int32, now time.Time, out []historyDay) {
	x := make([]float64, m.Schema.Len())
	lookback := int32(m.Schema.LookbackDays)
	for i := range out {
		asOf := signals.DayStart(from + int32(i) + 1)
		if i == len(out)-1 {
			asOf = now
		}
		end := signals.EndDay(asOf)
		m.Schema.Vector(p, h.Window(end-lookback, end), asOf, x)
		score := m.Predict(x, 0).Score
		out[i].Score = &score
	}
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
