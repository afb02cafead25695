package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/report"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
)

func runFit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fit", stderr)
	dir := fs.String("data", "", "data directory (customers.csv and optional event files)")
	out := fs.String("out", "models", "models directory")
	tf := addTrainingFlags(fs)
	maxBad := fs.Int("max-bad-rows", 0, "skip up to N bad rows, reporting each")
	pages := fs.String("pages", "", "JSON file of risk-page patterns replacing the defaults (use the same file for the API)")
	loop := fs.Duration("every", 0, "retrain periodically at this interval (e.g. 24h); 0 runs once")
	var g gateOptions
	fs.Float64Var(&g.tolAUC, "tolerance-auc", 0.005, "promote only if the new ROC AUC is at least the current model's minus this")
	fs.Float64Var(&g.tolLogLoss, "tolerance-logloss", 0.005, "promote only if the new log loss is at most the current model's plus this")
	fs.BoolVar(&g.force, "force", false, "promote the new model even if the promotion gate rejects it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("data", *dir); err != nil {
		return err
	}
	if *maxBad < 0 || *loop < 0 || g.tolAUC < 0 || g.tolLogLoss < 0 {
		return usageError{fmt.Errorf("--max-bad-rows, --every and the tolerances must not be negative")}
	}
	cfg := tf.config()
	cfg.Progress = reporterFor(stderr)
	for {
		err := fitOnce(*dir, *out, cfg, g, *maxBad, *pages, stdout, stderr)
		if *loop == 0 {
			return err
		}
		if err != nil {
			fmt.Fprintf(stderr, "retraining failed (will retry at the next run): %v\n", err)
		}
		fmt.Fprintf(stdout, "next retraining at %s\n", time.Now().Add(*loop).UTC().Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*loop):
		}
	}
}

