package api

import (
	"context"
	"fmt"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/store"
)

// Import loads a data set read from the contract's files into the store:
// every profile and the daily aggregates of its history (days older than the
// store keeps are dropped by the store). It returns the number of customers
// and days written. It is how `api --load DIR` starts a demo or a new
// deployment with everyone known.
func (s *Server) Import(ctx context.Context, ds *data.Dataset) (customers, days int, err error) {
	const batch = 5000
	buf := make([]store.Event, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, _, err := s.store.AddEvents(ctx, buf); err != nil {
			return err
		}
		buf = buf[:0]
		return nil
	}
	for i := range ds.Customers {
		if err := s.store.PutCustomer(ctx, ds.Customers[i]); err != nil {
			return customers, days, fmt.Errorf("import customer %s: %w", ds.Customers[i].ID, err)
		}
		customers++
		for _, d := range ds.Histories[i] {
			buf = append(buf, store.Event{CustomerID: ds.Customers[i].ID, Day: d})
			days++
			if len(buf) == batch {
				if err := flush(); err != nil {
					return customers, days, fmt.Errorf("import history: %w", err)
				}
			}
		}
	}
	if err := flush(); err != nil {
		return customers, days, fmt.Errorf("import history: %w", err)
	}
	return customers, days, nil
}
