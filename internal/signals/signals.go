// Package signals turns raw behavioural events (usage, support tickets, page
// views) into compact per-customer daily aggregates. The same aggregation code
// runs when training from files and when the API ingests live events, so the
// features built on top of the aggregates cannot drift between the two.
package signals

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/value"
)

// EventType is the kind of a behavioural event: the "type" of an event
// posted to the API, and what each row of an event file is.
type EventType string

// Event types accepted by the loader and the API.
const (
	TypeUsage    EventType = "usage"
	TypeTicket   EventType = "ticket"
	TypePageView EventType = "page_view"
)

// Event is one behavioural event of one customer.
type Event struct {
	Type       EventType `json:"type"`
	CustomerID string    `json:"customer_id"`
	Timestamp  time.Time `json:"timestamp"`
	EventID    string    `json:"event_id,omitempty"`
	// Usage events.
	Quantity float64 `json:"quantity,omitempty"`
	Metric   string  `json:"metric,omitempty"`
	// Ticket events. Sentiment, when set, overrides the text analysis.
	Text      string   `json:"text,omitempty"`
	Sentiment *float64 `json:"sentiment,omitempty"`
	Channel   string   `json:"channel,omitempty"`
	// Page views.
	Path string `json:"path,omitempty"`
}

// DayNumber returns the number of whole days between the Unix epoch and t, in UTC.
func DayNumber(t time.Time) int32 {
	return int32(math.Floor(float64(t.Unix()) / 86400))
}

// DayStart returns the UTC midnight that starts day d.
func DayStart(d int32) time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}

// EndDay returns the first day that is NOT visible at as-of time t: the
// features of t may use every day d < EndDay(t). For a t at midnight that is
// t's own day (nothing dated on or after t is used); for a t within a day it is
// the next day (the events of that day so far are used).
func EndDay(t time.Time) int32 {
	d := DayNumber(t)
	if DayStart(d).Equal(t.UTC()) {
		return d
	}
	return d + 1
}

// NegativeSentiment is the compound sentiment below which a ticket counts as negative.
const NegativeSentiment = -0.05

// Day is the aggregate of one customer's events on one UTC day.
type Day struct {
	Day           int32                `json:"d"`
	Usage         float64              `json:"u,omitempty"`
	UsageEvents   int32                `json:"ue,omitempty"`
	Tickets       int32                `json:"t,omitempty"`
	NegTickets    int32                `json:"tn,omitempty"`
	IntentTickets int32                `json:"ti,omitempty"`
	SentimentSum  float64              `json:"ss,omitempty"`
	SentimentMin  float64              `json:"sm,omitempty"` // meaningful when Tickets > 0
	PageViews     int32                `json:"pv,omitempty"`
	Risk          [NumCategories]int32 `json:"r"`
}

// Merge adds the counts of o (the same day) into d.
func (d *Day) Merge(o Day) {
	d.Usage += o.Usage
	d.UsageEvents += o.UsageEvents
	if o.Tickets > 0 {
		if d.Tickets == 0 || o.SentimentMin < d.SentimentMin {
			d.SentimentMin = o.SentimentMin
		}
	}
	d.Tickets += o.Tickets
	d.NegTickets += o.NegTickets
	d.IntentTickets += o.IntentTickets
	d.SentimentSum += o.SentimentSum
	d.PageViews += o.PageViews
	for i := range d.Risk {
		d.Risk[i] += o.Risk[i]
	}
}

