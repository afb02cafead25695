// Package export writes what a store holds back into the contract's files
// (customers.csv, usage.csv, tickets.csv, page_views.csv, revenue.csv), so
// that retraining can run on the data the API ingested. The store keeps
// daily aggregates, not raw events, so each day is written as events that
// aggregate back to the same day: one usage row with the day's total, one
// ticket row per ticket with sentiment values that reproduce the day's
// mean, minimum and negative count (and text that carries churn intent for
// the tickets that had it), and one page view per view with a path of the
// right risk category. Loading the export therefore gives the same daily
// aggregates, hence the same features, as the data the store was fed.
package export

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/signals"
)

// Source is what an export reads from a store.
type Source interface {
	EachCustomer(ctx context.Context, fn func(id string) error) error
	GetCustomer(ctx context.Context, id string) (features.Profile, error)
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
	CustomerMetrics(ctx context.Context, id string) (metrics.Customer, error)
}

// Summary counts what Write wrote.
type Summary struct {
	Customers, UsageRows, TicketRows, PageViewRows, RevenueRows int
}

// CategoryPaths are paths the default risk-page patterns put in each
// category.
var CategoryPaths = [signals.NumCategories]string{"/account/cancel", "/billing/downgrade", "/pricing", "/billing", "/legal/refund-policy", "/settings/export", "/compare/competitor"}

// intentText is detected as churn intent by signals.DetectIntent.
const intentText = "I want to cancel my subscription."

