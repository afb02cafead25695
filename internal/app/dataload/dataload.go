// Package dataload is the import use case: it loads a data set read from
// the contract's files (internal/data) into the service's store, so that a
// new deployment starts with everyone known and scored. `api --load DIR`
// runs Import; `train score --push` runs Load.
package dataload

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/training"
)

// Result counts what a load wrote.
type Result struct {
	Customers int
	Days      int
	Scored    int
	Flagged   int
}

// Options says what a load scores and records beside the data.
type Options struct {
	// Model scores every customer active at AsOf; nil loads without scoring.
	Model *model.Artifact
	// AsOf is the time the scores are computed as of.
	AsOf time.Time
	// Account names the attributes kept with each score as account name
	// and owner; zero means store.DefaultAccount.
	Account store.Account
	// Backtest records, before the scores, the model's predicted churn of
	// the 12 months up to AsOf's (training.PredictedByMonth), so that the
	// churn figures show predicted beside actual for the loaded history
	// (time mode only; months already recorded keep their value).
	Backtest bool
	// Rescore, when set, is given the customers active at AsOf after the
	// load (the service's background rescoring, which raises their webhook
	// alerts).
	Rescore func(ids []string)
}

// scoreWorkers is how many customers are scored and stored in parallel.
const scoreWorkers = 8

// Load writes a data set into st: the predicted churn back-test when asked,
// then profiles, daily aggregates, excerpts and churn-metric lifetimes in
// bulk, then, with a model, the feature vector and score of every customer
// active at o.AsOf (app.Scorer, which also fills the at-risk list), by a few
// workers in parallel. It returns what it wrote and the first error.
func Load(ctx context.Context, st app.Importer, ds *data.Dataset, o Options) (Result, error) {
	if o.Account == (store.Account{}) {
		o.Account = store.DefaultAccount
	}
	if o.Backtest && o.Model != nil && ds.Mode == data.ModeTime && !ds.Start.IsZero() {
		// It goes first: the scoring below would otherwise fix this
		// month's figure at the sum of the scores before any was stored.
		// PredictedByMonth leaves out the months without a full lookback
		// of events before their start.
		to := metrics.MonthOf(o.AsOf)
		from := to - metrics.DefaultMonths + 1
		if err := st.RecordPredicted(ctx, training.PredictedByMonth(ds, o.Model, from, to)); err != nil {
			return Result{}, fmt.Errorf("predicted churn: %w", err)
		}
	}
	res, err := importCustomers(ctx, st, ds)
	if err != nil {
		return res, err
	}
	if o.Model != nil {
		if err := scoreActive(ctx, app.Scorer{Store: st, Account: o.Account}, ds, o.Model, o.AsOf, &res); err != nil {
			return res, err
		}
	}
	if o.Rescore != nil {
		var ids []string
		for i := range ds.Customers {
			if ds.Customers[i].ActiveAt(o.AsOf) {
				ids = append(ids, ds.Customers[i].ID)
			}
		}
		o.Rescore(ids)
	}
	return res, nil
}

// Import is Load into a running service's store with its active model (if
// any), as of its clock, with its account attributes and the back-test;
// when webhooks have subscribers, the customers the load puts at risk are
// alerted by the service's background rescoring. It is what `api --load DIR`
// runs.
func Import(ctx context.Context, svc *app.Service, ds *data.Dataset) (Result, error) {
	o := Options{Model: svc.Models().Active(), AsOf: svc.Now(), Account: svc.Account(), Backtest: true}
	if svc.Alerts().Wanted(ctx) {
		o.Rescore = svc.Rescore
	}
	res, err := Load(ctx, svc.Importer(), ds, o)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", ds.Dir, err)
	}
	return res, nil
}

// importCustomers writes every customer's profile, history, excerpts and
// churn-metric lifetimes in chunks of 1,000.
func importCustomers(ctx context.Context, st app.Importer, ds *data.Dataset) (Result, error) {
	var res Result
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
	return res, nil
}

// scoreActive scores and stores every customer of ds active at asOf with
// model a, counting into res, and returns the first error (or ctx's).
func scoreActive(ctx context.Context, w app.Scorer, ds *data.Dataset, a *model.Artifact, asOf time.Time, res *Result) error {
	end := signals.EndDay(asOf)
	jobs := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range scoreWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := ds.Customers[i]
				h := ds.Histories[i].Window(end-int32(a.Schema.LookbackDays), end)
				pred, _, err := w.Put(ctx, a, &p, h, store.GenCurrent, asOf, 1) // the top driver is all a stored score keeps
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
	return firstErr
}
