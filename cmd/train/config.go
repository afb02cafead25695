package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/churnrisk/churn/internal/config"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/progress"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/training"
)

// Config is the configuration of one run of train: the command, its flags
// and what it reads from the environment. newConfig builds it once and
// validates it, reporting every problem together; dispatch logs it once, on
// stderr, before the command runs.
type Config struct {
	// Command is the command run: fit, score, evaluate, gen, promote,
	// models, export or metrics. Only its options below are set.
	Command string
	Env     Env

	Fit      FitConfig
	Score    ScoreConfig
	Evaluate EvaluateConfig
	Gen      GenConfig
	Promote  PromoteConfig
	Models   ModelsConfig
	Export   ExportConfig
	Metrics  MetricsConfig

	// flags is the command's flag set, bound to the options above; the log
	// lists every flag with its value.
	flags *flag.FlagSet
}

// Env is what train reads from the environment.
type Env struct {
	// Store is the Redis store of REDIS_URL or REDIS_CLUSTER_ADDRS, with its
	// key prefix CHURN_REDIS_PREFIX (score --push and export). The URL may
	// hold a password: log Store.Describe(), never the URL.
	Store store.Config
	// StoreErr lists the problems of the store's variables (nil when
	// valid); a command that uses the store reports them.
	StoreErr error
	// CI (set in CI logs) and Term (TERM=dumb) turn the progress display
	// off.
	CI, Term string
}

// envFrom reads the environment through getenv.
func envFrom(getenv func(string) string) Env {
	ce := config.NewEnv(getenv)
	return Env{Store: ce.Store(), StoreErr: ce.Err(), CI: getenv("CI"), Term: getenv("TERM")}
}

// progress shows the stages of a long run on stderr when it is a terminal
// (not a pipe, a file or a CI log): see progress.ForTerminal. It returns nil
// (silent) otherwise.
func (e Env) progress(stderr io.Writer) *progress.Reporter {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	return progress.ForTerminal(f, progress.Terminal{CI: e.CI != "", Type: e.Term})
}

// LogValue is the environment as logged: the store described without
// credentials.
func (e Env) LogValue() slog.Value {
	return slog.GroupValue(slog.String("store", e.Store.Describe()), slog.String("redis_prefix", e.Store.Prefix),
		slog.String("ci", e.CI), slog.String("term", e.Term))
}

// LogValue is the configuration as logged: the command, every flag of it
// with its value (none holds a secret) and the environment (masked).
func (c *Config) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("command", c.Command)}
	if c.flags != nil {
		c.flags.VisitAll(func(f *flag.Flag) { attrs = append(attrs, slog.String(f.Name, f.Value.String())) })
	}
	if c.Command == "promote" {
		attrs = append(attrs, slog.String("version", c.Promote.Version))
	}
	return slog.GroupValue(append(attrs, slog.Any("env", c.Env))...)
}

// log writes the configuration to w as one structured line.
func (c *Config) log(w io.Writer) {
	slog.New(slog.NewTextHandler(w, nil)).Info("train", "config", c)
}

// options are the options of one command: bind defines its flags on fs,
// bound to the options' fields; check returns every problem with them.
type options interface {
	bind(fs *flag.FlagSet)
	check(env Env) []error
}

// positional is implemented by the options of a command that takes
// arguments after its flags.
type positional interface {
	setArgs(args []string)
}

