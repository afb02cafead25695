// Command train reads exported customer data, trains and evaluates churn
// models, scores a customer base from files, and generates synthetic demo
// data. Exit codes: 0 success, 1 failure, 2 bad usage or bad input.
//
// Each run builds one Config from its flags and the environment (REDIS_URL,
// REDIS_CLUSTER_ADDRS and CHURN_REDIS_PREFIX for score --push and export;
// CI and TERM for the progress display), reports every invalid value at
// once, and logs the Config as one line on stderr, the Redis password
// masked. The model lifecycle is model.Registry's and training.Train's;
// this command parses and prints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/training"
)

const usage = `usage: train <command> [flags]

train reads exported customer data (customers.csv, and usage, tickets,
page_views and revenue files for time mode), trains and evaluates churn
models, scores a customer base from files, computes churn figures and
generates synthetic demo data. Exit codes: 0 success, 1 failure, 2 bad usage
or bad input.

commands:
  fit       --data DIR [--out models] [--horizon 30d] [--lookback 90d] [--snapshot-every 30d]
            [--seed N] [--max-bad-rows N] [--every 24h]
            [--tolerance-auc 0.005] [--tolerance-logloss 0.005] [--force]
            [--allow-feature NAME] [--date-attribute COLUMN]
            (a new model becomes current only if it is not worse than the current
            one on the new validation data; a rejected one is kept, exit 0)
  promote   --models DIR VERSION     make VERSION current (roll back or forward)
  models    --models DIR [--json]    list versions with figures and status
  score     --data DIR [--model models/current] [--as-of T] --out scores.csv [--push] [--max-bad-rows N]
  evaluate  --data DIR [--model models/current] [--as-of T] [--json] [--max-bad-rows N]
  gen       --out DIR [--customers N] [--days N] [--end DATE] [--seed N]
  export    --out DIR    (from the Redis store of REDIS_URL or REDIS_CLUSTER_ADDRS)
  metrics   --data DIR [--from YYYY-MM] [--to YYYY-MM] [--model PATH] [--gross-margin 1] [--json]
  text      [--csv FILE [--column text]]   how ticket texts are read (one per line on stdin): JSON lines

Run 'train <command> -h' for the flags of one command, with their defaults.

example:
  train gen --out data/demo && train fit --data data/demo --out models && train score --data data/demo --out scores.csv
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks bad usage (exit code 2).
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "train:", err)
	var ue usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, data.ErrBadInput), errors.Is(err, training.ErrNotEnoughData):
		return 2
	case errors.Is(err, model.ErrNoModel), errors.Is(err, model.ErrCorrupt), errors.Is(err, model.ErrIncompatible):
		return 2
	}
	return 1
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("no command given")}
	}
	cmd, rest := args[0], args[1:]
	if _, ok := docs[cmd]; ok && wantsHelp(rest) {
		// Asked-for help goes to stdout; it is not an error.
		err := dispatch(ctx, cmd, rest, getenv, stdout, stdout)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return dispatch(ctx, cmd, rest, getenv, stdout, stderr)
}

// dispatch runs one subcommand: it builds the run's Config from the
// arguments and the environment, logs it on stderr and runs the command.
func dispatch(ctx context.Context, cmd string, rest []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch cmd {
	case "text":
		return runText(rest, os.Stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if _, ok := docs[cmd]; !ok {
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Errorf("unknown command %q", cmd)}
	}
	cfg, err := newConfig(cmd, rest, getenv, stderr)
	if err != nil {
		return err
	}
	cfg.log(stderr)
	switch cmd {
	case "fit":
		return runFit(ctx, cfg, stdout, stderr)
	case "score":
		return runScore(ctx, cfg, stdout, stderr)
	case "evaluate":
		return runEvaluate(cfg, stdout, stderr)
	case "gen":
		return runGen(cfg, stdout, stderr)
	case "promote":
		return runPromote(cfg, stdout, stderr)
	case "models":
		return runModels(cfg, stdout)
	case "metrics":
		return runMetrics(cfg, stdout, stderr)
	case "export":
		return runExport(ctx, cfg, stdout)
	}
	return fmt.Errorf("command %q has no runner", cmd)
}
