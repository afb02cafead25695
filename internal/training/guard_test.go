package training

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
)

func TestSoloAUC(t *testing.T) {
	nan := math.NaN()
	y := []float64{0, 0, 0, 1, 1, 1}
	cases := []struct {
		name string
		v    []float64
		want float64
	}{
		{"predicts upwards", []float64{1, 2, 3, 4, 5, 6}, 1},
		{"predicts downwards", []float64{6, 5, 4, 3, 2, 1}, 1},
		{"constant", []float64{2, 2, 2, 2, 2, 2}, 0.5},
		{"all missing", []float64{nan, nan, nan, nan, nan, nan}, 0.5},
		{"missing for churners", []float64{1, 5, 3, nan, nan, nan}, 1},
		{"present only for churners", []float64{nan, nan, nan, 1, 5, 3}, 1},
		{"ties", []float64{1, 2, 1, 2, 1, 2}, 2.0 / 3},
	}
	for _, c := range cases {
		if got := soloAUC(y, c.v); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if got := soloAUC([]float64{1, 1}, []float64{1, 2}); !math.IsNaN(got) {
		t.Errorf("one class: %v, want NaN", got)
	}
}

// guardData writes a static data set of 600 customers: seats (unrelated to
// churn), refund (present only for churners: its missingness is the label),
// hint (right for about 90% of customers), segment (a categorical with a
// level that is the label: "lost"), reason (a categorical given only for
// churners: no level predicts alone, its missingness does) and plan
// (unrelated).
func guardData(t *testing.T) *data.Dataset {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	b.WriteString("customer_id,churned,plan,seats,refund,hint,segment,reason\n")
	for i := range 600 {
		churned := i%4 == 0
		refund, hint, segment, reason := "", r.Float64(), []string{"smb", "mid"}[r.IntN(2)], ""
		if churned {
			reason = []string{"price", "support", "product"}[r.IntN(3)]
			refund = fmt.Sprint(r.IntN(100))
			hint += 0.55
			segment = "lost"
		}
		fmt.Fprintf(&b, "c%d,%v,%s,%d,%s,%.3f,%s,%s\n", i, churned, []string{"basic", "pro"}[r.IntN(2)], r.IntN(3), refund, hint, segment, reason)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "customers.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func runGuard(t *testing.T, ds *data.Dataset, cfg Config) (*Rows, model.Metadata, []string, error) {
	t.Helper()
	schema, err := newSchema(ds, cfg)
	if err != nil {
		return nil, model.Metadata{}, nil, err
	}
	meta := model.Metadata{Features: schema.Names}
	rows, err := BuildRows(ds, schema, cfg, &meta)
	if err != nil {
		t.Fatal(err)
	}
	rows, kept, err := guard(rows, schema, cfg, &meta)
	if err != nil {
		return nil, meta, nil, err
	}
	if !slices.Equal(meta.Features, kept.Names) || len(rows.X[0]) != kept.Len() {
		t.Fatalf("metadata features %v, schema %v, row width %d", meta.Features, kept.Names, len(rows.X[0]))
	}
	// The rows are what the kept schema computes for each customer.
	x := make([]float64, kept.Len())
	for k, i := range rows.Customer {
		p := ProfileAt(ds, i, staticAsOf(ds))
		kept.Vector(&p, ds.Histories[i], staticAsOf(ds), x)
		for j := range x {
			if x[j] != rows.X[k][j] && !(math.IsNaN(x[j]) && math.IsNaN(rows.X[k][j])) {
				t.Fatalf("row %d feature %s: %v, the schema computes %v", k, kept.Names[j], rows.X[k][j], x[j])
			}
		}
	}
	var found []string
	for _, g := range meta.Guard {
		found = append(found, fmt.Sprintf("%s:%s", g.Feature, g.Action))
	}
	return rows, meta, found, nil
}

func TestGuard(t *testing.T) {
	ds := guardData(t)
	_, meta, found, err := runGuard(t, ds, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"attr_hint:warned", "attr_refund:dropped", "attr_segment_lost:dropped", "missing reason:dropped"}
	if !slices.Equal(found, want) {
		t.Errorf("findings %v, want %v", found, want)
	}
	if want := []string{"plan_basic", "plan_pro", "plan_other", "attr_hint", "attr_seats"}; !slices.Equal(meta.Features, want) {
		t.Errorf("features %v, want %v", meta.Features, want)
	}
	for _, g := range meta.Guard {
		if g.Action == model.GuardDropped && (g.AUC < LeakDropAUC || !strings.Contains(g.Reason, "--allow-feature ")) {
			t.Errorf("dropped %+v: AUC below the threshold or no way to keep it", g)
		}
		if g.Action == model.GuardWarned && (g.AUC < LeakWarnAUC || g.AUC >= LeakDropAUC) {
			t.Errorf("warned %+v: AUC outside [%v, %v)", g, LeakWarnAUC, LeakDropAUC)
		}
	}

	// Allowed by column name, the refund stays; the segment still goes.
	_, meta, found, err = runGuard(t, ds, Config{Seed: 1, AllowFeatures: []string{"refund"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(found, "attr_refund:allowed") || !slices.Contains(found, "attr_segment_lost:dropped") || !slices.Contains(meta.Features, "attr_refund") {
		t.Errorf("with --allow-feature refund: findings %v, features %v", found, meta.Features)
	}

	for _, cfg := range []Config{{AllowFeatures: []string{"no_such"}}, {DateAttributes: []string{"no_such"}}} {
		if _, _, _, err := runGuard(t, ds, cfg); !errors.Is(err, data.ErrBadInput) || !strings.Contains(err.Error(), "no_such") {
			t.Errorf("%+v: error %v, want bad input naming no_such", cfg, err)
		}
	}
}

// TestGuardMasksNonAttributes: a leaky feature that is not an attribute
// column (here mrr and the plan, contract columns) stays in the schema but
// is masked: every row reads it as missing (for the plan, its whole one-hot
// block).
func TestGuardMasksNonAttributes(t *testing.T) {
	var b strings.Builder
	b.WriteString("customer_id,churned,mrr,plan,seats\n")
	for i := range 300 {
		churned := i%3 == 0
		mrr, plan := 100+i%7, []string{"basic", "pro"}[i%2]
		if churned {
			mrr, plan = i%7, "gold"
		}
		fmt.Fprintf(&b, "c%d,%v,%d,%s,%d\n", i, churned, mrr, plan, i%5)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "customers.csv"), []byte(b.String()), 0o644)
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, meta, found, err := runGuard(t, ds, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	features := []string{"mrr", "plan_basic", "plan_gold", "plan_pro", "plan_other", "attr_seats"}
	if !slices.Equal(found, []string{"mrr:dropped", "plan_gold:dropped"}) || !slices.Equal(meta.Features, features) {
		t.Fatalf("findings %v, features %v", found, meta.Features)
	}
	for _, x := range rows.X {
		for j := range 5 {
			if !math.IsNaN(x[j]) {
				t.Fatalf("masked %s reads %v", features[j], x[j])
			}
		}
	}
	_, _, found, err = runGuard(t, ds, Config{Seed: 1, AllowFeatures: []string{"plan"}})
	if err != nil || !slices.Equal(found, []string{"mrr:dropped", "plan_gold:allowed"}) {
		t.Errorf("with --allow-feature plan: findings %v, error %v", found, err)
	}
}

func TestInSample(t *testing.T) {
	a := &model.Artifact{Meta: model.Metadata{Mode: data.ModeTime, DataFingerprint: "f1", Snapshots: []string{"2026-02-01", "2026-03-01"}}}
	at := func(s string) time.Time { return must(time.Parse(time.RFC3339, s)) }
	cases := []struct {
		fingerprint, asOf, want string
	}{
		{"f1", "2026-04-01T00:00:00Z", "the data is the model's training data"},
		{"f2", "2026-03-01T00:00:00Z", "the as-of 2026-03-01 is one of the model's training snapshots"},
		{"f2", "2026-03-01T12:00:00Z", ""},
		{"f2", "2026-03-31T00:00:00Z", ""},
		{"", "2026-04-01T00:00:00Z", ""},
	}
	for _, c := range cases {
		got := InSample(&data.Dataset{Fingerprint: c.fingerprint}, a, at(c.asOf))
		if (c.want == "") != (got == "") || !strings.HasPrefix(got, c.want) {
			t.Errorf("fingerprint %q as of %s: %q, want %q", c.fingerprint, c.asOf, got, c.want)
		}
	}
	a.Meta.Mode = data.ModeStatic
	if got := InSample(&data.Dataset{Fingerprint: "f2"}, a, at("2026-03-01T00:00:00Z")); got != "" {
		t.Errorf("static mode, other data: %q", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
