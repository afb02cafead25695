package cases

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Driver is one reason behind the score at a case's opening, as the model
// gave it: the feature, its impact in probability points and the sentence.
type Driver struct {
	Feature string  `json:"feature"`
	Impact  float64 `json:"impact"`
	Reason  string  `json:"reason"`
}

// Case is the work item of one crossing into risk.
type Case struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	OpenedAt   time.Time `json:"opened_at"`
	// Score, Drivers and RevenueAtRisk are as they were at the opening.
	Score         float64   `json:"score"`
	RevenueAtRisk float64   `json:"revenue_at_risk"`
	MRR           *float64  `json:"mrr"`
	Drivers       []Driver  `json:"drivers"`
	Play          Play      `json:"play"`
	Group         Group     `json:"group"`
	Owner         string    `json:"owner"`
	Status        Status    `json:"status"`
	Notes         []Note    `json:"notes"`
	UpdatedAt     time.Time `json:"updated_at"`
	// HorizonEnds is when the outcome is known at the latest: the opening
	// plus the model's horizon.
	HorizonEnds time.Time  `json:"horizon_ends"`
	Outcome     Outcome    `json:"outcome,omitempty"`
	OutcomeAt   *time.Time `json:"outcome_at,omitempty"`
}

// ID returns the id of the case of customer's crossing at opened: the same
// crossing gives the same id on every replica, so that two replicas that
// see it open one case.
func ID(customer string, opened time.Time) string {
	h := sha256.New()
	h.Write([]byte(customer))
	h.Write([]byte{0})
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(opened.UnixNano()))
	h.Write(b[:])
	return "case_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// Apply applies a validated patch by author at now and returns the case as
// it then is. A note is appended (the oldest go once there are MaxNotes).
func (c Case) Apply(p Patch, author string, now time.Time) Case {
	if p.Owner != nil {
		c.Owner = *p.Owner
	}
	if p.Status != nil {
		c.Status = *p.Status
	}
	if p.Note != nil {
		notes := append(append([]Note(nil), c.Notes...), Note{Author: author, At: now, Text: *p.Note})
		if len(notes) > MaxNotes {
			notes = notes[len(notes)-MaxNotes:]
		}
		c.Notes = notes
	}
	c.UpdatedAt = now
	return c
}

// Settle records the outcome of the case at now given when its customer
// churned (nil when it has not); it says whether the outcome was new. An
// outcome once recorded stays.
func (c *Case) Settle(churnedAt *time.Time, now time.Time) bool {
	if c.Outcome != OutcomeNone {
		return false
	}
	o := OutcomeAt(c.OpenedAt, c.HorizonEnds.Sub(c.OpenedAt), churnedAt, now)
	if o == OutcomeNone {
		return false
	}
	at := c.HorizonEnds
	if o == OutcomeChurned {
		at = *churnedAt
		if at.Before(c.OpenedAt) {
			at = c.OpenedAt
		}
	}
	c.Outcome, c.OutcomeAt = o, &at
	return true
}

// Holdout assigns customers to the control group: a share of them, chosen
// by a stable hash of the customer id and the experiment's salt, so that the
// assignment is the same on every replica and on every crossing of the
// same customer, and a new salt draws a new group.
type Holdout struct {
	// Share is the part of customers held out, in [0, 1); 0 holds out none.
	Share float64
	Salt  string
}

// DefaultHoldoutShare is the control group's default share.
const DefaultHoldoutShare = 0.10

// Group returns the group of customer.
func (h Holdout) Group(customer string) Group {
	if h.Share <= 0 {
		return GroupTreatment
	}
	sum := sha256.Sum256([]byte(h.Salt + "\x00" + customer))
	u := float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
	if u < h.Share {
		return GroupControl
	}
	return GroupTreatment
}
