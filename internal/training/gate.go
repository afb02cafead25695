package training

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// GateOptions are the tolerances of the promotion gate (train fit
// --tolerance-auc, --tolerance-logloss and --force).
type GateOptions struct {
	// TolAUC is how much lower than the current model's the new ROC AUC may be.
	TolAUC float64
	// TolLogLoss is how much higher than the current model's the new log
	// loss may be.
	TolLogLoss float64
	// Force promotes the new model whatever the figures say.
	Force bool
}

// Decision is the promotion gate's verdict: whether the new model becomes
// current, and why, with the figures it was decided on.
type Decision struct {
	Promote bool
	Reason  string
}

// comparison holds both models' figures on the same validation rows.
type comparison struct {
	rows               int
	curAUC, curLogLoss float64
	newAUC, newLogLoss float64
	method             string
}

// Gate decides whether the fitted res (its artifact saved, not yet current)
// replaces the current model cur, which the caller loaded once; curErr is
// the error loading it gave (cur is then nil). With no current model
// (model.ErrNoModel) or one that does not load, the new one is promoted.
// Otherwise both are measured on the same rows (see compare) and the new
// one is promoted only if its ROC AUC is at least the current one's minus
// o.TolAUC and its log loss at most the current one's plus o.TolLogLoss;
// o.Force promotes regardless, with the figures in the reason.
func Gate(ds *data.Dataset, res *Result, cur *model.Artifact, curErr error, o GateOptions) Decision {
	a := res.Artifact
	if curErr != nil || cur == nil {
		if curErr == nil || errors.Is(curErr, model.ErrNoModel) {
			return Decision{true, "first model"}
		}
		return Decision{true, fmt.Sprintf("the current model does not load (%v); replaced", curErr)}
	}
	if cur.Version == a.Version {
		return Decision{true, "already current"}
	}
	c, err := compare(ds, res, cur)
	if err != nil {
		why := fmt.Sprintf("current model %s could not be measured on the new validation rows (%v)", cur.Version, err)
		if o.Force {
			return Decision{true, "forced: " + why}
		}
		return Decision{true, why + "; promoted"}
	}
	figures := fmt.Sprintf("on %d validation rows (%s): new ROC AUC %.4f vs current %s %.4f (tolerance %.4f), new log loss %.4f vs current %.4f (tolerance %.4f)",
		c.rows, c.method, c.newAUC, cur.Version, c.curAUC, o.TolAUC, c.newLogLoss, c.curLogLoss, o.TolLogLoss)
	var worse []string
	if c.newAUC < c.curAUC-o.TolAUC {
		worse = append(worse, "ROC AUC worse")
	}
	if c.newLogLoss > c.curLogLoss+o.TolLogLoss {
		worse = append(worse, "log loss worse")
	}
	switch {
	case len(worse) == 0:
		return Decision{true, "not worse than the current model " + figures}
	case o.Force:
		return Decision{true, fmt.Sprintf("forced despite %v %s", worse, figures)}
	}
	return Decision{false, fmt.Sprintf("%v beyond tolerance %s", worse, figures)}
}

