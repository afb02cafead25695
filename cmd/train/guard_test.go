package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/testenv"

	"github.com/churnrisk/churn/internal/model"
)

// leakyMLC writes testdata/mlc_churn plus two leaky columns to dir: status
// (churned/active, the label in words) and cancel_date (a date for
// churners, empty otherwise).
func leakyMLC(t *testing.T, dir string) {
	t.Helper()
	rows := readCSV(t, "../../testdata/mlc_churn/customers.csv")
	label := slices.Index(rows[0], "churned")
	out := [][]string{append(rows[0], "status", "cancel_date")}
	for i, r := range rows[1:] {
		status, date := "active", ""
		if r[label] == "yes" {
			status, date = "churned", fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)
		}
		out = append(out, append(r, status, date))
	}
	writeCustomers(t, dir, out)
}

// currentMeta returns the metadata of the current version under models.
func currentMeta(t *testing.T, models string) model.Metadata {
	t.Helper()
	return readMeta(t, models, strings.TrimSpace(string(must(os.ReadFile(filepath.Join(models, "current"))))))
}

// TestLeakyColumnsLeftOut is the acceptance of the leakage guard:
// mlc_churn with a status column derived from the label and a cancel_date
// column: fit leaves both out and names them, and the chosen model's
// validation ROC AUC stays below 0.95 (it is 1.0000 with the status kept).
// Evaluating on the training files says the figures are in-sample.
func TestLeakyColumnsLeftOut(t *testing.T) {
	testenv.SkipUnderRace(t)
	if testing.Short() {
		t.Skip("fits mlc_churn twice")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	leakyMLC(t, data)
	models := filepath.Join(dir, "models")
	code, out, errs := runCmd(t, "fit", "--data", data, "--out", models)
	if code != 0 {
		t.Fatalf("fit: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{
		`leakage guard: column "cancel_date" holds dates, not categories: left out (--date-attribute cancel_date`,
		`leakage guard: feature attr_status_churned (column "status") predicts churn alone (validation ROC AUC 1.0000), a sign of leakage: left out (--allow-feature status keeps it)`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("fit stderr lacks %q:\n%s", want, errs)
		}
	}
	m := currentMeta(t, models)
	for _, f := range m.Features {
		if strings.HasPrefix(f, "attr_status") || strings.HasPrefix(f, "attr_cancel_date") {
			t.Errorf("feature %s kept", f)
		}
	}
	dropped := map[string]float64{}
	for _, g := range m.Guard {
		if g.Action == model.GuardDropped {
			dropped[g.Feature] = g.AUC
		} else {
			t.Errorf("unexpected guard finding %+v (no legitimate mlc_churn feature predicts churn alone)", g)
		}
	}
	if a, ok := dropped["attr_status_churned"]; !ok || a != 1 || len(dropped) != 3 {
		t.Errorf("dropped %v, want cancel_date, attr_status_active and attr_status_churned (AUC 1)", dropped)
	}
	if _, ok := dropped["cancel_date"]; !ok {
		t.Errorf("dropped %v lacks cancel_date", dropped)
	}
	if m.Validation.ROCAUC >= 0.95 || m.Validation.ROCAUC < 0.85 {
		t.Errorf("validation ROC AUC %.4f, want in [0.85, 0.95)", m.Validation.ROCAUC)
	}
	t.Logf("chosen %s, validation ROC AUC %.4f", m.Chosen, m.Validation.ROCAUC)
	report := string(must(os.ReadFile(filepath.Join(models, m.Version, "report.html"))))
	if !strings.Contains(report, "attr_status_churned") || !strings.Contains(report, "cancel_date") {
		t.Error("report.html does not list the left-out features")
	}

	// Evaluating on the training files: in-sample, said so.
	code, out, errs = runCmd(t, "evaluate", "--data", data, "--model", models)
	if code != 0 || !strings.Contains(out, "IN-SAMPLE: the data is the model's training data") {
		t.Errorf("evaluate on the training data: exit %d, no in-sample note:\n%s\n%s", code, out, errs)
	}

	// Allowed, the status is kept and the model learns the label from it.
	allowed := filepath.Join(dir, "allowed")
	if code, out, errs := runCmd(t, "fit", "--data", data, "--out", allowed, "--allow-feature", "status"); code != 0 {
		t.Fatalf("fit --allow-feature: exit %d\n%s\n%s", code, out, errs)
	}
	m = currentMeta(t, allowed)
	var actions []string
	for _, g := range m.Guard {
		actions = append(actions, g.Feature+":"+g.Action)
	}
	if got := strings.Join(actions, " "); got != "cancel_date:dropped attr_status_active:allowed attr_status_churned:allowed" {
		t.Errorf("guard with --allow-feature status: %s", got)
	}
	if m.Validation.ROCAUC < 0.99 {
		t.Errorf("with the status kept, validation ROC AUC %.4f, want ~1", m.Validation.ROCAUC)
	}
}

// TestNoSharedFeatures: scoring or evaluating data that has none of the
// model's inputs says so instead of "not enough data".
func TestNoSharedFeatures(t *testing.T) {
	dir := t.TempDir()
	train := filepath.Join(dir, "train")
	splitCSV(t, "../../testdata/mlc_churn/customers.csv", train, func(i int) bool { return i < 1500 })
	models := filepath.Join(dir, "models")
	if code, out, errs := runCmd(t, "fit", "--data", train, "--out", models); code != 0 {
		t.Fatalf("fit: exit %d\n%s\n%s", code, out, errs)
	}
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "customers.csv"), []byte("customer_id,churned,colour\nc1,yes,red\nc2,no,blue\n"), 0o644)
	for _, args := range [][]string{
		{"evaluate", "--data", other, "--model", models},
		{"score", "--data", other, "--model", models, "--out", filepath.Join(dir, "s.csv")},
	} {
		code, _, errs := runCmd(t, args...)
		if code != 2 || !strings.Contains(errs, "the data has none of the model's features: the model ") || !strings.Contains(errs, "account_length, area_code") {
			t.Errorf("%s: exit %d, stderr %q", args[0], code, errs)
		}
	}
	// Held-out customers of the same file: not in-sample.
	held := filepath.Join(dir, "held")
	splitCSV(t, "../../testdata/mlc_churn/customers.csv", held, func(i int) bool { return i >= 1500 })
	code, out, errs := runCmd(t, "evaluate", "--data", held, "--model", models, "--json")
	if code != 0 || strings.Contains(out, "in_sample") {
		t.Errorf("held-out evaluate: exit %d, %s %s", code, out, errs)
	}
	code, out, _ = runCmd(t, "evaluate", "--data", train, "--model", models, "--json")
	if code != 0 || !strings.Contains(out, `"in_sample": "the data is the model's training data`) {
		t.Errorf("in-sample evaluate --json: exit %d, %s", code, out)
	}
}
