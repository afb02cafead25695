package report

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
)

// topFeatures is how many features the importance plot and table show.
const topFeatures = 20

// maxLabel is the longest feature name, in runes, drawn on a plot axis; the
// importance table beside the plot shows the full name.
const maxLabel = 40

var (
	colModel = color.RGBA{R: 0x1f, G: 0x5f, B: 0xa8, A: 0xff} // blue
	colRef   = color.RGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff} // grey
	colBar   = color.RGBA{R: 0x4a, G: 0x86, B: 0xc8, A: 0xff} // light blue
	colGross = color.RGBA{R: 0xd9, G: 0x6c, B: 0x06, A: 0xff} // orange
	colNet   = color.RGBA{R: 0x2a, G: 0x8a, B: 0x3e, A: 0xff} // green
	colPred  = color.RGBA{R: 0x9b, G: 0x1c, B: 0x5c, A: 0xff} // plum
)

// maxMonthTicks is the most month labels the churn plot puts on its x axis.
const maxMonthTicks = 8

// svgHeader is the end of the opening <svg> tag vgsvg writes. The namespace
// declarations are not needed inside an HTML document, and dropping them
// keeps the page free of any URL.
const svgHeader = "\n\txmlns=\"http://www.w3.org/2000/svg\"\n\txmlns:xlink=\"http://www.w3.org/1999/xlink\">"

// figure is one rendered plot: an inline <svg> element and its description.
type figure struct {
	ID      string
	Title   string
	Caption string
	SVG     []byte // nil when there was nothing to draw
	Missing string // why SVG is nil
}

// newPlot returns a plot with sans-serif text and a light grid.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, s := range []*text.Style{
		&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle,
	} {
		s.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(8)
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	return p
}

// placeLegend puts the legend in a corner of the data area, a little way in
// from the edges.
func placeLegend(p *plot.Plot, top, left bool) {
	p.Legend.Top, p.Legend.Left = top, left
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), vg.Points(8)
	if left {
		p.Legend.XOffs = vg.Points(8)
	}
	if top {
		p.Legend.YOffs = -vg.Points(8)
	}
}

// unitAxes fixes both axes of p to [0, 1].
func unitAxes(p *plot.Plot) {
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, 1
}

// finitePoints returns the points of c whose coordinates are both finite,
// ignoring the tail of the longer slice when X and Y differ in length.
func finitePoints(c model.Curve) plotter.XYs {
	n := min(len(c.X), len(c.Y))
	pts := make(plotter.XYs, 0, n)
	for i := 0; i < n; i++ {
		if finite(c.X[i]) && finite(c.Y[i]) {
			pts = append(pts, plotter.XY{X: c.X[i], Y: c.Y[i]})
		}
	}
	return pts
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// line returns a line through pts in colour c, dashed if dashed is set.
func line(pts plotter.XYs, c color.Color, dashed bool) (*plotter.Line, error) {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.LineStyle.Color = c
	l.LineStyle.Width = vg.Points(1.5)
	if dashed {
		l.LineStyle.Width = vg.Points(1)
		l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	return l, nil
}

// render draws p on a w x h canvas and returns the <svg> element, made fit
// for inline HTML: no XML prolog, no namespace URLs, a <title> for screen
// readers and a font list that falls back to the usual sans-serif fonts.
// It returns an error if drawing fails (a panic inside gonum is recovered).
func render(p *plot.Plot, w, h vg.Length, id, title string) (svg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			svg, err = nil, fmt.Errorf("draw %s: %v", id, r)
		}
	}()
	c := vgsvg.New(w, h)
	// A margin, mostly on the right, for the last tick label and for
	// viewers whose fallback font is wider than the one gonum measured.
	p.Draw(draw.Crop(draw.New(c), vg.Points(6), -vg.Points(16), vg.Points(2), -vg.Points(4)))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("draw %s: %w", id, err)
	}
	out := buf.Bytes()
	start := bytes.Index(out, []byte("<svg "))
	if start < 0 || !bytes.Contains(out, []byte(svgHeader)) {
		return nil, fmt.Errorf("draw %s: unexpected SVG header from vgsvg", id)
	}
	out = out[start:]
	tid := id + "-title"
	open := fmt.Sprintf(` role="img" aria-labelledby="%s"><title id="%s">%s</title>`, tid, tid, html.EscapeString(title))
	out = bytes.Replace(out, []byte(svgHeader), []byte(open), 1)
	out = bytes.ReplaceAll(out, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"))
	return bytes.TrimRight(out, "\n"), nil
}

// draw fills f.SVG from build, or f.Missing with the reason it could not.
func (f *figure) draw(build func() (*plot.Plot, vg.Length, vg.Length, error)) {
	p, w, h, err := build()
	if err == nil {
		f.SVG, err = render(p, w, h, f.ID, f.Title)
	}
	if err != nil {
		f.SVG, f.Missing = nil, err.Error()
	}
}

