package model

// Learner is a fitted binary classifier over a dense feature vector; NaN marks a missing value.
type Learner interface {
	// Raw returns the raw score (log-odds of churn) for x.
	Raw(x []float64) float64
	// Contributions writes the contribution of each feature to Raw(x) into out
	// (len(out) == number of features) and returns the base value:
	// base + sum(out) == Raw(x) (within 1e-9).
	Contributions(x []float64, out []float64) float64
}
