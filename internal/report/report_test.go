package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const evilFeature = `<script>alert("x")</script>`

// sample is a hand-made report: three candidates (one failed), short curves,
// ten calibration bins (two empty), ten deciles and 25 features, one of
// them with markup in its name.
func sample() *model.Report {
	imp := []model.FeatureImportance{
		{Feature: "cancel_page_visits_7d", Importance: 0.21},
		{Feature: evilFeature, Importance: 0.15},
		{Feature: "usage_change_28d", Importance: 0.12},
	}
	for i := 3; i < 25; i++ {
		imp = append(imp, model.FeatureImportance{Feature: fmt.Sprintf("feature_%02d", i), Importance: 0.5 / float64(i*i)})
	}
	var bins []model.Bin
	for b := 0; b < 10; b++ {
		bin := model.Bin{MeanPredicted: float64(b)/10 + 0.05, Observed: float64(b)/10 + 0.04, Count: 500 - 45*b}
		if b == 7 || b == 8 {
			bin = model.Bin{}
		}
		bins = append(bins, bin)
	}
	var dec []model.Decile
	for d := 1; d <= 10; d++ {
		pos := 60 / d
		dec = append(dec, model.Decile{Decile: d, Rows: 100, Positives: pos, MeanScore: 0.6 / float64(d),
			Rate: float64(pos) / 100, Lift: float64(pos) / 100 / 0.15})
	}
	return &model.Report{
		Version:   "20250301T120000Z-abc123",
		CreatedAt: "2025-03-01T12:00:00Z",
		Mode:      "time",
		Chosen:    "gbt",
		Threshold: 0.3125,
		Data: model.DataSummary{
			Dir:   "/data/acme",
			Files: []string{"customers.csv", "events<2024>.csv"},
			From:  "2024-01-01", To: "2024-12-31",
			Customers: 1000, Rows: 12000, Positives: 1800, Features: 25,
			Snapshots: []string{"2024-03-01", "2024-06-01", "2024-09-01"},
			BadRows:   3, UnknownRows: 7,
		},
		Candidates: []model.Candidate{
			{Name: "gbt", Metrics: model.Evaluation{N: 1000, Positives: 150, ROCAUC: 0.9312, PRAUC: 0.71, Brier: 0.061, LogLoss: 0.21, Threshold: 0.3125, Precision: 0.66, Recall: 0.72, F1: 0.69, LiftTopDecile: 4.1}, FitSeconds: 1.25},
			{Name: "logistic", Metrics: model.Evaluation{N: 1000, Positives: 150, ROCAUC: 0.8815, PRAUC: 0.58, Brier: 0.078, LogLoss: 0.27, Threshold: 0.28, Precision: 0.55, Recall: 0.61, F1: 0.58, LiftTopDecile: 3.4}, FitSeconds: 0.11},
			{Name: "golearn_forest", FitSeconds: 0.02, Error: "golearn: not enough rows"},
		},
		Validation: model.Evaluation{
			N: 1000, Positives: 150, ROCAUC: 0.9312, PRAUC: 0.71, Brier: 0.058, LogLoss: 0.2, Threshold: 0.3125, Precision: 0.66, Recall: 0.72, F1: 0.69, LiftTopDecile: 4.1,
			ECE:         0.0123,
			ROC:         model.Curve{X: []float64{0, 0.05, 0.1, 0.3, 1}, Y: []float64{0, 0.5, 0.7, 0.9, 1}},
			PR:          model.Curve{X: []float64{0, 0.2, 0.5, 0.8, 1}, Y: []float64{1, 0.9, 0.75, 0.5, 0.15}},
			Calibration: bins,
			Deciles:     dec,
		},
		Calibration: model.CalibrationSummary{Method: "isotonic", BrierBefore: 0.066, BrierAfter: 0.058, ECEBefore: 0.041, ECEAfter: 0.0123},
		Importance:  imp,
		Guard: []model.GuardFinding{
			{Feature: "attr_status_churned", AUC: 1, Action: model.GuardDropped, Reason: "predicts churn alone: left out (--allow-feature status keeps it)"},
			{Feature: evilFeature, AUC: 0.91, Action: model.GuardWarned, Reason: "kept with a warning"},
		},
		Churn: churnSample(),
	}
}

func ptr(f float64) *float64 { return &f }

