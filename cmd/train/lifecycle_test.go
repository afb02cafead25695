package main

import (
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/testenv"

	"github.com/churnrisk/churn/internal/model"
)

// copyWithShuffledChurn copies the data directory src to dst with the
// churned_at column of customers.csv permuted among customers (labels
// destroyed, everything else intact).
func copyWithShuffledChurn(t *testing.T, src, dst string, seed uint64) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(src, "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	k := -1
	for i, h := range rows[0] {
		if h == "churned_at" {
			k = i
		}
	}
	if k < 0 {
		t.Fatal("no churned_at column")
	}
	vals := make([]string, len(rows)-1)
	for i, r := range rows[1:] {
		vals[i] = r[k]
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	rng.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
	changed := 0
	for i, r := range rows[1:] {
		if r[k] != vals[i] {
			changed++
		}
		r[k] = vals[i]
	}
	if changed < 50 {
		t.Fatalf("shuffle changed only %d labels", changed)
	}
	o, err := os.Create(filepath.Join(dst, "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(o)
	w.WriteAll(rows)
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

func readMeta(t *testing.T, models, version string) model.Metadata {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(models, version, model.MetadataFile))
	if err != nil {
		t.Fatal(err)
	}
	var m model.Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// newestVersion returns the most recently created version directory.
func newestVersion(t *testing.T, models string) string {
	t.Helper()
	vs, err := model.List(models)
	if err != nil || len(vs) == 0 {
		t.Fatalf("list %s: %v (%d versions)", models, err, len(vs))
	}
	return vs[0].Version
}

// TestPromotionGate runs the lifecycle end to end: a first model is
// promoted, a model fitted on label-shuffled data is rejected with the
// figures in its metadata, a good one is promoted, --force overrides the
// gate, `train promote` rolls back and refuses bad versions, `train models`
// lists the statuses, and the lock refuses a concurrent run.
func TestPromotionGate(t *testing.T) {
	testenv.SkipUnderRace(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	bad := filepath.Join(dir, "bad")
	models := filepath.Join(dir, "models")
	if code, out, errs := runCmd(t, "gen", "--out", good, "--customers", "400", "--days", "240", "--end", "2026-05-31", "--seed", "3"); code != 0 {
		t.Fatalf("gen: %d\n%s\n%s", code, out, errs)
	}
	copyWithShuffledChurn(t, good, bad, 7)
	fit := func(data string, extra ...string) (string, string) {
		t.Helper()
		args := append([]string{"fit", "--data", data, "--out", models, "--snapshot-every", "10d", "--seed", "5"}, extra...)
		code, out, errs := runCmd(t, args...)
		if code != 0 {
			t.Fatalf("fit %v: exit %d\n%s\n%s", extra, code, out, errs)
		}
		return out, newestVersion(t, models)
	}

	// 1. The first model is promoted.
	out, v1 := fit(good)
	if model.Current(models) != v1 || !strings.Contains(out, "(current): first model") {
		t.Fatalf("first fit not promoted: current %q, version %q\n%s", model.Current(models), v1, out)
	}
	if m := readMeta(t, models, v1); m.Status != model.StatusCurrent {
		t.Errorf("first model status %q", m.Status)
	}

	// 2. Labels shuffled: rejected, kept, current unchanged, exit 0.
	out, v2 := fit(bad)
	if v2 == v1 || model.Current(models) != v1 {
		t.Fatalf("shuffled fit: version %s, current %s (want %s)\n%s", v2, model.Current(models), v1, out)
	}
	if !strings.Contains(out, "REJECTED") || !strings.Contains(out, "models/current unchanged") {
		t.Errorf("rejection not reported:\n%s", out)
	}
	m2 := readMeta(t, models, v2)
	if m2.Status != model.StatusRejected || !strings.Contains(m2.StatusReason, "ROC AUC") || !strings.Contains(m2.StatusReason, "log loss") {
		t.Errorf("rejected metadata: status %q reason %q", m2.Status, m2.StatusReason)
	}
	m1 := readMeta(t, models, v1)
	if !(m2.Validation.ROCAUC < m1.Validation.ROCAUC-0.005) {
		t.Errorf("shuffled labels gave validation ROC AUC %.4f, current %.4f: not clearly worse", m2.Validation.ROCAUC, m1.Validation.ROCAUC)
	}
	t.Logf("rejected: %s", m2.StatusReason)

	// 3. Good data again: promoted.
	out, v3 := fit(good)
	if model.Current(models) != v3 || v3 == v1 {
		t.Fatalf("good refit not promoted: current %s, new %s\n%s", model.Current(models), v3, out)
	}
	if m := readMeta(t, models, v3); m.Status != model.StatusCurrent || !strings.Contains(m.StatusReason, "not worse") {
		t.Errorf("promoted metadata: %q %q", m.Status, m.StatusReason)
	}

	// 4. --force promotes a bad one, with the reason recorded.
	_, v4 := fit(bad, "--force")
	if model.Current(models) != v4 {
		t.Fatalf("--force: current %s, want %s", model.Current(models), v4)
	}
	if m := readMeta(t, models, v4); m.Status != model.StatusCurrent || !strings.HasPrefix(m.StatusReason, "forced despite") {
		t.Errorf("forced metadata: %q %q", m.Status, m.StatusReason)
	}

	// 5. train promote rolls back; refuses missing and corrupt versions.
	if code, out, errs := runCmd(t, "promote", "--models", models, v3); code != 0 || model.Current(models) != v3 {
		t.Fatalf("promote %s: exit %d, current %s\n%s\n%s", v3, code, model.Current(models), out, errs)
	}
	corrupt := filepath.Join(models, "19990101T000000Z")
	if err := os.CopyFS(corrupt, os.DirFS(filepath.Join(models, v1))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, model.ModelFile), []byte(`{"format_version": 1, "learner": "gbt"`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ version, msg string }{
		{"20000101T000000Z", "no model"},
		{"19990101T000000Z", "corrupt"},
		{"../x", "bad version"},
	} {
		code, _, errs := runCmd(t, "promote", "--models", models, c.version)
		if code != 2 || !strings.Contains(errs, c.msg) || model.Current(models) != v3 {
			t.Errorf("promote %s: exit %d, stderr %q, current %s; want exit 2 with %q and current %s", c.version, code, errs, model.Current(models), c.msg, v3)
		}
	}

	// 6. train models lists every version with its status.
	code, out, errs := runCmd(t, "models", "--models", models, "--json")
	if code != 0 {
		t.Fatalf("models: %d\n%s", code, errs)
	}
	var list []model.VersionInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("models --json: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, v := range list {
		got[v.Version] = v.Status
	}
	want := map[string]string{v1: "candidate", v2: "rejected", v3: "current", v4: "candidate", "19990101T000000Z": "candidate"}
	for v, s := range want {
		if got[v] != s {
			t.Errorf("models: %s status %q, want %q (all: %v)", v, got[v], s, got)
		}
	}
	if len(list) != len(want) || list[len(list)-1].Version != "19990101T000000Z" {
		t.Errorf("models: %d versions, last %q; want %d, oldest last", len(list), list[len(list)-1].Version, len(want))
	}
	code, out, _ = runCmd(t, "models", "--models", models)
	if code != 0 || !strings.Contains(out, v2) || !strings.Contains(out, "rejected") || !strings.HasPrefix(out, "version") {
		t.Errorf("models text: exit %d\n%s", code, out)
	}

	// 7. The lock refuses a concurrent run and leaves models/ alone.
	unlock, err := model.Lock(models)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := model.List(models)
	code, _, errs = runCmd(t, "fit", "--data", good, "--out", models, "--snapshot-every", "10d")
	if code != 1 || !strings.Contains(errs, "locked") || !strings.Contains(errs, "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("fit under a held lock: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCmd(t, "promote", "--models", models, v1)
	if code != 1 || !strings.Contains(errs, "locked") || model.Current(models) != v3 {
		t.Errorf("promote under a held lock: exit %d, stderr %q", code, errs)
	}
	after, _ := model.List(models)
	if len(after) != len(before) {
		t.Errorf("a locked fit wrote a version: %d -> %d", len(before), len(after))
	}
	unlock()
	if code, _, errs := runCmd(t, "promote", "--models", models, v1); code != 0 || model.Current(models) != v1 {
		t.Errorf("promote after unlock: exit %d %s", code, errs)
	}
}

// TestTrainingDriftReported: a second fit reports the drift of its training
// data against the current model's, near zero on the same data, and records
// it in the metadata.
func TestTrainingDriftReported(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	if code, out, errs := runCmd(t, "gen", "--out", dataDir, "--customers", "500", "--days", "200", "--end", "2026-05-31", "--seed", "21"); code != 0 {
		t.Fatalf("gen: %d\n%s\n%s", code, out, errs)
	}
	models := filepath.Join(dir, "models")
	if code, out, errs := runCmd(t, "fit", "--data", dataDir, "--out", models); code != 0 || strings.Contains(out, "drift of the training data") {
		t.Fatalf("first fit: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := runCmd(t, "fit", "--data", dataDir, "--out", models, "--force")
	if code != 0 || !strings.Contains(out, "drift of the training data against the current model's") {
		t.Fatalf("second fit: %d\n%s\n%s", code, out, errs)
	}
	a, err := model.Load(models)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Meta.TrainingDrift) == 0 || a.Meta.TrainingDrift[0].PSI > 0.01 {
		t.Errorf("training drift on identical data: %+v", a.Meta.TrainingDrift)
	}
}
