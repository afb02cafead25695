package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
)

// TestRedisOutOfMemory: with maxmemory below the data (noeviction), every
// method that writes, and Snapshot (a MULTI, whose reads Redis refuses to
// queue), fails with ErrUnavailable, Ping with ErrWritesRefused too; the
// plain reads still answer. With memory again, Ping and the writes succeed.
// A stopped server is unreachable, not refusing writes.
func TestRedisOutOfMemory(t *testing.T) {
	srv := redistest.Start(t)
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	today := signals.DayNumber(now)
	r, err := NewRedis(context.Background(), RedisOptions{URL: srv.URL(), Timeout: 5 * time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if err := r.PutCustomer(ctx, features.Profile{ID: "x", Plan: "growth"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.AddEvents(ctx, []Event{{CustomerID: "x", EventID: "e1", Day: signals.Day{Day: today, Usage: 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.PutScore(ctx, "x", Cached{Day: today, Score: Score{Score: 0.9, Flagged: true, AsOf: now}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("ping with memory: %v", err)
	}

	srv.OutOfMemory()
	writes := map[string]func() error{
		"put customer": func() error { return r.PutCustomer(ctx, features.Profile{ID: "y"}) },
		"add events": func() error {
			_, _, err := r.AddEvents(ctx, []Event{{CustomerID: "x", EventID: "e2", Day: signals.Day{Day: today, Usage: 1}}})
			return err
		},
		"put score": func() error { return r.PutScore(ctx, "x", Cached{Day: today, Score: Score{Score: 0.2, AsOf: now}}) },
		"import":    func() error { return r.Import(ctx, []CustomerData{{Profile: features.Profile{ID: "z"}}}) },
		"snapshot":  func() error { _, err := r.Snapshot(ctx, "x"); return err },
	}
	for name, call := range writes {
		if err := call(); !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s out of memory: %v, want ErrUnavailable", name, err)
		}
	}
	if err := r.Ping(ctx); !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrWritesRefused) {
		t.Errorf("ping out of memory: %v, want ErrUnavailable and ErrWritesRefused", err)
	}
	if p, err := r.GetCustomer(ctx, "x"); err != nil || p.Plan != "growth" {
		t.Errorf("get customer out of memory: %+v, %v", p, err)
	}
	if h, err := r.History(ctx, "x", today, today+1); err != nil || len(h) != 1 || h[0].Usage != 1 {
		t.Errorf("history out of memory: %+v, %v; want the one event stored before", h, err)
	}
	if page, err := r.AtRisk(ctx, AtRiskQuery{}); err != nil || len(page.Items) != 1 {
		t.Errorf("at-risk out of memory: %+v, %v; want x", page, err)
	}

	srv.SetMaxMemory(0)
	if err := r.Ping(ctx); err != nil {
		t.Errorf("ping with memory again: %v", err)
	}
	for name, call := range writes {
		if err := call(); err != nil {
			t.Errorf("%s with memory again: %v", name, err)
		}
	}
	srv.Stop()
	if err := r.Ping(ctx); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrWritesRefused) {
		t.Errorf("ping with Redis stopped: %v, want ErrUnavailable without ErrWritesRefused", err)
	}
}
