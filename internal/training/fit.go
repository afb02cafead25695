package training

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// Candidate names, as recorded in metadata.json.
const (
	CandGBT      = "gradient_boosted_trees"
	CandLogistic = "logistic_regression"
	CandForest   = "golearn_bagged_trees"
)

// candidate is a learner the trainer can fit. fit trains on rows; rounds is
// 0 during selection (a learner with early stopping carves its own stopping
// set out of rows and reports the rounds it kept) and the number of rounds
// to fit for the final refit on all rows. A candidate with a non-empty
// ineligible is fitted and measured for comparison but never chosen.
type candidate struct {
	name       string
	kind       string
	fit        func(rows *Rows, seed uint64, rounds int) (model.Learner, int, error)
	ineligible string
}

// forestIneligible is why the bagged trees cannot be chosen under
// monotone constraints.
const forestIneligible = "golearn's trees cannot honour the features' monotone constraints; " +
	"fitted for comparison only (train fit --monotone=false makes it eligible)"

// candidates returns the learners to compare; mono holds the monotone
// constraint of every feature (nil: none). The boosted trees and the
// logistic regression honour it; the golearn forest cannot, so under
// constraints it is kept in the comparison (its figures show what the
// constraints cost) but may not be chosen.
func candidates(mono []int8) []candidate {
	forest := candidate{name: CandForest, kind: model.KindForest, fit: func(r *Rows, seed uint64, _ int) (model.Learner, int, error) {
		l, err := model.FitForest(r.X, r.Y, model.ForestConfig{Trees: 20, MaxDepth: 8, FeatureFraction: 0.6, MaxSamples: 20000, Seed: seed})
		return l, 0, err
	}}
	if mono != nil {
		forest.ineligible = forestIneligible
	}
	return []candidate{
		{name: CandGBT, kind: model.KindGBT, fit: func(r *Rows, seed uint64, rounds int) (model.Learner, int, error) {
			return fitGBT(r, seed, rounds, mono)
		}},
		{name: CandLogistic, kind: model.KindLogistic, fit: func(r *Rows, _ uint64, _ int) (model.Learner, int, error) {
			l, err := model.FitLogistic(r.X, r.Y, model.LogisticConfig{L2: 1e-3, MaxIter: 100, Log1p: true, Monotone: mono})
			return l, 0, err
		}},
		forest,
	}
}

// constraints returns the monotone constraint of every feature of the
// schema, or nil when cfg turns them off or no feature declares a direction.
func constraints(schema *features.Schema, cfg Config) []int8 {
	if cfg.Unconstrained || !schema.Constrained() {
		return nil
	}
	dirs := schema.Directions()
	out := make([]int8, len(dirs))
	for i, d := range dirs {
		out[i] = int8(d)
	}
	return out
}

// recordDirections writes the declared directions of the schema, and
// whether the fit honours them, into meta.
func recordDirections(schema *features.Schema, mono []int8, meta *model.Metadata) {
	meta.Monotone = mono != nil
	meta.Directions = nil
	for i, d := range schema.Directions() {
		if d != features.Unconstrained {
			if meta.Directions == nil {
				meta.Directions = map[string]string{}
			}
			meta.Directions[schema.Names[i]] = d.String()
		}
	}
}

// fitGBT fits the gradient-boosted trees under the monotone constraints
// mono (nil: none). During selection it stops early on
// a holdout of the training rows (the latest snapshots in time mode, a
// stratified 15% otherwise); the final refit runs a fixed number of rounds.
func fitGBT(r *Rows, seed uint64, rounds int, mono []int8) (model.Learner, int, error) {
	cfg := model.DefaultGBTConfig()
	cfg.Seed = seed
	cfg.Monotone = mono
	if rounds > 0 {
		cfg.Trees = rounds
		m, err := model.FitGBT(r.X, r.Y, nil, nil, cfg)
		if err != nil {
			return nil, 0, err
		}
		return m, rounds, nil
	}
	fit, stop := holdout(r, 0.15, seed^0x9b7)
	if stop.Positives() == 0 || fit.Positives() == 0 {
		m, err := model.FitGBT(r.X, r.Y, nil, nil, cfg)
		if err != nil {
			return nil, 0, err
		}
		return m, m.Rounds, nil
	}
	m, err := model.FitGBT(fit.X, fit.Y, stop.X, stop.Y, cfg)
	if err != nil {
		return nil, 0, err
	}
	return m, m.Rounds, nil
}

