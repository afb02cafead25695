// Package store keeps what the API knows of each customer: the profile, the
// daily signal aggregates of the lookback window, event-id dedupe entries,
// the cached feature vector with its last score, and the at-risk list. Mem is
// the embedded in-process store used when no Redis is configured; Redis is
// the shared store of production. Both pass the same contract tests.
//
// The stores keep data and apply the rules of other packages, they decide
// nothing: the churn ledger of package metrics (Share, Ledger) and the alert
// trigger of package alerts. Redis applies a rule's decision atomically (a
// compare-and-set script for the ledger, a script applying the trigger's
// decision table for alerts).
package store

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

var (
	// ErrNotFound is returned for an unknown customer (or a customer without a score).
	ErrNotFound = errors.New("not found")
	// ErrUnavailable is returned when the store cannot be reached; the caller
	// should retry later.
	ErrUnavailable = errors.New("store unavailable")
	// ErrWritesRefused is returned by Ping, beside ErrUnavailable, when the
	// store answers but would refuse a write now (Redis out of memory, a
	// read-only replica, a failed persistence).
	ErrWritesRefused = errors.New("store refuses writes")
	// ErrBadCursor is returned for an at-risk cursor the store did not issue.
	ErrBadCursor = errors.New("bad cursor")
	// ErrConflict is returned when other writes kept changing a customer
	// under a write until its deadline (the Redis store's compare and set
	// retried with backoff); nothing of the write was stored, and the
	// caller may retry.
	ErrConflict = errors.New("conflicting concurrent writes")
)

// Defaults of both stores.
const (
	DefaultRetentionDays = 120
	DefaultDedupeTTL     = 7 * 24 * time.Hour
	DefaultAtRiskLimit   = 50
	// DefaultTimeout bounds each Redis call on request paths.
	DefaultTimeout = 500 * time.Millisecond
	MaxAtRiskLimit = 1000
)

// MaxExcerpts is how many ticket excerpts a store keeps per customer: the
// newest ones within the retention window.
const MaxExcerpts = 5

// Event is one validated event ready to store: its customer, its optional
// idempotency key, its one-event daily aggregate, and the excerpt of a
// negative or churn-intent ticket (nil for other events). An event and its
// excerpt are stored together, and a duplicate event adds neither.
type Event struct {
	CustomerID string
	EventID    string
	Day        signals.Day
	Excerpt    *signals.Excerpt
}

// Score is the last score computed for a customer.
type Score struct {
	Score        float64         `json:"score"`
	RiskLevel    model.RiskLevel `json:"risk_level"`
	Flagged      bool            `json:"flagged"`
	TopDriver    string          `json:"top_driver,omitempty"`
	ModelVersion string          `json:"model_version"`
	AsOf         time.Time       `json:"as_of"`
	MRR          *float64        `json:"mrr,omitempty"`
	// Plan is the customer's plan when the score was computed ("" when unknown).
	Plan string `json:"plan,omitempty"`
	// Name and Owner are the customer's account name and account owner
	// when the score was computed, from the profile's attributes ("" when
	// unknown).
	Name  string `json:"name,omitempty"`
	Owner string `json:"owner,omitempty"`
}

// Cached is a customer's feature vector as computed for one day with one
// model version, and the score it gave. It is valid until the customer's
// profile or events change, the day ends, or the model changes.
type Cached struct {
	// Gen is the generation of the customer's data the vector was computed
	// from (Snap.Gen as read before the computation): PutScore keeps the
	// vector only while the data is still of that generation, so that a
	// vector computed from data read just before new events or a new
	// profile is never served as current.
	Gen          int64     `json:"-"`
	Day          int32     `json:"day"`
	ModelVersion string    `json:"model_version"`
	Vector       []float64 `json:"vector"` // NaN marks a missing value
	Score        Score     `json:"score"`
}

// GenCurrent as a Cached's Gen tells PutScore that the vector was computed
// from the data the store holds now (a bulk load scoring the data set it
// has just imported).
const GenCurrent int64 = -1

