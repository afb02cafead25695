package webhook

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned (wrapped) when a subscription or a delivery does
// not exist.
var ErrNotFound = errors.New("webhook not found")

// EventType is the type of an alert event: what a subscription asks for,
// the "type" of a delivery and of its payload.
type EventType string

// The event types a subscription can ask for (DESIGN.md section 8).
const (
	EventAtRisk      EventType = "customer.at_risk"
	EventRiskCleared EventType = "customer.risk_cleared"
)

// ValidEvent reports whether e is an event type this service sends.
func ValidEvent(e EventType) bool { return e == EventAtRisk || e == EventRiskCleared }

// Subscription is one receiver of alerts: where to send which events, signed
// with which secret. Secret is empty in listings given to clients: it is shown
// once, when the subscription is created.
type Subscription struct {
	ID             string      `json:"id"` // "wh_" + 24 hex digits
	URL            string      `json:"url"`
	Events         []EventType `json:"events"`
	MinScore       *float64    `json:"min_score,omitempty"`
	Secret         string      `json:"secret,omitempty"`
	Disabled       bool        `json:"disabled"`
	DisabledReason string      `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
}

// Wants reports whether the subscription is enabled and asks for event type.
func (s Subscription) Wants(event EventType) bool {
	if s.Disabled {
		return false
	}
	for _, e := range s.Events {
		if e == event {
			return true
		}
	}
	return false
}

// NewSubscriptionID returns "wh_" followed by 24 random hex digits. It fails
// only when the system's random source does.
func NewSubscriptionID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("subscription id: %w", err)
	}
	return "wh_" + hex.EncodeToString(b[:]), nil
}

// NewSubscription returns an enabled subscription with a new ID and a new
// secret (NewSecret), created at now. It does not validate url or events
// (the caller checks the URL's safety and the event names with ValidEvent).
// It fails only when the system's random source does.
func NewSubscription(url string, events []EventType, minScore *float64, now time.Time) (Subscription, error) {
	id, err := NewSubscriptionID()
	if err != nil {
		return Subscription{}, err
	}
	secret, err := NewSecret()
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription secret: %w", err)
	}
	return Subscription{
		ID:        id,
		URL:       url,
		Events:    append([]EventType(nil), events...),
		MinScore:  minScore,
		Secret:    secret,
		CreatedAt: now.UTC(),
	}, nil
}