// Write exports every customer of src into dir, streaming: one customer is
// in memory at a time (plus the set of attribute names, found by a first
// pass). Files are written under temporary names and renamed when complete.
func Write(ctx context.Context, src Source, dir string) (Summary, error) {
	var sum Summary
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, err
	}
	// First pass: the attribute columns.
	attrSet := map[string]bool{}
	if err := src.EachCustomer(ctx, func(id string) error {
		p, err := src.GetCustomer(ctx, id)
		if err != nil {
			return fmt.Errorf("customer %s: %w", id, err)
		}
		for k := range p.Attributes {
			attrSet[k] = true
		}
		return nil
	}); err != nil {
		return sum, err
	}
	attrs := make([]string, 0, len(attrSet))
	for k := range attrSet {
		if !reserved[k] {
			attrs = append(attrs, k)
		}
	}
	slices.Sort(attrs)

	files := map[string]*file{}
	for _, name := range []string{"customers.csv", "usage.csv", "tickets.csv", "page_views.csv", "revenue.csv"} {
		f, err := create(dir, name)
		if err != nil {
			return sum, err
		}
		defer f.abort()
		files[name] = f
	}
	files["customers.csv"].row(append([]string{"customer_id", "signup_at", "plan", "mrr", "churned_at"}, attrs...)...)
	files["usage.csv"].row("customer_id", "timestamp", "quantity", "metric")
	files["tickets.csv"].row("customer_id", "timestamp", "text", "sentiment")
	files["page_views.csv"].row("customer_id", "timestamp", "path")
	files["revenue.csv"].row("customer_id", "month", "mrr")

	err := src.EachCustomer(ctx, func(id string) error {
		p, err := src.GetCustomer(ctx, id)
		if err != nil {
			return fmt.Errorf("customer %s: %w", id, err)
		}
		rec := []string{id, ts(p.SignupAt), p.Plan, num(p.MRR), ts(p.ChurnedAt)}
		for _, a := range attrs {
			rec = append(rec, p.Attributes[a])
		}
		files["customers.csv"].row(rec...)
		sum.Customers++
		h, err := src.History(ctx, id, math.MinInt32, math.MaxInt32)
		if err != nil {
			return fmt.Errorf("history of %s: %w", id, err)
		}
		for _, d := range h {
			at := signals.DayStart(d.Day).Add(12 * time.Hour).Format(time.RFC3339)
			if d.UsageEvents > 0 || d.Usage > 0 {
				files["usage.csv"].row(id, at, strconv.FormatFloat(d.Usage, 'g', -1, 64), "usage")
				sum.UsageRows++
			}
			for k, s := range ticketSentiments(d) {
				text := ""
				if k < int(d.IntentTickets) {
					text = intentText
				}
				files["tickets.csv"].row(id, at, text, strconv.FormatFloat(s, 'g', -1, 64))
				sum.TicketRows++
			}
			risky := int32(0)
			for c, n := range d.Risk {
				for range n {
					files["page_views.csv"].row(id, at, CategoryPaths[c])
					sum.PageViewRows++
				}
				risky += n
			}
			for range d.PageViews - risky {
				files["page_views.csv"].row(id, at, "/")
				sum.PageViewRows++
			}
		}
		mc, err := src.CustomerMetrics(ctx, id)
		if err != nil {
			return fmt.Errorf("revenue of %s: %w", id, err)
		}
		for _, pt := range mc.MRR {
			files["revenue.csv"].row(id, pt.Month.String(), strconv.FormatFloat(pt.MRR, 'g', -1, 64))
			sum.RevenueRows++
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	for _, f := range files {
		if err := f.commit(); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// reserved are profile fields that are columns of their own.
var reserved = map[string]bool{"customer_id": true, "signup_at": true, "plan": true, "mrr": true, "churned_at": true, "churned": true}

// ticketSentiments returns one sentiment per ticket of the day whose sum,
// minimum and count below signals.NegativeSentiment are the day's: the worst
// ticket at the minimum, the other negative ones sharing what is left of the
// negative mass, the others at a common value at or above the threshold.
func ticketSentiments(d signals.Day) []float64 {
	n := int(d.Tickets)
	if n == 0 {
		return nil
	}
	out := make([]float64, n)
	out[0] = d.SentimentMin
	if n == 1 {
		return out
	}
	neg := int(d.NegTickets)
	if d.SentimentMin < signals.NegativeSentiment {
		neg-- // the first one
	}
	rest := d.SentimentSum - d.SentimentMin
	others := n - 1 - neg
	// Non-negative tickets share equally what the negative ones leave, with
	// the negative ones just under the threshold (or lower if need be).
	negVal := math.Max(d.SentimentMin, signals.NegativeSentiment-0.01)
	if others > 0 {
		pos := (rest - float64(neg)*negVal) / float64(others)
		if pos < signals.NegativeSentiment { // more negative mass: push it into the negatives
			pos = signals.NegativeSentiment + 1e-6
			if neg > 0 {
				negVal = (rest - float64(others)*pos) / float64(neg)
			}
		}
		for k := 1 + neg; k < n; k++ {
			out[k] = pos
		}
	} else if neg > 0 {
		negVal = rest / float64(neg)
	}
	for k := 1; k <= neg; k++ {
		out[k] = negVal
	}
	// Put the rounding error of the sum on a ticket it cannot move across
	// the threshold: a negative one after the worst, else the last.
	total := 0.0
	for _, v := range out {
		total += v
	}
	k := n - 1
	if neg > 0 {
		k = 1
	}
	out[k] += d.SentimentSum - total
	return out
}

func ts(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// file is an output CSV written under a temporary name.
type file struct {
	f     *os.File
	w     *csv.Writer
	final string
	done  bool
}

func create(dir, name string) (*file, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &file{f: f, w: csv.NewWriter(f), final: filepath.Join(dir, name)}, nil
}

func (f *file) row(rec ...string) { _ = f.w.Write(rec) }

func (f *file) commit() error {
	f.w.Flush()
	err := errors.Join(f.w.Error(), f.f.Sync(), f.f.Close())
	if err == nil {
		err = os.Rename(f.f.Name(), f.final)
	}
	f.done = err == nil
	return err
}

func (f *file) abort() {
	if !f.done {
		f.f.Close()
		os.Remove(f.f.Name())
	}
}
