package training

import (
	"strconv"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// PredictedByMonth sums the model's churn probability of every customer
// active at the start of each month from..to, with the features of that
// moment: the predicted churn shown beside the actual.
func PredictedByMonth(ds *data.Dataset, a *model.Artifact, from, to metrics.Month) map[metrics.Month]float64 {
	out := map[metrics.Month]float64{}
	x := make([]float64, a.Schema.Len())
	for m := from; m <= to; m++ {
		t := m.Start()
		sum := 0.0
		for i := range ds.Customers {
			if !ds.Customers[i].ActiveAt(t) {
				continue
			}
			p := ProfileAt(ds, i, t)
			a.Schema.Vector(&p, ds.Histories[i], t, x)
			sum += a.Probability(x)
		}
		out[m] = sum
	}
	return out
}

// ChurnTable computes the actual churn figures of a data set over from..to,
// with a model's predicted churn beside them when a is not nil.
func ChurnTable(ds *data.Dataset, a *model.Artifact, o metrics.Options) metrics.Table {
	var agg metrics.Aggregate
	for _, c := range metrics.FromDataset(ds) {
		agg.Add(metrics.Contribution(c), 1)
	}
	o.RevenueHistory = ds.HasEvents["revenue"]
	if a != nil {
		o.Predicted = PredictedByMonth(ds, a, o.From, o.To)
	}
	return metrics.Compute(agg, o)
}

// reportChurn is the churn table of the model report: the data's last 12
// months (time mode only), with the new model's predictions beside them.
func reportChurn(ds *data.Dataset, a *model.Artifact) *metrics.Table {
	if ds.Mode != data.ModeTime || ds.Start.IsZero() {
		return nil
	}
	to := metrics.MonthOf(ds.End)
	from := max(DataFrom(ds), to-11)
	t := ChurnTable(ds, a, metrics.Options{From: from, To: to})
	t.Notes = append(t.Notes, "predicted churn is in-sample: the model was trained on these months; its horizon is "+
		strconv.Itoa(a.Meta.HorizonDays)+" days, so compare it with the monthly churn as an order of magnitude")
	return &t
}

// DataFrom is the first month the data observes: the month of the first event
// when there are event files (an export usually holds customers who signed up
// long before its events, but not those who churned before them), else the
// month of the earliest date.
func DataFrom(ds *data.Dataset) metrics.Month {
	if ds.HasEvents["usage"] || ds.HasEvents["tickets"] || ds.HasEvents["page_views"] || ds.HasEvents["revenue"] {
		return metrics.MonthOf(signals.DayStart(eventStart(ds)))
	}
	return metrics.MonthOf(ds.Start)
}