var errNoData = errors.New("no data (n/a)")

// rocFigure plots the ROC curve of the chosen model with the diagonal of a
// random ranking.
func rocFigure(r *model.Report) figure {
	f := figure{ID: "roc", Title: "ROC curve of " + r.Chosen + " on validation data, with the diagonal of a random ranking",
		Caption: "ROC curve: true positive rate against false positive rate as the threshold falls. The dashed diagonal is a random ranking; ROC AUC " + fmtNum(r.Validation.ROCAUC, 4) + "."}
	f.draw(func() (*plot.Plot, vg.Length, vg.Length, error) {
		pts := finitePoints(r.Validation.ROC)
		if len(pts) == 0 {
			return nil, 0, 0, errNoData
		}
		p := newPlot("ROC curve", "False positive rate", "True positive rate")
		unitAxes(p)
		p.Add(plotter.NewGrid())
		diag, err := line(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, colRef, true)
		if err != nil {
			return nil, 0, 0, err
		}
		l, err := line(pts, colModel, false)
		if err != nil {
			return nil, 0, 0, err
		}
		p.Add(diag, l)
		p.Legend.Add("model (AUC "+fmtNum(r.Validation.ROCAUC, 3)+")", l)
		p.Legend.Add("random ranking", diag)
		placeLegend(p, false, false)
		return p, 4.5 * vg.Inch, 4 * vg.Inch, nil
	})
	return f
}

// baseRate returns the share of positives in the validation data, NaN when
// there are no rows.
func baseRate(m model.Evaluation) float64 {
	if m.N <= 0 {
		return math.NaN()
	}
	return float64(m.Positives) / float64(m.N)
}

// prFigure plots the precision-recall curve with the base rate: the
// precision of a random ranking.
func prFigure(r *model.Report) figure {
	base := baseRate(r.Validation)
	f := figure{ID: "pr", Title: "Precision-recall curve of " + r.Chosen + " on validation data, with the base rate",
		Caption: "Precision-recall curve: precision against recall as the threshold falls. The dashed line is the base rate " + fmtNum(base, 4) + " (a random ranking); PR AUC " + fmtNum(r.Validation.PRAUC, 4) + "."}
	f.draw(func() (*plot.Plot, vg.Length, vg.Length, error) {
		pts := finitePoints(r.Validation.PR)
		if len(pts) == 0 {
			return nil, 0, 0, errNoData
		}
		p := newPlot("Precision-recall curve", "Recall", "Precision")
		unitAxes(p)
		p.Add(plotter.NewGrid())
		l, err := line(pts, colModel, false)
		if err != nil {
			return nil, 0, 0, err
		}
		p.Add(l)
		p.Legend.Add("model (AP "+fmtNum(r.Validation.PRAUC, 3)+")", l)
		if finite(base) {
			b, err := line(plotter.XYs{{X: 0, Y: base}, {X: 1, Y: base}}, colRef, true)
			if err != nil {
				return nil, 0, 0, err
			}
			p.Add(b)
			p.Legend.Add("base rate "+fmtNum(base, 3), b)
		}
		placeLegend(p, true, false)
		return p, 4.5 * vg.Inch, 4 * vg.Inch, nil
	})
	return f
}

// calibrationFigure plots the observed churn rate against the mean predicted
// probability of each non-empty bin, labelled with its row count, beside the
// diagonal of perfect calibration.
func calibrationFigure(r *model.Report) figure {
	f := figure{ID: "calibration", Title: "Calibration plot of " + r.Chosen + ": observed churn rate against mean predicted probability per bin, with bin row counts",
		Caption: "Calibration: each point is a probability bin, at its mean predicted probability and observed churn rate, labelled n = rows in the bin. Points on the dashed diagonal are perfectly calibrated; ECE " + fmtNum(r.Validation.ECE, 4) + "."}
	f.draw(func() (*plot.Plot, vg.Length, vg.Length, error) {
		var pts plotter.XYs
		var labels []string
		for _, b := range r.Validation.Calibration {
			if b.Count > 0 && finite(b.MeanPredicted) && finite(b.Observed) {
				pts = append(pts, plotter.XY{X: b.MeanPredicted, Y: b.Observed})
				labels = append(labels, "n="+strconv.Itoa(b.Count))
			}
		}
		if len(pts) == 0 {
			return nil, 0, 0, errNoData
		}
		p := newPlot("Calibration", "Mean predicted probability", "Observed churn rate")
		unitAxes(p)
		p.Add(plotter.NewGrid())
		diag, err := line(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, colRef, true)
		if err != nil {
			return nil, 0, 0, err
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, 0, 0, err
		}
		l.LineStyle.Color, l.LineStyle.Width = colModel, vg.Points(1.5)
		s.GlyphStyle.Color, s.GlyphStyle.Shape, s.GlyphStyle.Radius = colModel, draw.CircleGlyph{}, vg.Points(3)
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
		if err != nil {
			return nil, 0, 0, err
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].Font.Variant = "Sans"
			lab.TextStyle[i].Font.Size = vg.Points(8)
			if pts[i].X > 0.7 { // keep labels near the right edge inside
				lab.TextStyle[i].XAlign = text.XRight
			}
		}
		lab.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(-12)}
		p.Add(diag, l, s, lab)
		p.Legend.Add("model", l, s)
		p.Legend.Add("perfect calibration", diag)
		placeLegend(p, true, true)
		return p, 4.5 * vg.Inch, 4 * vg.Inch, nil
	})
	return f
}

