package webhook

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/redistest"
)

// TestRedisSurvivesRestart: a delivery enqueued before Redis is killed (as a
// crash would) is delivered after it restarts.
func TestRedisSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := NewRedis(c, "t:")
	rc := newReceiver(t, nil)
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	srv.Kill()
	srv.Restart()
	startDispatcher(t, s, "a", time.Minute)
	got := waitStatus(t, s, sub.ID, del.ID, StatusDelivered)
	if calls := rc.snapshot(); len(calls) != 1 || calls[0].id != del.ID || got.Attempts != 1 {
		t.Errorf("after restart: %d calls, attempts %d; want 1 call with the same id", len(calls), got.Attempts)
	}
}

// TestRedisDown: with Redis gone every method returns an error (not
// ErrNotFound, no panic) wrapping ErrUnavailable (the API answers 503 with
// Retry-After, not 500), while an error that is not an outage (a key of the
// wrong type) does not wrap it; a dispatcher keeps running and stops cleanly.
func TestRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	s := NewRedis(c, "t:")
	ctx := context.Background()
	sub := addSub(t, s, "http://127.0.0.1:1/")
	enqueue(t, s, newDelivery(sub, "c1", time.Now()))
	claimed, err := s.Claim(ctx, "a", 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	// Not an outage: the subscriptions hash replaced by a string.
	broken := NewRedis(c, "broken:")
	if err := c.Set(ctx, broken.subs, "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Subscriptions(ctx); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("Subscriptions on a key of the wrong type = %v, want an error that is not ErrUnavailable", err)
	}
	srv.Stop()

	d := newDelivery(sub, "c2", time.Now())
	for name, err := range map[string]error{
		"PutSubscription":     s.PutSubscription(ctx, sub),
		"Subscriptions":       func() error { _, err := s.Subscriptions(ctx); return err }(),
		"GetSubscription":     func() error { _, err := s.GetSubscription(ctx, sub.ID); return err }(),
		"DeleteSubscription":  s.DeleteSubscription(ctx, sub.ID),
		"DisableSubscription": s.DisableSubscription(ctx, sub.ID, "x"),
		"Enqueue":             s.Enqueue(ctx, []Delivery{d}),
		"Claim":               func() error { _, err := s.Claim(ctx, "a", 1, time.Minute); return err }(),
		"Complete":            s.Complete(ctx, claimed[0]),
		"Retry":               s.Retry(ctx, claimed[0], time.Now()),
		"Fail":                s.Fail(ctx, claimed[0]),
		"Deliveries":          func() error { _, err := s.Deliveries(ctx, sub.ID, 10); return err }(),
		"CustomerDeliveries":  func() error { _, err := s.CustomerDeliveries(ctx, "c1", 10); return err }(),
		"Redeliver":           s.Redeliver(ctx, sub.ID, claimed[0].ID),
	} {
		if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, redis.Nil) || !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s with Redis down = %v, want a network error wrapping ErrUnavailable", name, err)
		}
	}

	_, logs := startDispatcher(t, s, "a", time.Minute)
	waitFor(t, 5*time.Second, "a logged claim error", func() bool {
		return strings.Contains(logs.String(), "webhook claim")
	})
}

// TestRedisStreamDeleted: when the delivery stream is deleted under a
// running store (FLUSHDB, an operator's DEL), the next Claim re-creates the
// consumer group and reads what was enqueued since, instead of failing with
// NOGROUP for ever.
func TestRedisStreamDeleted(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := NewRedis(c, "t:")
	ctx := context.Background()
	sub := addSub(t, s, "http://127.0.0.1:1/")
	enqueue(t, s, newDelivery(sub, "c1", time.Now()))
	if got, err := s.Claim(ctx, "a", 1, time.Minute); err != nil || len(got) != 1 {
		t.Fatalf("first Claim = %v, %v", got, err)
	}
	if err := c.Del(ctx, s.stream).Err(); err != nil {
		t.Fatal(err)
	}
	d := newDelivery(sub, "c2", time.Now())
	enqueue(t, s, d)
	got, err := s.Claim(ctx, "a", 1, time.Minute)
	if err != nil {
		t.Fatalf("Claim after the stream was deleted: %v", err)
	}
	if len(got) != 1 || got[0].ID != d.ID {
		t.Fatalf("Claim after the stream was deleted = %v, want the delivery enqueued since", got)
	}
}

// TestRedisOutOfMemory: with maxmemory below the data (noeviction), every
// method that writes fails with an error wrapping ErrUnavailable (the API
// answers 503 with Retry-After), the optimistic transaction of
// DisableSubscription included (Redis discards it: EXECABORT); the reads and
// the delete, which Redis still runs, succeed.
func TestRedisOutOfMemory(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := NewRedis(c, "t:")
	ctx := context.Background()
	sub := addSub(t, s, "http://127.0.0.1:1/")
	other := addSub(t, s, "http://127.0.0.1:2/")
	enqueue(t, s, newDelivery(sub, "c1", time.Now()), newDelivery(sub, "c1", time.Now()))
	claimed, err := s.Claim(ctx, "a", 2, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	if err := s.Fail(ctx, claimed[1]); err != nil {
		t.Fatal(err)
	}

	srv.OutOfMemory()
	for name, err := range map[string]error{
		"PutSubscription":     s.PutSubscription(ctx, sub),
		"DisableSubscription": s.DisableSubscription(ctx, sub.ID, "x"),
		"Enqueue":             s.Enqueue(ctx, []Delivery{newDelivery(sub, "c2", time.Now())}),
		"Redeliver":           s.Redeliver(ctx, sub.ID, claimed[1].ID),
	} {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s out of memory = %v, want an error wrapping ErrUnavailable", name, err)
		}
	}
	// Recording an outcome may still run: its script deletes the stream
	// entry first, and Redis lets a script that has written go on.
	for name, err := range map[string]error{
		"Retry":    s.Retry(ctx, claimed[0], time.Now()),
		"Complete": s.Complete(ctx, claimed[0]),
	} {
		if err != nil && !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s out of memory = %v, want success or an error wrapping ErrUnavailable", name, err)
		}
	}
	if subs, err := s.Subscriptions(ctx); err != nil || len(subs) != 2 {
		t.Errorf("Subscriptions out of memory = %v, %v", subs, err)
	}
	if got, err := s.Deliveries(ctx, sub.ID, 10); err != nil || len(got) != 2 {
		t.Errorf("Deliveries out of memory = %v, %v", got, err)
	}
	if got, err := s.CustomerDeliveries(ctx, "c1", 10); err != nil || len(got) != 2 {
		t.Errorf("CustomerDeliveries out of memory = %v, %v", got, err)
	}
	if err := s.DeleteSubscription(ctx, other.ID); err != nil {
		t.Errorf("DeleteSubscription out of memory = %v, want it done: a delete frees memory", err)
	}

	srv.SetMaxMemory(0)
	if err := s.DisableSubscription(ctx, sub.ID, "x"); err != nil {
		t.Errorf("DisableSubscription with memory again = %v", err)
	}
	if err := s.Redeliver(ctx, sub.ID, claimed[1].ID); err != nil {
		t.Errorf("Redeliver with memory again = %v", err)
	}
}
