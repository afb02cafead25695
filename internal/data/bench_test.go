package data

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// writeBenchData writes a synthetic data set: customers, and events split
// 80% usage, 15% page views, 5% tickets, timestamps over 180 days.
func writeBenchData(tb testing.TB, dir string, customers, events int, shuffled bool) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	create := func(name string, fill func(w *bufio.Writer)) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fill(w)
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).Unix()
	const span = 180 * 86400
	ts := func() string {
		return time.Unix(start+rng.Int64N(span), 0).UTC().Format(time.RFC3339)
	}
	// Event files are in time order, as exports usually are, unless
	// shuffled: then rows come in random time order (the slow case for
	// History.Add).
	var k, n int64
	evTS := ts
	if !shuffled {
		evTS = func() string {
			k++
			return time.Unix(start+k*span/n, 0).UTC().Format(time.RFC3339)
		}
	}
	id := func() string { return fmt.Sprintf("cust%06d", rng.IntN(customers)) }
	create("customers.csv", func(w *bufio.Writer) {
		w.WriteString("customer_id,signup_at,plan,mrr,churned_at,region\n")
		for i := range customers {
			churned := ""
			if rng.IntN(10) == 0 {
				churned = ts()
			}
			fmt.Fprintf(w, "cust%06d,2025-01-%02d,pro,%d,%s,eu\n", i, 1+i%28, 10+i%500, churned)
		}
	})
	texts := []string{
		"Thanks, that fixed it!",
		"The export keeps failing and nobody answers. Very frustrating.",
		"\"How do I cancel my subscription, it is too expensive\"",
		"我们想取消订阅，价格太贵了",
	}
	paths := []string{"/dashboard", "/account/cancel", "/pricing", "/docs/api", "/settings/billing"}
	create("usage.csv", func(w *bufio.Writer) {
		w.WriteString("customer_id,timestamp,metric,quantity\n")
		k, n = 0, int64(events*80/100)
		for range events * 80 / 100 {
			fmt.Fprintf(w, "%s,%s,api_calls,%s\n", id(), evTS(), strconv.Itoa(rng.IntN(50)))
		}
	})
	create("page_views.csv", func(w *bufio.Writer) {
		w.WriteString("customer_id,timestamp,path\n")
		k, n = 0, int64(events*15/100)
		for range events * 15 / 100 {
			fmt.Fprintf(w, "%s,%s,%s\n", id(), evTS(), paths[rng.IntN(len(paths))])
		}
	})
	create("tickets.csv", func(w *bufio.Writer) {
		w.WriteString("customer_id,timestamp,channel,text\n")
		k, n = 0, int64(events*5/100)
		for range events * 5 / 100 {
			t := texts[rng.IntN(len(texts))]
			if t[0] != '"' {
				t = `"` + t + `"`
			}
			fmt.Fprintf(w, "%s,%s,email,%s\n", id(), evTS(), t)
		}
	})
}

// BenchmarkLoad loads a synthetic data set, event rows in time order, or in
// random time order with DATA_BENCH_SHUFFLED=1. DATA_BENCH_CUSTOMERS and DATA_BENCH_EVENTS
// change its size (default 10,000 and 1,000,000); DATA_BENCH_DIR keeps the
// generated files in that directory and reuses them on the next run.
func BenchmarkLoad(b *testing.B) {
	customers, events := envInt("DATA_BENCH_CUSTOMERS", 10000), envInt("DATA_BENCH_EVENTS", 1000000)
	dir := os.Getenv("DATA_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, "customers.csv")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		writeBenchData(b, dir, customers, events, os.Getenv("DATA_BENCH_SHUFFLED") == "1")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ds, err := Load(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(ds.Customers) == 0 || len(ds.Report.Rows) != 4 {
			b.Fatalf("%d customers, rows %v", len(ds.Customers), ds.Report.Rows)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func BenchmarkParseTime(b *testing.B) {
	for _, s := range []string{"2026-03-01T12:34:56Z", "2026-03-01", "2026-03-01T12:34:56.123+02:00"} {
		b.Run(s, func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseTime(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