// Validate checks an event's fields and returns one error per bad field,
// keyed by the JSON field name. A nil map means the event is valid.
func Validate(e *Event) map[string]string {
	bad := map[string]string{}
	switch e.Type {
	case TypeUsage, TypeTicket, TypePageView:
	case "":
		bad["type"] = "required: one of usage, ticket, page_view"
	default:
		bad["type"] = fmt.Sprintf("unknown type %q: one of usage, ticket, page_view", e.Type)
	}
	if err := ValidateCustomerID(e.CustomerID); err != nil {
		bad["customer_id"] = err.Error()
	}
	if e.Timestamp.IsZero() {
		bad["timestamp"] = "required: RFC 3339 time"
	}
	if err := value.CheckAmount(e.Quantity); err != nil {
		bad["quantity"] = err.Error()
	}
	if e.Sentiment != nil && (math.IsNaN(*e.Sentiment) || *e.Sentiment < -1 || *e.Sentiment > 1) {
		bad["sentiment"] = "must be a number in [-1, 1]"
	}
	if e.Type == TypePageView && strings.TrimSpace(e.Path) == "" {
		bad["path"] = "required for page_view events"
	}
	if len(e.EventID) > 128 {
		bad["event_id"] = "at most 128 characters"
	}
	if len(e.Text) > 20000 {
		bad["text"] = "at most 20000 bytes"
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// Aggregator folds events into daily aggregates. It holds the text analyzer
// and the page categorizer, so that training and serving aggregate alike.
type Aggregator struct {
	Sentiment SentimentAnalyzer
	Pages     *Categorizer
}

// NewAggregator returns an Aggregator with the default analyzers (English
// VADER, Chinese lexicon) and the default risk-page patterns.
func NewAggregator() *Aggregator {
	return &Aggregator{Sentiment: DefaultAnalyzer(), Pages: DefaultCategorizer()}
}

// Day turns one event into a one-event daily aggregate.
func (a *Aggregator) Day(e *Event) Day {
	d := Day{Day: DayNumber(e.Timestamp)}
	switch e.Type {
	case TypeUsage:
		d.Usage = e.Quantity
		d.UsageEvents = 1
	case TypeTicket:
		d, _ = a.ticket(e)
	case TypePageView:
		d.PageViews = 1
		if c, ok := a.Pages.Categorize(e.Path); ok {
			d.Risk[c]++
		}
	}
	return d
}

// ticket is Day of a ticket event, with the ticket's churn intents.
func (a *Aggregator) ticket(e *Event) (Day, []Intent) {
	d := Day{Day: DayNumber(e.Timestamp), Tickets: 1}
	var (
		s       float64
		intents []Intent
	)
	if r, ok := a.Sentiment.(router); ok && e.Sentiment == nil {
		rd := r.read(e.Text) // one conversion of a Traditional text
		s, intents = rd.Sentiment, rd.Intents
	} else {
		if e.Sentiment != nil {
			s = *e.Sentiment
		} else {
			s = a.Sentiment.Analyze(e.Text).Score
		}
		intents = DetectIntent(e.Text)
	}
	d.SentimentSum = s
	d.SentimentMin = s
	if s < NegativeSentiment {
		d.NegTickets = 1
	}
	if len(intents) > 0 {
		d.IntentTickets = 1
	}
	return d, intents
}

// History is one customer's daily aggregates, sorted by day, one entry per day.
type History []Day

// Add merges a daily aggregate into the history, keeping it sorted.
func (h *History) Add(d Day) {
	s := *h
	n := len(s)
	if n > 0 && s[n-1].Day == d.Day {
		s[n-1].Merge(d)
		return
	}
	if n == 0 || s[n-1].Day < d.Day {
		*h = append(s, d)
		return
	}
	i := sort.Search(n, func(i int) bool { return s[i].Day >= d.Day })
	if i < n && s[i].Day == d.Day {
		s[i].Merge(d)
		return
	}
	s = append(s, Day{})
	copy(s[i+1:], s[i:])
	s[i] = d
	*h = s
}

// Window returns the days d with from <= d.Day < to.
func (h History) Window(from, to int32) History {
	lo := sort.Search(len(h), func(i int) bool { return h[i].Day >= from })
	hi := sort.Search(len(h), func(i int) bool { return h[i].Day >= to })
	if lo >= hi {
		return nil
	}
	return h[lo:hi]
}
