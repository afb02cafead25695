package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrUnavailable is returned (wrapped) when the webhook store cannot be
// reached; the caller should retry later (the API answers 503).
var ErrUnavailable = errors.New("webhook store unavailable")

// DeliveryStatus is the state of a delivery: its "status" in the API's
// answers and in the stores.
type DeliveryStatus string

// The states of a delivery.
const (
	StatusPending   DeliveryStatus = "pending"   // queued, due now or at NextAttempt, or being attempted
	StatusDelivered DeliveryStatus = "delivered" // the receiver answered 2xx
	StatusFailed    DeliveryStatus = "failed"    // the schedule ran out, or the receiver refused it for good; can be redelivered
	StatusCancelled DeliveryStatus = "cancelled" // its subscription was deleted or disabled before it was sent
)

// MaxDeliveriesKept is how many deliveries a store keeps listed per
// subscription; older finished ones are dropped.
const MaxDeliveriesKept = 1000

// MaxCustomerDeliveries is how many deliveries a store keeps listed per
// customer, across subscriptions: the newest by CreatedAt.
const MaxCustomerDeliveries = 200

// Delivery is one event to send to one subscription, with its attempts so
// far. ID is the webhook-id header: the same on every attempt.
type Delivery struct {
	ID             string          `json:"id"`
	SubscriptionID string          `json:"subscription_id"`
	Type           EventType       `json:"type"`
	CustomerID     string          `json:"customer_id"`
	Payload        json.RawMessage `json:"payload"`
	Status         DeliveryStatus  `json:"status"`
	Attempts       int             `json:"attempts"`
	LastStatus     int             `json:"last_status,omitempty"`
	LastError      string          `json:"last_error,omitempty"`
	NextAttempt    time.Time       `json:"next_attempt,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`

	// claim identifies the claim Claim handed out (the stream entry ID in
	// Redis, a claim counter in memory). Complete, Retry and Fail with a
	// claim that is no longer current (another consumer took the delivery
	// over and finished it) do nothing.
	claim string
}

// Store keeps subscriptions and the delivery queue. NewMem keeps them in
// process, NewRedis in Redis; both pass the same tests.
//
// The stores read the wall clock (time.Now) to decide what is due and how
// long a claim has been held. Complete, Retry and Fail store the delivery as
// given (the caller counts Attempts and sets LastStatus, LastError and
// UpdatedAt); they only set Status (and Retry NextAttempt). Called with a
// delivery whose claim has since been taken over and finished by another
// consumer, they do nothing and return nil.
type Store interface {
	// PutSubscription creates or replaces s. It fails on a storage error.
	PutSubscription(ctx context.Context, s Subscription) error
	// Subscriptions returns every subscription, sorted by CreatedAt then ID.
	Subscriptions(ctx context.Context) ([]Subscription, error)
	// GetSubscription returns one subscription, or an error wrapping ErrNotFound.
	GetSubscription(ctx context.Context, id string) (Subscription, error)
	// DeleteSubscription removes a subscription and its finished deliveries;
	// its pending deliveries are cancelled when claimed. ErrNotFound when absent.
	DeleteSubscription(ctx context.Context, id string) error
	// DisableSubscription marks a subscription disabled with a reason;
	// ErrNotFound when absent.
	DisableSubscription(ctx context.Context, id, reason string) error
	// Enqueue stores deliveries as pending and due now; they are durable
	// (as durable as the store) when it returns. A delivery whose ID is
	// already stored is skipped, so enqueueing is idempotent.
	Enqueue(ctx context.Context, ds []Delivery) error
	// Claim returns up to max due deliveries, each now held by consumer.
	// A delivery held longer than claimTimeout (its consumer crashed) is
	// due again and may be claimed by another consumer.
	Claim(ctx context.Context, consumer string, max int, claimTimeout time.Duration) ([]Delivery, error)
	// Complete records a delivered (or, with Status cancelled, cancelled)
	// delivery and releases its claim.
	Complete(ctx context.Context, d Delivery) error
	// Retry records an attempt and makes the delivery due again at at.
	Retry(ctx context.Context, d Delivery, at time.Time) error
	// Fail records the last attempt and keeps the delivery as failed.
	Fail(ctx context.Context, d Delivery) error
	// Deliveries returns up to limit deliveries of a subscription, newest
	// (by CreatedAt) first.
	Deliveries(ctx context.Context, subscriptionID string, limit int) ([]Delivery, error)
	// CustomerDeliveries returns up to limit deliveries made for a customer
	// across all subscriptions, newest (by CreatedAt, then ID) first; only
	// the newest MaxCustomerDeliveries are kept listed, and the deliveries
	// of a deleted subscription are not listed.
	CustomerDeliveries(ctx context.Context, customerID string, limit int) ([]Delivery, error)
	// Redeliver makes a finished (failed, delivered or cancelled) delivery
	// pending and due now, with its attempts reset to zero; a pending one is
	// left as it is. ErrNotFound when the delivery is not one of the
	// subscription's.
	Redeliver(ctx context.Context, subscriptionID, deliveryID string) error
}

// resetForRedelivery returns d pending, with no attempts, due now.
func resetForRedelivery(d Delivery, now time.Time) Delivery {
	d.Status = StatusPending
	d.Attempts = 0
	d.LastStatus = 0
	d.LastError = ""
	d.NextAttempt = time.Time{}
	d.UpdatedAt = now.UTC()
	d.claim = ""
	return d
}