// holdout splits rows into a fitting and a held-out part: by time (the
// latest snapshot days, about frac of them) when the rows span several
// snapshots, else stratified at random.
func holdout(r *Rows, frac float64, seed uint64) (fit, held *Rows) {
	days := distinctDays(r.Day)
	if len(days) >= 3 {
		nv := max(1, int(math.Round(float64(len(days))*frac)))
		from := days[len(days)-nv]
		var a, b []int
		for i, d := range r.Day {
			if d >= from {
				b = append(b, i)
			} else {
				a = append(a, i)
			}
		}
		return r.Subset(a), r.Subset(b)
	}
	a, b := StratifiedSplit(r.Y, frac, seed)
	return r.Subset(a), r.Subset(b)
}

func distinctDays(days []int32) []int32 {
	out := slices.Clone(days)
	slices.Sort(out)
	return slices.Compact(out)
}

// Result is a trained model with the figures of its report.
type Result struct {
	Artifact *model.Artifact
	Report   *model.Report
	// Rows are the training rows (for drift against the previous model).
	Rows *Rows
	// Valid are the rows the fit held out for validation (a subset of
	// Rows, in their order), and Predicted the chosen candidate's
	// calibrated probabilities on them: fitted on the other rows,
	// calibrated cross-fitted, the figures of Artifact.Meta.Validation. The
	// promotion gate measures the current model on the same rows.
	Valid     *Rows
	Predicted []float64
}

// Fit builds the training rows of ds, selects the best candidate on the
// validation rows and returns the artifact (not yet saved) and its report.
// now stamps the metadata only; it does not influence the model.
func Fit(ds *data.Dataset, cfg Config, now time.Time) (*Result, error) {
	cfg.defaults()
	schema, err := newSchema(ds, cfg)
	if err != nil {
		return nil, err
	}
	meta := model.Metadata{
		CreatedAt: now.UTC(), DataFingerprint: ds.Fingerprint, Mode: ds.Mode, Seed: cfg.Seed,
		Features: schema.Names, Libraries: model.Libraries(),
	}
	cfg.Progress.Start("building training rows", 0)
	rows, err := BuildRows(ds, schema, cfg, &meta)
	cfg.Progress.Done()
	if err != nil {
		return nil, err
	}
	if rows, schema, err = guard(rows, schema, cfg, &meta); err != nil {
		return nil, err
	}
	res, err := FitRows(rows, schema, cfg, meta)
	if err != nil {
		return nil, err
	}
	res.Rows = rows
	res.Report.Guard = meta.Guard
	res.Report.Data = summarise(ds, res.Artifact)
	res.Report.Churn = reportChurn(ds, res.Artifact)
	return res, nil
}

// BuildRows builds the training rows of ds (snapshots in time mode, one row
// per labelled customer in static mode) and records the snapshots in meta.
func BuildRows(ds *data.Dataset, schema *features.Schema, cfg Config, meta *model.Metadata) (*Rows, error) {
	cfg.defaults()
	if ds.Mode == data.ModeTime {
		days, err := Snapshots(ds, cfg)
		if err != nil {
			return nil, err
		}
		meta.HorizonDays, meta.LookbackDays, meta.SnapshotEveryDays = cfg.HorizonDays, cfg.LookbackDays, cfg.EveryDays
		meta.Snapshots = nil
		for _, d := range days {
			meta.Snapshots = append(meta.Snapshots, signals.DayStart(d).Format(time.DateOnly))
		}
		return TimeRows(ds, schema, days, cfg.HorizonDays), nil
	}
	if !hasLabels(ds) {
		return nil, fmt.Errorf("%w: static mode needs a churned column (or churned_at, or event files for time mode)", data.ErrBadInput)
	}
	return StaticRows(ds, schema, true), nil
}

// FitRows selects and fits the model on prepared rows: a validation part is
// held out (the latest snapshots in time mode, a stratified share otherwise),
// every candidate is fitted on the rest and calibrated and measured on the
// validation rows, the one with the lowest calibrated validation log loss is
// kept and refitted on all rows.
func FitRows(rows *Rows, schema *features.Schema, cfg Config, meta model.Metadata) (*Result, error) {
	res, _, err := fitRows(rows, schema, cfg, meta, false)
	return res, err
}

