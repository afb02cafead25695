package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/training"
)

// gateOptions are the promotion-gate flags of `train fit`.
type gateOptions struct {
	tolAUC, tolLogLoss float64
	force              bool
}

// gateResult is the outcome of comparing a new model with the current one.
type gateResult struct {
	promote bool
	reason  string
}

// comparison holds both models' figures on the same validation rows.
type comparison struct {
	rows               int
	curAUC, curLogLoss float64
	newAUC, newLogLoss float64
	method             string
	currentVersion     string
}

// promotionGate decides whether the new artifact a (already saved, not yet
// current) replaces the current model of modelsDir. With no loadable current
// model the new one is promoted. Otherwise both are measured on the new
// fit's validation rows (see compareModels) and the new one is promoted only
// if its ROC AUC is at least the current one's minus tolAUC and its log loss
// at most the current one's plus tolLogLoss; force promotes regardless, with
// the figures in the reason.
func promotionGate(ds *data.Dataset, a *model.Artifact, modelsDir string, validFraction float64, g gateOptions) gateResult {
	cur, err := model.Load(modelsDir)
	if err != nil {
		if errors.Is(err, model.ErrNoModel) {
			return gateResult{true, "first model"}
		}
		return gateResult{true, fmt.Sprintf("the current model does not load (%v); replaced", err)}
	}
	if cur.Version == a.Version {
		return gateResult{true, "already current"}
	}
	c, err := compareModels(ds, cur, a, validFraction)
	if err != nil {
		why := fmt.Sprintf("current model %s could not be measured on the new validation rows (%v)", cur.Version, err)
		if g.force {
			return gateResult{true, "forced: " + why}
		}
		return gateResult{true, why + "; promoted"}
	}
	figures := fmt.Sprintf("on %d validation rows (%s): new ROC AUC %.4f vs current %s %.4f (tolerance %.4f), new log loss %.4f vs current %.4f (tolerance %.4f)",
		c.rows, c.method, c.newAUC, cur.Version, c.curAUC, g.tolAUC, c.newLogLoss, c.curLogLoss, g.tolLogLoss)
	var worse []string
	if c.newAUC < c.curAUC-g.tolAUC {
		worse = append(worse, "ROC AUC worse")
	}
	if c.newLogLoss > c.curLogLoss+g.tolLogLoss {
		worse = append(worse, "log loss worse")
	}
	switch {
	case len(worse) == 0:
		return gateResult{true, "not worse than the current model " + figures}
	case g.force:
		return gateResult{true, fmt.Sprintf("forced despite %v %s", worse, figures)}
	}
	return gateResult{false, fmt.Sprintf("%v beyond tolerance %s", worse, figures)}
}

// compareModels measures the current model cur and the new model neu on the
// same rows: the validation rows the new fit held out, rebuilt from the raw
// data. Each model builds its own feature vectors with its own schema, so
// models with different features compare fairly.
//
// The new model's figures are the ones its fit recorded for those rows
// (neu.Meta.Validation): the saved model was refitted on all rows, the
// validation rows included, so scoring it on them again would flatter it.
// Those figures are out of sample (fitted on the training part, calibrated
// cross-fitted), which is what the current model's are on data it never saw.
//
// Time mode: every customer active at each snapshot day from
// Meta.ValidationFrom, labelled by churn within the new model's horizon.
// Static mode: the stratified validation share of the labelled customers,
// drawn with the new model's seed exactly as the fit drew it. When the
// rebuilt rows do not match the recorded validation row count, both models
// are scored on the whole data set instead (method says which).
func compareModels(ds *data.Dataset, cur, neu *model.Artifact, validFraction float64) (comparison, error) {
	c := comparison{currentVersion: cur.Version, newAUC: neu.Meta.Validation.ROCAUC, newLogLoss: neu.Meta.Validation.LogLoss}
	type row struct {
		i     int
		asOf  time.Time
		label float64
	}
	var rows []row
	switch {
	case neu.Meta.Mode == data.ModeTime && neu.Meta.ValidationFrom != "":
		for _, s := range neu.Meta.Snapshots {
			if s < neu.Meta.ValidationFrom {
				continue
			}
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return c, fmt.Errorf("snapshot %q: %w", s, err)
			}
			t = signals.DayStart(signals.DayNumber(t))
			for i := range ds.Customers {
				if ds.Customers[i].ActiveAt(t) {
					rows = append(rows, row{i, t, training.Label(&ds.Customers[i], t, neu.Meta.HorizonDays)})
				}
			}
		}
		c.method = "the new fit's validation snapshots from " + neu.Meta.ValidationFrom
	case neu.Meta.Mode != data.ModeTime:
		var idx []int
		var y []float64
		for i, l := range ds.Labels {
			if l >= 0 {
				idx = append(idx, i)
				y = append(y, float64(l))
			}
		}
		if validFraction <= 0 || validFraction >= 1 {
			validFraction = 0.2
		}
		_, valid := training.StratifiedSplit(y, validFraction, neu.Meta.Seed)
		asOf := training.AsOf(ds, neu, true)
		for _, k := range valid {
			rows = append(rows, row{idx[k], asOf, y[k]})
		}
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
	if len(rows) == 0 || len(rows) != neu.Meta.ValidationRows {
		// Fallback: both models on the whole data set; the new model's
		// figures are then partly in sample.
		asOf := training.AsOf(ds, neu, true)
		mc, err := training.Evaluate(ds, cur, asOf)
		if err != nil {
			return c, err
		}
		mn, err := training.Evaluate(ds, neu, asOf)
		if err != nil {
			return c, err
		}
		c.method = "whole data set as of " + asOf.Format(time.DateOnly) + " (validation rows could not be rebuilt)"
		c.rows, c.curAUC, c.curLogLoss, c.newAUC, c.newLogLoss = mc.N, mc.ROCAUC, mc.LogLoss, mn.ROCAUC, mn.LogLoss
		return c, nil
	}
	score := func(a *model.Artifact) (model.Evaluation, error) {
		y := make([]float64, len(rows))
		p := make([]float64, len(rows))
		x := make([]float64, a.Schema.Len())
		for k, r := range rows {
			prof := training.ProfileAt(ds, r.i, r.asOf)
			a.Schema.Vector(&prof, ds.Histories[r.i], r.asOf, x)
			y[k], p[k] = r.label, a.Probability(x)
		}
		return model.Evaluate(y, p, a.Threshold)
	}
	m, err := score(cur)
	if err != nil {
		return c, err
	}
	c.rows, c.curAUC, c.curLogLoss = len(rows), m.ROCAUC, m.LogLoss
	return c, nil
}

