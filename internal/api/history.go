package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/signals"
)

// Bounds of GET /v1/customers/{id}/history.
const (
	defaultHistoryDays = 90
	maxHistoryDays     = 365
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
// of the last `days` days (today included) with the score of each day
// (app.Service.History), and the usage drop going on today.
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
	h, err := s.app.History(c.Request.Context(), id, days)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := historyResponse{CustomerID: id, From: dayString(h.From), To: dayString(h.To), Days: historyDays(h.Days, h.From, h.To)}
	if h.Scores != nil {
		out.ModelVersion = &h.ModelVersion
		for i := range out.Days {
			out.Days[i].Score = &h.Scores[i]
		}
	}
	if d := h.UsageDrop; d != nil {
		out.UsageDrop = &usageDropView{Date: dayString(d.Start), Baseline: d.Baseline, Recent: d.Recent}
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