// fitOnce runs one training round under the lock of the models directory:
// fit, save the version, then promote it through the promotion gate. A
// rejected candidate is kept (status "rejected" with the reason) and is a
// normal outcome: it returns nil.
func fitOnce(dir, out string, cfg training.Config, g gateOptions, maxBad int, pages string, stdout, stderr io.Writer) error {
	start := time.Now()
	ds, err := load(dir, maxBad, pages, stderr)
	if err != nil {
		return err
	}
	// The lock covers the fit and every write to the models directory; it
	// is taken after the data loaded so that bad input leaves no directory.
	unlock, err := model.Lock(out)
	if err != nil {
		return err
	}
	defer unlock()
	res, err := training.Fit(ds, cfg, time.Now())
	if err != nil {
		return err
	}
	printGuard(stderr, res.Artifact.Meta.Guard)
	if drift := trainingDrift(out, res.Artifact, res.Rows); len(drift) > 0 {
		res.Artifact.Meta.TrainingDrift = drift
		top := drift[:min(5, len(drift))]
		fmt.Fprintf(stdout, "drift of the training data against the current model's (PSI, > 0.25 is significant):")
		for _, d := range top {
			fmt.Fprintf(stdout, " %s %.3f", d.Feature, d.PSI)
		}
		fmt.Fprintln(stdout)
	}
	a := res.Artifact
	a.Meta.Status = model.StatusCandidate
	vdir, err := model.Save(out, a, false)
	if err != nil {
		return err
	}
	res.Report.Version = a.Version
	if err := report.Write(vdir, res.Report); err != nil {
		return fmt.Errorf("model report: %w", err)
	}
	// Never promote a version that would not load.
	if _, err := model.Load(vdir); err != nil {
		return fmt.Errorf("the new model does not load back, not promoted: %w", err)
	}
	gate := promotionGate(ds, a, out, cfg.ValidFraction, g)
	status := model.StatusCurrent
	if !gate.promote {
		status = model.StatusRejected
	}
	if err := model.SetStatus(vdir, status, gate.reason); err != nil {
		return err
	}
	if gate.promote {
		if err := model.SetCurrent(out, a.Version); err != nil {
			return err
		}
	}
	m := a.Meta
	if gate.promote {
		fmt.Fprintf(stdout, "model %s written to %s (current): %s\n", a.Version, vdir, gate.reason)
	} else {
		fmt.Fprintf(stdout, "model %s written to %s but REJECTED, models/current unchanged (%s): %s\n", a.Version, vdir, orNone(model.Current(out)), gate.reason)
	}
	fmt.Fprintf(stdout, "mode %s: %d rows, %d positive, %d features; validation on %d rows\n", m.Mode, m.Rows, m.Positives, len(m.Features), m.ValidationRows)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "candidate\troc_auc\tpr_auc\tbrier\tlog_loss\tece\tfit_s\t")
	for _, c := range m.Candidates {
		if c.Error != "" {
			fmt.Fprintf(tw, "%s\tfailed: %s\t\t\t\t\t\n", c.Name, c.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.2f\t\n", c.Name, c.Metrics.ROCAUC, c.Metrics.PRAUC, c.Metrics.Brier, c.Metrics.LogLoss, c.ECE, c.FitSeconds)
	}
	tw.Flush()
	if m.Monotone {
		fmt.Fprintf(stdout, "monotone constraints on %d features (--monotone=false to fit without)\n", len(m.Directions))
		for _, c := range m.Candidates {
			if c.Ineligible != "" {
				fmt.Fprintf(stdout, "%s not eligible: %s\n", c.Name, c.Ineligible)
			}
		}
	}
	cal := res.Report.Calibration
	fmt.Fprintf(stdout, "calibration (%s): Brier %.4f -> %.4f, ECE %.4f -> %.4f\n", cal.Method, cal.BrierBefore, cal.BrierAfter, cal.ECEBefore, cal.ECEAfter)
	fmt.Fprintf(stdout, "chosen: %s (%s), threshold %.3f, in %.1fs; report: %s\n", m.Chosen, m.ChosenBy, m.Threshold, time.Since(start).Seconds(), filepath.Join(vdir, report.HTMLFile))
	return nil
}

// scoringFlags are the flags shared by score and evaluate.
type scoringFlags struct {
	dir, modelPath, pages *string
	maxBad                *int
	asOf                  timeFlag
}

func addScoringFlags(fs *flag.FlagSet, asOfHelp string) *scoringFlags {
	f := &scoringFlags{
		dir:       fs.String("data", "", "data directory"),
		modelPath: fs.String("model", "models/current", "model: models/current, a version directory or a models directory"),
		maxBad:    fs.Int("max-bad-rows", 0, "skip up to N bad rows, reporting each"),
		pages:     fs.String("pages", "", "JSON file of risk-page patterns replacing the defaults (use the training run's file)"),
	}
	fs.Var(&f.asOf, "as-of", asOfHelp)
	return f
}

// load reads the model and the data and resolves the as-of time.
func (f *scoringFlags) load(evaluate bool, stderr io.Writer) (*model.Artifact, *data.Dataset, time.Time, error) {
	if err := required("data", *f.dir); err != nil {
		return nil, nil, time.Time{}, err
	}
	a, err := model.Load(*f.modelPath)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	ds, err := load(*f.dir, *f.maxBad, *f.pages, stderr)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if err := training.SharedFeatures(ds, a); err != nil {
		return nil, nil, time.Time{}, err
	}
	t := f.asOf.t
	if t.IsZero() {
		t = training.AsOf(ds, a, evaluate)
	}
	return a, ds, t, nil
}

func runScore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("score", stderr)
	sf := addScoringFlags(fs, "score as of this time (default: the end of the data)")
	out := fs.String("out", "", "output CSV (customer_id,score,risk_level,top_driver)")
	push := fs.Bool("push", false, "also load the customers, their history and their current scores into the Redis store of REDIS_URL or REDIS_CLUSTER_ADDRS")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" && !*push {
		return usageError{fmt.Errorf("--out is required (or --push)")}
	}
	sc := store.ConfigFromEnv(getenv)
	if *push && !sc.Redis() {
		return usageError{fmt.Errorf("--push needs REDIS_URL or REDIS_CLUSTER_ADDRS")}
	}
	a, ds, t, err := sf.load(false, stderr)
	if err != nil {
		return err
	}
	if *push {
		r, err := sc.OpenRedis(ctx, 0, nil)
		if err != nil {
			return usageError{fmt.Errorf("redis: %w", err)}
		}
		defer r.Close()
		start := time.Now()
		res, err := dataload.Load(ctx, r, ds, dataload.Options{Model: a, AsOf: time.Now().UTC()})
		if err != nil {
			return fmt.Errorf("push to %s: %w", sc.Describe(), err)
		}
		fmt.Fprintf(stdout, "pushed to %s (prefix %q): %d customers, %d days of aggregates, %d scored now, %d flagged, in %.1fs\n",
			sc.Describe(), sc.Prefix, res.Customers, res.Days, res.Scored, res.Flagged, time.Since(start).Seconds())
		if *out == "" {
			return nil
		}
	}
	rows := training.Score(ds, a, t)
	if err := writeScores(*out, rows); err != nil {
		return err
	}
	flagged := 0
	for _, r := range rows {
		if r.Prediction.Flagged {
			flagged++
		}
	}
	fmt.Fprintf(stdout, "scored %d customers as of %s with model %s: %d flagged; written to %s\n", len(rows), t.Format(time.RFC3339), a.Version, flagged, *out)
	return nil
}

