// Package impact measures what outreach to at-risk customers changed: the
// churn rate of the treated cases against the control group's, the
// difference with its confidence interval, and how many cases each group
// needs before a difference of a given size can be seen.
package impact

import (
	"errors"
	"math"
)

// z95 is the standard normal quantile of 0.975: the two-sided 95% level.
const z95 = 1.959963984540054

// Interval is a two-sided confidence interval.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Covers says whether x lies in the interval.
func (iv Interval) Covers(x float64) bool { return iv.Lo <= x && x <= iv.Hi }

// Wilson returns the Wilson score interval of the proportion k/n at the
// normal quantile z. It stays inside [0, 1] and is sound for small n and
// for k at 0 or n, where the Wald interval is not. n must be positive.
func Wilson(k, n int, z float64) Interval {
	p := float64(k) / float64(n)
	nf := float64(n)
	z2 := z * z
	den := 1 + z2/nf
	mid := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return Interval{Lo: math.Max(0, mid-half), Hi: math.Min(1, mid+half)}
}

// Difference returns p1 - p2 for p1 = k1/n1 and p2 = k2/n2 with its 95%
// confidence interval by Newcombe's hybrid score method (method 10 of
// Newcombe, "Interval estimation for the difference between independent
// proportions", Statistics in Medicine 17, 1998): the Wilson intervals of
// each proportion combined by the square-and-add rule. Its coverage is
// close to nominal for small samples and proportions near 0 or 1, where
// the Wald interval's is not.
func Difference(k1, n1, k2, n2 int) (float64, Interval, error) {
	if n1 <= 0 || n2 <= 0 {
		return 0, Interval{}, errors.New("impact: a group without cases has no churn rate")
	}
	if k1 < 0 || k1 > n1 || k2 < 0 || k2 > n2 {
		return 0, Interval{}, errors.New("impact: churned cases must be between 0 and the group's cases")
	}
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	w1, w2 := Wilson(k1, n1, z95), Wilson(k2, n2, z95)
	d := p1 - p2
	lo := d - math.Sqrt((p1-w1.Lo)*(p1-w1.Lo)+(w2.Hi-p2)*(w2.Hi-p2))
	hi := d + math.Sqrt((w1.Hi-p1)*(w1.Hi-p1)+(p2-w2.Lo)*(p2-w2.Lo))
	return d, Interval{Lo: lo, Hi: hi}, nil
}

// zPower80 is the standard normal quantile of 0.80: the power of the
// sample-size calculation.
const zPower80 = 0.8416212335729143

// CasesNeeded returns how many cases each group needs so that a two-sided
// test at the 5% level detects, with 80% power, a churn rate of p1 in one
// group against p2 in the other when the control group is ratio times the
// size of the treated group (0.1/0.9 for a 10% hold-out). It is the normal
// approximation for two proportions with unequal groups (Fleiss, Statistical
// Methods for Rates and Proportions, 3rd ed., 4.2, without the continuity
// correction). It returns the treated and the control group's sizes.
func CasesNeeded(p1, p2, ratio float64) (treated, control int, err error) {
	if !(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) || p1 == p2 {
		return 0, 0, errors.New("impact: the two churn rates must differ and lie strictly between 0 and 1")
	}
	if !(ratio > 0) || math.IsInf(ratio, 0) {
		return 0, 0, errors.New("impact: the control-to-treated ratio must be positive")
	}
	// n1 treated, n2 = ratio*n1 control; pooled rate weighted by the sizes.
	pbar := (p1 + ratio*p2) / (1 + ratio)
	a := z95 * math.Sqrt(pbar*(1-pbar)*(1+1/ratio))
	b := zPower80 * math.Sqrt(p1*(1-p1)+p2*(1-p2)/ratio)
	n1 := math.Pow(a+b, 2) / math.Pow(p1-p2, 2)
	treated = int(math.Ceil(n1))
	control = int(math.Ceil(n1 * ratio))
	return treated, control, nil
}