// outcome is one candidate after selection.
type outcome struct {
	cand      candidate
	rounds    int
	calibrate model.Platt
	eval      model.Evaluation
	summary   model.CalibrationSummary
	seconds   float64
	// predicted are the calibrated validation probabilities eval measures.
	predicted []float64
}

// fitted is one candidate's final model and its total fit time (selection
// fit plus refit).
type fitted struct {
	artifact *model.Artifact
	seconds  float64
}

// fitRows is FitRows; with all set it also refits every other candidate
// that fitted and returns them all by name (for cross-validation).
func fitRows(rows *Rows, schema *features.Schema, cfg Config, meta model.Metadata, all bool) (*Result, map[string]fitted, error) {
	cfg.defaults()
	trainRows, validRows := holdout(rows, cfg.ValidFraction, cfg.Seed)
	if len(distinctDays(rows.Day)) >= 3 {
		meta.ValidationFrom = signals.DayStart(slices.Min(validRows.Day)).Format(time.DateOnly)
	}
	meta.Rows, meta.Positives = rows.Len(), rows.Positives()
	meta.TrainRows, meta.ValidationRows = trainRows.Len(), validRows.Len()
	for _, part := range []struct {
		name string
		r    *Rows
	}{{"training", trainRows}, {"validation", validRows}} {
		if p := part.r.Positives(); p == 0 || p == part.r.Len() {
			return nil, nil, fmt.Errorf("%w: the %s rows (%d) hold %d churners; both classes are needed (more history, a longer --horizon or more customers)",
				ErrNotEnoughData, part.name, part.r.Len(), p)
		}
	}
	mono := constraints(schema, cfg)
	recordDirections(schema, mono, &meta)
	var outcomes []*outcome
	var best *outcome
	for _, c := range candidates(mono) {
		cfg.Progress.Start("fitting "+c.name, 0)
		o, cand := selectCandidate(c, trainRows, validRows, cfg.Seed)
		cfg.Progress.Done()
		meta.Candidates = append(meta.Candidates, cand)
		if o == nil {
			continue
		}
		outcomes = append(outcomes, o)
		if c.ineligible != "" {
			continue
		}
		if best == nil || o.eval.LogLoss < best.eval.LogLoss {
			best = o
		}
	}
	if best == nil {
		var why []string
		for _, c := range meta.Candidates {
			why = append(why, c.Name+": "+c.Error+c.Ineligible)
		}
		return nil, nil, fmt.Errorf("%w: no candidate could be used with %d training and %d validation rows (%d churners in validation): %s",
			ErrNotEnoughData, trainRows.Len(), validRows.Len(), validRows.Positives(), strings.Join(why, "; "))
	}
	meta.Chosen = best.cand.name
	meta.ChosenBy = "lowest calibrated validation log loss"
	meta.Calibration = "platt: calibrated log-odds = a * raw + b, fitted on the validation rows"
	final := func(o *outcome) (*model.Artifact, error) {
		// Refit on all rows; a boosted model gets 10% more rounds than it
		// kept on the smaller training part.
		rounds := 0
		if o.rounds > 0 {
			rounds = max(1, int(math.Round(float64(o.rounds)*roundsScale)))
		}
		start := time.Now()
		l, _, err := o.cand.fit(rows, cfg.Seed, rounds)
		if err != nil {
			return nil, fmt.Errorf("refit %s on all rows: %w", o.cand.name, err)
		}
		o.seconds += time.Since(start).Seconds()
		m := meta
		m.CalibrationFit = &o.calibrate
		m.Threshold = o.eval.Threshold
		m.MediumThreshold = m.Threshold / 2
		m.Validation = o.eval
		return &model.Artifact{
			Kind: o.cand.kind, Schema: schema, Learner: l, Calibration: o.calibrate,
			Threshold: m.Threshold, MediumThreshold: m.MediumThreshold, Meta: m,
		}, nil
	}
	cfg.Progress.Start("refitting "+best.cand.name+" on all rows", 0)
	a, err := final(best)
	cfg.Progress.Done()
	if err != nil {
		return nil, nil, err
	}
	a.Reference = model.NewDriftReference(schema.Names, rows.X)
	var others map[string]fitted
	if all {
		others = map[string]fitted{}
		for _, o := range outcomes {
			fa := a
			if o != best {
				if fa, err = final(o); err != nil {
					return nil, nil, err
				}
			}
			others[o.cand.name] = fitted{fa, o.seconds}
		}
	}
	rep := &model.Report{
		CreatedAt: meta.CreatedAt.Format(time.RFC3339), Mode: string(meta.Mode), Chosen: meta.Chosen, Threshold: a.Threshold,
		Candidates: meta.Candidates, Validation: best.eval, Calibration: best.summary, Importance: importance(a),
	}
	return &Result{Artifact: a, Report: rep, Valid: validRows, Predicted: best.predicted}, others, nil
}

