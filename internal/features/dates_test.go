package features

import (
	"math"
	"slices"
	"testing"
	"time"
)

func datedProfiles(col string, values ...string) []Profile {
	out := make([]Profile, len(values))
	for i, v := range values {
		out[i] = Profile{ID: "c" + v}
		if v != "" {
			out[i].Attributes = map[string]string{col: v, "region": "eu"}
		}
	}
	return out
}

// TestDateColumns: a column whose values are mostly dates is left out of the
// schema (and named) unless DateAttributes names it; under 80% dates it is
// a categorical.
func TestDateColumns(t *testing.T) {
	mostly := datedProfiles("cancel_date", "2026-01-05", "2026-02-01T10:00:00Z", "2026-02-03 08:00:00Z", "2026-03-01", "soon", "")
	s := NewSchema(mostly, SchemaOptions{MinLevelRows: 1})
	if !slices.Equal(s.DateColumns, []string{"cancel_date"}) {
		t.Errorf("DateColumns = %v, want [cancel_date]", s.DateColumns)
	}
	for _, n := range s.Names {
		if n != "attr_region_eu" && n != "attr_region_other" {
			t.Errorf("feature %s kept", n)
		}
	}
	few := datedProfiles("note", "2026-01-05", "2026-02-01", "late", "early", "never")
	if s := NewSchema(few, SchemaOptions{MinLevelRows: 1}); len(s.DateColumns) != 0 || s.Index("attr_note_late") < 0 {
		t.Errorf("60%% dates: DateColumns %v, names %v; want a categorical", s.DateColumns, s.Names)
	}
	s = NewSchema(mostly, SchemaOptions{MinLevelRows: 1, DateAttributes: []string{"cancel_date"}})
	if len(s.DateColumns) != 0 || s.Index("attr_cancel_date_days_before") < 0 {
		t.Fatalf("with DateAttributes: DateColumns %v, names %v", s.DateColumns, s.Names)
	}
	// Saved and loaded, the schema describes the same names.
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
}

// TestDateAttributePointInTime moves the as-of across the date: the
// feature is the days from the date to the as-of while the date is before
// it, and missing (never a negative or future-looking value) from the date
// on.
func TestDateAttributePointInTime(t *testing.T) {
	s := NewSchema(datedProfiles("renewal", "2026-03-01"), SchemaOptions{DateAttributes: []string{"renewal"}})
	p := &Profile{ID: "c1", Attributes: map[string]string{"renewal": "2026-03-01"}}
	date := ts("2026-03-01T00:00:00Z")
	cases := []struct {
		asOf time.Time
		want float64 // NaN: missing
	}{
		{date.Add(-24 * time.Hour), math.NaN()},
		{date.Add(-time.Nanosecond), math.NaN()},
		{date, math.NaN()},
		{date.Add(time.Nanosecond), 1.0 / 86400e9},
		{date.Add(12 * time.Hour), 0.5},
		{date.Add(30 * 24 * time.Hour), 30},
	}
	for _, c := range cases {
		got := vector(s, p, nil, c.asOf)["attr_renewal_days_before"]
		if math.IsNaN(c.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-c.want) > 1e-9) {
			t.Errorf("as of %s: %v, want %v", c.asOf.Format(time.RFC3339Nano), got, c.want)
		}
	}
	// A value that is not a date, or no value, is missing.
	for _, attrs := range []map[string]string{{"renewal": "soon"}, nil} {
		if got := vector(s, &Profile{ID: "c2", Attributes: attrs}, nil, date.Add(48*time.Hour))["attr_renewal_days_before"]; !math.IsNaN(got) {
			t.Errorf("attributes %v: %v, want missing", attrs, got)
		}
	}
}

// TestWithout: attribute columns leave the schema as a whole; masked
// features stay in it but always read as missing, also after a reload.
func TestWithout(t *testing.T) {
	mrr := 10.0
	profiles := []Profile{
		{ID: "a", MRR: &mrr, Plan: "pro", Attributes: map[string]string{"status": "active", "seats": "3"}},
		{ID: "b", MRR: &mrr, Plan: "pro", Attributes: map[string]string{"status": "churned", "seats": "5"}},
	}
	s := NewSchema(profiles, SchemaOptions{MinLevelRows: 1})
	w := s.Without([]string{"status"}, []string{MRR})
	if want := []string{MRR, "plan_pro", "plan_other", "attr_seats"}; !slices.Equal(w.Names, want) {
		t.Fatalf("names %v, want %v", w.Names, want)
	}
	if got := s.AttributeFeatures("status"); !slices.Equal(got, []string{"attr_status_active", "attr_status_churned", "attr_status_other"}) {
		t.Errorf("AttributeFeatures(status) = %v", got)
	}
	if s.Index("attr_status_active") < 0 || len(s.Masked) != 0 {
		t.Error("Without changed the original schema")
	}
	for _, sch := range []*Schema{w, {LookbackDays: w.LookbackDays, MRR: w.MRR, Plan: w.Plan, Attributes: w.Attributes, Names: w.Names, Masked: w.Masked}} {
		if err := sch.Init(); err != nil {
			t.Fatal(err)
		}
		v := vector(sch, &profiles[1], nil, ts("2026-03-01T00:00:00Z"))
		if !math.IsNaN(v[MRR]) || v["attr_seats"] != 5 || v["plan_pro"] != 1 {
			t.Errorf("vector %v: want mrr masked (NaN), seats 5, plan_pro 1", v)
		}
	}
}

// TestDescribeDateAttribute: a date attribute is a number of days, not a
// one-hot level, and the block after it keeps its own column and level.
func TestDescribeDateAttribute(t *testing.T) {
	profiles := []Profile{{ID: "a", Attributes: map[string]string{"a_renewal": "2026-01-01", "b_tier": "gold"}}}
	s := NewSchema(profiles, SchemaOptions{MinLevelRows: 1, DateAttributes: []string{"a_renewal"}})
	cases := []struct {
		name string
		v    float64
		want string
	}{
		{"attr_b_tier_gold", 1, "b_tier is gold"},
		{"attr_a_renewal_days_before", 12, "a renewal was 12 days ago"},
	}
	for _, c := range cases {
		x := make([]float64, s.Len())
		x[s.Index(c.name)] = c.v
		if got := s.Describe(c.name, x); got != c.want {
			t.Errorf("Describe(%s, %v) = %q, want %q", c.name, c.v, got, c.want)
		}
	}
}
