// Package synth generates a synthetic but plausible subscription business for
// demos, tests and benchmarks: customers.csv, usage.csv, tickets.csv,
// page_views.csv and revenue.csv in the input format of the churn service.
//
// The story. Every customer carries a hidden health score (engagement and
// satisfaction) that drifts day by day as a mean-reverting random walk around
// the customer's own baseline. Shocks move it: a bad outage experience (a
// sharp, temporary drop followed by bug reports and complaints), a price
// increase (MRR goes up, satisfaction goes down for good), the internal
// champion leaving (the baseline and the team's usage fall for good), and good
// news such as a new champion or a useful release (the baseline rises).
//
// The health score drives everything that can be observed: how many sessions
// and reports the team runs (relative to its own size, so absolute usage says
// little), how often people write to support and in what tone (praise when
// things go well; complaints, "too expensive", refund requests and talk of
// switching to a competitor when they do not), and how often someone looks at
// the cancel, downgrade, pricing, refund-policy, data-export and competitor
// comparison pages.
//
// Churn follows the hidden state, not a label: each day a customer may decide
// to leave with a hazard that rises steeply as health falls (higher on the
// starter plan, in the first months after signup, lower for long-tenured and
// enterprise accounts). A decision starts a disengagement phase of 14 to 45
// days in which usage decays (for most; some keep using the product until
// the end), tickets turn sour and risk pages are visited, and the customer
// churns at its end. About one decision in five is reversed (the account is
// saved and recovers). A share of decisions are made outside the product
// (budget cuts, acquisitions, a switch decided elsewhere): they strike healthy
// accounts too, last 2 to 29 days and barely move usage. As in real
// subscription businesses, most leavers give notice in the 1 to 21 days
// before they go: a ticket asking to cancel, for a refund, saying they will
// not renew or are switching, a visit to the cancel page, or both; the rest
// leave silently. Half the saved customers had asked to cancel first. Calm,
// healthy customers rarely write such tickets or open the cancel page.
// Customers also recover by themselves when a temporary shock fades.
//
// Nuisance behaviour that a good model must not mistake for churn: weekends
// are quieter than weekdays; holidays (Christmas to New Year, Thanksgiving,
// Independence Day, Labor Day, May Day) cut everyone's usage; an August dip and
// a month-end bump; finance people look at invoices at the start of each
// month; some customers shop for an upgrade (pricing and comparison pages,
// questions about bigger plans) and stay, often expanding; pricing pages are
// browsed more by healthy accounts than by unhappy ones, and leavers rarely
// look at them; most tickets are
// neutral how-to questions, some of them about cancelling a scheduled report.
// About one ticket in eight is written in simplified Chinese, with the same
// range of intents. A few tickets carry an explicit sentiment value.
//
// Customers have varied tenure: most signed up before the window (up to
// several years), some sign up during it and ramp up over their first weeks.
// No event is dated before a customer's signup day or on or after its
// churned_at day. MRR moves month by month with expansions, contractions and
// price increases; the last revenue.csv month of an active customer equals its
// mrr in customers.csv.
//
// Output is deterministic: each customer draws from its own generator seeded
// by the global seed and the customer's index, so the same Config gives
// byte-identical files, whatever the number of CPUs.
package synth

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/churnrisk/churn/internal/progress"
)

// Config says what to generate.
type Config struct {
	Customers int       // number of customers, >= 1
	Days      int       // length of the data window in days, >= 1
	End       time.Time // last day of data (its UTC date is used), not zero
	Seed      uint64    // seed of every random choice
	// NotAfter, when set, is the latest event time written: events the
	// window would put after it (later on a day that is today) are left out,
	// so that the data never holds an event in the future. Zero: no limit.
	NotAfter time.Time
	// Progress shows the customers written on a terminal; nil is silent.
	Progress *progress.Reporter
}

// Summary counts what Generate wrote: customers, those of them with a
// churned_at date, and the data rows (header excluded) of each event file.
type Summary struct {
	Customers, Churned, UsageRows, TicketRows, PageViewRows, RevenueRows int
}

// Errors returned by Generate for an invalid Config.
var (
	ErrCustomers = errors.New("synth: customers must be at least 1")
	ErrDays      = errors.New("synth: days must be at least 1")
	ErrEnd       = errors.New("synth: end date is not set")
)

// maxDays bounds the window so that a typo cannot ask for centuries of data.
const maxDays = 3660

// Validate reports the first problem with c, or nil when c can be generated.
func (c Config) Validate() error {
	switch {
	case c.Customers < 1:
		return fmt.Errorf("%w (got %d)", ErrCustomers, c.Customers)
	case c.Days < 1:
		return fmt.Errorf("%w (got %d)", ErrDays, c.Days)
	case c.Days > maxDays:
		return fmt.Errorf("synth: days must be at most %d (got %d)", maxDays, c.Days)
	case c.End.IsZero():
		return ErrEnd
	}
	return nil
}