// newConfig builds the configuration of command cmd from its arguments and
// the environment. Flag errors and asked-for help (flag.ErrHelp) come back
// as parse returns them; invalid values give one usage error listing every
// problem.
func newConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{Command: cmd, Env: envFrom(getenv)}
	var o options
	switch cmd {
	case "fit":
		o = &c.Fit
	case "score":
		o = &c.Score
	case "evaluate":
		o = &c.Evaluate
	case "gen":
		o = &c.Gen
	case "promote":
		o = &c.Promote
	case "models":
		o = &c.Models
	case "export":
		o = &c.Export
	case "metrics":
		o = &c.Metrics
	default:
		return nil, usageError{fmt.Errorf("unknown command %q", cmd)}
	}
	fs := newFlagSet(cmd, stderr)
	o.bind(fs)
	if p, ok := o.(positional); ok {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err}
		}
		p.setArgs(fs.Args())
	} else if err := parse(fs, args); err != nil {
		return nil, err
	}
	if problems := o.check(c.Env); len(problems) > 0 {
		return nil, usageError{errors.Join(problems...)}
	}
	c.flags = fs
	return c, nil
}

// errRequired is the problem of a required flag left out.
func errRequired(name string) error { return fmt.Errorf("--%s is required", name) }

// DataConfig are the flags that read a data directory.
type DataConfig struct {
	Dir        string // --data
	MaxBadRows int    // --max-bad-rows
	Pages      string // --pages: risk-page patterns replacing the defaults
}

func (d *DataConfig) bind(fs *flag.FlagSet, dataHelp, pagesHelp string) {
	fs.StringVar(&d.Dir, "data", "", dataHelp)
	fs.IntVar(&d.MaxBadRows, "max-bad-rows", 0, "skip up to N bad rows, reporting each")
	fs.StringVar(&d.Pages, "pages", "", pagesHelp)
}

// TrainingConfig are the options of the training procedure (fit,
// evaluate --cv).
type TrainingConfig struct {
	HorizonDays, LookbackDays, EveryDays int
	Seed                                 uint64
	Monotone                             bool
	AllowFeatures, DateAttributes        []string
}

func (t *TrainingConfig) bind(fs *flag.FlagSet) {
	t.HorizonDays, t.LookbackDays, t.EveryDays = 30, 90, 30
	fs.Var((*daysFlag)(&t.HorizonDays), "horizon", "prediction horizon (time mode)")
	fs.Var((*daysFlag)(&t.LookbackDays), "lookback", "history used for features")
	fs.Var((*daysFlag)(&t.EveryDays), "snapshot-every", "interval between training snapshots")
	fs.Uint64Var(&t.Seed, "seed", 1, "random seed")
	fs.BoolVar(&t.Monotone, "monotone", true, "honour the features' declared risk directions as monotone constraints (false: measure without)")
	fs.Var((*listFlag)(&t.AllowFeatures), "allow-feature", "keep feature (or attribute column) `NAME` even if the leakage guard would leave it out; repeatable")
	fs.Var((*listFlag)(&t.DateAttributes), "date-attribute", "read attribute `COLUMN` as a date: the days before the as-of (a date on or after it is missing); repeatable")
}

// config returns the training.Config of these options (without progress).
func (t TrainingConfig) config() training.Config {
	return training.Config{HorizonDays: t.HorizonDays, LookbackDays: t.LookbackDays, EveryDays: t.EveryDays, Seed: t.Seed,
		Unconstrained: !t.Monotone, AllowFeatures: t.AllowFeatures, DateAttributes: t.DateAttributes}
}

// FitConfig are the options of `train fit`.
type FitConfig struct {
	Data     DataConfig
	Out      string // models directory
	Training TrainingConfig
	// Every retrains periodically at this interval; 0 runs once.
	Every time.Duration
	Gate  training.GateOptions
}

func (f *FitConfig) bind(fs *flag.FlagSet) {
	f.Data.bind(fs, "data directory (customers.csv and optional event files)",
		"JSON file of risk-page patterns replacing the defaults (use the same file for the API)")
	fs.StringVar(&f.Out, "out", "models", "models directory")
	f.Training.bind(fs)
	fs.DurationVar(&f.Every, "every", 0, "retrain periodically at this interval (e.g. 24h); 0 runs once")
	fs.Float64Var(&f.Gate.TolAUC, "tolerance-auc", 0.005, "promote only if the new ROC AUC is at least the current model's minus this")
	fs.Float64Var(&f.Gate.TolLogLoss, "tolerance-logloss", 0.005, "promote only if the new log loss is at most the current model's plus this")
	fs.BoolVar(&f.Gate.Force, "force", false, "promote the new model even if the promotion gate rejects it")
}