// writeScores writes the CSV next to its final name and renames it into place.
func writeScores(path string, rows []training.ScoreRow) error {
	if d := filepath.Dir(path); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".scores-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	w := csv.NewWriter(f)
	_ = w.Write([]string{"customer_id", "score", "risk_level", "top_driver"})
	for _, r := range rows {
		top := ""
		if len(r.Prediction.Drivers) > 0 {
			top = r.Prediction.Drivers[0].Reason
		}
		_ = w.Write([]string{r.CustomerID, strconv.FormatFloat(r.Prediction.Score, 'f', 6, 64), r.Prediction.RiskLevel, top})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

func runEvaluate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("evaluate", stderr)
	sf := addScoringFlags(fs, "evaluate as of this time (time mode; default: the end of the data minus the horizon)")
	asJSON := fs.Bool("json", false, "print JSON")
	cv := fs.Int("cv", 0, "cross-validate the training procedure with K folds instead of evaluating a saved model")
	markdown := fs.Bool("markdown", false, "with --cv: print a Markdown table")
	tf := addTrainingFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cv != 0 {
		if err := required("data", *sf.dir); err != nil {
			return err
		}
		ds, err := load(*sf.dir, *sf.maxBad, *sf.pages, stderr)
		if err != nil {
			return err
		}
		cfg := tf.config()
		cfg.Progress = reporterFor(stderr)
		res, err := training.CrossValidate(ds, cfg, *cv)
		if err != nil {
			return err
		}
		return printCV(stdout, res, *asJSON, *markdown)
	}
	a, ds, t, err := sf.load(true, stderr)
	if err != nil {
		return err
	}
	m, err := training.Evaluate(ds, a, t)
	if err != nil {
		return err
	}
	inSample := training.InSample(ds, a, t)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Model    string `json:"model_version"`
			Mode     string `json:"mode"`
			AsOf     string `json:"as_of,omitempty"`
			InSample string `json:"in_sample,omitempty"`
			model.Metrics
		}{a.Version, a.Meta.Mode, asOfString(a, t), inSample, m})
	}
	fmt.Fprintf(stdout, "model %s, %s mode", a.Version, a.Meta.Mode)
	if s := asOfString(a, t); s != "" {
		fmt.Fprintf(stdout, ", as of %s, horizon %dd", s, a.Meta.HorizonDays)
	}
	if inSample != "" {
		fmt.Fprintf(stdout, "\nIN-SAMPLE: %s; these figures are on rows the model was trained on and overstate how it does on new data (evaluate on held-out customers or a later as-of)", inSample)
	}
	fmt.Fprintf(stdout, "\ncustomers      %d (%d churned)\n", m.N, m.Positives)
	fmt.Fprintf(stdout, "ROC AUC        %.4f\nPR AUC         %.4f\nBrier score    %.4f\nlog loss       %.4f\n", m.ROCAUC, m.PRAUC, m.Brier, m.LogLoss)
	fmt.Fprintf(stdout, "threshold      %.3f: precision %.4f, recall %.4f\nlift top 10%%   %.2f\n", m.Threshold, m.Precision, m.Recall, m.LiftTopDecile)
	return nil
}

func asOfString(a *model.Artifact, t time.Time) string {
	if a.Meta.Mode != "time" {
		return ""
	}
	return t.Format(time.RFC3339)
}