// compare measures the current model cur and the new model of res on the
// same rows: the validation rows the new fit held out (res.Valid). The
// current model builds its own feature vectors of those rows with its own
// schema, so models with different features compare fairly.
//
// The new model's figures are those of its validation predictions
// (res.Predicted, the figures of Meta.Validation): the saved model was
// refitted on all rows, the validation rows included, so scoring it on them
// again would flatter it. Those figures are out of sample (fitted on the
// training part, calibrated cross-fitted), which is what the current
// model's are on data it never saw.
//
// Time mode: every customer active at each snapshot day from
// Meta.ValidationFrom, labelled by churn within the new model's horizon.
// Static mode: the stratified validation share of the labelled customers.
// When the current model may have been fitted on those rows (sawValidation)
// both models' recorded out-of-sample figures are compared instead. A time
// mode fit with too few snapshots to hold out the latest ones held out a
// stratified share of the snapshot rows: both models are then scored on the
// whole data set (method says which).
func compare(ds *data.Dataset, res *Result, cur *model.Artifact) (comparison, error) {
	neu := res.Artifact
	c := comparison{newAUC: neu.Meta.Validation.ROCAUC, newLogLoss: neu.Meta.Validation.LogLoss}
	timeMode := neu.Meta.Mode == data.ModeTime
	switch {
	case timeMode && neu.Meta.ValidationFrom != "":
		c.method = "the new fit's validation snapshots from " + neu.Meta.ValidationFrom
	case !timeMode:
		c.method = "the new fit's stratified validation customers"
	}
	if why := sawValidation(cur, neu); why != "" {
		// The current model was fitted on these rows: scored on them it would
		// look better than it is, and an honest new model would never win.
		// Compare the out-of-sample figures both fits recorded instead.
		m := cur.Meta.Validation
		if m.N == 0 {
			return c, fmt.Errorf("%s and it recorded no validation figures", why)
		}
		c.method = why + "; both models' recorded out-of-sample validation figures"
		c.rows, c.curAUC, c.curLogLoss = neu.Meta.ValidationRows, m.ROCAUC, m.LogLoss
		return c, nil
	}
	v := res.Valid
	if c.method == "" || v == nil || v.Len() == 0 || len(res.Predicted) != v.Len() {
		// Fallback: both models on the whole data set; the new model's
		// figures are then partly in sample.
		asOf := AsOf(ds, neu, true)
		mc, err := Evaluate(ds, cur, asOf)
		if err != nil {
			return c, err
		}
		mn, err := Evaluate(ds, neu, asOf)
		if err != nil {
			return c, err
		}
		c.method = "whole data set as of " + asOf.Format(time.DateOnly) + " (validation rows could not be rebuilt)"
		c.rows, c.curAUC, c.curLogLoss, c.newAUC, c.newLogLoss = mc.N, mc.ROCAUC, mc.LogLoss, mn.ROCAUC, mn.LogLoss
		return c, nil
	}
	mn, err := model.Evaluate(v.Y, res.Predicted, neu.Threshold)
	if err != nil {
		return c, err
	}
	p := make([]float64, v.Len())
	x := make([]float64, cur.Schema.Len())
	static := staticAsOf(ds)
	for k, i := range v.Customer {
		asOf := static
		if timeMode {
			asOf = signals.DayStart(v.Day[k])
		}
		prof := ProfileAt(ds, i, asOf)
		cur.Schema.Vector(&prof, ds.Histories[i], asOf, x)
		p[k] = cur.Probability(x)
	}
	mc, err := model.Evaluate(v.Y, p, cur.Threshold)
	if err != nil {
		return c, err
	}
	c.rows, c.curAUC, c.curLogLoss, c.newAUC, c.newLogLoss = v.Len(), mc.ROCAUC, mc.LogLoss, mn.ROCAUC, mn.LogLoss
	return c, nil
}

// sawValidation says why the current model cur may have been fitted on the
// new model's validation rows, or "" when it cannot have: in time mode when
// the label window of its last training snapshot reaches past the first
// validation snapshot, in static mode when both were fitted on the same data.
func sawValidation(cur, neu *model.Artifact) string {
	if neu.Meta.Mode == data.ModeTime && neu.Meta.ValidationFrom != "" {
		if cur.Meta.Mode != data.ModeTime || len(cur.Meta.Snapshots) == 0 {
			return ""
		}
		last, err1 := time.Parse(time.DateOnly, slices.Max(cur.Meta.Snapshots))
		from, err2 := time.Parse(time.DateOnly, neu.Meta.ValidationFrom)
		if err1 != nil || err2 != nil {
			return "the snapshot dates cannot be read"
		}
		if seen := last.AddDate(0, 0, cur.Meta.HorizonDays); seen.After(from) {
			return fmt.Sprintf("the current model saw outcomes up to %s, after the validation start %s", seen.Format(time.DateOnly), neu.Meta.ValidationFrom)
		}
		return ""
	}
	if cur.Meta.DataFingerprint != "" && cur.Meta.DataFingerprint == neu.Meta.DataFingerprint {
		return "the current model was fitted on the same data"
	}
	return ""
}
