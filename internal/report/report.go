// Package report renders and writes the model report of a trained model
// version, from its figures (a model.Report):
//
//   - report.html ([HTML]): a self-contained page (inline CSS, plots drawn
//     with gonum.org/v1/plot as inline SVG, no external resources) with the
//     ROC, precision-recall, calibration, lift and feature-importance plots
//     and the tables behind them, and the actual churn figures of the
//     training data beside the predicted ones when the report has them;
//   - metrics.json ([MetricsJSON]): the same figures as JSON, in the layout
//     of model.Report.
//
// [Write] writes both into a version directory, each file atomically.
// Rendering is deterministic: the same report gives the same bytes. NaN
// figures never make it fail: they are "n/a" on the page and null in
// metrics.json.
package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
)

// File names inside a version directory.
const (
	HTMLFile    = model.ReportFile
	MetricsFile = "metrics.json"
)

// ErrNilReport is returned for a nil *model.Report.
var ErrNilReport = errors.New("nil model report")

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Parse(pageSource))

// Write writes report.html and metrics.json into dir, creating dir if
// needed. Each file is replaced atomically (temporary file, fsync, rename),
// so a reader sees the old file or the new one, never a partial one. Both
// are rendered before either is written. NaN figures never make it fail:
// they are "n/a" in the page and null in metrics.json. It returns
// ErrNilReport for a nil r, or the rendering or file-system error.
func Write(dir string, r *model.Report) error {
	if r == nil {
		return ErrNilReport
	}
	page, err := HTML(r)
	if err != nil {
		return err
	}
	js, err := MetricsJSON(r)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := model.WriteFileAtomic(filepath.Join(dir, MetricsFile), js); err != nil {
		return err
	}
	return model.WriteFileAtomic(filepath.Join(dir, HTMLFile), page)
}

// HTML renders the self-contained report page of r. Missing or NaN figures
// show as "n/a" and a plot with no data is replaced by a note. It returns
// ErrNilReport for a nil r, or an error if the template fails to execute.
func HTML(r *model.Report) ([]byte, error) {
	if r == nil {
		return nil, ErrNilReport
	}
	v := build(r)
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return buf.Bytes(), nil
}

// row is one labelled figure of a two-column table.
type row struct{ Label, Value string }

// candidateRow is one line of the candidates table, formatted.
type candidateRow struct {
	Name, Chosen, ROCAUC, DeltaAUC, PRAUC, Brier, LogLoss, Precision, Recall, Lift, Fit, Error string
}

// view is everything the template shows, already formatted, so that the
// template only lays it out and escapes it.
type view struct {
	Version     string
	Chosen      string
	Summary     []row
	Candidates  []candidateRow
	Comparisons []string
	CalMethod   string
	CalRows     [][3]string
	Bins        [][4]string
	Deciles     [][6]string
	Importance  [][3]string
	ImpTotal    int
	Guard       [][4]string // feature, AUC alone, action, reason
	Data        []row
	Files       []string
	Figures     map[string]svgFigure
	Churn       *churnView // nil when the report has no churn table
}

// cellRow is one row of a table: a row header and its cells.
type cellRow struct {
	Label string
	Cells []string
}

// churnView is the churn section, formatted.
type churnView struct {
	From, To string
	Context  []string // sentences above the tables
	Months   []cellRow
	Overall  cellRow
	Cohorts  []cellRow
	Ages     []int // 1..cohortAges, the cohort table's columns
	Notes    []string
	Figure   svgFigure
}

// cohortAges is the number of months after signup the cohort table shows.
const cohortAges = 12

// svgFigure is a figure as the template sees it.
type svgFigure struct {
	ID, Title, Caption, Missing string
	SVG                         template.HTML
}

// fmtNum formats f with the given decimals, or "n/a" when it is not finite.
func fmtNum(f float64, decimals int) string {
	if !finite(f) {
		return "n/a"
	}
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if s == "-0."+strings.Repeat("0", decimals) || (decimals == 0 && s == "-0") {
		s = s[1:]
	}
	return s
}