func runGen(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", stderr)
	out := fs.String("out", "", "output directory")
	customers := fs.Int("customers", 2000, "number of customers")
	days := fs.Int("days", 180, "days of history")
	var end timeFlag
	fs.Var(&end, "end", "last day of the data (default: today, UTC)")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("out", *out); err != nil {
		return err
	}
	if *customers < 1 || *days < 1 {
		return usageError{fmt.Errorf("--customers and --days must be at least 1")}
	}
	e := end.t
	if e.IsZero() {
		now := time.Now().UTC()
		e = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	sum, err := synth.Generate(*out, synth.Config{Customers: *customers, Days: *days, End: e, Seed: *seed, Progress: reporterFor(stderr)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d customers (%d churned), %d usage rows, %d tickets, %d page views, %d revenue rows, ending %s\n",
		*out, sum.Customers, sum.Churned, sum.UsageRows, sum.TicketRows, sum.PageViewRows, sum.RevenueRows, e.Format(time.DateOnly))
	return nil
}

// trainingFlags are the options of the training procedure (fit, evaluate --cv).
type trainingFlags struct {
	horizon, lookback, every daysFlag
	seed                     *uint64
	monotone                 *bool
	allow, dates             listFlag
}

func addTrainingFlags(fs *flag.FlagSet) *trainingFlags {
	f := &trainingFlags{horizon: 30, lookback: 90, every: 30}
	fs.Var(&f.horizon, "horizon", "prediction horizon (time mode)")
	fs.Var(&f.lookback, "lookback", "history used for features")
	fs.Var(&f.every, "snapshot-every", "interval between training snapshots")
	f.seed = fs.Uint64("seed", 1, "random seed")
	f.monotone = fs.Bool("monotone", true, "honour the features' declared risk directions as monotone constraints (false: measure without)")
	fs.Var(&f.allow, "allow-feature", "keep feature (or attribute column) `NAME` even if the leakage guard would leave it out; repeatable")
	fs.Var(&f.dates, "date-attribute", "read attribute `COLUMN` as a date: the days before the as-of (a date on or after it is missing); repeatable")
	return f
}

func (f *trainingFlags) config() training.Config {
	return training.Config{HorizonDays: int(f.horizon), LookbackDays: int(f.lookback), EveryDays: int(f.every), Seed: *f.seed,
		Unconstrained: !*f.monotone, AllowFeatures: f.allow, DateAttributes: f.dates}
}

// printCV prints a cross-validation result as text, JSON or Markdown.
func printCV(w io.Writer, r *training.CVResult, asJSON, markdown bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	rows := append([]training.CVModel{r.Chosen}, r.Candidates...)
	ms := func(s training.Stat) string { return fmt.Sprintf("%.4f ± %.4f", s.Mean, s.SD) }
	if markdown {
		fmt.Fprintf(w, "| model | ROC AUC | PR AUC | Brier | log loss | ECE | fit s per fold | chosen in |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
		for _, m := range rows {
			chosen := fmt.Sprintf("%d of %d", m.ChosenIn, r.K)
			if m.Name == "chosen" {
				chosen = "-"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %.2f | %s |\n", m.Name, ms(m.ROCAUC), ms(m.PRAUC), ms(m.Brier), ms(m.LogLoss), ms(m.ECE), m.FitSeconds.Mean, chosen)
		}
		return nil
	}
	fmt.Fprintf(w, "%s mode, %s, %d folds, %d rows, seed %d\n", r.Mode, r.Method, r.K, r.Rows, r.Seed)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "model\troc_auc\tpr_auc\tbrier\tlog_loss\tece\tfit_s/fold\tchosen_in\t")
	for _, m := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%d\t\n", m.Name, ms(m.ROCAUC), ms(m.PRAUC), ms(m.Brier), ms(m.LogLoss), ms(m.ECE), m.FitSeconds.Mean, m.ChosenIn)
	}
	return tw.Flush()
}

// printGuard prints the leakage guard's findings, one a line.
func printGuard(w io.Writer, found []model.GuardFinding) {
	for _, f := range found {
		fmt.Fprintf(w, "leakage guard: %s\n", f.Reason)
	}
}
