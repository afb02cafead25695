package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
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
	"github.com/churnrisk/churn/internal/progress"
	"github.com/churnrisk/churn/internal/report"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
)

func runFit(ctx context.Context, cfg *Config, stdout, stderr io.Writer) error {
	f := cfg.Fit
	o := fitOptions{Data: f.Data, Models: model.Registry{Dir: f.Out}, Progress: cfg.Env.progress(stderr)}
	o.Train = training.TrainOptions{Config: f.Training.config(), Gate: f.Gate}
	o.Train.Config.Progress = o.Progress
	for {
		err := fitOnce(o, stdout, stderr)
		if f.Every == 0 {
			return err
		}
		if err != nil {
			fmt.Fprintf(stderr, "retraining failed (will retry at the next run): %v\n", err)
		}
		fmt.Fprintf(stdout, "next retraining at %s\n", time.Now().Add(f.Every).UTC().Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(f.Every):
		}
	}
}

// fitOptions are what one training round of `train fit` reads, writes and
// shows.
type fitOptions struct {
	Data     DataConfig
	Models   model.Registry
	Train    training.TrainOptions
	Progress *progress.Reporter
}

// fitOnce runs one training round: it loads the data, then trains, saves
// and gates the new version under the lock of the models directory
// (training.Train), and prints the outcome. A rejected candidate is kept
// (status rejected with the reason) and is a normal outcome: it returns nil.
func fitOnce(o fitOptions, stdout, stderr io.Writer) error {
	start := time.Now()
	// The data loads before Train takes the lock, so that bad input leaves
	// no directory.
	ds, err := load(o.Data, o.Progress, stderr)
	if err != nil {
		return err
	}
	res, err := training.Train(ds, o.Models, o.Train)
	if err != nil {
		return err
	}
	printGuard(stderr, res.Artifact.Meta.Guard)
	if drift := res.Artifact.Meta.TrainingDrift; len(drift) > 0 {
		top := drift[:min(5, len(drift))]
		fmt.Fprintf(stdout, "drift of the training data against the current model's (PSI, > 0.25 is significant):")
		for _, d := range top {
			fmt.Fprintf(stdout, " %s %.3f", d.Feature, d.PSI)
		}
		fmt.Fprintln(stdout)
	}
	printFit(stdout, res, time.Since(start))
	return nil
}

// printFit prints the outcome of a training round: the version and the
// gate's verdict, the data, every candidate's validation figures, the
// calibration and the choice.
func printFit(stdout io.Writer, res *training.TrainResult, took time.Duration) {
	a, vdir, gate := res.Artifact, res.Dir, res.Decision
	m := a.Meta
	if gate.Promote {
		fmt.Fprintf(stdout, "model %s written to %s (current): %s\n", a.Version, vdir, gate.Reason)
	} else {
		fmt.Fprintf(stdout, "model %s written to %s but REJECTED, models/current unchanged (%s): %s\n", a.Version, vdir, orNone(res.Current), gate.Reason)
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
	fmt.Fprintf(stdout, "chosen: %s (%s), threshold %.3f, in %.1fs; report: %s\n", m.Chosen, m.ChosenBy, m.Threshold, took.Seconds(), filepath.Join(vdir, report.HTMLFile))
}

// scoring is a score or evaluate run: its model, data and as-of time, with
// the progress display.
type scoring struct {
	ScoringConfig
	progress *progress.Reporter
}

// load reads the model and the data and resolves the as-of time.
func (f scoring) load(evaluate bool, stderr io.Writer) (*model.Artifact, *data.Dataset, time.Time, error) {
	a, err := model.Load(f.Model)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	ds, err := load(f.Data, f.progress, stderr)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if err := training.SharedFeatures(ds, a); err != nil {
		return nil, nil, time.Time{}, err
	}
	t := f.AsOf
	if t.IsZero() {
		t = training.AsOf(ds, a, evaluate)
	}
	return a, ds, t, nil
}

func runScore(ctx context.Context, cfg *Config, stdout, stderr io.Writer) error {
	// The options by the names the --push call below uses.
	out, push, sc := &cfg.Score.Out, &cfg.Score.Push, cfg.Env.Store
	sf := scoring{cfg.Score.Scoring, cfg.Env.progress(stderr)}
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
		_ = w.Write([]string{r.CustomerID, strconv.FormatFloat(r.Prediction.Score, 'f', 6, 64), string(r.Prediction.RiskLevel), top})
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

func runEvaluate(cfg *Config, stdout, stderr io.Writer) error {
	e := cfg.Evaluate
	sf := scoring{e.Scoring, cfg.Env.progress(stderr)}
	if e.CV != 0 {
		ds, err := load(e.Scoring.Data, sf.progress, stderr)
		if err != nil {
			return err
		}
		tc := e.Training.config()
		tc.Progress = sf.progress
		res, err := training.CrossValidate(ds, tc, e.CV)
		if err != nil {
			return err
		}
		return printCV(stdout, res, e.JSON, e.Markdown)
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
	if e.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Model    string `json:"model_version"`
			Mode     string `json:"mode"`
			AsOf     string `json:"as_of,omitempty"`
			InSample string `json:"in_sample,omitempty"`
			model.Evaluation
		}{a.Version, string(a.Meta.Mode), asOfString(a, t), inSample, m})
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

func runGen(cfg *Config, stdout, stderr io.Writer) error {
	g := cfg.Gen
	e, notAfter := g.End, time.Time{}
	if e.IsZero() {
		// The default window ends today: no event after the moment it runs,
		// which the API would refuse as in the future.
		notAfter = time.Now().UTC()
		e = time.Date(notAfter.Year(), notAfter.Month(), notAfter.Day(), 0, 0, 0, 0, time.UTC)
	}
	sum, err := synth.Generate(g.Out, synth.Config{Customers: g.Customers, Days: g.Days, End: e, NotAfter: notAfter, Seed: g.Seed, Progress: cfg.Env.progress(stderr)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d customers (%d churned), %d usage rows, %d tickets, %d page views, %d revenue rows, ending %s\n",
		g.Out, sum.Customers, sum.Churned, sum.UsageRows, sum.TicketRows, sum.PageViewRows, sum.RevenueRows, e.Format(time.DateOnly))
	return nil
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
