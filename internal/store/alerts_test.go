package store

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/alerts"
	"github.com/churnrisk/churn/internal/features"
)

// The cases of the alert trigger (package alerts): one table, run against
// the trigger itself (TestAlertRuleCases) and against every store
// (runAlertCases, from the contract suite).

// alertStep is a score, or a profile (churned or current) when profile is
// set.
type alertStep struct {
	score   float64
	profile bool
	churned bool
}

type alertCase struct {
	name  string
	rules []AlertRule
	steps []alertStep
	want  []string // "<score>:<rule>:<at risk>" per transition
}

func alertCases() []alertCase {
	w1 := AlertRule{ID: "w1", Threshold: 0.5, Clear: 0.45}
	w2 := AlertRule{ID: "w2", Threshold: 0.8, Clear: 0.7}
	scores := func(v ...float64) []alertStep {
		out := make([]alertStep, len(v))
		for i, x := range v {
			out[i] = alertStep{score: x}
		}
		return out
	}
	churn := alertStep{profile: true, churned: true}
	back := alertStep{profile: true}
	steps := func(parts ...[]alertStep) []alertStep {
		var out []alertStep
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return []alertCase{
		{"at risk from the threshold", []AlertRule{w1}, scores(0.3, 0.49, 0.5), []string{"0.5:w1:true"}},
		{"no repeat while at risk", []AlertRule{w1}, scores(0.6, 0.9, 0.5, 0.46), []string{"0.6:w1:true"}},
		{"cleared below the clear level only", []AlertRule{w1}, scores(0.6, 0.45, 0.449), []string{"0.6:w1:true", "0.449:w1:false"}},
		{"at risk again after clearing", []AlertRule{w1}, scores(0.6, 0.1, 0.3, 0.5), []string{"0.6:w1:true", "0.1:w1:false", "0.5:w1:true"}},
		{"each rule on its own", []AlertRule{w1, w2}, scores(0.85, 0.75, 0.69, 0.44),
			[]string{"0.85:w1:true", "0.85:w2:true", "0.69:w2:false", "0.44:w1:false"}},
		{"a clear level of 0 never clears", []AlertRule{alerts.NewRule("w0", 0.03, 0.05)}, scores(0.03, 0, 0.01), []string{"0.03:w0:true"}},
		{"a score that is not a number changes nothing", []AlertRule{w1}, scores(math.NaN(), 0.6, math.NaN(), 0.4), []string{"0.6:w1:true", "0.4:w1:false"}},
		{"a churned customer raises no alert", []AlertRule{w1}, steps([]alertStep{churn}, scores(0.9, 0.1)), nil},
		{"a churned customer clears nothing until it comes back", []AlertRule{w1, w2},
			steps(scores(0.9), []alertStep{churn}, scores(0.1, 0.95), []alertStep{back}, scores(0.6)),
			[]string{"0.9:w1:true", "0.9:w2:true", "0.6:w2:false"}},
	}
}

func (s alertStep) String() string { return fmt.Sprint(s.score) }

// TestAlertRuleCases runs the alert cases against the trigger alone.
func TestAlertRuleCases(t *testing.T) {
	for _, c := range alertCases() {
		t.Run(c.name, func(t *testing.T) {
			states := map[string]bool{}
			left := false
			var got []string
			for _, s := range c.steps {
				if s.profile {
					left = s.churned
					continue
				}
				for _, x := range alerts.Evaluate(states, s.score, left, c.rules) {
					got = append(got, fmt.Sprintf("%v:%s:%v", s, x.RuleID, x.AtRisk))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("transitions %v, want %v", got, c.want)
			}
		})
	}
}

// runAlertCases runs the alert cases against a store (a churn is a profile
// put with a churn date before now).
func runAlertCases(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore, now func() time.Time) {
	ctx := context.Background()
	for _, c := range alertCases() {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t, now)
			var got []string
			for _, step := range c.steps {
				if step.profile {
					p := features.Profile{ID: "al"}
					if step.churned {
						end := now().Add(-time.Hour)
						p.ChurnedAt = &end
					}
					if err := s.PutCustomer(ctx, p); err != nil {
						t.Fatal(err)
					}
					continue
				}
				tr, err := s.Alerts(ctx, "al", step.score, c.rules)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range tr {
					got = append(got, fmt.Sprintf("%v:%s:%v", step, x.RuleID, x.AtRisk))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("transitions %v, want %v", got, c.want)
			}
		})
	}
}