// Snap is what scoring reads of a customer first: the profile, the cached
// feature vector with its score (nil when there is none valid) and the
// generation of the customer's data, which every new profile and every
// accepted event changes (see Cached.Gen).
type Snap struct {
	Profile features.Profile
	Cached  *Cached
	Gen     int64
}

// AtRiskQuery selects a page of the at-risk list.
type AtRiskQuery struct {
	Level Level // LevelAny lists both tiers
	Sort  Sort  // "" means SortScore
	// MinScore keeps scores of at least MinScore. The stores apply it in
	// the score order only, where it bounds the range read; callers filter
	// the other orders.
	MinScore float64
	Limit    int    // 0 means DefaultAtRiskLimit; at most MaxAtRiskLimit
	Cursor   string // from the previous page's Next (same Sort); empty for the first page
}

// AtRiskItem is one customer of the at-risk list.
type AtRiskItem struct {
	CustomerID string `json:"customer_id"`
	Score      Score  `json:"score"`
	// ScoreWeekAgo is the customer's score ChangeDays before its score's
	// day (the last one stored on or before that day, within
	// DailyScoreDays); nil when unknown.
	ScoreWeekAgo *float64 `json:"score_7d_ago"`
	// Cursor continues the listing in the query's order right after this item.
	Cursor string `json:"-"`
}

// AtRiskPage is a page of the at-risk list in the query's order, largest
// first (ties by customer id); Next is empty on the last page.
type AtRiskPage struct {
	Items []AtRiskItem
	Next  string
}

// The default attributes of a customer's account name and owner.
const (
	DefaultNameAttribute  = "name"
	DefaultOwnerAttribute = "owner"
)

// Account names the customer attributes kept with a score as the account's
// name and owner (configurable: CHURN_NAME_ATTRIBUTE, CHURN_OWNER_ATTRIBUTE).
type Account struct {
	NameAttribute, OwnerAttribute string
}

// DefaultAccount reads the default attributes.
var DefaultAccount = Account{NameAttribute: DefaultNameAttribute, OwnerAttribute: DefaultOwnerAttribute}

// Of returns a profile's account name and owner ("" for a missing attribute).
func (a Account) Of(p *features.Profile) (name, owner string) {
	return p.Attributes[a.NameAttribute], p.Attributes[a.OwnerAttribute]
}

// CustomerData is one customer for a bulk import.
type CustomerData struct {
	Profile features.Profile
	History signals.History
	// Excerpts are ticket excerpts kept like those of events (the newest
	// MaxExcerpts within the retention window).
	Excerpts []signals.Excerpt
	// Metrics is the customer's lifetimes and MRR history for the churn
	// metrics; nil derives them from the profile as an upsert would.
	Metrics *metrics.Customer
}

// ChurnState is what the churn metrics are computed from: the aggregate of
// every customer's monthly flows, the sum of the churn probabilities of the
// scored customers at the start of each month, and the revenue at risk
// (MRR x score summed over the at-risk list), all kept current as customers
// and scores change.
type ChurnState struct {
	Aggregate     metrics.Aggregate
	Predicted     map[metrics.Month]float64
	RevenueAtRisk float64
}

// limit normalises an at-risk page size.
func (q AtRiskQuery) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultAtRiskLimit
	case q.Limit > MaxAtRiskLimit:
		return MaxAtRiskLimit
	}
	return q.Limit
}

// scoreUnits is a score and its revenue at risk as the ledger counts them
// (metrics.ScoreUnits). It returns an error wrapping metrics.ErrRange for a
// score that is not finite or an MRR out of range.
func scoreUnits(id string, s *Score) (metrics.Micros, metrics.Cents, error) {
	u, c, err := metrics.ScoreUnits(s.Score, s.Flagged, s.MRR)
	if err != nil {
		return 0, 0, fmt.Errorf("score of %q: %w", id, err)
	}
	return u, c, nil
}

// q6 rounds to 1e-6, so that running sums do not drift with float error.
func q6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
