package webhook

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/redistest"
)

// countingStore counts the claims made of a real store.
type countingStore struct {
	Store
	claims atomic.Int64
}

func (c *countingStore) Claim(ctx context.Context, consumer string, n int, idle time.Duration) ([]Delivery, error) {
	c.claims.Add(1)
	return c.Store.Claim(ctx, consumer, n, idle)
}

// TestDispatcherOutageBackoff: with its Redis stopped, the dispatcher logs
// the outage once at ERROR, backs its claims (and any further log lines) off
// exponentially up to MaxBackoff instead of one ERROR per poll, and logs the
// recovery once when Redis is back.
func TestDispatcherOutageBackoff(t *testing.T) {
	srv := redistest.Start(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.MaxRetries = -1 // one try per claim: the dispatcher's backoff is what is measured
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	st := &countingStore{Store: NewRedis(c, redistest.Prefix(t))}

	logs := &logBuffer{}
	d := &Dispatcher{Store: st, Client: nil, Schedule: testSchedule, Consumer: "a", Poll: 10 * time.Millisecond,
		MaxBackoff: 160 * time.Millisecond, Log: slog.New(slog.NewTextHandler(logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	waitFor(t, 5*time.Second, "claims while Redis is up", func() bool { return st.claims.Load() > 3 })
	srv.Stop()
	down := time.Now()
	waitFor(t, 10*time.Second, "the outage logged", func() bool { return strings.Contains(logs.String(), "level=ERROR") })
	before := st.claims.Load()
	time.Sleep(1500 * time.Millisecond)
	claims := st.claims.Load() - before
	out := logs.String()
	if n := strings.Count(out, "level=ERROR"); n != 1 {
		t.Errorf("%d ERROR lines during the outage, want 1:\n%s", n, out)
	}
	// Polling every 10ms would claim about 150 times in 1.5s; backing off
	// to 160ms, about 10.
	if claims > 20 {
		t.Errorf("%d claims in 1.5s of outage: no backoff", claims)
	}
	if n := strings.Count(out, "still failing"); n > 12 {
		t.Errorf("%d repeat log lines in %s of outage, want them backed off:\n%s", n, time.Since(down), out)
	}

	srv.Restart()
	waitFor(t, 10*time.Second, "the recovery logged", func() bool { return strings.Contains(logs.String(), "webhook claim: the store answers again") })
	time.Sleep(200 * time.Millisecond)
	out = logs.String()
	if n := strings.Count(out, "answers again"); n != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "level=ERROR"); n != 1 {
		t.Errorf("%d ERROR lines in all, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "failed_claims=") {
		t.Errorf("the recovery line does not count the failed claims:\n%s", out)
	}
}
