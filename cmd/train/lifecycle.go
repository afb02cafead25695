package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/churnrisk/churn/internal/model"
)

// runPromote is `train promote --models DIR VERSION`: it makes VERSION
// current (atomically) after checking that it loads. A missing or corrupt
// version is refused (exit 2) and models/current is left as it was.
func runPromote(cfg *Config, stdout, stderr io.Writer) error {
	p := cfg.Promote
	reg := model.Registry{Dir: p.Models}
	unlock, err := reg.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	res, err := reg.Rollback(p.Version)
	if err != nil {
		return err
	}
	if res.StatusErr != nil {
		fmt.Fprintf(stderr, "warning: %s is current but its metadata was not updated: %v\n", p.Version, res.StatusErr)
	}
	fmt.Fprintf(stdout, "model %s (%s) is now current (was %s)\n", res.Artifact.Version, res.Artifact.Meta.Chosen, orNone(res.Previous))
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
func runModels(cfg *Config, stdout io.Writer) error {
	m := cfg.Models
	vs, err := model.Registry{Dir: m.Models}.List()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("models %s: %w", m.Models, model.ErrNoModel)
		}
		return err
	}
	if m.JSON {
		if vs == nil {
			vs = []model.VersionInfo{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(vs)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "version\tcreated_at\tlearner\troc_auc\tlog_loss\tstatus\treason\t")
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4f\t%.4f\t%s\t%s\t\n", v.Version, v.CreatedAt, v.Chosen, v.ROCAUC, v.LogLoss, v.Status, v.StatusReason)
	}
	return tw.Flush()
}
