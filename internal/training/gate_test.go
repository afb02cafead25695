package training

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/testenv"
)

// rebuiltRow is one validation row rebuilt from the raw data.
type rebuiltRow struct {
	i     int
	asOf  time.Time
	label float64
}

// rebuildValidation rebuilds the validation rows of the fit of neu from the
// raw data, as the gate did before it kept the fit's own rows: in time mode
// every customer active at each snapshot from Meta.ValidationFrom, in static
// mode the stratified validation share of the labelled customers.
func rebuildValidation(t *testing.T, ds *data.Dataset, neu *model.Artifact) []rebuiltRow {
	t.Helper()
	var rows []rebuiltRow
	if neu.Meta.Mode == data.ModeTime {
		for _, s := range neu.Meta.Snapshots {
			if s < neu.Meta.ValidationFrom {
				continue
			}
			at, err := time.Parse(time.DateOnly, s)
			if err != nil {
				t.Fatal(err)
			}
			at = signals.DayStart(signals.DayNumber(at))
			for i := range ds.Customers {
				if ds.Customers[i].ActiveAt(at) {
					rows = append(rows, rebuiltRow{i, at, Label(&ds.Customers[i], at, neu.Meta.HorizonDays)})
				}
			}
		}
		return rows
	}
	var idx []int
	var y []float64
	for i, l := range ds.Labels {
		if l >= 0 {
			idx = append(idx, i)
			y = append(y, float64(l))
		}
	}
	_, valid := StratifiedSplit(y, 0.2, neu.Meta.Seed)
	asOf := AsOf(ds, neu, true)
	for _, k := range valid {
		rows = append(rows, rebuiltRow{idx[k], asOf, y[k]})
	}
	return rows
}

// scoreRebuilt measures a on rows, building each vector with a's schema.
func scoreRebuilt(t *testing.T, ds *data.Dataset, a *model.Artifact, rows []rebuiltRow) model.Evaluation {
	t.Helper()
	y := make([]float64, len(rows))
	p := make([]float64, len(rows))
	x := make([]float64, a.Schema.Len())
	for k, r := range rows {
		prof := ProfileAt(ds, r.i, r.asOf)
		a.Schema.Vector(&prof, ds.Histories[r.i], r.asOf, x)
		y[k], p[k] = r.label, a.Probability(x)
	}
	m, err := model.Evaluate(y, p, a.Threshold)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkSameFigures requires the gate's comparison of res against cur to
// give exactly the figures of the rows rebuilt from the raw data: the
// current model scored on them, the new one's recorded validation figures.
func checkSameFigures(t *testing.T, ds *data.Dataset, res *Result, cur *model.Artifact, method string) {
	t.Helper()
	neu := res.Artifact
	c, err := compare(ds, res, cur)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.method, method) {
		t.Fatalf("method %q, want %q", c.method, method)
	}
	rows := rebuildValidation(t, ds, neu)
	if len(rows) != neu.Meta.ValidationRows || c.rows != len(rows) {
		t.Fatalf("gate on %d rows, rebuilt %d, fit validated on %d", c.rows, len(rows), neu.Meta.ValidationRows)
	}
	want := scoreRebuilt(t, ds, cur, rows)
	if c.curAUC != want.ROCAUC || c.curLogLoss != want.LogLoss {
		t.Errorf("current model on the fit's rows: ROC AUC %v log loss %v; on the rebuilt rows %v %v", c.curAUC, c.curLogLoss, want.ROCAUC, want.LogLoss)
	}
	if v := neu.Meta.Validation; c.newAUC != v.ROCAUC || c.newLogLoss != v.LogLoss {
		t.Errorf("new model: ROC AUC %v log loss %v; recorded %v %v", c.newAUC, c.newLogLoss, v.ROCAUC, v.LogLoss)
	}
	t.Logf("%d rows (%s): new %.4f/%.4f, current %.4f/%.4f", c.rows, c.method, c.newAUC, c.newLogLoss, c.curAUC, c.curLogLoss)
}

