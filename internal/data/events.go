package data

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

// eventCols are the column positions of the event file being read (-1:
// absent).
type eventCols struct {
	id, ts                   int
	quantity, metric         int // usage
	text, sentiment, channel int // tickets
	path                     int // page views
	month, mrr               int // revenue
}

func noEventCols() eventCols {
	return eventCols{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
}

func (l *loader) usageHeader(t *table, cols map[string]int) error {
	if err := requireCols(t, cols, "customer_id", "timestamp"); err != nil {
		return err
	}
	c := noEventCols()
	c.id, c.ts = cols["customer_id"], cols["timestamp"]
	c.quantity, c.metric = col(cols, "quantity"), col(cols, "metric")
	l.ev = c
	return nil
}

func (l *loader) ticketsHeader(t *table, cols map[string]int) error {
	if err := requireCols(t, cols, "customer_id", "timestamp"); err != nil {
		return err
	}
	c := noEventCols()
	c.id, c.ts = cols["customer_id"], cols["timestamp"]
	c.text, c.sentiment, c.channel = col(cols, "text"), col(cols, "sentiment"), col(cols, "channel")
	if c.text < 0 && c.sentiment < 0 {
		return &RowError{File: t.file, Line: t.headerLine, Column: "text", Reason: "missing required column (a sentiment column may replace it)"}
	}
	l.ev = c
	return nil
}

func (l *loader) pageViewsHeader(t *table, cols map[string]int) error {
	if err := requireCols(t, cols, "customer_id", "timestamp", "path"); err != nil {
		return err
	}
	c := noEventCols()
	c.id, c.ts, c.path = cols["customer_id"], cols["timestamp"], cols["path"]
	l.ev = c
	return nil
}

func (l *loader) revenueHeader(t *table, cols map[string]int) error {
	if err := requireCols(t, cols, "customer_id", "month", "mrr"); err != nil {
		return err
	}
	c := noEventCols()
	c.id, c.month, c.mrr = cols["customer_id"], cols["month"], cols["mrr"]
	l.ev = c
	return nil
}

// eventStart parses the customer_id and timestamp columns common to the
// event files.
func (l *loader) eventStart(t *table, rec []string) (string, time.Time, *RowError) {
	c := &l.ev
	id, re := customerID(t, c.id, rec[c.id])
	if re != nil {
		return "", time.Time{}, re
	}
	ts, re := timeField(t, c.ts, rec[c.ts], true)
	if re != nil {
		return "", time.Time{}, re
	}
	return id, ts, nil
}

// fold queues one valid event for its customer's history, or counts it as
// unknown.
func (l *loader) fold(t *table, ev *signals.Event) {
	pos, ok := l.ds.Index[ev.CustomerID]
	if !ok {
		l.ds.Report.UnknownEvents[t.file]++
		return
	}
	l.pipe.add(pos, ev)
}

func (l *loader) usageRow(t *table, rec []string) *RowError {
	id, ts, re := l.eventStart(t, rec)
	if re != nil {
		return re
	}
	c := &l.ev
	ev := signals.Event{Type: signals.TypeUsage, CustomerID: id, Timestamp: ts, Quantity: 1, Metric: "usage"}
	if c.quantity >= 0 && !IsMissing(rec[c.quantity]) {
		v, err := parseAmount(strings.TrimSpace(rec[c.quantity]))
		if err != nil {
			return t.fieldErr(c.quantity, rec[c.quantity], err.Error())
		}
		ev.Quantity = v
	}
	if c.metric >= 0 && !IsMissing(rec[c.metric]) {
		ev.Metric = strings.TrimSpace(rec[c.metric])
	}
	l.fold(t, &ev)
	return nil
}

func (l *loader) ticketRow(t *table, rec []string) *RowError {
	id, ts, re := l.eventStart(t, rec)
	if re != nil {
		return re
	}
	c := &l.ev
	ev := signals.Event{Type: signals.TypeTicket, CustomerID: id, Timestamp: ts}
	if c.text >= 0 && !IsMissing(rec[c.text]) {
		ev.Text = rec[c.text]
	}
	if c.sentiment >= 0 && !IsMissing(rec[c.sentiment]) {
		raw := rec[c.sentiment]
		v, err := parseNumber(strings.TrimSpace(raw))
		if err != nil {
			return t.fieldErr(c.sentiment, raw, err.Error())
		}
		if v < -1 || v > 1 {
			return t.fieldErr(c.sentiment, raw, fmt.Sprintf("must be in [-1, 1], got %s", quote(raw)))
		}
		ev.Sentiment = &v
	}
	if c.channel >= 0 && !IsMissing(rec[c.channel]) {
		ev.Channel = strings.TrimSpace(rec[c.channel])
	}
	l.fold(t, &ev)
	return nil
}

func (l *loader) pageViewRow(t *table, rec []string) *RowError {
	id, ts, re := l.eventStart(t, rec)
	if re != nil {
		return re
	}
	c := &l.ev
	if IsMissing(rec[c.path]) {
		return t.missing(c.path, rec[c.path])
	}
	ev := signals.Event{Type: signals.TypePageView, CustomerID: id, Timestamp: ts, Path: strings.TrimSpace(rec[c.path])}
	l.fold(t, &ev)
	return nil
}

func (l *loader) revenueRow(t *table, rec []string) *RowError {
	c := &l.ev
	id, re := customerID(t, c.id, rec[c.id])
	if re != nil {
		return re
	}
	raw := rec[c.month]
	if IsMissing(raw) {
		return t.missing(c.month, raw)
	}
	m, err := parseMonth(strings.TrimSpace(raw))
	if err != nil {
		return t.fieldErr(c.month, raw, err.Error())
	}
	raw = rec[c.mrr]
	if IsMissing(raw) {
		return t.missing(c.mrr, raw)
	}
	v, err := parseAmount(strings.TrimSpace(raw))
	if err != nil {
		return t.fieldErr(c.mrr, raw, err.Error())
	}
	pos, ok := l.ds.Index[id]
	if !ok {
		l.ds.Report.UnknownEvents[t.file]++
		return nil
	}
	l.ds.Revenue[pos] = addMonth(l.ds.Revenue[pos], m, v)
	l.seen(MonthStart(m))
	return nil
}

// addMonth adds v to month m of a sorted revenue history.
func addMonth(s []MonthMRR, m int32, v float64) []MonthMRR {
	n := len(s)
	if n > 0 && s[n-1].Month == m {
		s[n-1].MRR += v
		return s
	}
	if n == 0 || s[n-1].Month < m {
		return append(s, MonthMRR{Month: m, MRR: v})
	}
	i := sort.Search(n, func(i int) bool { return s[i].Month >= m })
	if s[i].Month == m {
		s[i].MRR += v
		return s
	}
	s = append(s, MonthMRR{})
	copy(s[i+1:], s[i:])
	s[i] = MonthMRR{Month: m, MRR: v}
	return s
}
