package cases

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
)

var t0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func TestOutcomeAt(t *testing.T) {
	h := 30 * 24 * time.Hour
	at := func(d int) *time.Time { x := t0.AddDate(0, 0, d); return &x }
	for _, c := range []struct {
		name    string
		churned *time.Time
		now     time.Time
		want    Outcome
	}{
		{"still within the horizon", nil, t0.AddDate(0, 0, 29), OutcomeNone},
		{"horizon passed", nil, t0.AddDate(0, 0, 30), OutcomeRetained},
		{"churned within", at(12), t0.AddDate(0, 0, 13), OutcomeChurned},
		{"churn recorded ahead of time", at(12), t0.AddDate(0, 0, 5), OutcomeNone},
		{"churned after the horizon", at(31), t0.AddDate(0, 0, 40), OutcomeRetained},
		{"churned before the opening", at(-2), t0.AddDate(0, 0, 1), OutcomeChurned},
	} {
		if got := OutcomeAt(t0, h, c.churned, c.now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSettleOnce(t *testing.T) {
	c := Case{OpenedAt: t0, HorizonEnds: t0.AddDate(0, 0, 30)}
	if c.Settle(nil, t0.AddDate(0, 0, 10)) || c.Outcome != OutcomeNone {
		t.Fatalf("settled before the horizon: %q", c.Outcome)
	}
	churned := t0.AddDate(0, 0, 20)
	if !c.Settle(&churned, t0.AddDate(0, 0, 21)) || c.Outcome != OutcomeChurned || !c.OutcomeAt.Equal(churned) {
		t.Fatalf("churn not recorded: %q %v", c.Outcome, c.OutcomeAt)
	}
	if c.Settle(nil, t0.AddDate(0, 0, 60)) || c.Outcome != OutcomeChurned {
		t.Fatalf("a recorded outcome changed: %q", c.Outcome)
	}
	r := Case{OpenedAt: t0, HorizonEnds: t0.AddDate(0, 0, 30)}
	if !r.Settle(nil, t0.AddDate(0, 0, 31)) || r.Outcome != OutcomeRetained || !r.OutcomeAt.Equal(r.HorizonEnds) {
		t.Fatalf("retained not recorded at the horizon's end: %q %v", r.Outcome, r.OutcomeAt)
	}
}

func TestPatch(t *testing.T) {
	s := func(v string) *string { return &v }
	st := StatusSaved
	for _, c := range []struct {
		p     Patch
		field string
	}{
		{Patch{}, ""},
		{Patch{Owner: s(strings.Repeat("a", MaxOwner+1))}, "owner"},
		{Patch{Owner: s("bob\x00")}, "owner"},
		{Patch{Note: s("  ")}, "note"},
		{Patch{Note: s("\xff")}, "note"},
		{Patch{Note: s(strings.Repeat("好", MaxNote+1))}, "note"},
	} {
		err := c.p.Validate()
		if err == nil {
			t.Errorf("%+v: no error", c.p)
			continue
		}
		if fe, ok := err.(*FieldError); ok != (c.field != "") || ok && fe.Field != c.field {
			t.Errorf("%+v: %v, want a %q field error", c.p, err, c.field)
		}
	}
	ok := Patch{Owner: s("ana@example.com"), Status: &st, Note: s("called: they stay\nsecond line")}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	c := Case{Status: StatusOpen}
	now := t0.Add(time.Hour)
	got := c.Apply(ok, "key:support", now)
	if got.Owner != "ana@example.com" || got.Status != StatusSaved || len(got.Notes) != 1 ||
		got.Notes[0] != (Note{Author: "key:support", At: now, Text: "called: they stay\nsecond line"}) || !got.UpdatedAt.Equal(now) {
		t.Errorf("applied: %+v", got)
	}
	if c.Status != StatusOpen || len(c.Notes) != 0 {
		t.Errorf("Apply changed its receiver: %+v", c)
	}
	for i := 0; i < MaxNotes+5; i++ {
		got = got.Apply(Patch{Note: s(fmt.Sprint(i))}, "a", now)
	}
	if len(got.Notes) != MaxNotes || got.Notes[MaxNotes-1].Text != fmt.Sprint(MaxNotes+4) {
		t.Errorf("notes: %d, last %q", len(got.Notes), got.Notes[len(got.Notes)-1].Text)
	}
}

func TestParse(t *testing.T) {
	for _, s := range Statuses {
		if got, err := ParseStatus(string(s)); err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "Open", "closed", "saved "} {
		if _, err := ParseStatus(bad); err == nil {
			t.Errorf("ParseStatus(%q): no error", bad)
		}
	}
	if _, err := ParseGroup("holdout"); err == nil {
		t.Error("ParseGroup(holdout): no error")
	}
	if !StatusSaved.Closed() || !StatusDismissed.Closed() || StatusContacted.Closed() {
		t.Error("Closed")
	}
}

func TestIDStable(t *testing.T) {
	a, b := ID("c1", t0), ID("c1", t0)
	if a != b || ID("c1", t0.Add(time.Nanosecond)) == a || ID("c2", t0) == a || !strings.HasPrefix(a, "case_") {
		t.Errorf("ids: %s %s", a, b)
	}
}

func TestHoldout(t *testing.T) {
	h := Holdout{Share: 0.10, Salt: "2026-q1"}
	const n = 20000
	control := 0
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("cust-%d", i)
		g := h.Group(id)
		if g != h.Group(id) {
			t.Fatalf("%s: the group changed between two calls", id)
		}
		if g == GroupControl {
			control++
		}
	}
	// Binomial(20000, 0.1): sd 42; 5 sd either side.
	if math.Abs(float64(control)-0.1*n) > 5*math.Sqrt(n*0.1*0.9) {
		t.Errorf("%d of %d held out, want about %d", control, n, n/10)
	}
	other := Holdout{Share: 0.10, Salt: "2026-q2"}
	same := 0
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("cust-%d", i)
		if h.Group(id) == GroupControl && other.Group(id) == GroupControl {
			same++
		}
	}
	if same > n/50 {
		t.Errorf("a new salt kept %d of %d control customers: the draw must change", same, control)
	}
	if (Holdout{Share: 0, Salt: "x"}).Group("a") != GroupTreatment {
		t.Error("share 0 held a customer out")
	}
}

func TestEveryBehaviourFeatureHasAFamily(t *testing.T) {
	for _, f := range features.BehaviourNames() {
		if FamilyOf(f) == FamilyOther {
			t.Errorf("%s has no family", f)
		}
	}
	for _, f := range []string{features.MRR, features.TenureDays, "plan_growth", "attr_seats"} {
		if FamilyOf(f) != FamilyOther {
			t.Errorf("%s: family %s, want other", f, FamilyOf(f))
		}
	}
}

func TestSuggest(t *testing.T) {
	plays := DefaultPlays()
	for fam := range plays {
		if plays[fam].Family != fam {
			t.Errorf("the default play of %s says %s", fam, plays[fam].Family)
		}
	}
	visit := func(c signals.Category) string { return features.VisitFeature(c) }
	for _, c := range []struct {
		drivers    []Driver
		competitor bool
		want       Family
	}{
		{[]Driver{{Feature: features.UsageDrop30d, Impact: 0.10}, {Feature: features.IntentTickets90d, Impact: 0.08}}, false, FamilyUsage},
		// Two ticket drivers together outweigh one usage driver.
		{[]Driver{{Feature: features.UsageDrop30d, Impact: 0.10}, {Feature: features.IntentTickets90d, Impact: 0.06}, {Feature: features.SentimentMin90d, Impact: 0.05}}, false, FamilyTickets},
		{[]Driver{{Feature: features.IntentTickets90d, Impact: 0.2}}, true, FamilyCompetitor},
		{[]Driver{{Feature: visit(signals.CatRefund), Impact: 0.05}, {Feature: visit(signals.CatPricing), Impact: 0.04}, {Feature: features.Usage7d, Impact: 0.06}}, true, FamilyOffer},
		{[]Driver{{Feature: visit(signals.CatCompetitor), Impact: 0.3}}, false, FamilyCompetitor},
		{[]Driver{{Feature: visit(signals.CatExport), Impact: 0.3}, {Feature: features.UsageDrop30d, Impact: -0.5}}, false, FamilyExport},
		{[]Driver{{Feature: features.MRR, Impact: 0.3}, {Feature: features.UsageDrop30d, Impact: -0.1}}, false, FamilyOther},
		{nil, false, FamilyOther},
	} {
		if got := plays.Suggest(c.drivers, c.competitor); got.Family != c.want || got.ID != plays[c.want].ID {
			t.Errorf("%+v (competitor ticket %v): play %s (%s), want the %s play", c.drivers, c.competitor, got.ID, got.Family, c.want)
		}
	}
	p := plays[FamilyUsage]
	if p.In("zh-TW").Name == p.Name || p.In("fr").Name != p.Name {
		t.Error("In: translations")
	}
}

func TestLoadPlays(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "plays.json")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write(`{"plays":[{"id":"call-cs","family":"usage","name":"Call","text":"Call them.","translations":{"zh-TW":{"name":"致電","text":"打電話給客戶。"}}}]}`)
	plays, err := LoadPlays(good)
	if err != nil {
		t.Fatal(err)
	}
	if plays[FamilyUsage].ID != "call-cs" || plays[FamilyUsage].In("zh-TW").Name != "致電" || plays[FamilyTickets].ID != "escalate" {
		t.Errorf("loaded: %+v", plays)
	}
	for _, c := range []struct{ body, want string }{
		{`{"plays":[]}`, "plays: no play"},
		{`{"plays":[{"id":"a","family":"weather","name":"n","text":"t"}]}`, "plays[0].family"},
		{`{"plays":[{"id":"a","family":"usage","name":"n","text":"t"},{"id":"b","family":"usage","name":"n","text":"t"}]}`, "plays[1].family"},
		{`{"plays":[{"id":"a","family":"usage","name":"","text":"t"}]}`, "plays[0].name"},
		{`{"plays":[{"id":"a","family":"usage","name":"n","text":"t","translations":{"zh-TW":{"name":"n","text":""}}}]}`, "plays[0].translations.zh-TW.text"},
		{`{"plays":[{"id":"a","family":"usage","name":"n","text":"t"},{"id":"a","family":"offer","name":"n","text":"t"}]}`, "plays[1].id"},
		{`{"plays":[{"id":"escalate","family":"usage","name":"n","text":"t"}]}`, "also the default play"},
		{`{"plays":[{"id":"a","family":"usage","name":"n","text":"t","colour":"red"}]}`, "unknown field"},
	} {
		_, err := LoadPlays(write(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "plays.json") {
			t.Errorf("%s: %v, want an error naming the file and %q", c.body, err, c.want)
		}
	}
}
