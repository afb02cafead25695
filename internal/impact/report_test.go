package impact

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/cases"
)

// simulate settles n cases of a 10% hold-out whose customers churn with
// probability pt when treated and pc when held out, each with MRR 100 and
// one of two plays.
func simulate(seed uint64, n int, pt, pc float64) []cases.Case {
	rng := rand.New(rand.NewPCG(seed, 7))
	h := cases.Holdout{Share: 0.10, Salt: "sim"}
	plays := cases.DefaultPlays()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]cases.Case, 0, n)
	for i := 0; i < n; i++ {
		id := "c" + string(rune('a'+i%26)) + time.Duration(i).String()
		mrr := 100.0
		c := cases.Case{ID: cases.ID(id, t0), CustomerID: id, OpenedAt: t0, HorizonEnds: t0.AddDate(0, 0, 30),
			Group: h.Group(id), MRR: &mrr, Play: plays[cases.FamilyUsage]}
		if i%2 == 1 {
			c.Play = plays[cases.FamilyTickets]
		}
		p := pt
		if c.Group == cases.GroupControl {
			p = pc
		}
		var churned *time.Time
		if rng.Float64() < p {
			at := t0.AddDate(0, 0, 1+rng.IntN(29))
			churned = &at
		}
		c.Settle(churned, t0.AddDate(0, 0, 31))
		out = append(out, c)
	}
	return out
}

func TestMeasureFindsTheEffect(t *testing.T) {
	misses := 0
	for seed := uint64(1); seed <= 20; seed++ {
		r := Measure(simulate(seed, 2000, 0.20, 0.35))
		if r.Difference == nil || r.Pending != 0 {
			t.Fatalf("seed %d: no difference: %+v", seed, r)
		}
		tr, ct := r.Arms[cases.GroupTreatment], r.Arms[cases.GroupControl]
		if tr.Cases+ct.Cases != 2000 || ct.Cases < 160 || ct.Cases > 240 {
			t.Fatalf("seed %d: groups %d and %d", seed, tr.Cases, ct.Cases)
		}
		if !r.Interval.Covers(0.15) {
			misses++
		}
		if seed == 1 {
			if !r.Significant || r.Needed != nil {
				t.Errorf("a 15-point effect over 2000 cases is not significant: %+v", r.Effect)
			}
			if want := *r.Difference * float64(tr.Cases); r.CustomersSaved.Value != want || r.MRRSaved.Value != want*100 {
				t.Errorf("saved %v customers and %v MRR, want %v and %v", r.CustomersSaved.Value, r.MRRSaved.Value, want, want*100)
			}
			if len(r.Plays) != 2 || r.Plays[0].Play != "escalate" || r.Plays[1].Play != "reonboard" ||
				r.Plays[0].Arms[cases.GroupTreatment].Cases+r.Plays[1].Arms[cases.GroupTreatment].Cases != tr.Cases {
				t.Errorf("per play: %+v", r.Plays)
			}
		}
	}
	// A 95% interval misses the true value in about 1 of 20 runs.
	if misses > 3 {
		t.Errorf("the interval missed the true 0.15 in %d of 20 simulations", misses)
	}
}

func TestMeasureNoEffect(t *testing.T) {
	covered := 0
	for seed := uint64(1); seed <= 20; seed++ {
		r := Measure(simulate(seed, 2000, 0.30, 0.30))
		if r.Interval.Covers(0) {
			covered++
			if r.Needed == nil || r.Needed.Treatment <= 0 || r.Needed.Control <= 0 {
				t.Errorf("seed %d: no effect seen and no sizes needed: %+v", seed, r.Effect)
			}
		}
	}
	if covered < 17 {
		t.Errorf("with no effect the interval covered 0 in %d of 20 simulations", covered)
	}
}

func TestMeasureTooFew(t *testing.T) {
	r := Measure(simulate(1, 30, 0.2, 0.35)[:5])
	if r.Needed == nil || r.Needed.MoreTreatment <= 0 || r.Needed.MoreControl <= 0 {
		t.Errorf("5 cases: needed %+v", r.Needed)
	}
	var pending []cases.Case
	for _, c := range simulate(2, 10, 0.2, 0.35) {
		c.Outcome, c.OutcomeAt = cases.OutcomeNone, nil
		pending = append(pending, c)
	}
	r = Measure(pending)
	if r.Pending != 10 || r.Difference != nil || r.Needed == nil || r.Needed.MoreTreatment != r.Needed.Treatment {
		t.Errorf("pending only: %+v", r)
	}
}
