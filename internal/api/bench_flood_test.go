package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The keys of the flood benchmark: one read key floods POST /v1/score,
// another looks customers up.
const (
	floodKey  = "flood-read-key-0001"
	lookupKey = "lookup-read-key-0002"
)

// Shape of the flood benchmark.
const (
	floodPhase     = 8 * time.Second       // each measured phase
	floodSenders   = 3                     // concurrent senders of large POST /v1/score
	floodTickets   = 200                   // tickets per flood request
	floodTicketLen = 20000                 // bytes of text per ticket (4 MB a request)
	floodPause     = 10 * time.Millisecond // a flood sender's pause after a refusal
)

// floodBody is a POST /v1/score of one customer with floodTickets support
// tickets of floodTicketLen bytes each: about 1.5 s of one core to read.
func floodBody() []byte {
	text := strings.Repeat("We are unhappy with the latest release and think about cancelling; the price is too high for us. ", floodTicketLen/90+1)[:floodTicketLen]
	var b bytes.Buffer
	b.WriteString(`{"customers":[{"customer_id":"flood","plan":"pro","events":[`)
	day := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
	for i := range floodTickets {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ticket","timestamp":%q,"text":%q}`, day, text)
	}
	b.WriteString(`]}]}`)
	return b.Bytes()
}

// lookupLoad is the other client of the flood benchmark: how many
// connections look customers up, each pausing between its lookups.
type lookupLoad struct {
	name    string
	workers int
	pause   time.Duration
}

// lookupLoads are the two loads the benchmark measures: a light one, and a
// saturating one like the measurement (wrk with 64 connections).
var lookupLoads = []lookupLoad{{"light", 4, 5 * time.Millisecond}, {"saturated", 64, 0}}

// latencies measures the other client's GET /v1/customers/{id}/risk for d
// under load l. It returns the sorted latencies and the count of answers
// other than 200.
func latencies(b *testing.B, url string, ids []string, d time.Duration, l lookupLoad) ([]time.Duration, int64) {
	lookupWorkers := l.workers
	client := benchClient(lookupWorkers)
	var failed atomic.Int64
	lat := make([][]time.Duration, lookupWorkers)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range lookupWorkers {
		wg.Go(func() {
			for i := w; time.Now().Before(deadline); i += lookupWorkers {
				req, _ := http.NewRequest(http.MethodGet, url+"/v1/customers/"+ids[i%len(ids)]+"/risk", nil)
				req.Header.Set("Authorization", "Bearer "+lookupKey)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				if l.pause > 0 {
					time.Sleep(l.pause)
				}
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	return all, failed.Load()
}

func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[min(len(sorted)-1, int(float64(len(sorted))*q))].Microseconds()) / 1000
}

// BenchmarkFlood is issue 16's fair-use check: against the real API on a
// real Redis with the default limits, another client's risk-lookup p99
// unloaded, then while one read key floods POST /v1/score with 4 MB of
// ticket text per request from floodSenders connections (ignoring
// Retry-After, pausing floodPause after each refusal). It reports both
// p99s, their ratio (the aim: at most 2) and what the flood got, for each
// of lookupLoads. `make bench-flood` runs it.
func BenchmarkFlood(b *testing.B) {
	for _, l := range lookupLoads {
		b.Run(l.name, func(b *testing.B) { benchFlood(b, l) })
	}
}

func benchFlood(b *testing.B, l lookupLoad) {
	keys, err := ParseKeys("read:" + floodKey + ",read:" + lookupKey)
	if err != nil {
		b.Fatal(err)
	}
	srv, hs, st := benchAPI(b, func(c *Config) { c.Keys = keys })
	sub := benchCustomers(b, srv, st, 500)
	ids := make([]string, len(sub.Customers))
	for i := range ids {
		ids[i] = sub.Customers[i].ID
	}
	body := floodBody()
	b.ResetTimer()

	latencies(b, hs.URL, ids, time.Second, l) // warm up
	calm, calmFailed := latencies(b, hs.URL, ids, floodPhase, l)

	stop := make(chan struct{})
	var status sync.Map // status code -> *atomic.Int64
	var wg sync.WaitGroup
	for range floodSenders {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/score", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+floodKey)
				req.Header.Set("Content-Type", "application/json")
				code := 0
				if resp, err := client.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				v, _ := status.LoadOrStore(code, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
				if code != http.StatusOK {
					time.Sleep(floodPause)
				}
			}
		})
	}
	loaded, loadedFailed := latencies(b, hs.URL, ids, floodPhase, l)
	close(stop)
	wg.Wait()
	b.StopTimer()

	if calmFailed+loadedFailed > 0 {
		b.Errorf("the other client got %d answers other than 200", calmFailed+loadedFailed)
	}
	p99calm, p99loaded := quantile(calm, 0.99), quantile(loaded, 0.99)
	b.ReportMetric(quantile(calm, 0.5), "calm_p50_ms")
	b.ReportMetric(p99calm, "calm_p99_ms")
	b.ReportMetric(quantile(loaded, 0.5), "flood_p50_ms")
	b.ReportMetric(p99loaded, "flood_p99_ms")
	b.ReportMetric(p99loaded/p99calm, "p99_ratio")
	count := func(code int) float64 {
		if v, ok := status.Load(code); ok {
			return float64(v.(*atomic.Int64).Load())
		}
		return 0
	}
	b.ReportMetric(count(http.StatusOK), "flood_200")
	b.ReportMetric(count(http.StatusTooManyRequests), "flood_429")
	b.ReportMetric(count(http.StatusServiceUnavailable), "flood_503")
	b.Logf("lookups: %d calm, %d under flood", len(calm), len(loaded))
}
