package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
)

// idemStore is what every store provides for idempotent requests.
type idemStore interface {
	contractStore
	ClaimRequest(ctx context.Context, id, fingerprint, owner string) (RequestState, error)
	FinishRequest(ctx context.Context, id, fingerprint, owner string, o Outcome) error
	ReleaseRequest(ctx context.Context, id, owner string) error
	AddEventsOnce(ctx context.Context, token string, events []Event) (accepted, duplicates int, err error)
}

// runIdempotency is the idempotent-request part of the store contract
// (runContract runs it).
func runIdempotency(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	today := signals.DayNumber(now)
	ctx := context.Background()
	open := func(t *testing.T) idemStore {
		s, ok := newStore(t, clock).(idemStore)
		if !ok {
			t.Fatalf("%T does not keep idempotent requests", s)
		}
		return s
	}
	usage := func(t *testing.T, s idemStore, id string) float64 { return usageOf(t, s, today-1, today+1, id) }
	ev := func(cust, eventID string, u float64) Event {
		return Event{CustomerID: cust, EventID: eventID, Day: signals.Day{Day: today, Usage: u, UsageEvents: 1}}
	}
	claim := func(t *testing.T, s idemStore, id, fp, owner string, want Claim) RequestState {
		t.Helper()
		st, err := s.ClaimRequest(ctx, id, fp, owner)
		if err != nil || st.Claim != want {
			t.Fatalf("claim %s/%s by %s: %+v, %v; want claim %d", id, fp, owner, st, err, want)
		}
		return st
	}

	t.Run("lease, mismatch, outcome", func(t *testing.T) {
		s := open(t)
		claim(t, s, "r1", "fp1", "a", ClaimGranted)
		if st := claim(t, s, "r1", "fp1", "b", ClaimBusy); st.RetryAfter <= 0 {
			t.Errorf("busy without a retry delay: %+v", st)
		}
		claim(t, s, "r1", "fp2", "b", ClaimMismatch)
		// Only the owner ends its lease.
		if err := s.ReleaseRequest(ctx, "r1", "b"); err != nil {
			t.Fatal(err)
		}
		claim(t, s, "r1", "fp1", "b", ClaimBusy)
		if err := s.ReleaseRequest(ctx, "r1", "a"); err != nil {
			t.Fatal(err)
		}
		// Released, the key stays bound to its body.
		claim(t, s, "r1", "fp2", "b", ClaimMismatch)
		claim(t, s, "r1", "fp1", "b", ClaimGranted)
		if err := s.FinishRequest(ctx, "r1", "fp1", "b", Outcome{Accepted: 7, Duplicates: 2}); err != nil {
			t.Fatal(err)
		}
		if st := claim(t, s, "r1", "fp1", "c", ClaimDone); st.Outcome != (Outcome{7, 2}) {
			t.Errorf("outcome %+v, want 7 accepted, 2 duplicates", st.Outcome)
		}
		// The first outcome stays.
		if err := s.FinishRequest(ctx, "r1", "fp1", "a", Outcome{Accepted: 1}); err != nil {
			t.Fatal(err)
		}
		if st := claim(t, s, "r1", "fp1", "c", ClaimDone); st.Outcome != (Outcome{7, 2}) {
			t.Errorf("outcome after a second finish %+v, want the first", st.Outcome)
		}
		claim(t, s, "r1", "fp2", "c", ClaimMismatch)
		// Another request id is another record.
		claim(t, s, "r2", "fp2", "c", ClaimGranted)
	})

	t.Run("events of a request are stored once", func(t *testing.T) {
		s := open(t)
		batch := []Event{ev("x", "", 1), ev("y", "", 2), ev("x", "id1", 4), ev("x", "", 8), ev("x", "id1", 16)}
		for attempt := range 3 {
			acc, dup, err := s.AddEventsOnce(ctx, "tok", batch)
			// Every attempt answers what the first did: the in-batch
			// repeat of id1 is a duplicate, the rest is accepted.
			if err != nil || acc != 4 || dup != 1 {
				t.Fatalf("attempt %d: %d accepted, %d duplicates, %v; want 4, 1", attempt, acc, dup, err)
			}
		}
		if u := usage(t, s, "x"); u != 13 {
			t.Errorf("usage of x %v, want 13 (1+4+8, once)", u)
		}
		if u := usage(t, s, "y"); u != 2 {
			t.Errorf("usage of y %v, want 2", u)
		}
		// Another request with the same event id: a duplicate; its events
		// without ids are its own.
		acc, dup, err := s.AddEventsOnce(ctx, "tok2", []Event{ev("x", "id1", 32), ev("x", "", 64)})
		if err != nil || acc != 1 || dup != 1 {
			t.Fatalf("second request: %d accepted, %d duplicates, %v; want 1, 1", acc, dup, err)
		}
		// A plain batch is untouched by the tokens.
		acc, dup, err = s.AddEvents(ctx, []Event{ev("x", "id1", 128), ev("x", "", 256)})
		if err != nil || acc != 1 || dup != 1 {
			t.Fatalf("plain batch: %d accepted, %d duplicates, %v; want 1, 1", acc, dup, err)
		}
		if u := usage(t, s, "x"); u != 13+64+256 {
			t.Errorf("usage of x %v, want %v", u, 13+64+256)
		}
		if _, _, err := s.AddEventsOnce(ctx, "", batch); err == nil {
			t.Error("an empty token was taken")
		}
	})

	t.Run("derived ids never meet event ids", func(t *testing.T) {
		s := open(t)
		// A client's event_id spelled like the id derived for event 0.
		if acc, _, err := s.AddEvents(ctx, []Event{ev("z", derivedID("tok", 0), 1)}); err != nil || acc != 1 {
			t.Fatalf("plain: %d, %v", acc, err)
		}
		if acc, dup, err := s.AddEventsOnce(ctx, "tok", []Event{ev("z", "", 2)}); err != nil || acc != 1 || dup != 0 {
			t.Fatalf("once: %d accepted, %d duplicates, %v; want 1, 0", acc, dup, err)
		}
		if u := usage(t, s, "z"); u != 3 {
			t.Errorf("usage %v, want 3", u)
		}
	})
}