// selectCandidate fits one candidate on the training rows, calibrates and
// measures it on the validation rows. It returns nil and the candidate's
// error when it cannot be fitted.
func selectCandidate(c candidate, trainRows, validRows *Rows, seed uint64) (*outcome, model.Candidate) {
	start := time.Now()
	l, rounds, err := c.fit(trainRows, seed, 0)
	secs := time.Since(start).Seconds()
	cand := model.Candidate{Name: c.name, FitSeconds: math.Round(secs*1000) / 1000, Rounds: rounds}
	if err != nil {
		cand.Error = err.Error()
		return nil, cand
	}
	raw := rawScores(l, validRows.X)
	calibrated, platt, err := crossCalibrate(raw, validRows.Y, seed)
	if err != nil {
		cand.Error = err.Error()
		return nil, cand
	}
	if !(platt.A > 0) {
		// The validation rows rank the other way round: this learner has
		// learnt nothing that holds on later data.
		cand.Error = fmt.Sprintf("its validation ranking is inverted (calibration slope %.3f)", platt.A)
		return nil, cand
	}
	ev, err := model.Evaluate(validRows.Y, calibrated, model.ChooseThreshold(validRows.Y, calibrated))
	if err != nil {
		cand.Error = err.Error()
		return nil, cand
	}
	uncal := sigmoids(raw)
	o := &outcome{cand: c, rounds: rounds, calibrate: platt, eval: ev, seconds: secs, predicted: calibrated,
		summary: model.CalibrationSummary{Method: "platt (cross-fitted on the validation rows)",
			BrierBefore: brier(validRows.Y, uncal), BrierAfter: ev.Brier,
			ECEBefore: model.ECE(validRows.Y, uncal, 10), ECEAfter: ev.ECE}}
	cand.Metrics, cand.ECE, cand.Ineligible = ev, ev.ECE, c.ineligible
	return o, cand
}

// crossCalibrate fits Platt scaling on two stratified halves of the
// validation rows, each applied to the other half, so the calibrated figures
// are measured on rows the calibrator did not see; the calibrator kept is
// fitted on all of them.
func crossCalibrate(raw, y []float64, seed uint64) ([]float64, model.Platt, error) {
	all, err := model.FitPlatt(raw, y)
	if err != nil {
		return nil, model.Identity, fmt.Errorf("calibrate: %w", err)
	}
	a, b := StratifiedSplit(y, 0.5, seed^0xca1)
	out := make([]float64, len(raw))
	for _, part := range [][2][]int{{a, b}, {b, a}} {
		fitIdx, applyIdx := part[0], part[1]
		pl, err := model.FitPlatt(pick(raw, fitIdx), pick(y, fitIdx))
		if err != nil {
			pl = all // one half holds a single class: fall back to the full fit
		}
		for _, i := range applyIdx {
			out[i] = sigmoid(pl.Apply(raw[i]))
		}
	}
	return out, all, nil
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = v[i]
	}
	return out
}

