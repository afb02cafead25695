package api

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestReadyCache: /readyz asks the store at most once per readyFor and
// keeps its answer, failures included, but not one cut short by the
// caller's cancellation.
func TestReadyCache(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	r := &readyCache{now: func() time.Time { return now }}
	pings := 0
	answer := errors.New("refused")
	ping := func(context.Context) error { pings++; return answer }
	ctx := context.Background()
	for range 3 {
		if err := r.check(ctx, ping); err != answer {
			t.Fatalf("check = %v, want %v", err, answer)
		}
	}
	if pings != 1 {
		t.Errorf("%d pings for 3 checks within %v, want 1", pings, readyFor)
	}
	now = now.Add(readyFor)
	answer = nil
	if err := r.check(ctx, ping); err != nil || pings != 2 {
		t.Errorf("after %v: check = %v after %d pings, want nil after 2", readyFor, err, pings)
	}
	now = now.Add(readyFor)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	answer = context.Canceled
	r.check(cancelled, ping)
	answer = nil
	if err := r.check(ctx, ping); err != nil || pings != 4 {
		t.Errorf("after a cancelled check: %v after %d pings, want a new ping answering nil", err, pings)
	}
}