// churnSample is a hand-made churn table of three months: the last without
// predictions, a cohort whose retention is not yet known, and a note with
// markup in it.
func churnSample() *metrics.Table {
	return &metrics.Table{
		Months: []metrics.MonthFigures{
			{Month: "2024-10", CustomersStart: 2000, New: 120, Reactivated: 5, Churned: 95, ChurnedJoiners: 2, ChurnedFromStart: 93, CustomersEnd: 2030,
				CustomerChurnRate: ptr(0.0465), MRRStart: 100000, NewMRR: 6000, ChurnedMRR: 4000, ExpansionMRR: 1500, ContractionMRR: 500, MRREnd: 103000,
				GrossMRRChurnRate: ptr(0.045), NetMRRChurnRate: ptr(0.03), NRR: ptr(0.97), ARPA: ptr(50), CLV: ptr(1075.27),
				PredictedChurn: ptr(90), PredictedToActual: ptr(90.0 / 93)},
			{Month: "2024-11", CustomersStart: 2030, New: 100, Churned: 70, ChurnedFromStart: 70, CustomersEnd: 2060,
				CustomerChurnRate: ptr(70.0 / 2030), MRRStart: 103000, NewMRR: 5000, ChurnedMRR: 3500, MRREnd: 104500,
				GrossMRRChurnRate: ptr(3500.0 / 103000), NetMRRChurnRate: ptr(-0.0125), NRR: ptr(1.0125), ARPA: ptr(50.74), CLV: ptr(1250.5),
				PredictedChurn: ptr(75.5), PredictedToActual: ptr(75.5 / 70)},
			{Month: "2024-12", CustomersStart: 2060, New: 80, Churned: 60, ChurnedFromStart: 60, CustomersEnd: 2080,
				CustomerChurnRate: ptr(60.0 / 2060), MRRStart: 104500, NewMRR: 4000, ChurnedMRR: 3000, MRREnd: 105500,
				GrossMRRChurnRate: ptr(3000.0 / 104500), NetMRRChurnRate: ptr(3000.0 / 104500), NRR: ptr(1 - 3000.0/104500), ARPA: ptr(50.73)},
		},
		Overall: metrics.Overall{From: "2024-10", To: "2024-12", CustomersStart: 2000, CustomersEnd: 2080, CustomerMonths: 6090,
			New: 300, Reactivated: 5, Churned: 225, ChurnedJoiners: 2, ChurnedFromStart: 223, CustomerChurnRate: ptr(223.0 / 6090),
			MRRStart: 100000, MRREnd: 105500, MRRMonths: 307500, NewMRR: 15000, ChurnedMRR: 10500, ExpansionMRR: 1500, ContractionMRR: 500,
			GrossMRRChurnRate: ptr(11000.0 / 307500), NetMRRChurnRate: ptr(9500.0 / 307500), NRR: ptr(1 - 9500.0/307500), ARPA: ptr(307500.0 / 6090), CLV: ptr(1378.9),
			PredictedChurn: ptr(165.5), PredictedToActual: ptr(165.5 / 163)},
		Cohorts: []metrics.CohortRow{
			{Cohort: "2024-10", Size: 120, Retained: []int64{110, 99}, Retention: []float64{110.0 / 120, 99.0 / 120}},
			{Cohort: "2024-11", Size: 100, Retained: []int64{95}, Retention: []float64{0.95}},
			{Cohort: "2024-12", Size: 80, Retained: []int64{}, Retention: []float64{}},
		},
		Notes:         []string{"expansion and contraction MRR are zero for <b>some</b> months"},
		RevenueAtRisk: ptr(12345.678),
		GrossMargin:   0.8,
	}
}

