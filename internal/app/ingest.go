package app

import (
	"context"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// Ingest stores a batch of validated events: each becomes its one-event
// daily aggregate (and the excerpt of a negative or churn-intent ticket),
// the batch is stored at once (events whose event_id was seen are
// duplicates and add nothing), and the customers concerned are queued for
// rescoring. It returns the counts, or the store's error (nothing is then
// acknowledged).
func (s *Service) Ingest(ctx context.Context, events []signals.Event) (accepted, duplicates int, err error) {
	batch := s.storeBatch(events)
	acc, dup, err := s.st.AddEvents(ctx, batch)
	if err != nil {
		return 0, 0, err
	}
	if acc > 0 {
		s.markBatch(batch)
	}
	return acc, dup, nil
}

// storeBatch turns validated events into the store's events: each with its
// one-event daily aggregate and, for a negative or churn-intent ticket, its
// excerpt.
func (s *Service) storeBatch(events []signals.Event) []store.Event {
	batch := make([]store.Event, len(events))
	for i := range events {
		d, x, ok := s.agg.Ticket(&events[i], s.keepText)
		batch[i] = store.Event{CustomerID: events[i].CustomerID, EventID: events[i].EventID, Day: d}
		if ok {
			batch[i].Excerpt = &x
		}
	}
	return batch
}

// markBatch queues the customers of a stored batch for rescoring.
func (s *Service) markBatch(batch []store.Event) {
	ids := make([]string, 0, 8)
	seen := map[string]bool{}
	for i := range batch {
		if id := batch[i].CustomerID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	s.rescore.mark(ids)
}

// PutCustomer creates or replaces a customer's profile and queues the
// customer for rescoring (a new plan, MRR or attribute changes the
// features). It returns the store's error.
func (s *Service) PutCustomer(ctx context.Context, p features.Profile) error {
	if err := s.st.PutCustomer(ctx, p); err != nil {
		return err
	}
	s.rescore.mark([]string{p.ID})
	return nil
}

// Customer returns a stored profile, or the store's error
// (store.ErrNotFound for an unknown customer).
func (s *Service) Customer(ctx context.Context, id string) (features.Profile, error) {
	return s.st.GetCustomer(ctx, id)
}
