package webhook

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/redistest"
)

// TestRedisDownIsUnavailable: with Redis gone every method's error wraps
// ErrUnavailable (the API answers 503 with Retry-After, not 500), while an
// error that is not an outage (a key of the wrong type) does not.
func TestRedisDownIsUnavailable(t *testing.T) {
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
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s with Redis down = %v, want an error wrapping ErrUnavailable", name, err)
		}
	}
}