// runPromote is `train promote --models DIR VERSION`: it makes VERSION
// current (atomically) after checking that it loads. A missing or corrupt
// version is refused (exit 2) and models/current is left as it was.
func runPromote(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("promote", stderr)
	dir := fs.String("models", "models", "models directory")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Errorf("promote takes exactly one VERSION (see `train models`)")}
	}
	version := fs.Arg(0)
	if version == "" || version == "." || version == ".." || filepath.Base(version) != version || version[0] == '.' {
		return usageError{fmt.Errorf("bad version %q", version)}
	}
	unlock, err := model.Lock(*dir)
	if err != nil {
		return err
	}
	defer unlock()
	vdir := filepath.Join(*dir, version)
	if _, err := os.Stat(filepath.Join(vdir, model.ModelFile)); err != nil {
		return fmt.Errorf("version %s: %w", version, model.ErrNoModel)
	}
	a, err := model.Load(vdir)
	if err != nil {
		return fmt.Errorf("version %s is not promoted: %w", version, err)
	}
	prev := model.Current(*dir)
	if err := model.SetCurrent(*dir, version); err != nil {
		return err
	}
	reason := fmt.Sprintf("promoted by hand at %s (was %s)", time.Now().UTC().Format(time.RFC3339), orNone(prev))
	if err := model.SetStatus(vdir, model.StatusCurrent, reason); err != nil {
		fmt.Fprintf(stderr, "warning: %s is current but its metadata was not updated: %v\n", version, err)
	}
	fmt.Fprintf(stdout, "model %s (%s) is now current (was %s)\n", a.Version, a.Meta.Chosen, orNone(prev))
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// runModels is `train models --models DIR [--json]`: the versions, newest
// first, with their validation figures and lifecycle status.
func runModels(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("models", stderr)
	dir := fs.String("models", "models", "models directory")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	vs, err := model.List(*dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("models %s: %w", *dir, model.ErrNoModel)
		}
		return err
	}
	if *asJSON {
		if vs == nil {
			vs = []model.VersionInfo{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(vs)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "version\tcreated_at\tlearner\troc_auc\tlog_loss\tstatus\treason\t")
	for _, v := range slices.Clone(vs) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4f\t%.4f\t%s\t%s\t\n", v.Version, v.CreatedAt, v.Chosen, v.ROCAUC, v.LogLoss, v.Status, v.StatusReason)
	}
	return tw.Flush()
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

// trainingDrift measures the new training rows against the training
// distribution of the model that is current (by feature name), largest
// PSI first. It returns nil when there is no current model with a reference.
func trainingDrift(modelsDir string, a *model.Artifact, rows *training.Rows) []model.FeaturePSI {
	prev, err := model.Load(modelsDir)
	if err != nil || prev.Reference == nil || rows == nil || rows.Len() == 0 {
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