func (f *FitConfig) check(Env) []error {
	var errs []error
	if f.Data.Dir == "" {
		errs = append(errs, errRequired("data"))
	}
	if f.Data.MaxBadRows < 0 || f.Every < 0 || f.Gate.TolAUC < 0 || f.Gate.TolLogLoss < 0 {
		errs = append(errs, errors.New("--max-bad-rows, --every and the tolerances must not be negative"))
	}
	return errs
}

// ScoringConfig are the options shared by score and evaluate: the model,
// the data and the as-of time.
type ScoringConfig struct {
	Data  DataConfig
	Model string // models/current, a version directory or a models directory
	// AsOf is the time to score or evaluate as of; zero: the default of
	// training.AsOf.
	AsOf time.Time
}

func (s *ScoringConfig) bind(fs *flag.FlagSet, asOfHelp string) {
	s.Data.bind(fs, "data directory", "JSON file of risk-page patterns replacing the defaults (use the training run's file)")
	fs.StringVar(&s.Model, "model", "models/current", "model: models/current, a version directory or a models directory")
	fs.Var((*timeFlag)(&s.AsOf), "as-of", asOfHelp)
}

// ScoreConfig are the options of `train score`.
type ScoreConfig struct {
	Scoring ScoringConfig
	Out     string // output CSV
	Push    bool   // also load the data and scores into the Redis store
}

func (s *ScoreConfig) bind(fs *flag.FlagSet) {
	s.Scoring.bind(fs, "score as of this time (default: the end of the data)")
	fs.StringVar(&s.Out, "out", "", "output CSV (customer_id,score,risk_level,top_driver)")
	fs.BoolVar(&s.Push, "push", false, "also load the customers, their history and their current scores into the Redis store of REDIS_URL or REDIS_CLUSTER_ADDRS")
}

func (s *ScoreConfig) check(env Env) []error {
	var errs []error
	if s.Scoring.Data.Dir == "" {
		errs = append(errs, errRequired("data"))
	}
	if s.Out == "" && !s.Push {
		errs = append(errs, errors.New("--out is required (or --push)"))
	}
	if s.Push && env.StoreErr != nil {
		errs = append(errs, env.StoreErr)
	}
	if s.Push && !env.Store.Redis() {
		errs = append(errs, errors.New("--push needs REDIS_URL or REDIS_CLUSTER_ADDRS"))
	}
	return errs
}

// EvaluateConfig are the options of `train evaluate`.
type EvaluateConfig struct {
	Scoring ScoringConfig
	JSON    bool
	// CV cross-validates the training procedure with CV folds instead of
	// evaluating a saved model (0: evaluate the model).
	CV       int
	Markdown bool // with CV: a Markdown table
	Training TrainingConfig
}

func (e *EvaluateConfig) bind(fs *flag.FlagSet) {
	e.Scoring.bind(fs, "evaluate as of this time (time mode; default: the end of the data minus the horizon)")
	fs.BoolVar(&e.JSON, "json", false, "print JSON")
	fs.IntVar(&e.CV, "cv", 0, "cross-validate the training procedure with K folds instead of evaluating a saved model")
	fs.BoolVar(&e.Markdown, "markdown", false, "with --cv: print a Markdown table")
	e.Training.bind(fs)
}

func (e *EvaluateConfig) check(Env) []error {
	if e.Scoring.Data.Dir == "" {
		return []error{errRequired("data")}
	}
	return nil
}

// GenConfig are the options of `train gen`.
type GenConfig struct {
	Out             string
	Customers, Days int
	// End is the last day of the data; zero: today, UTC.
	End  time.Time
	Seed uint64
}

