package api

import (
	"context"
	"fmt"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/training"
)

// Import loads a data set read from the contract's files into the store and
// scores every active customer with the active model (if any), so the
// at-risk list is filled from the start; with webhooks configured, the
// customers it puts at risk are alerted. With a model, the predicted churn of
// the last 12 months is back-tested on the loaded history (the
// model's score of each customer active at a month's start, as of then),
// for the months with a full lookback of events before their start. It
// is what `api --load DIR` runs.
func (s *Server) Import(ctx context.Context, ds *data.Dataset) (training.PushResult, error) {
	now := s.now().UTC()
	if m := s.Model(); m != nil && ds.Mode == data.ModeTime && !ds.Start.IsZero() {
		// Back-test the churn figures' last 12 months, this one included,
		// so the predicted churn stands beside the actual for the loaded
		// history too. It goes first: the scoring below would otherwise fix
		// this month's figure at the sum of the scores before any was stored.
		// Months already recorded keep their value.
		// PredictedByMonth leaves out the months without a full lookback
		// of events before their start.
		to := metrics.MonthOf(now)
		from := to - metrics.DefaultMonths + 1
		if err := s.store.RecordPredicted(ctx, training.PredictedByMonth(ds, m, from, to)); err != nil {
			return training.PushResult{}, fmt.Errorf("import %s: predicted churn: %w", ds.Dir, err)
		}
	}
	res, err := training.PushAccounts(ctx, s.store, ds, s.Model(), now, s.account)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", ds.Dir, err)
	}
	if s.alertsWanted(ctx) {
		// The background rescoring raises the webhook alerts of the
		// customers the load put at risk.
		var ids []string
		for i := range ds.Customers {
			if ds.Customers[i].ActiveAt(now) {
				ids = append(ids, ds.Customers[i].ID)
			}
		}
		s.rescore.mark(ids)
	}
	return res, nil
}
