package api

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
)

// TestRedisOutage stops a real redis-server while a client keeps posting
// batches (retrying each until it is acknowledged), checks the 503s and
// readiness during the outage, restarts Redis, and checks that the API
// recovered by itself and that every acknowledged event is counted once.
func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	a, st, hooks := privateRedisAPI(t, srv, "outage:", 300*time.Millisecond)
	clk := a.clock
	if code, body, _ := a.do("PUT", "/v1/customers/o1", map[string]any{"plan": "growth", "mrr": 100}); code != 200 {
		t.Fatalf("put: %d %v", code, body)
	}
	// A subscription with a failed delivery, so that the webhook routes
	// that name them reach Redis.
	subID, delivery := failedDelivery(t, a, hooks, "o1")

	// The poster: batch k holds 10 usage events with ids k-0..k-9; each
	// batch is retried until acknowledged.
	var acked, rejected atomic.Int64
	stop := make(chan struct{})
	posterDone := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: 5 * time.Second}
		for k := 0; ; k++ {
			select {
			case <-stop:
				posterDone <- nil
				return
			default:
			}
			var events []string
			for i := 0; i < 10; i++ {
				events = append(events, fmt.Sprintf(`{"type":"usage","customer_id":"o1","timestamp":"2026-07-01T10:00:00Z","event_id":"%d-%d","quantity":1}`, k, i))
			}
			body := `{"events":[` + strings.Join(events, ",") + `]}`
			deadline := time.Now().Add(30 * time.Second)
			for {
				resp, err := client.Post(a.url+"/v1/events", "application/json", strings.NewReader(body))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 202 {
						acked.Add(10)
						break
					}
					if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
						posterDone <- fmt.Errorf("batch %d: status %d (Retry-After %q)", k, resp.StatusCode, resp.Header.Get("Retry-After"))
						return
					}
					rejected.Add(1)
				}
				if time.Now().After(deadline) {
					posterDone <- fmt.Errorf("batch %d never acknowledged", k)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()

	time.Sleep(300 * time.Millisecond)
	srv.Stop()
	time.Sleep(200 * time.Millisecond)
	// During the outage: every route needing Redis (customers, events,
	// lists, figures, webhooks and alerts) is 503 with Retry-After; the
	// routes that do not need it still answer; the process is alive.
	for _, c := range storeRoutes("o1", "o2", subID, delivery, clk.Now()) {
		want := c.ok
		if c.need != needsNothing {
			want = 503
		}
		start := time.Now()
		checkRoute(t, a, "outage", c, want)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("outage: %s %s took %v: requests must fail fast", c.method, c.path, d)
		}
	}
	if code, body, hdr := a.do("GET", "/readyz", nil); code != 503 || hdr.Get("Retry-After") == "" || storeCheck(body) != "unreachable" {
		t.Errorf("outage: /readyz = %d %v (Retry-After %q), want 503, store unreachable", code, body, hdr.Get("Retry-After"))
	}
	time.Sleep(500 * time.Millisecond)
	srv.Restart()
	waitReady(t, a) // recovery without restarting the API
	time.Sleep(500 * time.Millisecond)
	close(stop)
	if err := <-posterDone; err != nil {
		t.Fatal(err)
	}
	day := signals.DayNumber(clk.Now())
	h, err := st.History(context.Background(), "o1", day, day+1)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, d := range h {
		total += d.Usage
	}
	t.Logf("%d events acknowledged, %d posts refused with 503 during the outage; usage stored %v", acked.Load(), rejected.Load(), total)
	if rejected.Load() == 0 {
		t.Error("no post was refused: the outage did not happen")
	}
	if math.Abs(total-float64(acked.Load())) > 0 {
		t.Errorf("stored usage %v, acknowledged events %d: an acknowledged event was lost or counted twice", total, acked.Load())
	}
	if code, body, _ := a.do("GET", "/v1/customers/o1/risk", nil); code != 200 {
		t.Errorf("risk after recovery: %d %v", code, body)
	}
}
