package metrics

import "time"

// MonthScore is one customer's score in a month's snapshot: the score the
// customer had at the month's start and whether it was flagged. The
// ledger keeps the sum of these scores as the month's predicted churn; the
// snapshot keeps each of them, so that how they turned out can be told
// customer by customer (package performance).
type MonthScore struct {
	Score   float64
	Flagged bool
}

// Snapshot describes a month's snapshot of scores.
type Snapshot struct {
	Month Month `json:"month"`
	// Taken is when the snapshot was taken (the first check of the month).
	Taken        time.Time `json:"taken"`
	ModelVersion string    `json:"model_version"`
	HorizonDays  int       `json:"horizon_days"`
	Customers    int       `json:"customers"`
}

// SnapshotMonths is how many months of snapshots a store keeps: two years.
const SnapshotMonths = 24
