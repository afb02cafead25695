package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/churnrisk/churn/internal/config"
	"github.com/churnrisk/churn/internal/export"
)

// runExport writes the Redis store's customers, daily aggregates, recorded
// churn and MRR history back into the contract's files.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", stderr)
	out := fs.String("out", "", "output directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("out", *out); err != nil {
		return err
	}
	env := config.NewEnv(getenv)
	sc := env.Store()
	if err := env.Err(); err != nil {
		return usageError{err}
	}
	if !sc.Redis() {
		return usageError{fmt.Errorf("export reads the Redis store: set REDIS_URL or REDIS_CLUSTER_ADDRS (the embedded store lives inside its API process)")}
	}
	r, err := sc.OpenRedis(ctx, 0, nil)
	if err != nil {
		return usageError{fmt.Errorf("redis: %w", err)}
	}
	defer r.Close()
	start := time.Now()
	sum, err := export.Write(ctx, r, *out)
	if err != nil {
		return fmt.Errorf("export from %s: %w", sc.Describe(), err)
	}
	fmt.Fprintf(stdout, "exported %s to %s in %.1fs: %d customers, %d usage rows, %d tickets, %d page views, %d revenue rows\n",
		sc.Describe(), *out, time.Since(start).Seconds(), sum.Customers, sum.UsageRows, sum.TicketRows, sum.PageViewRows, sum.RevenueRows)
	return nil
}
