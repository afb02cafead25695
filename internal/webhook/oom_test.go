package webhook

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/redistest"
)

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