func (g *GenConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&g.Out, "out", "", "output directory")
	fs.IntVar(&g.Customers, "customers", 2000, "number of customers")
	fs.IntVar(&g.Days, "days", 180, "days of history")
	fs.Var((*timeFlag)(&g.End), "end", "last day of the data (default: today, UTC)")
	fs.Uint64Var(&g.Seed, "seed", 1, "random seed")
}

func (g *GenConfig) check(Env) []error {
	var errs []error
	if g.Out == "" {
		errs = append(errs, errRequired("out"))
	}
	if g.Customers < 1 || g.Days < 1 {
		errs = append(errs, errors.New("--customers and --days must be at least 1"))
	}
	return errs
}

// PromoteConfig are the options of `train promote`.
type PromoteConfig struct {
	Models  string // models directory
	Version string // the version to make current
	nargs   int
}

func (p *PromoteConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&p.Models, "models", "models", "models directory")
}

func (p *PromoteConfig) setArgs(args []string) {
	p.nargs = len(args)
	if len(args) == 1 {
		p.Version = args[0]
	}
}

func (p *PromoteConfig) check(Env) []error {
	if p.nargs != 1 {
		return []error{errors.New("promote takes exactly one VERSION (see `train models`)")}
	}
	if err := model.CheckVersion(p.Version); err != nil {
		return []error{err}
	}
	return nil
}

// ModelsConfig are the options of `train models`.
type ModelsConfig struct {
	Models string // models directory
	JSON   bool
}

func (m *ModelsConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&m.Models, "models", "models", "models directory")
	fs.BoolVar(&m.JSON, "json", false, "print JSON")
}

func (m *ModelsConfig) check(Env) []error { return nil }

// ExportConfig are the options of `train export`.
type ExportConfig struct {
	Out string // output directory
}

func (x *ExportConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&x.Out, "out", "", "output directory")
}

func (x *ExportConfig) check(env Env) []error {
	var errs []error
	if x.Out == "" {
		errs = append(errs, errRequired("out"))
	}
	if env.StoreErr != nil {
		errs = append(errs, env.StoreErr)
	}
	if !env.Store.Redis() {
		errs = append(errs, errors.New("export reads the Redis store: set REDIS_URL or REDIS_CLUSTER_ADDRS (the embedded store lives inside its API process)"))
	}
	return errs
}

// MetricsConfig are the options of `train metrics`.
type MetricsConfig struct {
	Data DataConfig
	// From and To are the first and last months; unset: the defaults of
	// runMetrics.
	From, To monthFlag
	// Model, when set, adds the model's predicted churn per month.
	Model       string
	GrossMargin float64
	JSON        bool
}

func (m *MetricsConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&m.Data.Dir, "data", "", "data directory")
	fs.Var(&m.From, "from", "first month YYYY-MM (default: 12 months up to --to, from the first month with a churn at the earliest; the console's default)")
	fs.Var(&m.To, "to", "last month YYYY-MM (default: the last month of the data)")
	fs.StringVar(&m.Model, "model", "", "also sum the model's churn probabilities of the customers active at the start of each month (time mode)")
	fs.Float64Var(&m.GrossMargin, "gross-margin", 1, "gross margin for CLV, in (0, 1]")
	fs.BoolVar(&m.JSON, "json", false, "print JSON")
	fs.IntVar(&m.Data.MaxBadRows, "max-bad-rows", 0, "skip up to N bad rows, reporting each")
	fs.StringVar(&m.Data.Pages, "pages", "", "JSON file of risk-page patterns replacing the defaults")
}

func (m *MetricsConfig) check(Env) []error {
	var errs []error
	if m.Data.Dir == "" {
		errs = append(errs, errRequired("data"))
	}
	if !(m.GrossMargin > 0 && m.GrossMargin <= 1) {
		errs = append(errs, errors.New("--gross-margin must be in (0, 1]"))
	}
	return errs
}
