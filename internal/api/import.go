package api

import (
	"context"
	"fmt"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/training"
)

// Import loads a data set read from the contract's files into the store and
// scores every active customer with the active model (if any), so the
// at-risk list is filled from the start. It is what `api --load DIR` runs.
func (s *Server) Import(ctx context.Context, ds *data.Dataset) (training.PushResult, error) {
	res, err := training.Push(ctx, s.store, ds, s.Model(), s.now().UTC())
	if err != nil {
		return res, fmt.Errorf("import %s: %w", ds.Dir, err)
	}
	return res, nil
}