// TestGateReusesValidationTime: in time mode the gate measures the current
// model on the fit's own validation rows, with exactly the figures of the
// rows rebuilt from the raw data, and decides by the tolerances.
func TestGateReusesValidationTime(t *testing.T) {
	testenv.SkipUnderRace(t)
	gen := func(end string) *data.Dataset {
		dir := filepath.Join(t.TempDir(), end)
		e, _ := time.Parse(time.DateOnly, end)
		if _, err := synth.Generate(dir, synth.Config{Customers: 400, Days: 240, End: e, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		ds, err := data.Load(dir, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	cfg := Config{Seed: 5, EveryDays: 10}
	// The current model saw outcomes up to 2026-03-31 only: before the new
	// fit's validation snapshots, so it is measured on them.
	old, err := Fit(gen("2026-03-31"), cfg, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ds := gen("2026-06-30")
	res, err := Fit(ds, cfg, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cur := old.Artifact
	cur.Version, res.Artifact.Version = "v-old", "v-new"
	checkSameFigures(t, ds, res, cur, "the new fit's validation snapshots from "+res.Artifact.Meta.ValidationFrom)

	for _, c := range []struct {
		name    string
		o       GateOptions
		promote bool
		prefix  string
	}{
		{"within tolerance", GateOptions{TolAUC: 1, TolLogLoss: 1}, true, "not worse than the current model on "},
		{"beyond tolerance", GateOptions{TolAUC: -1, TolLogLoss: -1}, false, "[ROC AUC worse log loss worse] beyond tolerance on "},
		{"forced", GateOptions{TolAUC: -1, TolLogLoss: -1, Force: true}, true, "forced despite [ROC AUC worse log loss worse] on "},
	} {
		d := Gate(ds, res, cur, nil, c.o)
		if d.Promote != c.promote || !strings.HasPrefix(d.Reason, c.prefix) || !strings.Contains(d.Reason, "vs current v-old") {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
}

// TestGateReusesValidationStatic: in static mode the gate measures the
// current model on the fit's stratified validation customers, with exactly
// the figures of the customers drawn again from the raw data.
func TestGateReusesValidationStatic(t *testing.T) {
	testenv.SkipUnderRace(t)
	f, err := os.Open("../../testdata/mlc_churn/customers.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// part loads the customers of lines from..to-1 (after the header).
	part := func(from, to int) *data.Dataset {
		dir := filepath.Join(t.TempDir(), "part")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		o, err := os.Create(filepath.Join(dir, "customers.csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(o)
		w.Write(lines[0])
		w.WriteAll(lines[1+from : 1+to])
		if err := o.Close(); err != nil || w.Error() != nil {
			t.Fatal(err, w.Error())
		}
		ds, err := data.Load(dir, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old, err := Fit(part(0, 2000), Config{Seed: 2}, now)
	if err != nil {
		t.Fatal(err)
	}
	ds := part(1500, len(lines)-1)
	res, err := Fit(ds, Config{Seed: 3}, now)
	if err != nil {
		t.Fatal(err)
	}
	old.Artifact.Version = "v-old"
	checkSameFigures(t, ds, res, old.Artifact, "the new fit's stratified validation customers")

	// Fitted on the same data, the current model is judged by its recorded
	// figures instead.
	same := *res.Artifact
	same.Version = "v-same"
	c, err := compare(ds, res, &same)
	if err != nil || !strings.HasPrefix(c.method, "the current model was fitted on the same data") || c.curAUC != res.Artifact.Meta.Validation.ROCAUC {
		t.Errorf("same data: %+v, %v", c, err)
	}
}

// TestGateWithoutCurrentModel: the gate promotes the first model, replaces a
// current model that does not load, and passes the version already current.
func TestGateWithoutCurrentModel(t *testing.T) {
	res := &Result{Artifact: &model.Artifact{Version: "v2"}}
	for _, c := range []struct {
		cur    *model.Artifact
		err    error
		reason string
	}{
		{nil, model.ErrNoModel, "first model"},
		{nil, errors.Join(model.ErrCorrupt, errors.New("load model x: bad json")), "the current model does not load (corrupt model artifact\nload model x: bad json); replaced"},
		{&model.Artifact{Version: "v2"}, nil, "already current"},
	} {
		d := Gate(nil, res, c.cur, c.err, GateOptions{})
		if !d.Promote || d.Reason != c.reason {
			t.Errorf("current %v, err %v: %+v; want promoted with %q", c.cur, c.err, d, c.reason)
		}
	}
}

// TestTrain runs two training rounds on one registry: the first model is
// promoted; the second, fitted on the same data (so compared by the recorded
// figures) and held to an impossible tolerance, is rejected and kept. Both
// have their status and report, and the second the drift of its training
// data against the first.
func TestTrain(t *testing.T) {
	testenv.SkipUnderRace(t)
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := synth.Generate(dir, synth.Config{Customers: 300, Days: 200, End: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), Seed: 4}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := model.Registry{Dir: filepath.Join(t.TempDir(), "models")}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	o := TrainOptions{Config: Config{Seed: 1}, Now: func() time.Time { return at }}
	first, err := Train(ds, reg, o)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Decision.Promote || first.Decision.Reason != "first model" || first.Current != first.Artifact.Version || reg.Current() != first.Artifact.Version {
		t.Fatalf("first round: %+v, current %q", first.Decision, reg.Current())
	}
	if len(first.Artifact.Meta.TrainingDrift) != 0 {
		t.Errorf("first round measured drift: %v", first.Artifact.Meta.TrainingDrift)
	}
	at = at.Add(time.Hour)
	o.Gate = GateOptions{TolAUC: -1} // always worse: rejected
	second, err := Train(ds, reg, o)
	if err != nil {
		t.Fatal(err)
	}
	if second.Decision.Promote || second.Current != first.Artifact.Version || reg.Current() != first.Artifact.Version {
		t.Fatalf("second round: %+v, current %q", second.Decision, reg.Current())
	}
	if !strings.Contains(second.Decision.Reason, "both models' recorded out-of-sample validation figures") {
		t.Errorf("second round compared by %q", second.Decision.Reason)
	}
	if len(second.Artifact.Meta.TrainingDrift) == 0 {
		t.Error("second round measured no drift against the first")
	}
	for _, r := range []*TrainResult{first, second} {
		a, err := reg.Load(r.Artifact.Version)
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]model.Status{true: model.StatusCurrent, false: model.StatusRejected}[r.Decision.Promote]
		if a.Meta.Status != want || a.Meta.StatusReason != r.Decision.Reason {
			t.Errorf("%s: status %q %q, want %q %q", a.Version, a.Meta.Status, a.Meta.StatusReason, want, r.Decision.Reason)
		}
		if _, err := os.Stat(filepath.Join(r.Dir, "report.html")); err != nil {
			t.Errorf("%s: %v", r.Dir, err)
		}
	}
	// A held lock stops a round before it writes anything.
	unlock, err := reg.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := Train(ds, reg, o); !errors.Is(err, model.ErrLocked) {
		t.Errorf("round under a held lock: %v", err)
	}
}
