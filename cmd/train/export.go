package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/churnrisk/churn/internal/export"
)

// runExport writes the Redis store's customers, daily aggregates, recorded
// churn and MRR history back into the contract's files.
func runExport(ctx context.Context, cfg *Config, stdout io.Writer) error {
	out, sc := cfg.Export.Out, cfg.Env.Store
	r, err := sc.OpenRedis(ctx, 0, nil)
	if err != nil {
		return usageError{fmt.Errorf("redis: %w", err)}
	}
	defer r.Close()
	start := time.Now()
	sum, err := export.Write(ctx, r, out)
	if err != nil {
		return fmt.Errorf("export from %s: %w", sc.Describe(), err)
	}
	fmt.Fprintf(stdout, "exported %s to %s in %.1fs: %d customers, %d usage rows, %d tickets, %d page views, %d revenue rows\n",
		sc.Describe(), out, time.Since(start).Seconds(), sum.Customers, sum.UsageRows, sum.TicketRows, sum.PageViewRows, sum.RevenueRows)
	return nil
}
