package export

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
)

// TestRoundTrip: files -> store (the API's bulk load) -> export -> files
// gives the same training rows (features and labels) as the original files,
// on the embedded store and on Redis.
func TestRoundTrip(t *testing.T) {
	for _, kind := range []string{"mem", "redis"} {
		t.Run(kind, func(t *testing.T) { roundTrip(t, kind) })
	}
}

func roundTrip(t *testing.T, kind string) {
	dir := t.TempDir()
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(filepath.Join(dir, "in"), synth.Config{Customers: 400, Days: 200, End: end, Seed: 12}); err != nil {
		t.Fatal(err)
	}
	ds1, err := data.Load(filepath.Join(dir, "in"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return end.Add(36 * time.Hour) }
	var st interface {
		Source
		app.Importer
	}
	if kind == "mem" {
		st = store.NewMem(store.MemOptions{Now: now, RetentionDays: 100000})
	} else {
		url, prefix := redistest.URL(t), redistest.Prefix(t)
		redistest.Cleanup(t, url, nil, prefix)
		r, err := store.NewRedis(context.Background(), store.RedisOptions{URL: url, Prefix: prefix, Now: now, RetentionDays: 100000})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		st = r
	}
	if _, err := dataload.Load(context.Background(), st, ds1, dataload.Options{AsOf: now()}); err != nil {
		t.Fatal(err)
	}
	sum, err := Write(context.Background(), st, filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exported %+v", sum)
	ds2, err := data.Load(filepath.Join(dir, "out"), data.Options{})
	if err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	if len(ds2.Customers) != len(ds1.Customers) || ds2.Mode != ds1.Mode {
		t.Fatalf("%d customers (%s), want %d (%s)", len(ds2.Customers), ds2.Mode, len(ds1.Customers), ds1.Mode)
	}
	cfg := training.Config{}
	schema := features.NewSchema(ds1.Customers, features.SchemaOptions{Behaviour: true, LookbackDays: 90})
	days1, err := training.Snapshots(ds1, cfg)
	if err != nil {
		t.Fatal(err)
	}
	days2, err := training.Snapshots(ds2, cfg)
	if err != nil || len(days2) != len(days1) || days2[len(days2)-1] != days1[len(days1)-1] {
		t.Fatalf("snapshots %v (%v), want %v", days2, err, days1)
	}
	// Customers in the same order on both sides.
	order := make([]int, len(ds1.Customers))
	for i, c := range ds1.Customers {
		j, ok := ds2.Index[c.ID]
		if !ok {
			t.Fatalf("customer %s missing from the export", c.ID)
		}
		order[i] = j
	}
	x1 := make([]float64, schema.Len())
	x2 := make([]float64, schema.Len())
	rows := 0
	for _, d := range days1 {
		at := signals.DayStart(d)
		for i := range ds1.Customers {
			if !ds1.Customers[i].ActiveAt(at) {
				continue
			}
			j := order[i]
			if !ds2.Customers[j].ActiveAt(at) {
				t.Fatalf("%s active at %s in the files, not in the export", ds1.Customers[i].ID, at)
			}
			p1, p2 := training.ProfileAt(ds1, i, at), training.ProfileAt(ds2, j, at)
			schema.Vector(&p1, ds1.Histories[i], at, x1)
			schema.Vector(&p2, ds2.Histories[j], at, x2)
			for k := range x1 {
				a, b := x1[k], x2[k]
				if !(a == b || (math.IsNaN(a) && math.IsNaN(b)) || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a))) {
					t.Fatalf("%s at %s: %s is %v from the files, %v from the export", ds1.Customers[i].ID, at.Format(time.DateOnly), schema.Names[k], a, b)
				}
			}
			if training.Label(&ds1.Customers[i], at, 30) != training.Label(&ds2.Customers[j], at, 30) {
				t.Fatalf("%s: labels differ at %s", ds1.Customers[i].ID, at)
			}
			rows++
		}
	}
	t.Logf("%d training rows compared over %d snapshots", rows, len(days1))
	if rows < 500 {
		t.Fatalf("only %d rows compared", rows)
	}
}

func TestTicketSentiments(t *testing.T) {
	cases := []signals.Day{
		{Tickets: 1, SentimentSum: -0.4, SentimentMin: -0.4, NegTickets: 1},
		{Tickets: 3, SentimentSum: 0.9, SentimentMin: 0.1, NegTickets: 0},
		{Tickets: 4, SentimentSum: -1.3, SentimentMin: -0.9, NegTickets: 2},
		{Tickets: 5, SentimentSum: -2.2, SentimentMin: -0.8, NegTickets: 4},
		{Tickets: 3, SentimentSum: 0.5, SentimentMin: -0.6, NegTickets: 1},
	}
	for _, d := range cases {
		out := ticketSentiments(d)
		var back signals.Day
		for _, s := range out {
			if s < -1 || s > 1 {
				t.Errorf("%+v: sentiment %v out of range", d, s)
			}
			x := signals.Day{Tickets: 1, SentimentSum: s, SentimentMin: s}
			if s < signals.NegativeSentiment {
				x.NegTickets = 1
			}
			back.Merge(x)
		}
		if back.Tickets != d.Tickets || back.NegTickets != d.NegTickets || back.SentimentMin != d.SentimentMin || math.Abs(back.SentimentSum-d.SentimentSum) > 1e-12 {
			t.Errorf("%+v -> %v -> %+v", d, out, back)
		}
	}
}
