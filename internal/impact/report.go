package impact

import (
	"sort"

	"github.com/churnrisk/churn/internal/cases"
)

// Arm is one group's count of settled cases.
type Arm struct {
	Cases     int      `json:"cases"`
	Churned   int      `json:"churned"`
	ChurnRate *float64 `json:"churn_rate"` // nil without cases
}

// Effect is the control group's churn rate minus the treated group's (the
// churn the outreach prevented, per case), with what it saved.
type Effect struct {
	Arms map[cases.Group]Arm `json:"groups"`
	// Difference is control minus treatment; nil while a group has no case.
	Difference *float64  `json:"difference"`
	Interval   *Interval `json:"interval"`
	// Significant says that the interval excludes 0.
	Significant bool `json:"significant"`
	// CustomersSaved is Difference x the treated cases, with its interval;
	// MRRSaved is Difference x the treated cases' MRR at opening.
	CustomersSaved *Estimate `json:"customers_saved"`
	MRRSaved       *Estimate `json:"mrr_saved"`
	// Needed, when the interval includes 0, says how many settled cases
	// each group needs to detect the observed treated churn rate against a
	// control rate MinEffect higher (80% power, 5% level, at the groups'
	// current proportions).
	Needed *Needed `json:"needed,omitempty"`
}

// Estimate is a value with its 95% interval.
type Estimate struct {
	Value    float64  `json:"value"`
	Interval Interval `json:"interval"`
}

// Needed is the outcome of the power calculation.
type Needed struct {
	// Effect is the difference in churn rate the sizes are for.
	Effect    float64 `json:"effect"`
	Treatment int     `json:"treatment"`
	Control   int     `json:"control"`
	// MoreTreatment and MoreControl are how many more settled cases each
	// group needs than it has.
	MoreTreatment int `json:"more_treatment"`
	MoreControl   int `json:"more_control"`
}

// Report is the measured effect of outreach, over all cases and per play.
type Report struct {
	Effect
	Plays []PlayEffect `json:"plays"`
	// Pending counts the cases whose outcome is not known yet (left out).
	Pending int `json:"pending"`
}

// PlayEffect is the effect among the cases of one play.
type PlayEffect struct {
	Play string `json:"play"`
	Effect
}

// MinEffect is the difference in churn rate the power calculation sizes the
// groups for when the observed one is too small to say: 5 points.
const MinEffect = 0.05

// Measure reports the effect of outreach over the cases cs: the settled
// ones count (an outcome recorded), the others are pending.
func Measure(cs []cases.Case) Report {
	var r Report
	byPlay := map[string][]cases.Case{}
	var settled []cases.Case
	for _, c := range cs {
		if c.Outcome == cases.OutcomeNone {
			r.Pending++
			continue
		}
		settled = append(settled, c)
		byPlay[c.Play.ID] = append(byPlay[c.Play.ID], c)
	}
	r.Effect = effectOf(settled)
	ids := make([]string, 0, len(byPlay))
	for id := range byPlay {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r.Plays = make([]PlayEffect, 0, len(ids))
	for _, id := range ids {
		r.Plays = append(r.Plays, PlayEffect{Play: id, Effect: effectOf(byPlay[id])})
	}
	return r
}

func effectOf(cs []cases.Case) Effect {
	var n, k [2]int // 0 treatment, 1 control
	mrr := 0.0
	for _, c := range cs {
		g := 0
		if c.Group == cases.GroupControl {
			g = 1
		} else if c.MRR != nil {
			mrr += *c.MRR
		}
		n[g]++
		if c.Outcome == cases.OutcomeChurned {
			k[g]++
		}
	}
	e := Effect{Arms: map[cases.Group]Arm{
		cases.GroupTreatment: arm(k[0], n[0]),
		cases.GroupControl:   arm(k[1], n[1]),
	}}
	if n[0] == 0 || n[1] == 0 {
		e.Needed = needed(baseRate(k, n), 0, n)
		return e
	}
	d, iv, err := Difference(k[1], n[1], k[0], n[0])
	if err != nil { // unreachable: both groups have cases
		return e
	}
	e.Difference, e.Interval = &d, &iv
	e.Significant = !iv.Covers(0)
	treated := float64(n[0])
	e.CustomersSaved = &Estimate{Value: d * treated, Interval: Interval{Lo: iv.Lo * treated, Hi: iv.Hi * treated}}
	perCase := mrr / treated
	e.MRRSaved = &Estimate{Value: d * treated * perCase, Interval: Interval{Lo: iv.Lo * treated * perCase, Hi: iv.Hi * treated * perCase}}
	if !e.Significant {
		e.Needed = needed(float64(k[0])/treated, float64(n[1])/treated, n)
	}
	return e
}

// DefaultBaseRate is the churn rate of at-risk customers the power
// calculation assumes before any case has settled.
const DefaultBaseRate = 0.25

// baseRate is the churn rate of the settled cases, or DefaultBaseRate.
func baseRate(k, n [2]int) float64 {
	if n[0]+n[1] == 0 {
		return DefaultBaseRate
	}
	return float64(k[0]+k[1]) / float64(n[0]+n[1])
}

func arm(k, n int) Arm {
	a := Arm{Cases: n, Churned: k}
	if n > 0 {
		r := float64(k) / float64(n)
		a.ChurnRate = &r
	}
	return a
}

// needed sizes the groups to see MinEffect over the treated churn rate p
// at the groups' current ratio (10% hold-out when a group is still empty).
func needed(p, ratio float64, have [2]int) *Needed {
	if ratio <= 0 {
		ratio = cases.DefaultHoldoutShare / (1 - cases.DefaultHoldoutShare)
	}
	p = min(max(p, 0.01), 0.98-MinEffect)
	t, c, err := CasesNeeded(p, p+MinEffect, ratio)
	if err != nil {
		return nil
	}
	return &Needed{Effect: MinEffect, Treatment: t, Control: c, MoreTreatment: max(0, t-have[0]), MoreControl: max(0, c-have[1])}
}
