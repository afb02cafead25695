package api

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/store"
)

// BenchmarkChurnMetricsRedis1M loads 1,000,000 customers (three years of
// signups, a quarter churned, MRR histories with changes) into Redis through
// the bulk import, then times GET /v1/metrics/churn for a 12-month range over
// HTTP. Issue 5: within 100 ms. CHURN_BENCH_CUSTOMERS changes the count.
func BenchmarkChurnMetricsRedis1M(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CHURN_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	srv, hs, st := benchAPI(b)
	_ = srv
	rng := rand.New(rand.NewPCG(1, 2))
	first := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 5000
	start := time.Now()
	batch := make([]store.CustomerData, 0, chunk)
	for i := 0; i < n; i++ {
		signup := first.Add(time.Duration(rng.IntN(3*365*24)) * time.Hour)
		mrr := float64(20 + rng.IntN(500))
		p := features.Profile{ID: fmt.Sprintf("m%07d", i), SignupAt: &signup, MRR: &mrr}
		c := metrics.Customer{Lifetimes: []metrics.Lifetime{{Start: signup}}, MRR: []metrics.MRRPoint{{Month: metrics.MonthOf(signup), MRR: mrr}}}
		if rng.IntN(4) == 0 {
			end := signup.Add(time.Duration(24*(30+rng.IntN(600))) * time.Hour)
			c.Lifetimes[0].End = &end
			p.ChurnedAt = &end
		} else if rng.IntN(3) == 0 {
			c.MRR = append(c.MRR, metrics.MRRPoint{Month: metrics.MonthOf(signup) + metrics.Month(1+rng.IntN(12)), MRR: mrr * (0.5 + rng.Float64())})
		}
		batch = append(batch, store.CustomerData{Profile: p, Metrics: &c})
		if len(batch) == chunk || i == n-1 {
			if err := st.Import(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("imported %d customers in %.1fs", n, time.Since(start).Seconds())
	client := benchClient(1)
	url := hs.URL + "/v1/metrics/churn?from=2025-07&to=2026-06"
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
