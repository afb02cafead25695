package training

import (
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/synth"
)

// BenchmarkScoreOne measures scoring one customer in process: the feature
// vector from its profile and 90 days of aggregates, the probability and the
// drivers with their sentences (DESIGN.md section 9: <= 20 µs).
func BenchmarkScoreOne(b *testing.B) {
	dir := b.TempDir()
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(dir, synth.Config{Customers: 600, Days: 180, End: end, Seed: 5}); err != nil {
		b.Fatal(err)
	}
	ds, err := data.Load(dir, data.Options{})
	if err != nil {
		b.Fatal(err)
	}
	// Benchmark the gradient-boosted trees whichever learner wins here.
	cfg := Config{Seed: 1}
	cfg.defaults()
	schema := features.NewSchema(ds.Customers, features.SchemaOptions{Behaviour: true, LookbackDays: cfg.LookbackDays})
	meta := model.Metadata{Mode: ds.Mode}
	rows, err := BuildRows(ds, schema, cfg, &meta)
	if err != nil {
		b.Fatal(err)
	}
	_, all, err := fitRows(rows, schema, cfg, meta, true)
	if err != nil {
		b.Fatal(err)
	}
	a := all[CandGBT].artifact
	// The customer with the longest history.
	best := 0
	for i := range ds.Histories {
		if len(ds.Histories[i]) > len(ds.Histories[best]) {
			best = i
		}
	}
	p := ProfileAt(ds, best, end)
	h := ds.Histories[best]
	b.Logf("learner %s (%d trees), %d features, %d days of history", a.Kind, len(a.Learner.(*model.GBT).Trees), a.Schema.Len(), len(h))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		pred := a.Score(&p, h, end)
		if len(pred.Drivers) == 0 {
			b.Fatal("no drivers")
		}
	}
}
