package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/training"
)

// monthFlag is an optional YYYY-MM month.
type monthFlag struct {
	m   metrics.Month
	set bool
}

func (f *monthFlag) String() string {
	if !f.set {
		return ""
	}
	return f.m.String()
}

func (f *monthFlag) Set(s string) error {
	m, err := metrics.ParseMonth(s)
	if err != nil {
		return fmt.Errorf("%q: a month YYYY-MM expected", s)
	}
	f.m, f.set = m, true
	return nil
}

// runMetrics prints the actual churn figures of a data set (and, with a
// model, the predicted churn of each month beside them).
func runMetrics(cfg *Config, stdout, stderr io.Writer) error {
	c := cfg.Metrics
	from, to := c.From, c.To
	ds, err := load(c.Data, cfg.Env.progress(stderr), stderr)
	if err != nil {
		return err
	}
	if ds.Start.IsZero() && (!from.set || !to.set) {
		return usageError{fmt.Errorf("the data has no dates: give --from and --to")}
	}
	o := metrics.Options{From: from.m, To: to.m, GrossMargin: c.GrossMargin}
	if !to.set {
		o.To = metrics.MonthOf(ds.End)
	}
	var note string
	if !from.set {
		agg, err := training.Aggregate(ds)
		if err != nil {
			return err
		}
		o.From, note = metrics.DefaultFrom(agg, o.To)
	}
	var a *model.Artifact
	if c.Model != "" {
		if a, err = model.Load(c.Model); err != nil {
			return err
		}
	}
	t, err := training.ChurnTable(ds, a, o)
	if err != nil {
		return err
	}
	if note != "" {
		t.Notes = append(t.Notes, note)
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	printMetrics(stdout, t)
	return nil
}

func pct(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", *v*100)
}

func num2(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", *v)
}

func printMetrics(w io.Writer, t metrics.Table) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "month\tstart\tnew\tchurned\tchurn\tmrr_start\tchurned_mrr\tcontraction\texpansion\tgross\tnet\tnrr\tclv\tpredicted\t")
	row := func(name string, start, nw, churned int64, rate *float64, mrr, cm, con, exp float64, g, n, nrr, clv, pred *float64) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t\n", name, start, nw, churned, pct(rate), mrr, cm, con, exp, pct(g), pct(n), pct(nrr), num2(clv), num2(pred))
	}
	for _, m := range t.Months {
		row(m.Month, m.CustomersStart, m.New+m.Reactivated, m.Churned, m.CustomerChurnRate, m.MRRStart, m.ChurnedMRR, m.ContractionMRR, m.ExpansionMRR,
			m.GrossMRRChurnRate, m.NetMRRChurnRate, m.NRR, m.CLV, m.PredictedChurn)
	}
	o := t.Overall
	row("overall", o.CustomersStart, o.New+o.Reactivated, o.Churned, o.CustomerChurnRate, o.MRRStart, o.ChurnedMRR, o.ContractionMRR, o.ExpansionMRR,
		o.GrossMRRChurnRate, o.NetMRRChurnRate, o.NRR, o.CLV, o.PredictedChurn)
	tw.Flush()
	if len(t.Cohorts) > 0 {
		fmt.Fprintln(w, "\ncohort retention (share still a customer after k months)")
		for _, c := range t.Cohorts {
			fmt.Fprintf(w, "%s (%d):", c.Cohort, c.Size)
			for _, r := range c.Retention {
				fmt.Fprintf(w, " %.0f%%", r*100)
			}
			fmt.Fprintln(w)
		}
	}
	for _, n := range t.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}
