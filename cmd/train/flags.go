package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/progress"
	"github.com/churnrisk/churn/internal/signals"
)

// daysFlag is a whole number of days written as 30d, 720h or 30.
type daysFlag int

func (d *daysFlag) String() string { return fmt.Sprintf("%dd", int(*d)) }

func (d *daysFlag) Set(s string) error {
	n, err := parseDays(s)
	if err != nil {
		return err
	}
	*d = daysFlag(n)
	return nil
}

func parseDays(s string) (int, error) {
	s = strings.TrimSpace(s)
	if v, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q: a positive number of days like 30d expected", s)
		}
		return n, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur <= 0 || dur%(24*time.Hour) != 0 {
		return 0, fmt.Errorf("%q: a whole number of days like 30d (or 720h) expected", s)
	}
	return int(dur / (24 * time.Hour)), nil
}

// listFlag is a flag that may be given several times (or once with
// comma-separated values).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// timeFlag is an optional RFC 3339 time or YYYY-MM-DD date (zero: unset).
type timeFlag time.Time

func (f *timeFlag) String() string {
	if t := time.Time(*f); !t.IsZero() {
		return t.Format(time.RFC3339)
	}
	return ""
}

func (f *timeFlag) Set(s string) error {
	t, err := data.ParseTime(s)
	if err != nil {
		return fmt.Errorf("%q: RFC 3339 time or YYYY-MM-DD expected", s)
	}
	*f = timeFlag(t)
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("train "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printHelp(fs.Output(), name, fs) }
	captureFlagSet(fs)
	return fs
}

// captureFlagSet sees every flag set made; tests use it to list a
// command's flags.
var captureFlagSet = func(*flag.FlagSet) {}

// parse parses flags and rejects positional arguments. It returns
// flag.ErrHelp as is when help was asked for (and printed).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (flags come as --name value)", fs.Arg(0))}
	}
	return nil
}

// aggregator returns the event aggregator, with the risk-page patterns of
// pagesFile when it is set.
func aggregator(pagesFile string) (*signals.Aggregator, error) {
	agg := signals.NewAggregator()
	if pagesFile != "" {
		c, err := signals.LoadCategorizer(pagesFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("--pages: %w", err)}
		}
		agg.Pages = c
	}
	return agg, nil
}

// load reads the data directory of d, showing progress on p, and reports
// skipped rows and unknown customers on stderr.
func load(d DataConfig, p *progress.Reporter, stderr io.Writer) (*data.Dataset, error) {
	agg, err := aggregator(d.Pages)
	if err != nil {
		return nil, err
	}
	ds, err := data.Load(d.Dir, data.Options{MaxBadRows: d.MaxBadRows, Aggregator: agg, Progress: p})
	var re *data.RowError
	if errors.As(err, &re) && d.MaxBadRows == 0 && re.Line > 1 {
		return nil, fmt.Errorf("%w (--max-bad-rows N skips up to N bad rows, reporting each)", err)
	}
	if err != nil {
		return nil, err
	}
	for _, e := range ds.Report.BadRows {
		fmt.Fprintf(stderr, "skipped bad row: %v\n", e)
	}
	for f, n := range ds.Report.UnknownEvents {
		if n > 0 {
			fmt.Fprintf(stderr, "%s: %d events for customers not in customers.csv (skipped)\n", f, n)
		}
	}
	return ds, nil
}
