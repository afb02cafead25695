package alerts

import (
	"fmt"
	"math"
	"testing"
)

// The trigger's decision for one rule and one score. The sequences of
// scores run against every store in internal/store (alerts_test.go).
func TestNext(t *testing.T) {
	r := Rule{ID: "w", Threshold: 0.5, Clear: 0.45}
	tests := []struct {
		name   string
		atRisk bool
		score  float64
		left   bool
		want   bool
	}{
		{"below the threshold", false, 0.49, false, false},
		{"at the threshold", false, 0.5, false, true},
		{"above the threshold", false, 0.9, false, true},
		{"at risk, between clear and threshold", true, 0.47, false, true},
		{"at risk, at the clear level", true, 0.45, false, true},
		{"at risk, below the clear level", true, 0.4499, false, false},
		{"left, not at risk, high score", false, 0.9, true, false},
		{"left, at risk, low score", true, 0.1, true, true},
		{"NaN, not at risk", false, math.NaN(), false, false},
		{"NaN, at risk", true, math.NaN(), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Next(tt.atRisk, tt.score, tt.left); got != tt.want {
				t.Errorf("Next(%v, %v, left %v) = %v, want %v", tt.atRisk, tt.score, tt.left, got, tt.want)
			}
		})
	}
}

func TestNewRule(t *testing.T) {
	for _, tt := range []struct {
		th, h float64
		want  Rule
	}{
		{0.5, 0.05, Rule{ID: "s", Threshold: 0.5, Clear: 0.5 - 0.05}},
		{0.03, 0.05, Rule{ID: "s", Threshold: 0.03, Clear: 0}},
		{0.7, 0, Rule{ID: "s", Threshold: 0.7, Clear: 0.7}},
	} {
		if got := NewRule("s", tt.th, tt.h); got != tt.want {
			t.Errorf("NewRule(%v, %v) = %+v, want %+v", tt.th, tt.h, got, tt.want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	rules := []Rule{{ID: "a", Threshold: 0.5, Clear: 0.45}, {ID: "b", Threshold: 0.8, Clear: 0.7}, {ID: "c", Threshold: 0.2, Clear: 0.1}}
	states := map[string]bool{"b": true, "c": true}
	got := Evaluate(states, 0.6, false, rules)
	if fmt.Sprint(got) != "[{a true} {b false}]" || fmt.Sprint(states) != "map[a:true c:true]" {
		t.Fatalf("transitions %v, states %v", got, states)
	}
	if got := Evaluate(states, 0.05, true, rules); got != nil || len(states) != 2 {
		t.Fatalf("a customer who left: transitions %v, states %v", got, states)
	}
	if got := Evaluate(states, 0.05, false, rules); fmt.Sprint(got) != "[{a false} {c false}]" || len(states) != 0 {
		t.Fatalf("transitions %v, states %v", got, states)
	}
}