// TestRedisFrozenAddEventsOnce cuts an attempt off with a frozen Redis (the
// client times out; Redis runs the command when it wakes up), then retries
// it: whether the late command ran before or after the retry, each event is
// stored once and the retry counts all as accepted.
func TestRedisFrozenAddEventsOnce(t *testing.T) {
	srv := redistest.Start(t)
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	today := signals.DayNumber(now)
	r, err := NewRedis(context.Background(), RedisOptions{URL: srv.URL(), Timeout: 200 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	check, err := NewRedis(context.Background(), RedisOptions{URL: srv.URL(), Timeout: 10 * time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	ctx := context.Background()
	// Load the script, so that the cut-off EVALSHA can run when Redis
	// wakes up (on a server without it, it would fail with NOSCRIPT).
	if _, _, err := check.AddEvents(ctx, []Event{{CustomerID: "warm", Day: signals.Day{Day: today, Usage: 1}}}); err != nil {
		t.Fatal(err)
	}
	// connected leaves r with a connection that has carried a batch, so
	// that the cut-off command is sent on it (a new connection would stop
	// at its handshake, and go-redis times out a write on a connection
	// that has only answered PING).
	connected := func() {
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, _, err := r.AddEvents(ctx, []Event{{CustomerID: "warm", Day: signals.Day{Day: today, Usage: 1}}})
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("redis does not answer: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	const n = 50
	batch := func(cust string) []Event {
		b := make([]Event, n)
		for i := range b {
			b[i] = Event{CustomerID: cust + string(rune('a'+i%3)), Day: signals.Day{Day: today, Usage: 1, UsageEvents: 1}}
		}
		return b
	}
	stored := func(cust string) float64 { return usageOf(t, check, today, today+1, cust+"a", cust+"b", cust+"c") }
	for _, late := range []bool{true, false} {
		cust := map[bool]string{true: "late-first-", false: "retry-while-frozen-"}[late]
		t.Run(cust, func(t *testing.T) {
			connected()
			srv.Freeze()
			if _, _, err := r.AddEventsOnce(ctx, "tok-"+cust, batch(cust)); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("frozen: %v, want ErrUnavailable", err)
			}
			if late {
				srv.Thaw()
				// Wait for the cut-off command to run.
				deadline := time.Now().Add(10 * time.Second)
				for stored(cust) != n && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				if got := stored(cust); got != n {
					t.Fatalf("the cut-off attempt stored %v, want %d: the test did not cut an attempt off after it reached Redis", got, n)
				}
			}
			if !late {
				// The retry goes first on a new connection while the
				// cut-off command waits in the frozen server's buffer.
				done := make(chan struct{})
				go func() {
					defer close(done)
					acc, dup, err := check.AddEventsOnce(ctx, "tok-"+cust, batch(cust))
					if err != nil || acc != n || dup != 0 {
						t.Errorf("retry: %d accepted, %d duplicates, %v; want %d, 0", acc, dup, err, n)
					}
				}()
				time.Sleep(100 * time.Millisecond)
				srv.Thaw()
				<-done
			} else {
				acc, dup, err := check.AddEventsOnce(ctx, "tok-"+cust, batch(cust))
				if err != nil || acc != n || dup != 0 {
					t.Errorf("retry: %d accepted, %d duplicates, %v; want %d, 0", acc, dup, err, n)
				}
			}
			time.Sleep(200 * time.Millisecond) // any late command has run
			if got := stored(cust); got != n {
				t.Errorf("stored %v, want %d (each event once)", got, n)
			}
		})
	}
}

// usageOf sums the usage stored for the customers ids on days from <= day
// < to (an unknown customer has none).
func usageOf(t testing.TB, s interface {
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
}, from, to int32, ids ...string) float64 {
	t.Helper()
	sum := 0.0
	for _, id := range ids {
		h, err := s.History(context.Background(), id, from, to)
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("history of %s: %v", id, err)
		}
		for _, d := range h {
			sum += d.Usage
		}
	}
	return sum
}
