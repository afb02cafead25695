package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// freezeRun is what one run of the freeze-and-retry workload saw.
type freezeRun struct {
	acknowledged int64 // events the 202 answers counted as accepted
	sent         int64 // events of the batches answered 202
	duplicates   int64 // events the 202 answers counted as duplicates
	stored       int64 // events stored (usage summed over the customers)
	cutOff       int64 // batches answered 503 (or not at all) before their 202
}

// runFrozenRetries posts batches of usage events without event ids from
// several clients, each batch retried until it is acknowledged (202), with
// an Idempotency-Key per batch when withKey; meanwhile it freezes the
// private Redis (SIGSTOP) several times, long past the store's timeout, so
// that attempts are cut off before, during and after their writes. It
// returns the counts once every client is done and Redis has run whatever
// it received while frozen.
func runFrozenRetries(t *testing.T, srv *redistest.Server, hs *httptest.Server, check *store.Redis, name string, withKey bool) freezeRun {
	t.Helper()
	const clients, perBatch, customers = 4, 100, 8
	at := "2026-07-01T10:00:00Z"
	var run freezeRun
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				events := make([]string, perBatch)
				for i := range events {
					events[i] = fmt.Sprintf(`{"type":"usage","customer_id":"%s-%d","timestamp":"%s","quantity":1}`, name, i%customers, at)
				}
				body := `{"events":[` + strings.Join(events, ",") + `]}`
				cut := false
				deadline := time.Now().Add(2 * time.Minute)
				for {
					if time.Now().After(deadline) {
						t.Errorf("client %d, batch %d: not acknowledged within 2 minutes", c, k)
						return
					}
					req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/events", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if withKey {
						req.Header.Set("Idempotency-Key", fmt.Sprintf(`"%s-%d-%d"`, name, c, k))
					}
					resp, err := client.Do(req)
					if err != nil {
						cut = true
						time.Sleep(50 * time.Millisecond)
						continue
					}
					var out struct{ Accepted, Duplicates int64 }
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					switch resp.StatusCode {
					case http.StatusAccepted:
						if err := json.Unmarshal(raw, &out); err != nil {
							t.Errorf("202 body %q: %v", raw, err)
						}
						atomic.AddInt64(&run.acknowledged, out.Accepted)
						atomic.AddInt64(&run.duplicates, out.Duplicates)
						atomic.AddInt64(&run.sent, perBatch)
						if cut {
							atomic.AddInt64(&run.cutOff, 1)
						}
					case http.StatusServiceUnavailable:
						cut = true
						if resp.Header.Get("Retry-After") == "" || !strings.Contains(string(raw), "partly applied") {
							t.Errorf("503 without Retry-After or without saying the batch may have been applied: %s", raw)
						}
						time.Sleep(50 * time.Millisecond)
						continue
					case http.StatusConflict: // an earlier attempt still holds the key
						time.Sleep(50 * time.Millisecond)
						continue
					default:
						t.Errorf("client %d, batch %d: %d %s", c, k, resp.StatusCode, raw)
						return
					}
					break
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	for range 3 {
		srv.Freeze()
		time.Sleep(1500 * time.Millisecond)
		srv.Thaw()
		time.Sleep(time.Second)
	}
	close(stop)
	wg.Wait()
	// Whatever Redis received while frozen has run by now; read twice to be sure.
	day := signals.DayNumber(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	ids := make([]string, customers)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", name, i)
	}
	count := func() int64 { return int64(usageOf(t, check, day, day+1, ids...)) }
	run.stored = count()
	time.Sleep(time.Second)
	if again := count(); again != run.stored {
		t.Errorf("stored events moved from %d to %d after the run", run.stored, again)
		run.stored = again
	}
	return run
}

// TestFrozenRedisIdempotentRetries is the fault test of issue 16: with Redis
// frozen again and again while clients post batches without event ids, each
// retried until acknowledged, the events stored are exactly the events
// acknowledged when every batch carries an Idempotency-Key. The same run
// without keys is logged for comparison: there a batch answered 503 may
// have been applied, and its retry counts it twice.
func TestFrozenRedisIdempotentRetries(t *testing.T) {
	srv := redistest.Start(t)
	if testing.Short() {
		t.Skip("freezes a redis-server for seconds")
	}
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	// A short timeout, so that freezes cut attempts off; a timeout under
	// load without a freeze is only one more retry.
	st, err := store.NewRedis(context.Background(), store.RedisOptions{URL: srv.URL(), Prefix: "freeze:", Now: clk.Now, Timeout: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	check, err := store.NewRedis(context.Background(), store.RedisOptions{URL: srv.URL(), Prefix: "freeze:", Now: clk.Now, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	api := New(Config{Store: st, ModelsDir: t.TempDir(), Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hs := httptest.NewServer(api.Handler())
	defer hs.Close()

	t.Run("without keys (observed)", func(t *testing.T) {
		r := runFrozenRetries(t, srv, hs, check, "nokey", false)
		t.Logf("without Idempotency-Key: %d acknowledged, %d stored (%+d), %d batches retried after a cut-off attempt",
			r.acknowledged, r.stored, r.stored-r.acknowledged, r.cutOff)
	})
	t.Run("with keys", func(t *testing.T) {
		r := runFrozenRetries(t, srv, hs, check, "key", true)
		t.Logf("with Idempotency-Key: %d acknowledged, %d stored, %d batches retried after a cut-off attempt", r.acknowledged, r.stored, r.cutOff)
		if r.cutOff == 0 {
			t.Fatal("no attempt was cut off: the freezes did not test anything")
		}
		if r.acknowledged != r.stored || r.sent != r.stored || r.duplicates != 0 {
			t.Fatalf("%d events acknowledged (%d duplicates) in batches of %d events, %d stored: want all equal",
				r.acknowledged, r.duplicates, r.sent, r.stored)
		}
	})
}
