// Package performance says how the model's scores turned out: the score
// every current customer had at the start of a month (a snapshot), and,
// once the model's horizon has passed, how those scores compare with who
// churned: ROC AUC, precision and recall of the flagged set, predicted
// churn beside actual, and calibration by decile. This is the production
// ground truth that the validation figures of training only promise.
package performance

import (
	"maps"
	"math"
	"slices"
	"time"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
)

// MonthReport is how one month's snapshot turned out.
type MonthReport struct {
	metrics.Snapshot
	// Settled says the horizon has passed since the month's start: the
	// figures are final. Before, they are not given.
	Settled bool `json:"settled"`
	// Churned counts the customers of the snapshot who churned within the
	// horizon of the month's start.
	Churned int `json:"churned"`
	// ROCAUC is nil when all or none churned.
	ROCAUC *float64 `json:"roc_auc"`
	// Flagged counts the flagged customers; Precision is the churned
	// share of them (nil without any), Recall the flagged share of the
	// churned (nil without any churned).
	Flagged   int      `json:"flagged"`
	Precision *float64 `json:"precision"`
	Recall    *float64 `json:"recall"`
	// Predicted is the sum of the scores (the expected churn), Actual the
	// churned count: the same thing predicted and observed.
	Predicted float64 `json:"predicted"`
	Actual    int     `json:"actual"`
	// Deciles ranks the customers by score and gives each tenth's mean
	// score and churn rate: the calibration table.
	Deciles []model.Decile `json:"deciles"`
}

// Label says whether a customer churned within horizon of start, given
// when it churned (nil: it has not).
func Label(churnedAt *time.Time, start time.Time, horizon time.Duration) bool {
	return churnedAt != nil && !churnedAt.Before(start) && churnedAt.Before(start.Add(horizon))
}

// Measure reports how the snapshot m with its scores turned out at now,
// given when each customer churned (absent or nil: it has not).
func Measure(m metrics.Snapshot, scores map[string]metrics.MonthScore, churnedAt map[string]*time.Time, now time.Time) MonthReport {
	r := MonthReport{Snapshot: m}
	start := m.Month.Start()
	horizon := time.Duration(m.HorizonDays) * 24 * time.Hour
	r.Settled = !now.Before(start.Add(horizon))
	if !r.Settled || len(scores) == 0 {
		return r
	}
	ids := slices.Sorted(maps.Keys(scores)) // ties of the deciles in a fixed order
	y := make([]float64, 0, len(ids))
	p := make([]float64, 0, len(ids))
	tp := 0
	for _, id := range ids {
		e := scores[id]
		churned := Label(churnedAt[id], start, horizon)
		label := 0.0
		if churned {
			label = 1
			r.Churned++
		}
		if e.Flagged {
			r.Flagged++
			if churned {
				tp++
			}
		}
		r.Predicted += e.Score
		y = append(y, label)
		p = append(p, e.Score)
	}
	r.Actual = r.Churned
	if auc := model.ROCAUC(y, p); !math.IsNaN(auc) {
		r.ROCAUC = &auc
	}
	if r.Flagged > 0 {
		v := float64(tp) / float64(r.Flagged)
		r.Precision = &v
	}
	if r.Churned > 0 {
		v := float64(tp) / float64(r.Churned)
		r.Recall = &v
	}
	r.Deciles = model.LiftByDecile(y, p)
	return r
}
