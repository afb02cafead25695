package api

import (
	"context"
	"sync"
	"time"
)

// readyFor is how long /readyz reuses the store's last answer: load
// balancers poll it, and each probe is a round trip to every Redis master.
const readyFor = time.Second

// readyCache keeps the store's last answer to Ping for readyFor. Callers
// arriving while a probe runs wait for it rather than probing again, so the
// store sees at most one probe at a time per server.
type readyCache struct {
	now func() time.Time // nil: time.Now
	mu  sync.Mutex
	at  time.Time // when err was found; zero: never
	err error
}

// check returns the store's answer to ping, probing again when the last
// answer is older than readyFor. An answer cut short by the caller's own
// cancellation is not kept.
func (r *readyCache) check(ctx context.Context, ping func(context.Context) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now
	if r.now != nil {
		now = r.now
	}
	if !r.at.IsZero() && now().Sub(r.at) < readyFor {
		return r.err
	}
	err := ping(ctx)
	if ctx.Err() == nil {
		r.err, r.at = err, now()
	}
	return err
}
