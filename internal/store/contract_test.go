package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
)

// contractStore is what every store implementation provides.
type contractStore interface {
	PutCustomer(ctx context.Context, p features.Profile) error
	GetCustomer(ctx context.Context, id string) (features.Profile, error)
	AddEvents(ctx context.Context, events []Event) (accepted, duplicates int, err error)
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
	PutScore(ctx context.Context, id string, s Score) error
	GetScore(ctx context.Context, id string) (Score, error)
	Ping(ctx context.Context) error
}

// runContract is the shared contract suite; each implementation calls it with
// a factory that returns an empty store whose clock is now.
func runContract(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	today := signals.DayNumber(now)
	ctx := context.Background()

	t.Run("profile round trip", func(t *testing.T) {
		s := newStore(t, clock)
		if _, err := s.GetCustomer(ctx, "a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown customer: %v, want ErrNotFound", err)
		}
		mrr := 99.5
		signup := now.AddDate(-1, 0, 0)
		p := features.Profile{ID: "a", Plan: "pro", MRR: &mrr, SignupAt: &signup, Attributes: map[string]string{"seats": "4"}}
		if err := s.PutCustomer(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Attributes["seats"] = "mutated after put"
		got, err := s.GetCustomer(ctx, "a")
		if err != nil || got.Plan != "pro" || *got.MRR != 99.5 || !got.SignupAt.Equal(signup) || got.Attributes["seats"] != "4" {
			t.Fatalf("got %+v, %v", got, err)
		}
		// PUT replaces the whole profile.
		if err := s.PutCustomer(ctx, features.Profile{ID: "a", Plan: "basic"}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetCustomer(ctx, "a")
		if got.Plan != "basic" || got.MRR != nil || got.Attributes != nil {
			t.Fatalf("after replace: %+v", got)
		}
	})

	t.Run("events aggregate per day and dedupe", func(t *testing.T) {
		s := newStore(t, clock)
		day := func(d int32, u float64) signals.Day { return signals.Day{Day: d, Usage: u, UsageEvents: 1} }
		batch := []Event{
			{CustomerID: "b", EventID: "e1", Day: day(today, 2)},
			{CustomerID: "b", EventID: "e2", Day: day(today, 3)},
			{CustomerID: "b", Day: day(today-1, 1)},
			{CustomerID: "b", EventID: "e1", Day: day(today, 100)}, // duplicate within the batch
			{CustomerID: "c", EventID: "e1", Day: day(today, 7)},   // same id, other customer: not a duplicate
		}
		acc, dup, err := s.AddEvents(ctx, batch)
		if err != nil || acc != 4 || dup != 1 {
			t.Fatalf("first batch: %d accepted, %d duplicates, %v", acc, dup, err)
		}
		acc, dup, err = s.AddEvents(ctx, batch)
		if err != nil || acc != 1 || dup != 4 {
			t.Fatalf("retried batch: %d accepted, %d duplicates, %v", acc, dup, err)
		}
		h, err := s.History(ctx, "b", today-10, today+1)
		if err != nil || len(h) != 2 || h[0].Day != today-1 || h[0].Usage != 2 || h[1].Usage != 5 || h[1].UsageEvents != 2 {
			t.Fatalf("history %+v, %v", h, err)
		}
		if h, _ := s.History(ctx, "b", today, today+1); len(h) != 1 || h[0].Day != today {
			t.Fatalf("window [today, today+1): %+v", h)
		}
		if _, err := s.History(ctx, "nobody", 0, today); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown history: %v", err)
		}
		// A customer known only from events exists with its id alone.
		if p, err := s.GetCustomer(ctx, "c"); err != nil || p.ID != "c" || p.Plan != "" {
			t.Fatalf("event-only customer: %+v, %v", p, err)
		}
	})

	t.Run("old days are accepted and dropped", func(t *testing.T) {
		s := newStore(t, clock)
		acc, _, err := s.AddEvents(ctx, []Event{{CustomerID: "d", Day: signals.Day{Day: today - 400, Usage: 1}}, {CustomerID: "d", Day: signals.Day{Day: today - 5, Usage: 2}}})
		if err != nil || acc != 2 {
			t.Fatalf("%d, %v", acc, err)
		}
		h, _ := s.History(ctx, "d", 0, today+1)
		if len(h) != 1 || h[0].Day != today-5 {
			t.Fatalf("history %+v, want only the recent day", h)
		}
	})

	t.Run("scores", func(t *testing.T) {
		s := newStore(t, clock)
		if _, err := s.GetScore(ctx, "e"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("no score yet: %v", err)
		}
		want := Score{Score: 0.7, RiskLevel: "high", Flagged: true, TopDriver: "x", ModelVersion: "v1", AsOf: now}
		if err := s.PutScore(ctx, "e", want); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetScore(ctx, "e")
		if err != nil || got.Score != want.Score || got.ModelVersion != "v1" || !got.AsOf.Equal(now) || !got.Flagged {
			t.Fatalf("score %+v, %v", got, err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("concurrent batches lose nothing", func(t *testing.T) {
		s := newStore(t, clock)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					_, _, err := s.AddEvents(ctx, []Event{{CustomerID: "f", EventID: fmt.Sprintf("w%d-%d", w, i), Day: signals.Day{Day: today, Usage: 1, UsageEvents: 1}}})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		h, _ := s.History(ctx, "f", today, today+1)
		if len(h) != 1 || h[0].Usage != 400 {
			t.Fatalf("history %+v, want usage 400", h)
		}
	})
}

func TestMemContract(t *testing.T) {
	runContract(t, func(t *testing.T, now func() time.Time) contractStore {
		return NewMem(MemOptions{Now: now})
	})
}
