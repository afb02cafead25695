package features

import "time"

// Profile is what is known of a customer's account, independent of events.
// Pointers are nil when the value is missing.
type Profile struct {
	ID        string     `json:"customer_id"`
	SignupAt  *time.Time `json:"signup_at,omitempty"`
	Plan      string     `json:"plan,omitempty"`
	MRR       *float64   `json:"mrr,omitempty"`
	ChurnedAt *time.Time `json:"churned_at,omitempty"`
	// Attributes holds the other account columns as text; the feature schema
	// decides which are numeric and which categorical.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// ActiveAt reports whether the customer is a customer at time t: signed up on
// or before t (or signup unknown) and not churned on or before t.
func (p *Profile) ActiveAt(t time.Time) bool {
	if p.SignupAt != nil && p.SignupAt.After(t) {
		return false
	}
	if p.ChurnedAt != nil && !p.ChurnedAt.After(t) {
		return false
	}
	return true
}