// structure lists, in document order, the headings, table captions, table
// header rows, SVG titles and notes of a page, then the number of <svg>
// elements: the shape of the page without its pixels.
func structure(t *testing.T, page []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var (
		out             []string
		text            strings.Builder
		collect         string // element whose text is being collected
		inThead, inNote bool
		svgs, depth     int
		svgDepth        = -1
		ths             []string
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("page does not parse: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			n := tk.Name.Local
			switch {
			case n == "svg":
				svgs++
				svgDepth = depth
			case n == "title" && svgDepth >= 0 && depth == svgDepth+1:
				collect = "svg title"
				text.Reset()
			case n == "h1" || n == "h2" || n == "h3" || n == "caption":
				collect = n
				text.Reset()
			case n == "thead":
				inThead = true
			case n == "th" && inThead:
				collect = "th"
				text.Reset()
			case n == "p":
				for _, a := range tk.Attr {
					if a.Name.Local == "class" && a.Value == "note" {
						inNote = true
						collect = "note"
						text.Reset()
					}
				}
			}
		case xml.CharData:
			if collect != "" {
				text.Write(tk)
			}
		case xml.EndElement:
			n := tk.Name.Local
			switch {
			case n == "svg" && depth == svgDepth:
				svgDepth = -1
			case collect == "th" && n == "th":
				ths = append(ths, strings.TrimSpace(text.String()))
				collect = ""
			case n == "thead":
				out = append(out, "header row: "+strings.Join(ths, " | "))
				ths, inThead = nil, false
			case collect == "note" && n == "p" && inNote:
				out = append(out, "note: "+strings.TrimSpace(text.String()))
				collect, inNote = "", false
			case collect != "" && collect != "th" && collect != "note" && (n == collect || (collect == "svg title" && n == "title")):
				out = append(out, collect+": "+strings.Join(strings.Fields(text.String()), " "))
				collect = ""
			}
			depth--
		}
	}
	out = append(out, fmt.Sprintf("svg elements: %d", svgs))
	return strings.Join(out, "\n") + "\n"
}

