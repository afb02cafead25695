package training

import (
	"bytes"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/testenv"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/synth"
)

var (
	genOnce sync.Once
	genDS   *data.Dataset
	genRes  *Result
	genErr  error
)

// generated trains once on a generated behavioural data set large enough
// for a validation part of more than 5,000 rows.
func generated(t *testing.T) (*data.Dataset, *Result) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains on 10,000 generated customers")
	}
	genOnce.Do(func() {
		dir := filepath.Join(t.TempDir(), "gen")
		end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		if _, genErr = synth.Generate(dir, synth.Config{Customers: 10000, Days: 240, End: end, Seed: 5}); genErr != nil {
			return
		}
		if genDS, genErr = data.Load(dir, data.Options{}); genErr != nil {
			return
		}
		genRes, genErr = Fit(genDS, Config{Seed: 1}, end)
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genDS, genRes
}

func candidateMetrics(t *testing.T, a *model.Artifact, name string) model.Candidate {
	t.Helper()
	for _, c := range a.Meta.Candidates {
		if c.Name == name {
			if c.Error != "" {
				t.Fatalf("%s failed: %s", name, c.Error)
			}
			return c
		}
	}
	t.Fatalf("no candidate %s in %+v", name, a.Meta.Candidates)
	return model.Candidate{}
}

// TestGeneratedQuality: on behavioural data the boosted trees beat the
// logistic regression on validation ROC AUC, and the chosen model is
// calibrated (ECE <= 0.02 on more than 5,000 validation rows).
func TestGeneratedQuality(t *testing.T) {
	_, res := generated(t)
	a := res.Artifact
	gbt := candidateMetrics(t, a, CandGBT)
	lr := candidateMetrics(t, a, CandLogistic)
	t.Logf("validation rows %d; GBT ROC AUC %.4f, logistic %.4f; chosen %s ECE %.4f (before calibration %.4f)",
		a.Meta.ValidationRows, gbt.Metrics.ROCAUC, lr.Metrics.ROCAUC, a.Meta.Chosen, res.Report.Validation.ECE, res.Report.Calibration.ECEBefore)
	if a.Meta.ValidationRows < 5000 {
		t.Fatalf("validation rows %d < 5000", a.Meta.ValidationRows)
	}
	if gbt.Metrics.ROCAUC <= lr.Metrics.ROCAUC {
		t.Errorf("GBT ROC AUC %.4f does not beat logistic %.4f", gbt.Metrics.ROCAUC, lr.Metrics.ROCAUC)
	}
	if e := res.Report.Validation.ECE; !(e <= 0.02) {
		t.Errorf("ECE of the chosen model %.4f > 0.02", e)
	}
	if len(res.Report.Importance) == 0 || res.Report.Importance[0].Importance <= 0 {
		t.Errorf("no feature importance: %+v", res.Report.Importance)
	}
}

// TestExplanationsAddUp checks base + contributions = calibrated log-odds to
// 1e-9 for every validation-like row, and that raising a customer's
// cancel-page visits makes that a driver.
func TestExplanationsAddUp(t *testing.T) {
	ds, res := generated(t)
	a := res.Artifact
	end := DataEnd(ds)
	x := make([]float64, a.Schema.Len())
	contrib := make([]float64, a.Schema.Len())
	checked := 0
	for i := range ds.Customers {
		if !ds.Customers[i].ActiveAt(end) || i%7 != 0 {
			continue
		}
		p := ProfileAt(ds, i, end)
		pred := a.ScoreInto(x, &p, ds.Histories[i], end, len(x)) // every feature a driver
		base := a.Learner.Contributions(x, contrib)
		sum := base
		for _, c := range contrib {
			sum += c
		}
		if d := math.Abs(sum - a.Learner.Raw(x)); d > 1e-9 {
			t.Fatalf("customer %s: base + contributions - raw = %g", p.ID, d)
		}
		// The same holds for the drivers after calibration, on all features.
		calBase := a.Calibration.Apply(base)
		total := calBase
		for _, d := range pred.Drivers {
			total += d.Contribution
		}
		if d := math.Abs(total - logit(pred.Score)); d > 1e-9 {
			t.Fatalf("customer %s: calibrated base + drivers - logit(score) = %g", p.ID, d)
		}
		checked++
	}
	if checked < 100 {
		t.Fatalf("only %d customers checked", checked)
	}

	// A customer without risk-page visits, then with three cancel-page visits.
	cancel := a.Schema.Index("visits_cancel_30d")
	days := a.Schema.Index("risk_visit_days_30d")
	for i := range ds.Customers {
		if !ds.Customers[i].ActiveAt(end) {
			continue
		}
		p := ProfileAt(ds, i, end)
		first := a.ScoreInto(x, &p, ds.Histories[i], end, 5)
		if x[cancel] != 0 || x[days] != 0 || first.Flagged {
			continue
		}
		before := first.Score
		h := append(signals.History(nil), ds.Histories[i]...)
		agg := signals.NewAggregator()
		for k := 1; k <= 3; k++ {
			e := signals.Event{Type: signals.TypePageView, CustomerID: p.ID, Timestamp: end.AddDate(0, 0, -k), Path: "/account/cancel"}
			h.Add(agg.Day(&e))
		}
		pred := a.Score(&p, h, end)
		t.Logf("%s: %.3f -> %.3f, drivers %+v", p.ID, before, pred.Score, pred.Drivers)
		if pred.Score <= before {
			t.Errorf("cancel-page visits did not raise the score: %.3f -> %.3f", before, pred.Score)
		}
		found := false
		for _, d := range pred.Drivers {
			if (d.Feature == "visits_cancel_30d" || d.Feature == "risk_visit_days_30d") && d.Contribution > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("cancel-page visits are not among the drivers: %+v", pred.Drivers)
		}
		return
	}
	t.Fatal("no active customer without risk-page visits")
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// TestReloadScoresExactly saves the trained artifact, loads it back, and
// compares every score and contribution bit for bit.
func TestReloadScoresExactly(t *testing.T) {
	ds, res := generated(t)
	dir := t.TempDir()
	a := res.Artifact
	if _, err := model.Save(dir, a, true); err != nil {
		t.Fatal(err)
	}
	b, err := model.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	end := DataEnd(ds)
	x := make([]float64, a.Schema.Len())
	for i := range ds.Customers {
		if i%11 != 0 {
			continue
		}
		p := ProfileAt(ds, i, end)
		pa := a.ScoreInto(x, &p, ds.Histories[i], end, 5)
		pb := b.Predict(x, 5)
		if pa.Score != pb.Score || len(pa.Drivers) != len(pb.Drivers) {
			t.Fatalf("customer %s: %v before saving, %v after loading", p.ID, pa.Score, pb.Score)
		}
		for k := range pa.Drivers {
			if pa.Drivers[k].Contribution != pb.Drivers[k].Contribution || pa.Drivers[k].Feature != pb.Drivers[k].Feature {
				t.Fatalf("customer %s driver %d: %+v vs %+v", p.ID, k, pa.Drivers[k], pb.Drivers[k])
			}
		}
	}
	again, err := b.MarshalModel()
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := a.MarshalModel()
	if !bytes.Equal(orig, again) {
		t.Error("a loaded model marshals to different bytes")
	}
}

// TestCrossValidateMLC is the acceptance figure of the real data set:
// 5-fold CV ROC AUC >= 0.92 and Brier <= 0.040 for the chosen model.
func TestCrossValidateMLC(t *testing.T) {
	testenv.SkipUnderRace(t)
	if testing.Short() {
		t.Skip("5-fold CV of the whole training procedure")
	}
	ds, err := data.Load("../../testdata/mlc_churn", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := CrossValidate(ds, Config{Seed: 42}, 5)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Chosen
	t.Logf("chosen: ROC AUC %.4f ± %.4f, Brier %.4f, fit %.2f s per fold", c.ROCAUC.Mean, c.ROCAUC.SD, c.Brier.Mean, c.FitSeconds.Mean)
	if len(c.Folds) != 5 || c.ROCAUC.Mean < 0.92 || c.Brier.Mean > 0.040 {
		t.Errorf("mlc_churn 5-fold CV: %+v", c)
	}
	if len(res.Candidates) != 3 {
		t.Errorf("%d candidates cross-validated, want 3", len(res.Candidates))
	}
}
