package metrics

import (
	"reflect"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// The worked example with real customers: four customers joined in
// January for 100 of MRR; in February one (10) churns, one contracts by 10,
// one expands by 10.
func TestWorkedExample(t *testing.T) {
	feb := mo(2026, 2)
	cs := []Customer{
		life(day(2026, 1, 5), tp(day(2026, 2, 10)), MRRPoint{mo(2026, 1), 10}),
		life(day(2026, 1, 6), nil, MRRPoint{mo(2026, 1), 30}, MRRPoint{feb, 20}),
		life(day(2026, 1, 7), nil, MRRPoint{mo(2026, 1), 30}, MRRPoint{feb, 40}),
		life(day(2026, 1, 8), nil, MRRPoint{mo(2026, 1), 30}),
	}
	tab := Compute(aggregate(cs...), Options{From: feb, To: feb, RevenueHistory: true})
	mustJSON(t, tab)
	f := month(t, tab, feb)
	if f.CustomersStart != 4 || f.MRRStart != 100 || f.Churned != 1 || f.ChurnedMRR != 10 ||
		f.ContractionMRR != 10 || f.ExpansionMRR != 10 || f.CustomersEnd != 3 || f.MRREnd != 90 {
		t.Fatalf("flows: %+v", f)
	}
	eqPtr(t, "gross", f.GrossMRRChurnRate, fp(0.2))
	eqPtr(t, "net", f.NetMRRChurnRate, fp(0.1))
	eqPtr(t, "nrr", f.NRR, fp(0.9))
	eqPtr(t, "churn rate", f.CustomerChurnRate, fp(0.25))
	eqPtr(t, "arpa", f.ARPA, fp(25))
	// One month: the overall figures are the month's.
	eqPtr(t, "overall gross", tab.Overall.GrossMRRChurnRate, fp(0.2))
	eqPtr(t, "overall net", tab.Overall.NetMRRChurnRate, fp(0.1))
	if hasNote(tab, "revenue history") {
		t.Errorf("note about missing revenue history with RevenueHistory: %v", tab.Notes)
	}
}

// The aggregate of the worked example written by hand, and a net rate that
// goes negative through reactivation and expansion.
func TestRatesFromFlows(t *testing.T) {
	m := mo(2026, 5)
	tests := []struct {
		name                string
		flow                Flow
		gross, net, nrr, cr *float64
	}{
		{"worked example", Flow{Churned: 1, ChurnedMRR: 1000, ContractionMRR: 1000, ExpansionMRR: 1000}, fp(0.2), fp(0.1), fp(0.9), fp(0.25)},
		{"negative net", Flow{Reactivated: 1, ReactivationMRR: 3000, ExpansionMRR: 2000, ContractionMRR: 500}, fp(0.05), fp(-0.45), fp(1.15), fp(0)},
		{"joiner churn not in rate", Flow{New: 2, Churned: 2, ChurnedJoiners: 1}, fp(0), fp(0), fp(1), fp(0.25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Aggregate{Flows: map[Month]Flow{0: {New: 4, NewMRR: 10000}, m: tt.flow}}
			tab := Compute(a, Options{From: m, To: m, RevenueHistory: true})
			mustJSON(t, tab)
			f := month(t, tab, m)
			eqPtr(t, "gross", f.GrossMRRChurnRate, tt.gross)
			eqPtr(t, "net", f.NetMRRChurnRate, tt.net)
			eqPtr(t, "nrr", f.NRR, tt.nrr)
			eqPtr(t, "churn rate", f.CustomerChurnRate, tt.cr)
		})
	}
}

// A month without customers: every rate is null and the table encodes.
func TestNoCustomers(t *testing.T) {
	jan, jun := mo(2026, 1), mo(2026, 6)
	// Customer joins in April: January..March have nobody at their start.
	later := aggregate(life(day(2026, 4, 2), nil, MRRPoint{mo(2026, 4), 10}))
	for name, a := range map[string]Aggregate{"zero aggregate": {}, "customers later": later} {
		t.Run(name, func(t *testing.T) {
			tab := Compute(a, Options{From: jan, To: jun, Predicted: map[Month]float64{jan: 0}})
			js := mustJSON(t, tab)
			if len(tab.Months) != 6 {
				t.Fatalf("%d months, want 6", len(tab.Months))
			}
			f := month(t, tab, jan)
			for name, p := range map[string]*float64{"churn": f.CustomerChurnRate, "gross": f.GrossMRRChurnRate,
				"net": f.NetMRRChurnRate, "nrr": f.NRR, "arpa": f.ARPA, "clv": f.CLV, "ratio": f.PredictedToActual} {
				if p != nil {
					t.Errorf("%s = %v, want null", name, *p)
				}
			}
			eqPtr(t, "predicted", f.PredictedChurn, fp(0))
			if name == "zero aggregate" {
				if tab.Overall.CustomerChurnRate != nil || tab.Overall.NRR != nil || tab.Overall.CLV != nil {
					t.Errorf("overall rates not null: %s", js)
				}
				return
			}
			// May and June have the customer at their start.
			if tab.Overall.CustomerMonths != 2 || tab.Overall.MRRMonths != 20 || tab.Overall.CLV != nil || !hasNote(tab, "CLV is undefined") {
				t.Errorf("overall: %s", js)
			}
			eqPtr(t, "overall churn", tab.Overall.CustomerChurnRate, fp(0))
		})
	}
	// A reversed range: no months, a note, still valid JSON.
	tab := Compute(later, Options{From: jun, To: jan})
	mustJSON(t, tab)
	if len(tab.Months) != 0 || !hasNote(tab, "empty range") {
		t.Errorf("reversed range: %d months, notes %v", len(tab.Months), tab.Notes)
	}
}

// Churn and re-signup of the same customer through the API's upserts.
func TestChurnAndResignup(t *testing.T) {
	signup := day(2026, 1, 5)
	c := upserts(
		put{features.Profile{SignupAt: &signup, MRR: fp(50)}, day(2026, 1, 10)},
		put{features.Profile{SignupAt: &signup, MRR: fp(50), ChurnedAt: tp(day(2026, 3, 14))}, day(2026, 3, 15)},
		put{features.Profile{SignupAt: &signup, ChurnedAt: tp(day(2026, 3, 14))}, day(2026, 3, 20)}, // repeated: no change
		put{features.Profile{SignupAt: &signup, MRR: fp(70)}, day(2026, 6, 2)},                      // re-signup at now
		put{features.Profile{SignupAt: &signup, MRR: fp(70)}, day(2026, 6, 9)},                      // repeated: no change
	)
	want := Customer{
		Lifetimes: []Lifetime{{Start: signup, End: tp(day(2026, 3, 14))}, {Start: day(2026, 6, 2)}},
		MRR:       []MRRPoint{{mo(2026, 1), 50}, {mo(2026, 3), 50}, {mo(2026, 6), 70}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("customer = %+v\nwant %+v", c, want)
	}
	a := contrib(c)
	wantFlows := map[Month]Flow{
		mo(2026, 1): {New: 1, NewMRR: 5000},
		mo(2026, 3): {Churned: 1, ChurnedMRR: 5000},
		mo(2026, 6): {Reactivated: 1, ReactivationMRR: 7000},
	}
	if !reflect.DeepEqual(a.Flows, wantFlows) {
		t.Errorf("flows = %+v\nwant %+v", a.Flows, wantFlows)
	}
	// The cohort counts the first lifetime only: it ended in March, so the
	// customer is gone at the start of April (age 3).
	wantCohorts := map[CohortKey]int64{{mo(2026, 1), 0}: 1, {mo(2026, 1), 3}: 1}
	if !reflect.DeepEqual(a.Cohorts, wantCohorts) {
		t.Errorf("cohorts = %v, want %v", a.Cohorts, wantCohorts)
	}
	tab := Compute(a, Options{From: mo(2026, 1), To: mo(2026, 7)})
	mustJSON(t, tab)
	starts := []int64{0, 1, 1, 0, 0, 0, 1}
	for i, f := range tab.Months {
		if f.CustomersStart != starts[i] {
			t.Errorf("%s: customers at start %d, want %d", f.Month, f.CustomersStart, starts[i])
		}
	}
	eqPtr(t, "march churn", month(t, tab, mo(2026, 3)).CustomerChurnRate, fp(1))
	eqPtr(t, "april churn", month(t, tab, mo(2026, 4)).CustomerChurnRate, nil)
	eqPtr(t, "june net", month(t, tab, mo(2026, 6)).NetMRRChurnRate, nil) // nobody at the start of June
	if f := month(t, tab, mo(2026, 7)); f.MRRStart != 70 {
		t.Errorf("July MRR at start %v, want 70", f.MRRStart)
	}
	wantRows := []CohortRow{{Cohort: "2026-01", Size: 1, Retained: []int64{1, 1, 0, 0, 0, 0}, Retention: []float64{1, 1, 0, 0, 0, 0}}}
	if !reflect.DeepEqual(tab.Cohorts, wantRows) {
		t.Errorf("cohorts = %+v\nwant %+v", tab.Cohorts, wantRows)
	}
}

func TestUpdate(t *testing.T) {
	jan5, may20 := day(2026, 1, 5), day(2026, 5, 20)
	tests := []struct {
		name string
		old  Customer
		p    features.Profile
		now  time.Time
		want []Lifetime
	}{
		{"first call without signup starts now", Customer{}, features.Profile{}, day(2026, 2, 1),
			[]Lifetime{{Start: day(2026, 2, 1)}}},
		{"first call with churn", Customer{}, features.Profile{SignupAt: &jan5, ChurnedAt: tp(day(2026, 2, 3))}, day(2026, 2, 4),
			[]Lifetime{{Start: jan5, End: tp(day(2026, 2, 3))}}},
		{"signup corrects a lifetime opened at now", life(day(2026, 2, 1), nil), features.Profile{SignupAt: &jan5}, day(2026, 2, 4),
			[]Lifetime{{Start: jan5}}},
		{"churn moves the end of a closed lifetime", life(jan5, tp(day(2026, 2, 3))), features.Profile{ChurnedAt: tp(day(2026, 2, 9))}, day(2026, 3, 1),
			[]Lifetime{{Start: jan5, End: tp(day(2026, 2, 9))}}},
		{"churn before start is clamped", life(jan5, nil), features.Profile{ChurnedAt: tp(day(2025, 12, 1))}, day(2026, 3, 1),
			[]Lifetime{{Start: jan5, End: tp(jan5)}}},
		{"re-signup at a signup after the last end", life(jan5, tp(day(2026, 2, 3))), features.Profile{SignupAt: &may20}, day(2026, 6, 1),
			[]Lifetime{{Start: jan5, End: tp(day(2026, 2, 3))}, {Start: may20}}},
		{"re-signup never before the last end", life(jan5, tp(day(2026, 7, 3))), features.Profile{}, day(2026, 6, 1),
			[]Lifetime{{Start: jan5, End: tp(day(2026, 7, 3))}, {Start: day(2026, 7, 3)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.old.clone()
			got := Update(tt.old, tt.p, tt.now)
			if !reflect.DeepEqual(got.Lifetimes, tt.want) {
				t.Errorf("lifetimes = %+v\nwant %+v", got.Lifetimes, tt.want)
			}
			if !reflect.DeepEqual(tt.old, before) {
				t.Errorf("Update mutated its input: %+v, was %+v", tt.old, before)
			}
		})
	}
}

// MRR changes inside a month count as their net change; changes inside the
// joining month fold into the new MRR.
func TestChangesInsideMonth(t *testing.T) {
	signup := day(2026, 1, 5)
	p := func(v float64) features.Profile { return features.Profile{SignupAt: &signup, MRR: fp(v)} }
	tests := []struct {
		name  string
		steps []put
		want  map[Month]Flow
	}{
		{"two changes net out", []put{{p(100), day(2026, 1, 6)}, {p(150), day(2026, 3, 2)}, {p(100), day(2026, 3, 20)}},
			map[Month]Flow{mo(2026, 1): {New: 1, NewMRR: 10000}}},
		{"net expansion", []put{{p(100), day(2026, 1, 6)}, {p(150), day(2026, 3, 2)}, {p(120), day(2026, 3, 20)}},
			map[Month]Flow{mo(2026, 1): {New: 1, NewMRR: 10000}, mo(2026, 3): {ExpansionMRR: 2000}}},
		{"net contraction then expansion", []put{{p(100), day(2026, 1, 6)}, {p(60), day(2026, 2, 2)}, {p(90), day(2026, 4, 1)}},
			map[Month]Flow{mo(2026, 1): {New: 1, NewMRR: 10000}, mo(2026, 2): {ContractionMRR: 4000}, mo(2026, 4): {ExpansionMRR: 3000}}},
		{"changes in the joining month fold in", []put{{p(100), day(2026, 1, 6)}, {p(130), day(2026, 1, 20)}},
			map[Month]Flow{mo(2026, 1): {New: 1, NewMRR: 13000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := contrib(upserts(tt.steps...)).Flows
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("flows = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMissingMRR(t *testing.T) {
	signup := day(2026, 1, 5)
	c := Update(Customer{}, features.Profile{SignupAt: &signup}, day(2026, 1, 6))
	a := contrib(c)
	if want := map[Month]Flow{mo(2026, 1): {New: 1, MissingMRR: 1}}; !reflect.DeepEqual(a.Flows, want) {
		t.Errorf("flows = %+v, want %+v", a.Flows, want)
	}
	tab := Compute(a, Options{From: mo(2026, 1), To: mo(2026, 2)})
	mustJSON(t, tab)
	if !hasNote(tab, "1 customer joins up to 2026-02 have no MRR") || tab.Overall.MissingMRR != 1 {
		t.Errorf("notes %v, overall missing %d", tab.Notes, tab.Overall.MissingMRR)
	}
	// Customers at the start of February but MRR 0: rates of MRR are null.
	f := month(t, tab, mo(2026, 2))
	if f.CustomersStart != 1 || f.MRRStart != 0 || f.GrossMRRChurnRate != nil {
		t.Errorf("February: %+v", f)
	}
	eqPtr(t, "arpa", f.ARPA, fp(0))
	// MRR learned later is back-filled: the join carries it, no expansion.
	c = Update(c, features.Profile{MRR: fp(40)}, day(2026, 3, 3))
	if want := map[Month]Flow{mo(2026, 1): {New: 1, NewMRR: 4000}}; !reflect.DeepEqual(contrib(c).Flows, want) {
		t.Errorf("after MRR: flows = %+v, want %+v", contrib(c).Flows, want)
	}
}

// A customer who joins and churns in one month is in Churned and
// ChurnedJoiners, not in the churn rate, and moves no MRR.
func TestJoinAndChurnSameMonth(t *testing.T) {
	mar := mo(2026, 3)
	a := aggregate(
		life(day(2026, 1, 2), nil, MRRPoint{mo(2026, 1), 100}),
		life(day(2026, 3, 3), tp(day(2026, 3, 20)), MRRPoint{mar, 40}),
	)
	if got, want := a.Flows[mar], (Flow{New: 1, Churned: 1, ChurnedJoiners: 1}); got != want {
		t.Errorf("March flow = %+v, want %+v", got, want)
	}
	if got := a.Cohorts[CohortKey{mar, 1}]; got != 1 {
		t.Errorf("cohort March age 1 = %d, want 1", got)
	}
	tab := Compute(a, Options{From: mar, To: mo(2026, 4)})
	f := month(t, tab, mar)
	eqPtr(t, "churn rate", f.CustomerChurnRate, fp(0))
	eqPtr(t, "gross", f.GrossMRRChurnRate, fp(0))
	if f.Churned != 1 || f.ChurnedFromStart != 0 || f.CustomersEnd != 1 || f.MRREnd != 100 {
		t.Errorf("March: %+v", f)
	}
	if g := month(t, tab, mo(2026, 4)); g.CustomersStart != 1 || g.MRRStart != 100 {
		t.Errorf("April start: %d customers, MRR %v", g.CustomersStart, g.MRRStart)
	}
	if tab.Cohorts[0].Retained[0] != 0 {
		t.Errorf("March cohort retained %v, want [0]", tab.Cohorts[0].Retained)
	}
}

// Long-lived customers write one month of flows, and the stocks of any later
// month come from prefix sums.
func TestLongLived(t *testing.T) {
	unknown := life(time.Time{}, nil, MRRPoint{mo(2020, 1), 80})
	old := life(day(2015, 6, 1), nil, MRRPoint{mo(2015, 6), 20})
	if fl := contrib(unknown).Flows; len(fl) != 1 || fl[0] != (Flow{New: 1, NewMRR: 8000}) {
		t.Errorf("unknown start: flows %+v, want one entry at Month(0)", fl)
	}
	if c := contrib(unknown).Cohorts; len(c) != 0 {
		t.Errorf("unknown start has cohorts %v", c)
	}
	a := aggregate(unknown, old)
	if len(a.Flows) != 2 {
		t.Fatalf("flows in %d months, want 2", len(a.Flows))
	}
	tab := Compute(a, Options{From: mo(2030, 1), To: mo(2030, 3)})
	mustJSON(t, tab)
	for _, f := range tab.Months {
		if f.CustomersStart != 2 || f.MRRStart != 100 || f.CustomersEnd != 2 {
			t.Errorf("%s: %d customers, MRR %v", f.Month, f.CustomersStart, f.MRRStart)
		}
		eqPtr(t, f.Month+" churn", f.CustomerChurnRate, fp(0))
		eqPtr(t, f.Month+" nrr", f.NRR, fp(1))
	}
	// A customer of unknown start is a customer at the start of any month.
	if f := Compute(aggregate(unknown), Options{From: mo(1990, 1), To: mo(1990, 1)}).Months[0]; f.CustomersStart != 1 {
		t.Errorf("1990: %d customers at start, want 1", f.CustomersStart)
	}
}

func awkward() []Customer {
	third := 1.0 / 3
	return []Customer{
		life(day(2025, 11, 3), nil, MRRPoint{mo(2025, 11), 0.1}, MRRPoint{mo(2026, 1), 0.3}, MRRPoint{mo(2026, 2), third}),
		life(day(2025, 12, 3), tp(day(2026, 3, 1)), MRRPoint{mo(2025, 12), 12345.678901}, MRRPoint{mo(2026, 2), 0.2}),
		life(time.Time{}, tp(day(2026, 1, 31)), MRRPoint{mo(2025, 1), 99.99}),
		{Lifetimes: []Lifetime{{Start: day(2025, 10, 1), End: tp(day(2025, 12, 1))}, {Start: day(2026, 2, 1)}},
			MRR: []MRRPoint{{mo(2025, 10), 7.77}, {mo(2026, 2), third * 2}}},
		life(day(2026, 2, 9), tp(day(2026, 2, 10))),
		// 0.1 + 0.2 - 0.2 != 0.1 in plain float64 arithmetic.
		life(day(2025, 11, 20), nil, MRRPoint{mo(2025, 11), 0.2}),
	}
}

func cloneAgg(a Aggregate) Aggregate {
	var b Aggregate
	b.Add(a, 1)
	return b
}

func TestAddRestores(t *testing.T) {
	cs := awkward()
	base := aggregate(cs[0], cs[1], cs[2])
	snapshot := cloneAgg(base)
	for i, c := range cs {
		x := contrib(c)
		base.Add(x, 1)
		base.Add(x, -1)
		if !reflect.DeepEqual(base, snapshot) {
			t.Fatalf("customer %d: add then subtract changed the aggregate:\n%+v\nwant %+v", i, base, snapshot)
		}
	}
	// Any order gives the same aggregate, bit for bit.
	rev := aggregate(cs[5], cs[4], cs[3], cs[2], cs[1], cs[0])
	fwd := aggregate(cs...)
	if !reflect.DeepEqual(fwd, rev) {
		t.Errorf("order matters:\n%+v\n%+v", fwd, rev)
	}
	// Subtracting everything leaves empty maps.
	for _, c := range cs {
		fwd.Add(contrib(c), -1)
	}
	if len(fwd.Flows) != 0 || len(fwd.Cohorts) != 0 {
		t.Errorf("after subtracting all: %+v", fwd)
	}
}

// Applying Diff when customers change gives the aggregate of the new
// customers.
func TestDiff(t *testing.T) {
	cs := awkward()
	a := aggregate(cs...)
	changed := Update(cs[0], features.Profile{ChurnedAt: tp(day(2026, 4, 2)), MRR: fp(0)}, day(2026, 4, 3))
	changed2 := Update(cs[1], features.Profile{MRR: fp(10)}, day(2026, 5, 1)) // re-signup
	d, err := a.Diff(changed, cs[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Flows[mo(2026, 1)]; ok {
		t.Errorf("diff holds an unchanged month: %+v", d.Flows)
	}
	a.Add(d, 1)
	d2, err := a.Diff(changed2, cs[1])
	if err != nil {
		t.Fatal(err)
	}
	a.Add(d2, 1)
	want := aggregate(changed, changed2, cs[2], cs[3], cs[4], cs[5])
	if !reflect.DeepEqual(a, want) {
		t.Errorf("incremental:\n%+v\nwant %+v", a, want)
	}
	if got := want.Flows[mo(2026, 4)]; got.Churned != 1 || got.ChurnedMRR != 33 {
		t.Errorf("April: %+v", got)
	}
}

// Malformed stored customers (overlapping lifetimes, end before start) give
// consistent flows.
func TestContributionNormalises(t *testing.T) {
	c := Customer{Lifetimes: []Lifetime{
		{Start: day(2026, 2, 1)},
		{Start: day(2026, 1, 1), End: tp(day(2026, 3, 1))},
		{Start: day(2026, 6, 9), End: tp(day(2026, 6, 1))},
	}}
	got := contrib(c).Flows
	want := map[Month]Flow{mo(2026, 1): {New: 1, MissingMRR: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flows = %+v, want %+v", got, want)
	}
	if len(contrib(Customer{}).Flows) != 0 {
		t.Errorf("empty customer contributes")
	}
}