func TestGolden(t *testing.T) {
	page, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	got := structure(t, page)
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("page structure differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

func TestSections(t *testing.T) {
	page, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		`<h2 id="summary-h">Summary</h2>`,
		`<h2 id="candidates-h">Candidates</h2>`,
		`<h2 id="ranking-h">Ranking: ROC and precision-recall curves</h2>`,
		`<h2 id="calibration-h">Calibration</h2>`,
		`<h2 id="lift-h">Lift by decile</h2>`,
		`<h2 id="importance-h">Feature importance</h2>`,
		`<h2 id="data-h">Training data</h2>`,
		// each plot is inline SVG with an accessible title
		`<figure id="fig-roc">`, `<title id="roc-title">ROC curve`,
		`<figure id="fig-pr">`, `<title id="pr-title">Precision-recall curve`,
		`<figure id="fig-calibration">`, `<title id="calibration-title">Calibration plot`,
		`<figure id="fig-lift">`, `<title id="lift-title">Lift by decile`,
		`<figure id="fig-importance">`, `<title id="importance-title">Feature importance`,
		// figures from the report
		`<th scope="row">ROC AUC</th><td>0.9312</td>`,
		`<th scope="row">Decision threshold</th><td>0.3125</td>`,
		`<th scope="row">Expected calibration error (ECE)</th><td>0.0123</td>`,
		`<th scope="row">Rows for unknown customers</th><td>7</td>`,
		`<th scope="row">Date range</th><td>2024-01-01 to 2024-12-31</td>`,
		`<th scope="row">Snapshots</th><td>3 (2024-03-01 to 2024-09-01)</td>`,
		`gbt beats logistic by 0.0497 ROC AUC (0.9312 against 0.8815).`,
		`<td class="num">-0.0497</td>`,
		`<td class="num">reference</td>`,
		`<td class="err">golearn: not enough rows</td>`,
		`(method: isotonic)`,
		`<td class="num">0.0410</td><td class="num">0.0123</td>`,
		`The 20 most important of 25 features`,
		`events&lt;2024&gt;.csv`,
		// the plot text is drawn as SVG text
		`>False positive rate</text>`, `>cancel_page_visits_7d</text>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(s, "<svg "); n != 6 {
		t.Errorf("%d <svg> elements, want 6", n)
	}
	if n := strings.Count(s, "<title id="); n != 6 {
		t.Errorf("%d SVG titles, want 6", n)
	}
	// 20 bars in the importance plot: the 21st feature (feature_20) is not drawn.
	if strings.Contains(s, ">feature_20<") || !strings.Contains(s, ">feature_19</text>") {
		t.Error("importance plot should show exactly the top 20 features")
	}
}

func TestSelfContained(t *testing.T) {
	page, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ToLower(string(page))
	for _, bad := range []string{"http://", "https://", "//cdn", "<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "<?xml"} {
		if strings.Contains(s, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(s, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("link to %q leaves the page", m[1])
		}
	}
}

func TestEscaping(t *testing.T) {
	page, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "<script") {
		t.Fatal("feature name with <script> is not escaped")
	}
	// once in the importance table (html/template), once in the plot (vgsvg)
	table := `<td>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td>`
	svg := `>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</text>`
	if !strings.Contains(s, table) {
		t.Errorf("escaped feature name missing from the table: want %s", table)
	}
	if !strings.Contains(s, svg) {
		t.Errorf("escaped feature name missing from the plot: want %s", svg)
	}
}

func TestDeterministic(t *testing.T) {
	a, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	b, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same report differ")
	}
	d1, d2 := t.TempDir(), t.TempDir()
	for _, d := range []string{d1, d2} {
		if err := Write(d, sample()); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{HTMLFile, MetricsFile} {
		x, err1 := os.ReadFile(filepath.Join(d1, f))
		y, err2 := os.ReadFile(filepath.Join(d2, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two writes", f)
		}
		if f == HTMLFile && !bytes.Equal(x, a) {
			t.Errorf("written %s differs from HTML()", f)
		}
	}
}

func TestMetricsRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models", "v1") // Write creates it
	r := sample()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var back model.Report
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("metrics.json does not round-trip:\ngot  %+v\nwant %+v", back, *r)
	}
	// Without NaNs the file is exactly what encoding/json writes.
	std, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, append(std, '\n')) {
		t.Errorf("metrics.json differs from json.MarshalIndent:\n%s\nwant:\n%s", raw, std)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("%d files in %s, want report.html and metrics.json only (no temporary files)", len(entries), dir)
	}
}

// broken is a report with NaN and infinite figures, empty curves and bins,
// a failed chosen candidate and no data summary.
func broken() *model.Report {
	return &model.Report{
		Version: "v-nan", Chosen: "logistic", Threshold: math.NaN(),
		Candidates: []model.Candidate{
			{Name: "gbt", FitSeconds: math.NaN(), Error: "diverged"},
			{Name: "logistic", Metrics: model.Evaluation{ROCAUC: math.NaN(), Brier: math.Inf(1)}},
		},
		Validation: model.Evaluation{
			ROCAUC: math.NaN(), PRAUC: math.NaN(), LogLoss: math.Inf(1),
			ECE:         math.NaN(),
			ROC:         model.Curve{X: []float64{math.NaN(), 0}, Y: []float64{0}}, // mismatched, NaN: nothing to draw
			PR:          model.Curve{},
			Calibration: []model.Bin{{MeanPredicted: math.NaN(), Observed: 0.1, Count: 3}, {}, {MeanPredicted: 0.5, Observed: 0.4, Count: 2}},
			Deciles:     []model.Decile{{Decile: 1, Rows: 1, Lift: math.NaN(), Rate: math.Inf(-1)}},
		},
		Calibration: model.CalibrationSummary{BrierBefore: math.NaN(), ECEAfter: math.Inf(1)},
		Importance:  []model.FeatureImportance{{Feature: "", Importance: math.NaN()}, {Feature: "a\nb", Importance: 0.5}},
	}
}

func TestNaNAndEmpty(t *testing.T) {
	dir := t.TempDir()
	r := broken()
	if err := Write(dir, r); err != nil {
		t.Fatalf("Write with NaN figures: %v", err)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Error("page shows NaN or Inf instead of n/a")
	}
	for _, want := range []string{
		`<th scope="row">ROC AUC</th><td>n/a</td>`,
		`<th scope="row">Decision threshold</th><td>n/a</td>`,
		`<th scope="row">Expected calibration error (ECE)</th><td>n/a</td>`,
		`<th scope="row">Created</th><td>n/a</td>`,
		`<th scope="row">Files</th><td>n/a</td>`,
		`<td class="err">diverged</td>`,
		`(method: n/a)`,
		`not drawn, no data (n/a).`,
		`<td class="num">n/a</td>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// ROC and PR have nothing to draw; calibration (one point), lift and
	// importance are drawn.
	if n := strings.Count(s, "<svg "); n != 3 {
		t.Errorf("%d <svg> elements, want 3", n)
	}
	if got := structure(t, page); !strings.Contains(got, "note: ROC curve of logistic") || !strings.Contains(got, "note: Precision-recall curve") {
		t.Errorf("missing-plot notes not in structure:\n%s", got)
	}

	raw, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ece": null`, `"threshold": null`, `"fit_seconds": null`, `"roc_auc": null`, `"importance": null`, `"brier": null`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("metrics.json lacks %s", want)
		}
	}
	var back model.Report
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Validation.ECE != 0 || back.Importance[1].Importance != 0.5 || back.Validation.Calibration[0].Observed != 0.1 || back.Candidates[0].Error != "diverged" {
		t.Errorf("metrics.json read back wrong: %+v", back)
	}
}