func rawScores(l model.Learner, X [][]float64) []float64 {
	out := make([]float64, len(X))
	for i, x := range X {
		out[i] = l.Raw(x)
	}
	return out
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func sigmoids(raw []float64) []float64 {
	out := make([]float64, len(raw))
	for i, r := range raw {
		out[i] = sigmoid(r)
	}
	return out
}

func brier(y, p []float64) float64 {
	s := 0.0
	for i := range y {
		s += (p[i] - y[i]) * (p[i] - y[i])
	}
	return s / float64(len(y))
}

type importer interface{ Importance() []float64 }

// importance returns the chosen learner's feature importance, largest first.
func importance(a *model.Artifact) []model.FeatureImportance {
	im, ok := a.Learner.(importer)
	if !ok {
		return nil
	}
	v := im.Importance()
	out := make([]model.FeatureImportance, 0, len(v))
	for i, x := range v {
		if i < len(a.Schema.Names) && !math.IsNaN(x) {
			out = append(out, model.FeatureImportance{Feature: a.Schema.Names[i], Importance: x})
		}
	}
	slices.SortStableFunc(out, func(p, q model.FeatureImportance) int { return cmp.Compare(q.Importance, p.Importance) })
	return out
}

func summarise(ds *data.Dataset, a *model.Artifact) model.DataSummary {
	s := model.DataSummary{Dir: ds.Dir, Files: ds.Files, Customers: len(ds.Customers), Rows: a.Meta.Rows,
		Positives: a.Meta.Positives, Features: a.Schema.Len(), Snapshots: a.Meta.Snapshots, BadRows: len(ds.Report.BadRows)}
	if !ds.Start.IsZero() {
		s.From, s.To = ds.Start.Format(time.DateOnly), ds.End.Format(time.DateOnly)
	}
	for _, n := range ds.Report.UnknownEvents {
		s.UnknownRows += n
	}
	return s
}

func hasLabels(ds *data.Dataset) bool {
	for _, l := range ds.Labels {
		if l >= 0 {
			return true
		}
	}
	return false
}

// ScoreRow is one line of `train score`.
type ScoreRow struct {
	CustomerID string
	Prediction model.Prediction
}

// AsOf returns the default as-of time for scoring ds with a model: the end of
// the data (time mode), and for evaluation that end minus the horizon.
func AsOf(ds *data.Dataset, a *model.Artifact, evaluate bool) time.Time {
	end := staticAsOf(ds)
	if evaluate && a.Meta.Mode == data.ModeTime {
		return end.Add(-time.Duration(a.Meta.HorizonDays) * 24 * time.Hour)
	}
	return end
}

// Score scores every customer active at asOf (time mode) or every customer
// (static mode), highest score first.
func Score(ds *data.Dataset, a *model.Artifact, asOf time.Time) []ScoreRow {
	var out []ScoreRow
	x := make([]float64, a.Schema.Len())
	for i := range ds.Customers {
		if a.Meta.Mode == data.ModeTime && !ds.Customers[i].ActiveAt(asOf) {
			continue
		}
		p := ProfileAt(ds, i, asOf)
		a.Schema.Vector(&p, ds.Histories[i], asOf, x)
		out = append(out, ScoreRow{CustomerID: p.ID, Prediction: a.Predict(x, 1)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Prediction.Score > out[j].Prediction.Score })
	return out
}

// Evaluate scores ds as of asOf and compares with the actual outcome: in time
// mode churn within the model's horizon after asOf among customers active at
// asOf; in static mode the churned label.
func Evaluate(ds *data.Dataset, a *model.Artifact, asOf time.Time) (model.Evaluation, error) {
	var y, p []float64
	x := make([]float64, a.Schema.Len())
	for i := range ds.Customers {
		c := &ds.Customers[i]
		var label float64
		if a.Meta.Mode == data.ModeTime {
			if !c.ActiveAt(asOf) {
				continue
			}
			label = Label(c, asOf, a.Meta.HorizonDays)
		} else {
			if ds.Labels[i] < 0 {
				continue
			}
			label = float64(ds.Labels[i])
		}
		prof := ProfileAt(ds, i, asOf)
		a.Schema.Vector(&prof, ds.Histories[i], asOf, x)
		y = append(y, label)
		p = append(p, a.Probability(x))
	}
	if len(y) == 0 {
		return model.Evaluation{}, fmt.Errorf("%w: no labelled customers at %s", ErrNotEnoughData, asOf.Format(time.RFC3339))
	}
	return model.Evaluate(y, p, a.Threshold)
}

// roundsScale multiplies the boosting rounds kept by early stopping for the
// refit on all rows, which are more than the rows the rounds were found on.
var roundsScale = 1.1
