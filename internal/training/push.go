package training

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// Pusher is the part of a store that a bulk load needs.
type Pusher interface {
	Import(ctx context.Context, customers []store.CustomerData) error
	PutScore(ctx context.Context, id string, c store.Cached) error
}

// PushResult counts what Push wrote.
type PushResult struct {
	Customers int
	Days      int
	Scored    int
	Flagged   int
}

// Push loads a data set into a store, so that a new deployment starts with
// everyone known and scored: profiles and daily aggregates in bulk, then,
// when a model is given, the feature vector and score of every customer
// active at asOf (which also fills the at-risk list). Scores are written by
// a few workers in parallel.
func Push(ctx context.Context, st Pusher, ds *data.Dataset, a *model.Artifact, asOf time.Time) (PushResult, error) {
	return PushAccounts(ctx, st, ds, a, asOf, store.DefaultAccount)
}

// PushAccounts is Push keeping each score with the account name and owner
// read from the attributes acc names.
func PushAccounts(ctx context.Context, st Pusher, ds *data.Dataset, a *model.Artifact, asOf time.Time, acc store.Account) (PushResult, error) {
	var res PushResult
	const chunk = 1000
	batch := make([]store.CustomerData, 0, chunk)
	mc := data.MetricsCustomers(ds)
	for i := range ds.Customers {
		batch = append(batch, store.CustomerData{Profile: ds.Customers[i], History: ds.Histories[i], Metrics: &mc[i]})
		if ds.Excerpts != nil {
			batch[len(batch)-1].Excerpts = ds.Excerpts[i]
		}
		res.Days += len(ds.Histories[i])
		if len(batch) == chunk || i == len(ds.Customers)-1 {
			if err := st.Import(ctx, batch); err != nil {
				return res, fmt.Errorf("import customers: %w", err)
			}
			res.Customers += len(batch)
			batch = batch[:0]
		}
	}
	if a == nil {
		return res, nil
	}
	day, end := signals.DayNumber(asOf), signals.EndDay(asOf)
	jobs := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := ds.Customers[i]
				h := ds.Histories[i].Window(end-int32(a.Schema.LookbackDays), end)
				x := make([]float64, a.Schema.Len())
				a.Schema.Vector(&p, h, asOf, x)
				pred := a.Predict(x, 1)
				sc := store.Score{Score: pred.Score, RiskLevel: pred.RiskLevel, Flagged: pred.Flagged, ModelVersion: a.Version, AsOf: asOf, MRR: p.MRR, Plan: p.Plan}
				sc.Name, sc.Owner = acc.Of(&p)
				if len(pred.Drivers) > 0 {
					sc.TopDriver = pred.Drivers[0].Reason
				}
				err := st.PutScore(ctx, p.ID, store.Cached{Day: day, ModelVersion: a.Version, Vector: x, Score: sc})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("score %s: %w", p.ID, err)
				}
				if err == nil {
					res.Scored++
					if pred.Flagged {
						res.Flagged++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := range ds.Customers {
		if !ds.Customers[i].ActiveAt(asOf) {
			continue
		}
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return res, firstErr
}