// TestDegenerate covers figures gonum finds awkward: all importances zero,
// a one-point curve, a single decile with zero lift.
func TestDegenerate(t *testing.T) {
	r := &model.Report{
		Chosen:     "gbt",
		Validation: model.Evaluation{ROC: model.Curve{X: []float64{0.5}, Y: []float64{0.5}}, Deciles: []model.Decile{{Decile: 1}}},
		Importance: []model.FeatureImportance{{Feature: "a", Importance: 0}, {Feature: "b", Importance: math.NaN()}},
	}
	page, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, id := range []string{"roc", "lift", "importance"} {
		if !strings.Contains(s, `<title id="`+id+`-title">`) {
			t.Errorf("%s plot not drawn", id)
		}
	}
	if n := strings.Count(s, "not drawn"); n != 2 {
		t.Errorf("%d missing-plot notes, want 2 (pr, calibration)", n)
	}
}

func TestEmptyReport(t *testing.T) {
	page, err := HTML(&model.Report{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if n := strings.Count(s, "<svg "); n != 0 {
		t.Errorf("%d <svg> elements for an empty report, want 0", n)
	}
	if n := strings.Count(s, "not drawn, no data (n/a)."); n != 5 {
		t.Errorf("%d missing-plot notes, want 5", n)
	}
	if !strings.Contains(s, "No candidates recorded (n/a).") {
		t.Error("empty candidates not reported")
	}
	if err := Write(t.TempDir(), nil); !errors.Is(err, ErrNilReport) {
		t.Errorf("Write(nil) = %v, want ErrNilReport", err)
	}
	if _, err := HTML(nil); !errors.Is(err, ErrNilReport) {
		t.Errorf("HTML(nil) = %v, want ErrNilReport", err)
	}
}

// TestLargeCurves checks the page size with 400-point curves and 300
// features, the most Assess and the trainer produce.
func TestLargeCurves(t *testing.T) {
	r := sample()
	const n = 400
	var roc, pr model.Curve
	for i := 0; i < n; i++ {
		x := float64(i) / (n - 1)
		roc.X, roc.Y = append(roc.X, x), append(roc.Y, math.Sqrt(x))
		pr.X, pr.Y = append(pr.X, x), append(pr.Y, 1-0.85*x*x)
	}
	r.Validation.ROC, r.Validation.PR = roc, pr
	for i := 0; i < 300; i++ {
		r.Importance = append(r.Importance, model.FeatureImportance{Feature: fmt.Sprintf("a_rather_long_feature_name_number_%03d_of_the_model", i), Importance: 1e-4})
	}
	page, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) > 1<<20 {
		t.Errorf("page is %d bytes, want under 1 MiB", len(page))
	}
	js, err := MetricsJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report.html %d bytes, metrics.json %d bytes", len(page), len(js))
	if strings.Contains(string(page), "_of_the_model</text>") {
		t.Error("long feature names should be shortened on the plot axis")
	}
}

func TestFmtNum(t *testing.T) {
	for _, c := range []struct {
		f    float64
		d    int
		want string
	}{
		{0.93125, 4, "0.9313"},
		{1, 2, "1.00"},
		{-0.00001, 4, "0.0000"},
		{-0.25, 2, "-0.25"},
		{math.NaN(), 4, "n/a"},
		{math.Inf(1), 4, "n/a"},
		{math.Inf(-1), 0, "n/a"},
	} {
		if got := fmtNum(c.f, c.d); got != c.want {
			t.Errorf("fmtNum(%v, %d) = %q, want %q", c.f, c.d, got, c.want)
		}
	}
	if got := fmtSigned(0.05, 2); got != "+0.05" {
		t.Errorf("fmtSigned(0.05) = %q", got)
	}
}

func TestChurnSection(t *testing.T) {
	page, err := HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		`<li><a href="#churn">Churn figures (actual and predicted)</a></li>`,
		`<h2 id="churn-h">Churn figures (actual and predicted)</h2>`,
		`2024-10 to 2024-12`,
		`CLV uses a gross margin of 0.80. Revenue at risk: 12345.68.`,
		// 2024-10: every column, in order (html/template writes "+" as &#43;)
		`<tr><th scope="row">2024-10</th><td class="num">2000</td><td class="num">120 (&#43;5)</td><td class="num">95</td><td class="num">4.65%</td>` +
			`<td class="num">100000.00</td><td class="num">4000.00</td><td class="num">500.00</td><td class="num">1500.00</td>` +
			`<td class="num">4.50%</td><td class="num">3.00%</td><td class="num">97.00%</td><td class="num">1075.27</td><td class="num">90.00</td><td class="num">0.97</td></tr>`,
		// a negative net MRR churn rate and an NRR above 100%
		`<td class="num">-1.25%</td><td class="num">101.25%</td>`,
		// 2024-12 has no CLV and no prediction
		`<td class="num">n/a</td><td class="num">n/a</td><td class="num">n/a</td></tr>`,
		`<tr class="overall"><th scope="row">overall</th><td class="num">2000</td><td class="num">300 (&#43;5)</td><td class="num">225</td><td class="num">3.66%</td>`,
		`<td class="num">165.50</td><td class="num">1.02</td></tr>`,
		// cohorts: 12 age columns, unknown ages empty
		`<th scope="col">Size</th><th scope="col">1</th>`, `<th scope="col">12</th></tr></thead>`,
		`<tr><th scope="row">2024-10</th><td class="num">120</td><td class="num">91.67%</td><td class="num">82.50%</td><td class="num"></td>`,
		`<tr><th scope="row">2024-12</th><td class="num">80</td>` + strings.Repeat(`<td class="num"></td>`, 12) + `</tr>`,
		// notes, escaped
		`<li>expansion and contraction MRR are zero for &lt;b&gt;some&lt;/b&gt; months</li>`,
		// the plot, with its dashed predicted line and month labels
		`<figure id="fig-churn">`, `<title id="churn-title">Monthly churn rates 2024-10 to 2024-12`,
		`>predicted churn rate</text>`, `>gross MRR churn rate</text>`, `>2024-11</text>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(s, "<b>some") {
		t.Error("note markup is not escaped")
	}
	// The section follows the training data, before the footer.
	data, churn, footer := strings.Index(s, `id="data-h"`), strings.Index(s, `id="churn-h"`), strings.Index(s, "<footer>")
	if !(data < churn && churn < footer) {
		t.Errorf("section order: data at %d, churn at %d, footer at %d", data, churn, footer)
	}
	// Only the predicted line is dashed in the churn plot.
	fig := s[strings.Index(s, `<figure id="fig-churn">`):]
	fig = fig[:strings.Index(fig, "</figure>")]
	if n := strings.Count(fig, "stroke-dasharray:"); n < 2 { // the line and its legend thumbnail
		t.Errorf("churn plot has %d dashed strokes, want the predicted line and its legend entry", n)
	}
}

func TestChurnAbsent(t *testing.T) {
	r := sample()
	r.Churn = nil
	page, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, bad := range []string{`href="#churn"`, `id="churn"`, "Churn figures", "fig-churn", "Cohort retention"} {
		if strings.Contains(s, bad) {
			t.Errorf("page without a churn table contains %q", bad)
		}
	}
	if n := strings.Count(s, "<svg "); n != 5 {
		t.Errorf("%d <svg> elements, want 5", n)
	}
	js, err := MetricsJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(js, []byte(`"churn"`)) {
		t.Error(`metrics.json has a "churn" field for a nil table (omitempty)`)
	}
}

func TestChurnJSON(t *testing.T) {
	js, err := MetricsJSON(sample())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"churn": {`, `"customer_churn_rate": 0.0465`, `"predicted_churn": null`, `"retention": []`, `"revenue_at_risk": 12345.678`} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("metrics.json lacks %s", want)
		}
	}
	var back model.Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Churn, churnSample()) {
		t.Errorf("churn table does not round-trip:\ngot  %+v\nwant %+v", back.Churn, churnSample())
	}
}

