// Package store keeps what the API knows of each customer: the profile, the
// daily signal aggregates of the lookback window, event-id dedupe entries and
// the last score. Mem is the embedded in-process store used when no Redis is
// configured; the Redis store implements the same methods and passes the
// same contract tests.
package store

import (
	"errors"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

var (
	// ErrNotFound is returned for an unknown customer.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable is returned when the store cannot be reached; the caller
	// should retry later.
	ErrUnavailable = errors.New("store unavailable")
)

// Event is one validated event ready to store: its customer, its optional
// idempotency key, and its one-event daily aggregate.
type Event struct {
	CustomerID string
	EventID    string
	Day        signals.Day
}

// Score is the last score computed for a customer.
type Score struct {
	Score        float64   `json:"score"`
	RiskLevel    string    `json:"risk_level"`
	Flagged      bool      `json:"flagged"`
	TopDriver    string    `json:"top_driver,omitempty"`
	ModelVersion string    `json:"model_version"`
	AsOf         time.Time `json:"as_of"`
}