// liftFigure draws the lift of each decile as bars, with the line lift = 1
// of a random ranking.
func liftFigure(r *model.Report) figure {
	f := figure{ID: "lift", Title: "Lift by decile of " + r.Chosen + ": churn rate of each tenth of customers ranked by score, relative to the overall rate",
		Caption: "Lift by decile: decile 1 holds the tenth of customers with the highest scores. A lift of 2 means twice the overall churn rate; the dashed line is a random ranking."}
	f.draw(func() (*plot.Plot, vg.Length, vg.Length, error) {
		var vals plotter.Values
		var names []string
		for _, d := range r.Validation.Deciles {
			v := d.Lift
			if !finite(v) {
				v = 0
			}
			vals = append(vals, v)
			names = append(names, strconv.Itoa(d.Decile))
		}
		if len(vals) == 0 {
			return nil, 0, 0, errNoData
		}
		p := newPlot("Lift by decile", "Decile (1 = highest scores)", "Lift")
		p.Add(plotter.NewGrid())
		bars, err := plotter.NewBarChart(vals, vg.Points(22))
		if err != nil {
			return nil, 0, 0, err
		}
		bars.Color, bars.LineStyle.Width = colBar, 0
		one, err := line(plotter.XYs{{X: -0.5, Y: 1}, {X: float64(len(vals)) - 0.5, Y: 1}}, colRef, true)
		if err != nil {
			return nil, 0, 0, err
		}
		p.Add(bars, one)
		p.Legend.Add("random ranking (lift 1)", one)
		placeLegend(p, true, false)
		p.Y.Min = 0
		p.Y.Max *= 1.12 // room above the tallest bar for the legend
		p.NominalX(names...)
		return p, 5.5 * vg.Inch, 3.5 * vg.Inch, nil
	})
	return f
}

// plotLabel shortens a feature name for a plot axis and drops control
// characters that would break the text layout.
func plotLabel(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > maxLabel {
		s = string(rs[:maxLabel-1]) + "…"
	}
	if s == "" {
		s = "(unnamed)"
	}
	return s
}

// importanceFigure draws the top features as horizontal bars, the largest
// at the top.
func importanceFigure(r *model.Report) figure {
	top := r.Importance[:min(len(r.Importance), topFeatures)]
	f := figure{ID: "importance", Title: fmt.Sprintf("Feature importance of %s: the %d most important features", r.Chosen, len(top)),
		Caption: fmt.Sprintf("Feature importance: the %d most important of %d features, largest at the top.", len(top), len(r.Importance))}
	f.draw(func() (*plot.Plot, vg.Length, vg.Length, error) {
		if len(top) == 0 {
			return nil, 0, 0, errNoData
		}
		vals := make(plotter.Values, len(top))
		names := make([]string, len(top))
		for i, fi := range top {
			j := len(top) - 1 - i // the first (largest) at the top
			vals[j] = fi.Importance
			if !finite(vals[j]) {
				vals[j] = 0
			}
			names[j] = plotLabel(fi.Feature)
		}
		p := newPlot("Feature importance", "Importance", "")
		p.Add(plotter.NewGrid())
		bars, err := plotter.NewBarChart(vals, vg.Points(11))
		if err != nil {
			return nil, 0, 0, err
		}
		bars.Horizontal = true
		bars.Color, bars.LineStyle.Width = colBar, 0
		p.Add(bars)
		p.X.Min = math.Min(0, p.X.Min)
		p.X.Max *= 1.04
		p.NominalY(names...)
		p.Y.Tick.Length = vg.Points(5) // invisible (zero width): a gap between names and bars
		return p, 6.5 * vg.Inch, vg.Inch + vg.Length(len(top))*vg.Points(16), nil
	})
	return f
}

// series is one line of the churn plot: a value per month, nil where the
// figure is not known.
type series struct {
	name   string
	col    color.Color
	dashed bool
	vals   []*float64
}