// TestChurnNaN: non-finite figures in a hand-made table, behind pointers and
// inside slices, are null in metrics.json and n/a on the page; a table
// without months draws no plot.
func TestChurnNaN(t *testing.T) {
	r := sample()
	r.Churn = &metrics.Table{
		Months:        []metrics.MonthFigures{{Month: "2025-01", CustomersStart: 0, CustomerChurnRate: ptr(math.NaN()), CLV: ptr(math.Inf(1)), MRRStart: math.NaN()}},
		Overall:       metrics.Overall{From: "2025-01", To: "2025-01", NRR: ptr(math.Inf(-1))},
		Cohorts:       []metrics.CohortRow{{Cohort: "2025-01", Size: 3, Retained: []int64{2}, Retention: []float64{math.NaN()}}},
		RevenueAtRisk: ptr(math.NaN()),
	}
	js, err := MetricsJSON(r)
	if err != nil {
		t.Fatalf("MetricsJSON with NaN churn figures: %v", err)
	}
	for _, want := range []string{`"customer_churn_rate": null`, `"clv": null`, `"mrr_start": null`, `"nrr": null`, `"revenue_at_risk": null`, `"notes": null`} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("metrics.json lacks %s", want)
		}
	}
	if !regexp.MustCompile(`"retention": \[\s*null\s*\]`).Match(js) {
		t.Error("NaN retention share is not null in metrics.json")
	}
	var back model.Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if c := back.Churn; c == nil || c.Months[0].CustomerChurnRate != nil || c.Months[0].CLV != nil || c.Overall.NRR != nil || c.RevenueAtRisk != nil || c.Cohorts[0].Retained[0] != 2 {
		t.Errorf("churn read back wrong: %+v", back.Churn)
	}

	page, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Error("page shows NaN or Inf instead of n/a")
	}
	if !strings.Contains(s, `<tr><th scope="row">2025-01</th><td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">n/a</td><td class="num">n/a</td>`) {
		t.Error("NaN month figures not shown as n/a")
	}
	if !strings.Contains(s, `Monthly churn rates 2025-01 to 2025-01: customer churn rate, gross and net MRR churn rate, and the predicted customer churn rate: not drawn, no data (n/a).`) {
		t.Error("a churn table without a known rate should not be plotted")
	}
	if strings.Contains(s, "<h3>Notes</h3>") {
		t.Error("notes heading without notes")
	}

	r.Churn = &metrics.Table{}
	page, err = HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	s = string(page)
	for _, want := range []string{`<h2 id="churn-h">`, `<tr class="overall"><th scope="row">overall</th>`, "No signup cohorts in the range (n/a).", `fig-churn`, "not drawn, no data (n/a)."} {
		if !strings.Contains(s, want) {
			t.Errorf("empty churn table: page lacks %q", want)
		}
	}
}

