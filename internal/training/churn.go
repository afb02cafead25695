package training

import (
	"fmt"
	"strconv"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// PredictedByMonth sums the model's churn probability of every customer
// active at the start of each month from..to, with the features of that
// moment: the predicted churn shown beside the actual. Only months from
// BacktestFrom on are predicted; the others are absent from the map (not
// zero): before a full lookback of events a customer would look silent.
func PredictedByMonth(ds *data.Dataset, a *model.Artifact, from, to metrics.Month) map[metrics.Month]float64 {
	out := map[metrics.Month]float64{}
	x := make([]float64, a.Schema.Len())
	for m := max(from, BacktestFrom(ds, a)); m <= to; m++ {
		t := m.Start()
		sum := 0.0
		for i := range ds.Customers {
			if !ds.Customers[i].ActiveAt(t) {
				continue
			}
			p := ProfileAt(ds, i, t)
			sum += a.ProbabilityInto(x, &p, ds.Histories[i], t)
		}
		out[m] = sum
	}
	return out
}

// BacktestFrom returns the first month whose start has a full lookback of
// events before it: the data's first event day plus the model's lookback
// (90 days when the model does not record one) is on or before the month's
// start. It is the first month PredictedByMonth predicts.
func BacktestFrom(ds *data.Dataset, a *model.Artifact) metrics.Month {
	lookback := a.Meta.LookbackDays
	if lookback <= 0 {
		c := Config{}
		c.defaults()
		lookback = c.LookbackDays
	}
	ready := signals.DayStart(eventStart(ds) + int32(lookback))
	m := metrics.MonthOf(ready)
	if m.Start().Before(ready) {
		m++
	}
	return m
}

// Aggregate returns the churn metrics aggregate of every customer of ds.
// It returns an error wrapping metrics.ErrRange when an amount or a sum is
// outside what the figures hold exactly (metrics.MaxSum).
func Aggregate(ds *data.Dataset) (metrics.Aggregate, error) {
	var agg metrics.Aggregate
	for _, c := range data.MetricsCustomers(ds) {
		d, err := metrics.Contribution(c)
		if err == nil {
			err = agg.Add(d, 1)
		}
		if err != nil {
			return metrics.Aggregate{}, fmt.Errorf("churn figures: %w", err)
		}
	}
	return agg, nil
}

// ChurnTable computes the actual churn figures of a data set over from..to,
// with a model's predicted churn beside them when a is not nil (months
// before BacktestFrom have none, and a note says why). It fails as
// Aggregate does.
func ChurnTable(ds *data.Dataset, a *model.Artifact, o metrics.Options) (metrics.Table, error) {
	agg, err := Aggregate(ds)
	if err != nil {
		return metrics.Table{}, err
	}
	o.RevenueHistory = ds.HasEvents[data.Revenue]
	if a != nil {
		o.Predicted = PredictedByMonth(ds, a, o.From, o.To)
		o.LookbackDays = a.Meta.LookbackDays
	}
	return metrics.Compute(agg, o), nil
}

// reportChurn is the churn table of the model report: the default range
// of metrics.DefaultFrom up to the data's last month (time mode only), with the new model's predictions beside them.
// Figures that cannot be computed (an amount out of range) leave a table
// with a note that says why.
func reportChurn(ds *data.Dataset, a *model.Artifact) *metrics.Table {
	if ds.Mode != data.ModeTime || ds.Start.IsZero() {
		return nil
	}
	to := metrics.MonthOf(ds.End)
	agg, err := Aggregate(ds)
	if err != nil {
		return &metrics.Table{Notes: []string{err.Error()}}
	}
	from, note := metrics.DefaultFrom(agg, to)
	t, err := ChurnTable(ds, a, metrics.Options{From: from, To: to})
	if err != nil {
		return &metrics.Table{Notes: []string{err.Error()}}
	}
	if note != "" {
		t.Notes = append(t.Notes, note)
	}
	t.Notes = append(t.Notes, "predicted churn is in-sample: the model was trained on these months; its horizon is "+
		strconv.Itoa(a.Meta.HorizonDays)+" days, so compare it with the monthly churn as an order of magnitude")
	return &t
}

// DataFrom is the first month the data observes: the month of the first event
// when there are event files (an export usually holds customers who signed up
// long before its events, but not those who churned before them), else the
// month of the earliest date.
func DataFrom(ds *data.Dataset) metrics.Month {
	if ds.HasEvents[data.Usage] || ds.HasEvents[data.Tickets] || ds.HasEvents[data.PageViews] || ds.HasEvents[data.Revenue] {
		return metrics.MonthOf(signals.DayStart(eventStart(ds)))
	}
	return metrics.MonthOf(ds.Start)
}
