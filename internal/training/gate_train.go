package training

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/report"
)

// TrainOptions are the options of one training run of a models directory.
type TrainOptions struct {
	// Config is the training procedure's configuration.
	Config Config
	// Gate holds the promotion gate's tolerances.
	Gate GateOptions
	// Now stamps the new version (nil: time.Now); it does not influence the
	// model.
	Now func() time.Time
}

// TrainResult is the outcome of Train.
type TrainResult struct {
	// Result is the fit; Result.Artifact is the saved version.
	*Result
	// Dir is the new version's directory.
	Dir string
	// Decision is the promotion gate's verdict on the new version.
	Decision Decision
	// Current is the version current after the run: the new one when it
	// was promoted, else the one that was ("" when none).
	Current string
}

// Train runs one training round of the registry reg on ds, under its lock:
// fit, measure the drift of the training rows against the current model,
// save the new version (status candidate) with its report, check that it
// loads back, and put it through the promotion gate, which promotes it
// (status current) or rejects it (status rejected, models/current
// unchanged). The current model is loaded once. A rejection is a normal
// outcome, not an error. It returns an error wrapping model.ErrLocked when
// another run holds the lock, the fit's error, or an I/O error; a version
// that does not load back is left as a candidate.
func Train(ds *data.Dataset, reg model.Registry, o TrainOptions) (*TrainResult, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	// The lock covers the fit and every write to the models directory.
	unlock, err := reg.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	res, err := Fit(ds, o.Config, now())
	if err != nil {
		return nil, err
	}
	cur, curErr := reg.Load("")
	a := res.Artifact
	if curErr == nil {
		a.Meta.TrainingDrift = trainingDrift(cur, a, res.Rows)
	}
	dir, err := reg.Save(a)
	if err != nil {
		return nil, err
	}
	res.Report.Version = a.Version
	if err := report.Write(dir, res.Report); err != nil {
		return nil, fmt.Errorf("model report: %w", err)
	}
	// Never promote a version that would not load.
	if _, err := reg.Load(a.Version); err != nil {
		return nil, fmt.Errorf("the new model does not load back, not promoted: %w", err)
	}
	d := Gate(ds, res, cur, curErr, o.Gate)
	if d.Promote {
		err = reg.Promote(a.Version, d.Reason)
	} else {
		err = reg.Reject(a.Version, d.Reason)
	}
	if err != nil {
		return nil, err
	}
	return &TrainResult{Result: res, Dir: dir, Decision: d, Current: reg.Current()}, nil
}

// trainingDrift measures the new training rows against the training
// distribution of the previous model prev (by feature name), largest PSI
// first. It returns nil when prev has no reference or there are no rows.
func trainingDrift(prev, a *model.Artifact, rows *Rows) []model.FeaturePSI {
	if prev == nil || prev.Reference == nil || rows == nil || rows.Len() == 0 {
		return nil
	}
	col := make([]float64, rows.Len())
	var out []model.FeaturePSI
	for j, name := range a.Schema.Names {
		k := prev.Schema.Index(name)
		if k < 0 {
			continue
		}
		for i, x := range rows.X {
			col[i] = x[j]
		}
		if psi, n := prev.Reference.PSI(k, col); n > 0 {
			out = append(out, model.FeaturePSI{Feature: name, PSI: math.Round(psi*1e4) / 1e4})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PSI > out[j].PSI })
	return out
}