// TestChurnPlotGaps draws months with lone and missing rates, and many
// months, without failing, and labels at most maxMonthTicks of them.
func TestChurnPlotGaps(t *testing.T) {
	var months []metrics.MonthFigures
	for i := 0; i < 60; i++ {
		m := metrics.MonthFigures{Month: fmt.Sprintf("%04d-%02d", 2020+i/12, i%12+1), CustomersStart: 100}
		if i%3 != 1 { // lone known months between gaps
			m.CustomerChurnRate = ptr(0.01 * float64(i%7))
		}
		if i >= 30 {
			m.PredictedChurn = ptr(float64(i % 5))
		}
		months = append(months, m)
	}
	f := churnFigure(&metrics.Table{Months: months, Overall: metrics.Overall{From: "2020-01", To: "2024-12"}})
	if f.SVG == nil {
		t.Fatalf("not drawn: %s", f.Missing)
	}
	svg := string(f.SVG)
	labels := regexp.MustCompile(`>20\d\d-\d\d</text>`).FindAllString(svg, -1)
	if len(labels) == 0 || len(labels) > maxMonthTicks {
		t.Errorf("%d month labels, want 1..%d", len(labels), maxMonthTicks)
	}
	if !strings.Contains(svg, ">2020-01</text>") {
		t.Error("first month not labelled")
	}
}

func TestFmtPct(t *testing.T) {
	for _, c := range []struct {
		p    *float64
		want string
	}{
		{ptr(0.0465), "4.65%"},
		{ptr(1), "100.00%"},
		{ptr(-0.0125), "-1.25%"},
		{ptr(-0.000001), "0.00%"},
		{nil, "n/a"},
		{ptr(math.NaN()), "n/a"},
		{ptr(math.Inf(1)), "n/a"},
	} {
		if got := fmtPct(c.p); got != c.want {
			t.Errorf("fmtPct(%v) = %q, want %q", c.p, got, c.want)
		}
	}
}