// Output files, in the order of the per-chunk buffers.
const (
	fileCustomers = iota
	fileUsage
	fileTickets
	filePageViews
	fileRevenue
	numFiles
)

var fileNames = [numFiles]string{"customers.csv", "usage.csv", "tickets.csv", "page_views.csv", "revenue.csv"}

var headers = [numFiles][]string{
	{"customer_id", "signup_at", "plan", "mrr", "churned_at", "seats", "industry", "region"},
	{"customer_id", "timestamp", "quantity", "metric"},
	{"customer_id", "timestamp", "text", "channel", "sentiment"},
	{"customer_id", "timestamp", "path"},
	{"customer_id", "month", "mrr"},
}

// chunkSize is the number of consecutive customers one worker generates at a
// time; chunks are written in order, so the output does not depend on timing.
const chunkSize = 64

// chunk is the generated text of a run of customers.
type chunk struct {
	out [numFiles]bytes.Buffer
	sum Summary
	err error
}

type job struct {
	first, n int
	res      chan *chunk
}

// Generate writes the five CSV files of a synthetic data set for cfg into
// dir, creating dir if needed, and returns what it wrote. Customers are
// generated in parallel in small chunks and written in order through buffered
// writers, so memory stays bounded whatever the number of customers. It
// returns an error wrapping ErrCustomers, ErrDays or ErrEnd for an invalid
// cfg, or the first error creating or writing a file; files may then be
// partly written.
func Generate(dir string, cfg Config) (Summary, error) {
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("synth: create %s: %w", dir, err)
	}
	g := newGenerator(cfg)

	var files [numFiles]*os.File
	var writers [numFiles]*bufio.Writer
	defer func() {
		for _, f := range files {
			if f != nil {
				_ = f.Close() // a no-op error after the explicit close below
			}
		}
	}()
	for i, name := range fileNames {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return Summary{}, fmt.Errorf("synth: %w", err)
		}
		files[i] = f
		writers[i] = bufio.NewWriterSize(f, 1<<20)
		cw := csv.NewWriter(writers[i])
		if err := cw.Write(headers[i]); err != nil {
			return Summary{}, fmt.Errorf("synth: write %s: %w", name, err)
		}
		cw.Flush()
	}

	sum, err := g.run(writers)
	if err != nil {
		return Summary{}, err
	}
	for i, w := range writers {
		if err := w.Flush(); err != nil {
			return Summary{}, fmt.Errorf("synth: write %s: %w", fileNames[i], err)
		}
		if err := files[i].Close(); err != nil {
			return Summary{}, fmt.Errorf("synth: close %s: %w", fileNames[i], err)
		}
		files[i] = nil
	}
	return sum, nil
}

// run generates every customer on GOMAXPROCS workers and copies the chunks,
// in customer order, to the writers.
func (g *generator) run(writers [numFiles]*bufio.Writer) (Summary, error) {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, workers)
	ordered := make(chan chan *chunk, 4*workers) // bounds the chunks in memory
	stop := make(chan struct{})
	defer close(stop)

	go func() {
		defer close(jobs)
		defer close(ordered)
		for first := 0; first < g.cfg.Customers; first += chunkSize {
			j := job{first: first, n: min(chunkSize, g.cfg.Customers-first), res: make(chan *chunk, 1)}
			select {
			case ordered <- j.res:
			case <-stop:
				return
			}
			select {
			case jobs <- j:
			case <-stop:
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				j.res <- g.chunk(j.first, j.n)
			}
		}()
	}

	var total Summary
	g.cfg.Progress.Start("generating customers", g.cfg.Customers)
	defer g.cfg.Progress.Done()
	for res := range ordered {
		c := <-res
		if c.err != nil {
			return Summary{}, c.err
		}
		for i := range writers {
			if _, err := writers[i].Write(c.out[i].Bytes()); err != nil {
				return Summary{}, fmt.Errorf("synth: write %s: %w", fileNames[i], err)
			}
		}
		total.Customers += c.sum.Customers
		g.cfg.Progress.Add(c.sum.Customers)
		total.Churned += c.sum.Churned
		total.UsageRows += c.sum.UsageRows
		total.TicketRows += c.sum.TicketRows
		total.PageViewRows += c.sum.PageViewRows
		total.RevenueRows += c.sum.RevenueRows
	}
	return total, nil
}

// chunk generates customers first .. first+n-1.
func (g *generator) chunk(first, n int) *chunk {
	c := &chunk{}
	e := newEmitter(g.cal, c)
	for i := first; i < first+n; i++ {
		g.customer(i, e)
	}
	for i := range e.w {
		e.w[i].Flush()
		if err := e.w[i].Error(); err != nil {
			c.err = fmt.Errorf("synth: format %s: %w", fileNames[i], err)
		}
	}
	return c
}
