package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandDoc is the help of one command: what it does and an example.
type commandDoc struct {
	about, example string
}

// docs holds the help of every command, shown by `train CMD -h`.
var docs = map[string]commandDoc{
	"fit": {
		about: "Trains a churn model on a data directory (customers.csv, and usage, tickets, page_views and revenue files for time mode), " +
			"compares gradient-boosted trees, logistic regression and bagged trees on held-out validation rows, calibrates the best and writes it " +
			"with metadata.json and report.html under --out. Before the fit a leakage guard leaves out features that predict churn almost alone " +
			"(validation ROC AUC >= 0.975; --allow-feature keeps one) and date columns (--date-attribute reads one as days before the as-of). " +
			"The new model becomes current only if it is not worse than the current one.",
		example: "train fit --data testdata/mlc_churn --out models --seed 1",
	},
	"score": {
		about: "Scores every customer of a data directory with a saved model (active customers as of --as-of in time mode) " +
			"and writes customer_id, score, risk level and top driver to a CSV; --push also loads the data and scores into Redis.",
		example: "train score --data data/demo --model models/current --out scores.csv",
	},
	"evaluate": {
		about: "Scores a data directory with a saved model and compares with what happened: churn within the model's horizon after " +
			"--as-of (time mode) or the churned column (static mode); says when the data is the model's own training data (in-sample figures). " +
			"With --cv K it cross-validates the whole training procedure instead.",
		example: "train evaluate --data holdout --model models/current",
	},
	"gen": {
		about:   "Generates a synthetic data set (customers, usage, tickets, page views, revenue) in the input contract's format, reproducible from --seed.",
		example: "train gen --out data/demo --customers 2000 --days 180 --seed 1",
	},
	"promote": {
		about:   "Makes a saved model version current (to roll back or forward). The version is the only argument after the flags.",
		example: "train promote --models models 20260301T120000Z",
	},
	"models": {
		about:   "Lists the saved model versions with their figures and status (current, candidate, rejected).",
		example: "train models --models models",
	},
	"export": {
		about:   "Exports the customers and event aggregates of the Redis store of REDIS_URL or REDIS_CLUSTER_ADDRS to a data directory that `train fit` reads.",
		example: "REDIS_URL=redis://127.0.0.1:6379 train export --out exported",
	},
	"metrics": {
		about: "Computes monthly churn figures (customer and revenue churn, retention, NRR) from a data directory; " +
			"with --model it adds the model's predicted churn per month beside the actual.",
		example: "train metrics --data data/demo --from 2026-01 --to 2026-06",
	},
	"text": {
		about: "Reads support-ticket texts as the service does and writes one JSON object per text: " +
			`{"text", "lang", "script" ("hant", "hans" or ""), "sentiment", "intents": [...]}. ` +
			"The texts come one per line from standard input, or from a column of a CSV file with --csv. " +
			"A ticket counts as negative when its sentiment is below -0.05.",
		example: "train text --csv tickets.csv --column text",
	},
}

// printHelp writes the help of a command: usage, description, every flag
// with its default, and an example.
func printHelp(w io.Writer, name string, fs *flag.FlagSet) {
	d := docs[name]
	fmt.Fprintf(w, "usage: train %s [flags]\n\n%s\n\nflags:\n", name, wrap(d.about, 78))
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		if kind != "" {
			kind = " " + kind
		}
		def := f.DefValue
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(w, "  --%s%s\n        %s (default: %s)\n", f.Name, kind, strings.ReplaceAll(usage, "\n", "\n        "), def)
	})
	fmt.Fprintf(w, "\nexample:\n  %s\n", d.example)
}

// wantsHelp reports whether args ask for help (-h, -help, --help) before
// any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--h", "--help":
			return true
		}
	}
	return false
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		switch {
		case i == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
