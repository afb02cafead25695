package api

import (
	"context"
	"time"

	"github.com/churnrisk/churn/internal/evidence"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// storedSignals reads a stored customer's daily aggregates and ticket
// excerpts of the model's lookback window as of now (one round trip) and returns what
// explain makes of them. It returns the store's error (ErrNotFound for an
// unknown customer).
func (s *Server) storedSignals(ctx context.Context, m *model.Artifact, id string, now time.Time, pred *model.Prediction) ([]evidence.Signal, error) {
	end := signals.EndDay(now)
	from := end - int32(m.Schema.LookbackDays)
	h, notes, err := s.store.Evidence(ctx, id, from, end)
	if err != nil {
		return nil, err
	}
	return explain(m, h, notes, now, pred), nil
}

// explain returns the signals of a customer scored with model m as of now
// and makes pred's churn-intent driver quote the newest intent ticket.
func explain(m *model.Artifact, h signals.History, notes []signals.Excerpt, now time.Time, pred *model.Prediction) []evidence.Signal {
	end := signals.EndDay(now)
	evidence.Explain(pred.Drivers, notes, end)
	return evidence.Build(h, notes, end, m.Schema.LookbackDays)
}