// fmtSigned is fmtNum with a sign.
func fmtSigned(f float64, decimals int) string {
	s := fmtNum(f, decimals)
	if s != "n/a" && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// fmtPct formats the fraction *p as a percentage with 2 decimals, or "n/a"
// when p is nil or not finite.
func fmtPct(p *float64) string {
	if p == nil || !finite(*p) {
		return "n/a"
	}
	return fmtNum(*p*100, 2) + "%"
}

// fmtOpt formats *p with the given decimals, or "n/a" when p is nil or not
// finite.
func fmtOpt(p *float64, decimals int) string {
	if p == nil {
		return "n/a"
	}
	return fmtNum(*p, decimals)
}

// fmtJoined formats new joiners with the reactivated ones beside them.
func fmtJoined(n, reactivated int64) string {
	s := strconv.FormatInt(n, 10)
	if reactivated != 0 {
		s += " (+" + strconv.FormatInt(reactivated, 10) + ")"
	}
	return s
}

// orNA returns s, or "n/a" for an empty string.
func orNA(s string) string {
	if strings.TrimSpace(s) == "" {
		return "n/a"
	}
	return s
}

func build(r *model.Report) view {
	m := r.Validation
	v := view{
		Version: orNA(r.Version),
		Chosen:  orNA(r.Chosen),
		Summary: []row{
			{"Version", orNA(r.Version)},
			{"Created", orNA(r.CreatedAt)},
			{"Mode", orNA(r.Mode)},
			{"Chosen learner", orNA(r.Chosen)},
			{"Decision threshold", fmtNum(r.Threshold, 4)},
			{"Validation rows", strconv.Itoa(m.N)},
			{"Validation churners", strconv.Itoa(m.Positives)},
			{"Base rate", fmtNum(baseRate(m), 4)},
			{"ROC AUC", fmtNum(m.ROCAUC, 4)},
			{"PR AUC (average precision)", fmtNum(m.PRAUC, 4)},
			{"Brier score", fmtNum(m.Brier, 4)},
			{"Log loss", fmtNum(m.LogLoss, 4)},
			{"Precision at threshold", fmtNum(m.Precision, 4)},
			{"Recall at threshold", fmtNum(m.Recall, 4)},
			{"F1 at threshold", fmtNum(m.F1, 4)},
			{"Lift in the top decile", fmtNum(m.LiftTopDecile, 2)},
			{"Expected calibration error (ECE)", fmtNum(r.Validation.ECE, 4)},
		},
		CalMethod: orNA(r.Calibration.Method),
		CalRows: [][3]string{
			{"Brier score", fmtNum(r.Calibration.BrierBefore, 4), fmtNum(r.Calibration.BrierAfter, 4)},
			{"Expected calibration error (ECE)", fmtNum(r.Calibration.ECEBefore, 4), fmtNum(r.Calibration.ECEAfter, 4)},
		},
		ImpTotal: len(r.Importance),
	}

	chosenAUC := math.NaN()
	for _, c := range r.Candidates {
		if c.Name == r.Chosen && c.Error == "" {
			chosenAUC = c.Metrics.ROCAUC
		}
	}
	for _, c := range r.Candidates {
		cr := candidateRow{Name: orNA(c.Name), Chosen: "", Fit: fmtNum(c.FitSeconds, 3), Error: c.Error,
			ROCAUC: "n/a", DeltaAUC: "n/a", PRAUC: "n/a", Brier: "n/a", LogLoss: "n/a", Precision: "n/a", Recall: "n/a", Lift: "n/a"}
		if c.Name == r.Chosen {
			cr.Chosen = "yes"
		}
		if c.Error == "" {
			cm := c.Metrics
			cr.ROCAUC, cr.PRAUC, cr.Brier, cr.LogLoss = fmtNum(cm.ROCAUC, 4), fmtNum(cm.PRAUC, 4), fmtNum(cm.Brier, 4), fmtNum(cm.LogLoss, 4)
			cr.Precision, cr.Recall, cr.Lift = fmtNum(cm.Precision, 4), fmtNum(cm.Recall, 4), fmtNum(cm.LiftTopDecile, 2)
			cr.DeltaAUC = fmtSigned(cm.ROCAUC-chosenAUC, 4)
			if c.Name == r.Chosen {
				cr.DeltaAUC = "reference"
			}
			if c.Name != r.Chosen && finite(chosenAUC) && finite(cm.ROCAUC) {
				d := chosenAUC - cm.ROCAUC
				verb := "beats"
				if d < 0 {
					verb, d = "trails", -d
				}
				v.Comparisons = append(v.Comparisons, fmt.Sprintf("%s %s %s by %s ROC AUC (%s against %s).",
					r.Chosen, verb, c.Name, fmtNum(d, 4), fmtNum(chosenAUC, 4), fmtNum(cm.ROCAUC, 4)))
			}
		}
		if c.Ineligible != "" {
			v.Comparisons = append(v.Comparisons, fmt.Sprintf("%s could not be chosen: %s.", c.Name, c.Ineligible))
		}
		v.Candidates = append(v.Candidates, cr)
	}

	for i, b := range r.Validation.Calibration {
		mp, ob := "n/a", "n/a"
		if b.Count > 0 {
			mp, ob = fmtNum(b.MeanPredicted, 4), fmtNum(b.Observed, 4)
		}
		v.Bins = append(v.Bins, [4]string{strconv.Itoa(i + 1), mp, ob, strconv.Itoa(b.Count)})
	}
	for _, d := range r.Validation.Deciles {
		v.Deciles = append(v.Deciles, [6]string{strconv.Itoa(d.Decile), strconv.Itoa(d.Rows), strconv.Itoa(d.Positives),
			fmtNum(d.MeanScore, 4), fmtNum(d.Rate, 4), fmtNum(d.Lift, 2)})
	}
	for i, fi := range r.Importance[:min(len(r.Importance), topFeatures)] {
		v.Importance = append(v.Importance, [3]string{strconv.Itoa(i + 1), orNA(fi.Feature), fmtNum(fi.Importance, 4)})
	}
	for _, g := range r.Guard {
		auc := "n/a"
		if g.AUC > 0 {
			auc = fmtNum(g.AUC, 4)
		}
		v.Guard = append(v.Guard, [4]string{g.Feature, auc, g.Action, g.Reason})
	}

	d := r.Data
	dateRange := "n/a"
	if d.From != "" || d.To != "" {
		dateRange = orNA(d.From) + " to " + orNA(d.To)
	}
	snaps := strconv.Itoa(len(d.Snapshots))
	if n := len(d.Snapshots); n > 0 {
		snaps += " (" + d.Snapshots[0] + " to " + d.Snapshots[n-1] + ")"
	}
	v.Files = d.Files
	v.Data = []row{
		{"Directory", orNA(d.Dir)},
		{"Customers", strconv.Itoa(d.Customers)},
		{"Date range", dateRange},
		{"Rows", strconv.Itoa(d.Rows)},
		{"Churners (positive rows)", strconv.Itoa(d.Positives)},
		{"Features", strconv.Itoa(d.Features)},
		{"Snapshots", snaps},
		{"Bad rows (skipped)", strconv.Itoa(d.BadRows)},
		{"Rows for unknown customers", strconv.Itoa(d.UnknownRows)},
	}

	v.Figures = map[string]svgFigure{}
	for _, f := range []figure{rocFigure(r), prFigure(r), calibrationFigure(r), liftFigure(r), importanceFigure(r)} {
		v.Figures[f.ID] = f.view()
	}
	if r.Churn != nil {
		v.Churn = buildChurn(r.Churn)
	}
	return v
}

// view is f as the template sees it. The SVG is built from escaped text
// only (vgsvg escapes every string it draws, render escapes the title).
func (f figure) view() svgFigure {
	return svgFigure{ID: f.ID, Title: f.Title, Caption: f.Caption, Missing: f.Missing, SVG: template.HTML(f.SVG)}
}

// buildChurn formats the churn table t: one row per month and the overall
// row, the cohort retention, the notes and the rate plot.
func buildChurn(t *metrics.Table) *churnView {
	ov := t.Overall
	c := &churnView{From: orNA(ov.From), To: orNA(ov.To), Notes: t.Notes, Figure: churnFigure(t).view()}
	c.Context = append(c.Context, "CLV uses a gross margin of "+fmtNum(t.GrossMargin, 2)+".")
	if t.RevenueAtRisk != nil {
		c.Context = append(c.Context, "Revenue at risk: "+fmtOpt(t.RevenueAtRisk, 2)+".")
	}
	for _, m := range t.Months {
		c.Months = append(c.Months, cellRow{Label: orNA(m.Month), Cells: []string{
			strconv.FormatInt(m.CustomersStart, 10), fmtJoined(m.New, m.Reactivated), strconv.FormatInt(m.Churned, 10),
			fmtPct(m.CustomerChurnRate),
			fmtNum(m.MRRStart, 2), fmtNum(m.ChurnedMRR, 2), fmtNum(m.ContractionMRR, 2), fmtNum(m.ExpansionMRR, 2),
			fmtPct(m.GrossMRRChurnRate), fmtPct(m.NetMRRChurnRate), fmtPct(m.NRR),
			fmtOpt(m.CLV, 2), fmtOpt(m.PredictedChurn, 2), fmtOpt(m.PredictedToActual, 2),
		}})
	}
	c.Overall = cellRow{Label: "overall", Cells: []string{
		strconv.FormatInt(ov.CustomersStart, 10), fmtJoined(ov.New, ov.Reactivated), strconv.FormatInt(ov.Churned, 10),
		fmtPct(ov.CustomerChurnRate),
		fmtNum(ov.MRRStart, 2), fmtNum(ov.ChurnedMRR, 2), fmtNum(ov.ContractionMRR, 2), fmtNum(ov.ExpansionMRR, 2),
		fmtPct(ov.GrossMRRChurnRate), fmtPct(ov.NetMRRChurnRate), fmtPct(ov.NRR),
		fmtOpt(ov.CLV, 2), fmtOpt(ov.PredictedChurn, 2), fmtOpt(ov.PredictedToActual, 2),
	}}
	for k := 1; k <= cohortAges; k++ {
		c.Ages = append(c.Ages, k)
	}
	for _, co := range t.Cohorts {
		cells := make([]string, 1+cohortAges) // size, then k = 1..12; empty when not yet known
		cells[0] = strconv.FormatInt(co.Size, 10)
		for k, share := range co.Retention[:min(len(co.Retention), cohortAges)] {
			cells[1+k] = fmtPct(&share)
		}
		c.Cohorts = append(c.Cohorts, cellRow{Label: orNA(co.Cohort), Cells: cells})
	}
	return c
}
