package model

// DriftReference is the training distribution of every feature, for drift
// (population stability index) checks. It is being built: see drift.go's
// owner.
type DriftReference struct {
	Features []FeatureReference `json:"features"`
}

// FeatureReference is one feature's training distribution.
type FeatureReference struct {
	Name    string    `json:"name"`
	Edges   []float64 `json:"edges"`   // upper bin edges, ascending
	Shares  []float64 `json:"shares"`  // share of training rows per bin, len(Edges)+1 (the last bin is above every edge)
	Missing float64   `json:"missing"` // share of training rows with the value missing
}