// add draws s on p as percentages: a line through each run of consecutive
// known months (the line breaks where a month is not known) and a dot for a
// known month alone between unknown ones. It adds s to the legend and
// reports whether anything was drawn.
func (s series) add(p *plot.Plot) (bool, error) {
	var thumb *plotter.Line
	var lone plotter.XYs
	flush := func(run plotter.XYs) error {
		switch len(run) {
		case 0:
			return nil
		case 1:
			lone = append(lone, run[0])
			return nil
		}
		l, err := line(run, s.col, s.dashed)
		if err != nil {
			return err
		}
		p.Add(l)
		if thumb == nil {
			thumb = l
		}
		return nil
	}
	var run plotter.XYs
	for i, v := range s.vals {
		if v == nil || !finite(*v) {
			if err := flush(run); err != nil {
				return false, err
			}
			run = nil
			continue
		}
		run = append(run, plotter.XY{X: float64(i), Y: *v * 100})
	}
	if err := flush(run); err != nil {
		return false, err
	}
	if thumb == nil && len(lone) == 0 {
		return false, nil
	}
	if thumb == nil { // only lone months: a line style for the legend
		var err error
		if thumb, err = line(plotter.XYs{lone[0]}, s.col, s.dashed); err != nil {
			return false, err
		}
	}
	if len(lone) > 0 {
		sc, err := plotter.NewScatter(lone)
		if err != nil {
			return false, err
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = s.col, draw.CircleGlyph{}, vg.Points(2)
		p.Add(sc)
	}
	p.Legend.Add(s.name, thumb)
	return true, nil
}

// predictedRate returns the predicted customer churn rate of m: predicted
// churn over the customers at the start of the month, nil when unknown.
func predictedRate(m metrics.MonthFigures) *float64 {
	if m.PredictedChurn == nil || m.CustomersStart <= 0 {
		return nil
	}
	v := *m.PredictedChurn / float64(m.CustomersStart)
	if !finite(v) {
		return nil
	}
	return &v
}

// monthTicks labels at most maxMonthTicks of the months on the x axis,
// evenly spaced from the first.
func monthTicks(months []metrics.MonthFigures) plot.ConstantTicks {
	step := (len(months) + maxMonthTicks - 1) / maxMonthTicks
	step = max(step, 1)
	ticks := make(plot.ConstantTicks, 0, len(months))
	for i, m := range months {
		label := ""
		if i%step == 0 {
			label = plotLabel(m.Month)
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label})
	}
	return ticks
}

// churnFigure plots the monthly customer churn rate and the gross and net
// MRR churn rates, with the predicted customer churn rate dashed where it is
// known.
func churnFigure(t *metrics.Table) figure {
	f := figure{ID: "churn", Title: "Monthly churn rates " + orNA(t.Overall.From) + " to " + orNA(t.Overall.To) + ": customer churn rate, gross and net MRR churn rate, and the predicted customer churn rate",
		Caption: "Churn rates per month, in percent of the customers or MRR at the start of the month. The dashed line is the predicted customer churn rate (predicted churn over customers at the start), where predictions are known; a gap is a month without a figure."}
	f.draw(func() (*plot.Plot, vg.Length, vg.Length, error) {
		n := len(t.Months)
		if n == 0 {
			return nil, 0, 0, errNoData
		}
		all := []series{
			{name: "customer churn rate", col: colModel, vals: make([]*float64, n)},
			{name: "gross MRR churn rate", col: colGross, vals: make([]*float64, n)},
			{name: "net MRR churn rate", col: colNet, vals: make([]*float64, n)},
			{name: "predicted churn rate", col: colPred, dashed: true, vals: make([]*float64, n)},
		}
		for i, m := range t.Months {
			all[0].vals[i], all[1].vals[i], all[2].vals[i], all[3].vals[i] = m.CustomerChurnRate, m.GrossMRRChurnRate, m.NetMRRChurnRate, predictedRate(m)
		}
		p := newPlot("Churn rates by month", "Month", "Rate (%)")
		p.Add(plotter.NewGrid())
		drawn := false
		for _, s := range all {
			ok, err := s.add(p)
			if err != nil {
				return nil, 0, 0, err
			}
			drawn = drawn || ok
		}
		if !drawn {
			return nil, 0, 0, errNoData
		}
		p.X.Min, p.X.Max = -0.5, float64(n)-0.5
		p.X.Tick.Marker = monthTicks(t.Months)
		p.Y.Min = math.Min(p.Y.Min, 0)
		if p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min + 1
		}
		p.Y.Max += 0.4 * (p.Y.Max - p.Y.Min) // room above the lines for the legend
		placeLegend(p, true, false)
		return p, 6.5 * vg.Inch, 3.8 * vg.Inch, nil
	})
	return f
}
