package training

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/synth"
)

// TestFitHonoursDirections: by default the fit on behavioural data records
// the constraints, keeps the golearn forest out of the choice, and the
// chosen model's score never moves against a declared direction when one
// feature of a training row is raised through the values seen in training.
func TestFitHonoursDirections(t *testing.T) {
	_, res := generated(t)
	a := res.Artifact
	if !a.Meta.Monotone || a.Meta.Directions[features.IntentTickets90d] != "increasing" ||
		a.Meta.Directions[features.DaysSinceNegTicket] != "decreasing" {
		t.Fatalf("metadata monotone %v, directions %v", a.Meta.Monotone, a.Meta.Directions)
	}
	if _, ok := a.Meta.Directions[features.Tickets90d]; ok {
		t.Errorf("tickets_90d has a direction: %v", a.Meta.Directions)
	}
	forest := candidateMetrics(t, a, CandForest)
	if forest.Ineligible == "" || a.Meta.Chosen == CandForest {
		t.Errorf("forest ineligible %q, chosen %s", forest.Ineligible, a.Meta.Chosen)
	}
	dirs := a.Schema.Directions()
	rows := res.Rows
	x := make([]float64, a.Schema.Len())
	checked := 0
	for j, d := range dirs {
		if d == features.Unconstrained {
			continue
		}
		var vals []float64
		for _, r := range rows.X {
			vals = append(vals, r[j])
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		grid := make([]float64, 0, 41)
		for k := range 41 {
			grid = append(grid, vals[k*(len(vals)-1)/40])
		}
		for i := 0; i < rows.Len(); i += rows.Len() / 150 {
			copy(x, rows.X[i])
			prev := 0.0
			for k, v := range grid {
				x[j] = v
				r := a.Learner.Raw(x)
				if k > 0 && float64(d)*(r-prev) < 0 {
					t.Errorf("%s (%v): raw score %v at %v, %v at the value before", a.Schema.Names[j], d, r, v, prev)
					break
				}
				prev = r
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Errorf("only %d checks", checked)
	}
}

// TestFitUnconstrained: Config.Unconstrained fits without the constraints,
// says so in the metadata and lets every candidate be chosen.
func TestFitUnconstrained(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on generated data")
	}
	dir := filepath.Join(t.TempDir(), "gen")
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(dir, synth.Config{Customers: 1500, Days: 180, End: end, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []bool{false, true} {
		res, err := Fit(ds, Config{Seed: 1, Unconstrained: off}, end)
		if err != nil {
			t.Fatal(err)
		}
		m := res.Artifact.Meta
		if m.Monotone == off || len(m.Directions) == 0 {
			t.Errorf("unconstrained %v: metadata monotone %v, directions %v", off, m.Monotone, m.Directions)
		}
		for _, c := range m.Candidates {
			if (c.Ineligible != "") != (!off && c.Name == CandForest) {
				t.Errorf("unconstrained %v: %s ineligible %q", off, c.Name, c.Ineligible)
			}
		}
	}
	static := &model.Metadata{}
	recordDirections(features.NewSchema(ds.Customers, features.SchemaOptions{}), constraints(features.NewSchema(ds.Customers, features.SchemaOptions{}), Config{}), static)
	if static.Monotone || static.Directions != nil {
		t.Errorf("static schema: monotone %v, directions %v", static.Monotone, static.Directions)
	}
}
