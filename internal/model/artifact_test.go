package model

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// testArtifact fits a small logistic model on the numeric attributes a and b,
// where a raises the risk and b lowers it.
func testArtifact(t *testing.T) *Artifact {
	t.Helper()
	var profiles []features.Profile
	for i := 0; i < 40; i++ {
		profiles = append(profiles, features.Profile{Attributes: map[string]string{"a": "1", "b": "2"}})
	}
	s := features.NewSchema(profiles, features.SchemaOptions{})
	var X [][]float64
	var y []float64
	for i := 0; i < 400; i++ {
		a, b := float64(i%20), float64((i*7)%13)
		X = append(X, []float64{a, b})
		if a-b+float64(i%5)-2 > 5 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	l, err := FitLogistic(X, y, LogisticConfig{L2: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	return &Artifact{Kind: KindLogistic, Schema: s, Learner: l, Calibration: Identity, Threshold: 0.4, MediumThreshold: 0.2,
		Meta: Metadata{CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Mode: "static", Features: s.Names}}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a := testArtifact(t)
	vdir, err := Save(dir, a, true)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(vdir) != "20260102T030405Z" {
		t.Errorf("version dir %s", vdir)
	}
	// A second save in the same second gets its own version.
	a2 := testArtifact(t)
	vdir2, err := Save(dir, a2, false)
	if err != nil || filepath.Base(vdir2) != "20260102T030405Z-2" {
		t.Fatalf("second save: %s, %v", vdir2, err)
	}
	for _, path := range []string{dir, filepath.Join(dir, CurrentFile), vdir} {
		b, err := Load(path)
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		if b.Version != "20260102T030405Z" {
			t.Errorf("load %s: version %s (current must still name the first)", path, b.Version)
		}
		x := []float64{15, 1}
		if pa, pb := a.Probability(x), b.Probability(x); math.Abs(pa-pb) > 1e-12 {
			t.Errorf("load %s: probability %v, saved model gave %v", path, pb, pa)
		}
	}
}

func TestLoadRefusesBadArtifacts(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(t *testing.T, vdir string)
		want   error
	}{
		{"truncated json", func(t *testing.T, vdir string) { truncate(t, filepath.Join(vdir, ModelFile)) }, ErrCorrupt},
		{"missing metadata", func(t *testing.T, vdir string) { os.Remove(filepath.Join(vdir, MetadataFile)) }, ErrCorrupt},
		{"future format", func(t *testing.T, vdir string) {
			replace(t, filepath.Join(vdir, ModelFile), `"format_version": 1`, `"format_version": 99`)
		}, ErrIncompatible},
		{"unknown learner", func(t *testing.T, vdir string) {
			replace(t, filepath.Join(vdir, ModelFile), `"learner": "logistic"`, `"learner": "quantum"`)
		}, ErrIncompatible},
		{"renamed feature", func(t *testing.T, vdir string) {
			replace(t, filepath.Join(vdir, ModelFile), `"attr_a"`, `"attr_z"`)
		}, ErrIncompatible},
		{"bad threshold", func(t *testing.T, vdir string) {
			replace(t, filepath.Join(vdir, ModelFile), `"threshold": 0.4`, `"threshold": 4`)
		}, ErrCorrupt},
		{"pointer to nowhere", func(t *testing.T, vdir string) {
			os.WriteFile(filepath.Join(filepath.Dir(vdir), CurrentFile), []byte("../../etc\n"), 0o644)
		}, ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			vdir, err := Save(dir, testArtifact(t), true)
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(t, vdir)
			_, err = Load(dir)
			if !errors.Is(err, c.want) {
				t.Fatalf("Load: %v, want %v", err, c.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nothing")); !errors.Is(err, ErrNoModel) {
		t.Errorf("missing models dir: %v, want ErrNoModel", err)
	}
}

func truncate(t *testing.T, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b[:len(b)/2], 0o644)
}

func replace(t *testing.T, path, old, new string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
}

func TestPredictDrivers(t *testing.T) {
	a := testArtifact(t)
	high := a.Predict([]float64{19, 0}, 5)
	low := a.Predict([]float64{0, 12}, 5)
	if !(high.Score > a.Threshold && high.Flagged && high.RiskLevel == RiskHigh) {
		t.Errorf("high: %+v", high)
	}
	if !(low.Score < a.MediumThreshold && !low.Flagged && low.RiskLevel == RiskLow) {
		t.Errorf("low: %+v", low)
	}
	if len(high.Drivers) != 2 || high.Drivers[0].Feature != "attr_a" || high.Drivers[0].Contribution <= 0 {
		t.Fatalf("high drivers %+v", high.Drivers)
	}
	if high.Drivers[0].Reason != "a is 19" || *high.Drivers[0].Value != 19 {
		t.Errorf("driver %+v", high.Drivers[0])
	}
	// Contributions add up, with the base value, to the log-odds.
	x := []float64{7, 3}
	out := make([]float64, 2)
	base := a.Learner.Contributions(x, out)
	if got, want := base+out[0]+out[1], a.Learner.Raw(x); math.Abs(got-want) > 1e-9 {
		t.Errorf("base+contributions %v, raw %v", got, want)
	}
	// A missing value has no value in its driver and does not crash.
	p := a.Predict([]float64{math.NaN(), 3}, 5)
	for _, d := range p.Drivers {
		if d.Feature == "attr_a" && d.Value != nil {
			t.Errorf("missing value reported as %v", *d.Value)
		}
	}
}
