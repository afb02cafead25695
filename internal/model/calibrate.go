package model

import (
	"errors"
	"fmt"
	"math"
)

// Platt is a Platt-scaling calibrator: the calibrated log-odds of a raw
// score r is A*r + B. Being affine in the log-odds it keeps explanations
// exact: the contributions scale by A and the base value becomes A*base + B,
// so they still add up to the calibrated log-odds.
type Platt struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Identity is the calibrator that changes nothing.
var Identity = Platt{A: 1}

// Apply returns the calibrated log-odds of a raw score.
func (c Platt) Apply(raw float64) float64 { return c.A*raw + c.B }

// FitPlatt fits a Platt calibrator to raw scores (log-odds) and 0/1 labels
// by Newton's method on the log loss, with Platt's smoothed targets
// ((N+ + 1)/(N+ + 2) and 1/(N- + 2)) so that a small or separable set does
// not give infinite slopes. It returns an error for empty or mismatched
// input or a single class.
func FitPlatt(raw, y []float64) (Platt, error) {
	if len(raw) == 0 || len(raw) != len(y) {
		return Identity, fmt.Errorf("platt: %d scores, %d labels", len(raw), len(y))
	}
	var pos, neg float64
	for i, v := range y {
		if v != 0 && v != 1 {
			return Identity, fmt.Errorf("platt: label %v at %d is not 0 or 1", v, i)
		}
		if math.IsNaN(raw[i]) || math.IsInf(raw[i], 0) {
			return Identity, fmt.Errorf("platt: score %v at %d is not finite", raw[i], i)
		}
		pos += v
	}
	neg = float64(len(y)) - pos
	if pos == 0 || neg == 0 {
		return Identity, ErrSingleClass
	}
	hi, lo := (pos+1)/(pos+2), 1/(neg+2)
	t := func(i int) float64 {
		if y[i] == 1 {
			return hi
		}
		return lo
	}
	a, b := 1.0, 0.0
	loss := func(a, b float64) float64 {
		s := 0.0
		for i, r := range raw {
			z := a*r + b
			s += softplus(z) - t(i)*z
		}
		return s
	}
	cur := loss(a, b)
	for iter := 0; iter < 100; iter++ {
		var ga, gb, haa, hab, hbb float64
		for i, r := range raw {
			p := sigmoid(a*r + b)
			d := p - t(i)
			w := p * (1 - p)
			ga += d * r
			gb += d
			haa += w * r * r
			hab += w * r
			hbb += w
		}
		haa += 1e-9
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		step := 1.0
		for ; step > 1e-8; step /= 2 {
			na, nb := a-step*da, b-step*db
			if l := loss(na, nb); l <= cur {
				a, b, cur = na, nb, l
				break
			}
		}
		if step <= 1e-8 || math.Abs(da)+math.Abs(db) < 1e-10 {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return Identity, errors.New("platt: did not converge")
	}
	return Platt{A: a, B: b}, nil
}
