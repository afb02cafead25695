package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
)

// benchAPI starts the real API over loopback TCP on a real Redis (REDIS_URL,
// default 127.0.0.1:6379) with the test model and the real clock, configured
// as each change says.
func benchAPI(b *testing.B, change ...func(*Config)) (*Server, *httptest.Server, *store.Redis) {
	b.Helper()
	prefix := redistest.Prefix(b)
	url := redistest.URL(b)
	redistest.Cleanup(b, url, nil, prefix)
	st, err := store.NewRedis(context.Background(), store.RedisOptions{URL: url, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg := Config{Store: st, ModelsDir: trainedModels(b), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, ch := range change {
		ch(&cfg)
	}
	srv := New(cfg)
	if _, err := srv.App().Models().Load(); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Start()
	b.Cleanup(hs.Close)
	// The background rescoring of ingested customers runs as in production.
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	go srv.App().Run(ctx)
	return srv, hs, st
}

// benchCustomers loads the first n customers of the test data (at most all
// of them) into st, scored now, and returns that part of the data.
func benchCustomers(b *testing.B, srv *Server, st *store.Redis, n int) *data.Dataset {
	b.Helper()
	ds := testData
	n = min(n, len(ds.Customers))
	sub := *ds
	sub.Customers, sub.Histories = ds.Customers[:n], ds.Histories[:n]
	if _, err := dataload.Load(context.Background(), st, &sub, dataload.Options{Model: srv.App().Models().Active(), AsOf: time.Now().UTC()}); err != nil {
		b.Fatal(err)
	}
	return &sub
}

func benchClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
}

// BenchmarkIngestRedis posts batches of 1,000 events (5 each for 200
// customers, with event ids) to POST /v1/events over HTTP into Redis, from 8
// concurrent clients, while the background rescoring of the customers
// concerned runs. DESIGN.md section 9: >= 100,000 events/s.
func BenchmarkIngestRedis(b *testing.B) {
	_, hs, _ := benchAPI(b)
	client := benchClient(8)
	now := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	var seq atomic.Int64
	body := func() []byte {
		k := seq.Add(1)
		var buf bytes.Buffer
		buf.WriteString(`{"events":[`)
		for i := 0; i < 1000; i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			typ := `"type":"usage","quantity":2`
			if i%5 == 4 {
				typ = `"type":"page_view","path":"/pricing"`
			}
			fmt.Fprintf(&buf, `{%s,"customer_id":"b%d","timestamp":"%s","event_id":"%d-%d"}`, typ, (int(k)*200+i/5)%20000, now, k, i)
		}
		buf.WriteString(`]}`)
		return buf.Bytes()
	}
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(hs.URL+"/v1/events", "application/json", bytes.NewReader(body()))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 202 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)*1000/time.Since(start).Seconds(), "events/s")
}

// BenchmarkRiskRedis64 loads 2,000 customers into Redis, scores them, then
// sends GET /v1/customers/{id}/risk from 64 connections. DESIGN.md section
// 9: >= 15,000 requests/s with p99 <= 10 ms.
func BenchmarkRiskRedis64(b *testing.B) {
	srv, hs, st := benchAPI(b)
	sub := benchCustomers(b, srv, st, 2000)
	n := len(sub.Customers)
	const conns = 64
	client := benchClient(conns)
	var next atomic.Int64
	lat := make([][]time.Duration, conns)
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				id := sub.Customers[int(i)%n].ID
				t0 := time.Now()
				resp, err := client.Get(hs.URL + "/v1/customers/" + id + "/risk")
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d requests failed", f)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(all[len(all)*50/100].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(all[min(len(all)-1, len(all)*99/100)].Microseconds())/1000, "p99_ms")
	}
}

// BenchmarkHistoryRedis sends GET /v1/customers/{id}/history?days=90 (what
// the console's customer page asks for: 90 days of aggregates, each day
// scored by the model) one at a time over HTTP, against Redis.
func BenchmarkHistoryRedis(b *testing.B) {
	srv, hs, st := benchAPI(b)
	sub := benchCustomers(b, srv, st, 200)
	n := len(sub.Customers)
	client := benchClient(1)
	b.ResetTimer()
	for i := range b.N {
		resp, err := client.Get(hs.URL + "/v1/customers/" + sub.Customers[i%n].ID + "/history?days=90")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
