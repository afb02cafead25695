package training

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// smallDataset: three customers with daily usage from 2026-01-01; b churns on
// 2026-05-10 (its usage stops a week before), c signs up on 2026-04-15.
func smallDataset() *data.Dataset {
	agg := signals.NewAggregator()
	ds := &data.Dataset{Mode: data.ModeTime, HasEvents: map[data.EventFile]bool{"usage": true}}
	ds.Customers = []features.Profile{
		{ID: "a", SignupAt: ptr(date("2025-06-01"))},
		{ID: "b", SignupAt: ptr(date("2025-06-01")), ChurnedAt: ptr(date("2026-05-10"))},
		{ID: "c", SignupAt: ptr(date("2026-04-15"))},
	}
	ds.Labels = []int8{-1, -1, -1}
	ds.Histories = make([]signals.History, 3)
	for d := date("2026-01-01"); !d.After(date("2026-06-29")); d = d.AddDate(0, 0, 1) {
		for i, p := range ds.Customers {
			if !p.ActiveAt(d) || (p.ChurnedAt != nil && d.After(p.ChurnedAt.AddDate(0, 0, -7))) {
				continue
			}
			e := signals.Event{Type: signals.TypeUsage, CustomerID: p.ID, Timestamp: d.Add(10 * time.Hour), Quantity: 1}
			ds.Histories[i].Add(agg.Day(&e))
		}
	}
	ds.Start, ds.End = date("2025-06-01"), date("2026-06-29").Add(10*time.Hour)
	ds.Revenue = [][]data.MonthMRR{
		{{Month: 2026*12 + 2, MRR: 10}, {Month: 2026*12 + 3, MRR: 20}}, // 2026-03: 10, 2026-04: 20
		nil, nil,
	}
	return ds
}

func TestSnapshotsAndLabels(t *testing.T) {
	ds := smallDataset()
	days, err := Snapshots(ds, Config{HorizonDays: 30, LookbackDays: 60, EveryDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	// Data end is 2026-06-30 (the day after the last event); the last snapshot
	// has a full horizon after it, the first a full lookback before it.
	var got []string
	for _, d := range days {
		got = append(got, signals.DayStart(d).Format(time.DateOnly))
	}
	want := []string{"2026-03-02", "2026-04-01", "2026-05-01", "2026-05-31"}
	if len(got) != len(want) {
		t.Fatalf("snapshots %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("snapshots %v, want %v", got, want)
		}
	}
	if _, err := Snapshots(ds, Config{HorizonDays: 100, LookbackDays: 100}); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("too short data: %v, want ErrNotEnoughData", err)
	}
	b := &ds.Customers[1]
	cases := []struct {
		t    string
		want float64
	}{
		{"2026-04-09", 0}, {"2026-04-10", 1}, {"2026-05-01", 1}, {"2026-05-09", 1}, {"2026-05-10", 0},
	}
	for _, c := range cases {
		if got := Label(b, date(c.t), 30); got != c.want {
			t.Errorf("label at %s = %v, want %v (churned 2026-05-10, horizon 30d)", c.t, got, c.want)
		}
	}
}

func TestTimeRowsPointInTime(t *testing.T) {
	ds := smallDataset()
	schema := features.NewSchema(ds.Customers, features.SchemaOptions{Behaviour: true, LookbackDays: 60})
	days, _ := Snapshots(ds, Config{HorizonDays: 30, LookbackDays: 60, EveryDays: 30})
	rows := TimeRows(ds, schema, days, 30)
	type key struct {
		day string
		id  string
	}
	y := map[key]float64{}
	usage7 := map[key]float64{}
	i7 := schema.Index(features.Usage7d)
	for r := range rows.Y {
		k := key{signals.DayStart(rows.Day[r]).Format(time.DateOnly), ds.Customers[rows.Customer[r]].ID}
		y[k] = rows.Y[r]
		usage7[k] = rows.X[r][i7]
	}
	// c is not active before its signup; b not after its churn.
	if _, ok := y[key{"2026-04-01", "c"}]; ok {
		t.Error("c has a row before its signup")
	}
	if _, ok := y[key{"2026-05-31", "b"}]; ok {
		t.Error("b has a row after its churn")
	}
	if y[key{"2026-05-01", "b"}] != 1 || y[key{"2026-04-01", "b"}] != 0 || y[key{"2026-05-01", "a"}] != 0 {
		t.Errorf("labels: %v", y)
	}
	// b's usage stopped on 2026-05-04: the 05-01 snapshot sees 7 days of
	// usage before it, not the stop that came after.
	if usage7[key{"2026-05-01", "b"}] != 7 || usage7[key{"2026-05-31", "a"}] != 7 {
		t.Errorf("usage_7d: %v", usage7)
	}
	// Rows are identical however many goroutines fill them (Vector is pure).
	again := TimeRows(ds, schema, days, 30)
	for r := range rows.X {
		for j := range rows.X[r] {
			a, b := rows.X[r][j], again.X[r][j]
			if a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Fatalf("row %d feature %d differs: %v vs %v", r, j, a, b)
			}
		}
	}
}

func TestProfileAtUsesPastRevenue(t *testing.T) {
	ds := smallDataset()
	ds.Customers[0].MRR = ptr(99.0)
	cases := []struct {
		at   string
		want float64
	}{{"2026-03-15", 10}, {"2026-04-01", 10}, {"2026-04-02", 20}, {"2026-06-01", 20}}
	for _, c := range cases {
		p := ProfileAt(ds, 0, date(c.at))
		if p.MRR == nil || *p.MRR != c.want {
			t.Errorf("MRR at %s = %v, want %v", c.at, p.MRR, c.want)
		}
	}
	if p := ProfileAt(ds, 0, date("2026-02-01")); p.MRR != nil {
		t.Errorf("MRR before any revenue month = %v, want missing", *p.MRR)
	}
	if p := ProfileAt(ds, 1, date("2026-04-01")); p.ChurnedAt != nil {
		t.Error("ProfileAt leaks churned_at")
	}
}

func TestStratifiedSplit(t *testing.T) {
	y := make([]float64, 1000)
	for i := range y {
		if i%10 == 0 {
			y[i] = 1
		}
	}
	train, valid := StratifiedSplit(y, 0.2, 7)
	if len(train) != 800 || len(valid) != 200 {
		t.Fatalf("sizes %d/%d", len(train), len(valid))
	}
	pos := 0
	for _, i := range valid {
		pos += int(y[i])
	}
	if pos != 20 {
		t.Errorf("validation holds %d positives, want 20", pos)
	}
	t2, v2 := StratifiedSplit(y, 0.2, 7)
	t3, _ := StratifiedSplit(y, 0.2, 8)
	same := func(a, b []int) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return len(a) == len(b)
	}
	if !same(train, t2) || !same(valid, v2) {
		t.Error("same seed, different split")
	}
	if same(train, t3) {
		t.Error("another seed gave the same split")
	}
}
