package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// TestIngestOnce: an attempt of a request whose lease another attempt holds
// is told to wait and stores nothing; once that attempt gave the lease up
// (a failure), the request runs; then it answers its first outcome; another
// body under the key is refused.
func TestIngestOnce(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	st := store.NewMem(store.MemOptions{Now: func() time.Time { return now }})
	s := New(Config{Store: st, ModelsDir: t.TempDir(), Logger: quiet(), Now: func() time.Time { return now }, ModelPoll: -1})
	ctx := context.Background()
	events := []signals.Event{
		{Type: signals.TypeUsage, CustomerID: "a", Timestamp: now.Add(-time.Hour), Quantity: 3, Metric: "usage"},
		{Type: signals.TypeUsage, CustomerID: "b", Timestamp: now.Add(-time.Hour), Quantity: 4, Metric: "usage"},
	}
	req := Request{Scope: "caller", Key: "k1"}
	id, fp := requestID(req), Fingerprint(events)
	if c, err := st.ClaimRequest(ctx, id, fp, "other"); err != nil || c.Claim != store.ClaimGranted {
		t.Fatalf("claim: %+v %v", c, err)
	}
	var busy *BusyError
	if _, _, err := s.IngestOnce(ctx, req, events); !errors.As(err, &busy) || busy.RetryAfter <= 0 {
		t.Fatalf("while leased: %v, want a BusyError", err)
	}
	if _, err := st.History(ctx, "a", 0, 1<<30); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a busy attempt stored events: %v", err)
	}
	if err := st.ReleaseRequest(ctx, id, "other"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		acc, dup, err := s.IngestOnce(ctx, req, events)
		if err != nil || acc != 2 || dup != 0 {
			t.Fatalf("ingest: %d, %d, %v; want 2, 0", acc, dup, err)
		}
	}
	h, err := st.History(ctx, "a", 0, 1<<30)
	if err != nil || len(h) != 1 || h[0].Usage != 3 {
		t.Fatalf("history of a %+v, %v; want usage 3 once", h, err)
	}
	other := []signals.Event{events[1], events[0]}
	if _, _, err := s.IngestOnce(ctx, req, other); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("another body: %v, want ErrKeyReused", err)
	}
	// Another caller's key of the same spelling is another request.
	if acc, _, err := s.IngestOnce(ctx, Request{Scope: "someone else", Key: "k1"}, other); err != nil || acc != 2 {
		t.Fatalf("another caller: %d, %v", acc, err)
	}
}

// TestFingerprint: the fingerprint reads the events, not their spelling.
func TestFingerprint(t *testing.T) {
	at := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	e := signals.Event{Type: signals.TypeUsage, CustomerID: "a", Timestamp: at, Quantity: 1}
	zoned := e
	zoned.Timestamp = at.In(time.FixedZone("+02", 7200))
	moved := e
	moved.Timestamp = at.Add(time.Second)
	base := Fingerprint([]signals.Event{e, e})
	if Fingerprint([]signals.Event{zoned, e}) != base {
		t.Error("the zone a time is written in changed the fingerprint")
	}
	for name, b := range map[string][]signals.Event{"moved": {moved, e}, "one": {e}, "none": nil} {
		if Fingerprint(b) == base {
			t.Errorf("%s: same fingerprint as another batch", name)
		}
	}
}
