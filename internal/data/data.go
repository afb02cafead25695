// Package data loads the input files of a training or batch-scoring run: a
// directory holding customers.csv and the optional event files usage.csv,
// tickets.csv, page_views.csv and revenue.csv (each possibly gzip-compressed),
// as described in section 2 of DESIGN.md.
//
// Files are streamed: each event row is folded into its customer's daily
// aggregates (signals.History) as it is read, so memory grows with the number
// of customers and active days, not with the number of event rows. Every
// input error names the file, the physical line, the column and the reason,
// and wraps ErrBadInput.
package data

import (
	"errors"
	"fmt"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/progress"
	"github.com/churnrisk/churn/internal/signals"
)

// Mode says how training rows are built from a data set: it is
// features.Mode, the mode the data set's model records.
type Mode = features.Mode

// Modes. ModeTime builds point-in-time snapshots from timestamps; ModeStatic
// has one row per customer labelled by the churned column.
const (
	ModeTime   = features.ModeTime
	ModeStatic = features.ModeStatic
)

// EventFile is an optional event file of a data directory, named by its
// base name (Tickets is tickets.csv or tickets.csv.gz). Usage, Tickets and
// PageViews hold the events of signals.TypeUsage, signals.TypeTicket and
// signals.TypePageView; Revenue holds monthly recurring revenue.
type EventFile string

// The event files.
const (
	Usage     EventFile = "usage"
	Tickets   EventFile = "tickets"
	PageViews EventFile = "page_views"
	Revenue   EventFile = "revenue"
)

// Options tune Load.
type Options struct {
	// MaxBadRows is the number of bad data rows that are skipped and
	// reported before loading aborts. 0 (or a negative value): the first bad
	// row aborts.
	MaxBadRows int
	// Aggregator folds events into daily aggregates; nil means
	// signals.NewAggregator().
	Aggregator *signals.Aggregator
	// Progress shows each file being read on a terminal; nil is silent.
	Progress *progress.Reporter
	// Excerpts is how many excerpts of negative or churn-intent tickets
	// (the newest) are kept per customer in Dataset.Excerpts; 0 keeps none.
	Excerpts int
	// ExcerptText keeps the text of those excerpts (see signals.Excerpt);
	// without it their dates and kinds only.
	ExcerptText bool
}

// MonthMRR is one month of a customer's revenue history.
type MonthMRR struct {
	Month int32   // year*12 + month-1
	MRR   float64 // monthly recurring revenue in that month
}

// Dataset is everything Load read from a data directory.
type Dataset struct {
	Dir       string
	Mode      Mode
	Customers []features.Profile // in file order
	Index     map[string]int     // customer_id -> position in Customers
	// Labels is the static label per customer from the churned column: 1, 0,
	// or -1 when the value is missing or the column is absent.
	Labels []int8
	// Histories holds the daily event aggregates per customer, aligned with
	// Customers; nil for a customer without events.
	Histories []signals.History
	// Excerpts holds, aligned with Customers, the newest Options.Excerpts
	// ticket excerpts of each customer, newest first; nil when
	// Options.Excerpts is 0.
	Excerpts [][]signals.Excerpt
	// Revenue holds the monthly MRR history per customer, sorted by month and
	// aligned with Customers (rows for the same month are summed); nil when
	// there is no revenue file.
	Revenue [][]MonthMRR
	// Files lists the file names read, in name order ("customers.csv",
	// "usage.csv.gz", ...).
	Files []string
	// HasEvents says which event files were present: every EventFile is a
	// key.
	HasEvents map[EventFile]bool
	// Start and End are the earliest and latest timestamps of the loaded
	// data (signup, churn, event timestamps and revenue month starts of known
	// customers); zero when there are none.
	Start, End time.Time
	// Fingerprint is the hex SHA-256 of the raw bytes of the files read,
	// concatenated in name order: the training-data fingerprint.
	Fingerprint string
	Report      Report
}

// Report describes what Load read and skipped.
type Report struct {
	// Rows counts the data rows (header excluded) read per file, bad and
	// unknown-customer rows included.
	Rows map[string]int
	// BadRows lists the rows skipped under Options.MaxBadRows.
	BadRows []*RowError
	// UnknownEvents counts, per file, the event rows whose customer_id is
	// not in customers.csv; they are skipped, never fatal.
	UnknownEvents map[string]int
}

// ErrBadInput is wrapped by every error Load returns, so that callers can
// tell bad input (exit status 2) from other failures.
var ErrBadInput = errors.New("bad input")

// RowError is a problem with one row (or the header) of an input file.
type RowError struct {
	File   string // file name, e.g. "tickets.csv"
	Line   int    // physical line number, the header is line 1
	Column string // column name; empty when the problem is the whole row
	Value  string // the offending value, if any
	Reason string // what is wrong, e.g. `cannot parse "2026-13-01"`
}

// Error returns "file:line: column: reason", without the column part when the
// problem is about the whole row.
func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Reason)
}

// Unwrap returns ErrBadInput.
func (e *RowError) Unwrap() error { return ErrBadInput }

// inputError is an input problem not tied to one row (a missing file, a
// corrupt gzip stream, too many bad rows). It wraps ErrBadInput and its cause.
type inputError struct {
	msg   string
	cause error
}

func (e *inputError) Error() string { return e.msg }

func (e *inputError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrBadInput}
	}
	return []error{ErrBadInput, e.cause}
}

func inputErr(cause error, format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...), cause: cause}
}
