// Package cases holds the rules of the work items opened when a customer
// becomes at risk: a case's statuses and the changes a support agent may
// make, the outcome the service records once the model's horizon has
// passed, the hold-out group a case falls in, and the play suggested for
// it.
package cases

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a case stands in the support team's work.
type Status string

// The statuses a case can have. A case opens as StatusOpen.
const (
	StatusOpen      Status = "open"
	StatusContacted Status = "contacted"
	StatusSaved     Status = "saved"
	StatusDismissed Status = "dismissed"
)

// Statuses lists every status in the order of the work.
var Statuses = []Status{StatusOpen, StatusContacted, StatusSaved, StatusDismissed}

// ParseStatus returns the status named s.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("not a case status: want one of open, contacted, saved, dismissed")
}

// Closed says whether the team is done with a case in this status.
func (s Status) Closed() bool { return s == StatusSaved || s == StatusDismissed }

// Group is the arm of the retention experiment a case falls in.
type Group string

// The groups. A control case is held out: nobody contacts the customer.
const (
	GroupTreatment Group = "treatment"
	GroupControl   Group = "control"
)

// ParseGroup returns the group named s.
func ParseGroup(s string) (Group, error) {
	switch Group(s) {
	case GroupTreatment, GroupControl:
		return Group(s), nil
	}
	return "", fmt.Errorf("not a group: want treatment or control")
}

// Outcome is what became of the customer of a case, recorded by the service.
type Outcome string

// The outcomes. A case has none until the customer churns or the horizon
// passes.
const (
	OutcomeNone     Outcome = ""
	OutcomeChurned  Outcome = "churned"
	OutcomeRetained Outcome = "retained"
)

// OutcomeAt decides a case's outcome at now: churned when the customer
// churned (churnedAt, nil when it has not) within horizon of the opening,
// retained once the horizon has passed without that, none before. A churn
// before the opening is not this case's (the customer left before it
// opened, which a store does not let happen, but a late profile can say so):
// it counts as churned at the opening.
func OutcomeAt(opened time.Time, horizon time.Duration, churnedAt *time.Time, now time.Time) Outcome {
	end := opened.Add(horizon)
	if churnedAt != nil && churnedAt.Before(end) && !churnedAt.After(now) {
		return OutcomeChurned
	}
	if !now.Before(end) {
		return OutcomeRetained
	}
	return OutcomeNone
}

// Note is a line an agent added to a case.
type Note struct {
	Author string    `json:"author"`
	At     time.Time `json:"at"`
	Text   string    `json:"text"`
}

// Limits of what an agent may write on a case.
const (
	MaxOwner = 128
	MaxNote  = 4000
	MaxNotes = 200
)

// Patch is a change an agent asks for: any of a new owner (an empty string
// unassigns), a new status and a note.
type Patch struct {
	Owner  *string
	Status *Status
	Note   *string
}

// FieldError is a patch field that cannot be applied, named as in the API.
type FieldError struct {
	Field, Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ErrNoChange is returned for a patch that asks for nothing.
var ErrNoChange = errors.New("the patch changes nothing: give owner, status or note")

// Validate checks the patch's fields on their own.
func (p Patch) Validate() error {
	if p.Owner == nil && p.Status == nil && p.Note == nil {
		return ErrNoChange
	}
	if p.Owner != nil {
		if err := checkText(*p.Owner, MaxOwner); err != nil {
			return &FieldError{"owner", err.Error()}
		}
	}
	if p.Note != nil {
		if strings.TrimSpace(*p.Note) == "" {
			return &FieldError{"note", "empty: leave the field out to add no note"}
		}
		if err := checkText(*p.Note, MaxNote); err != nil {
			return &FieldError{"note", err.Error()}
		}
	}
	return nil
}

func checkText(s string, max int) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%d characters, at most %d", n, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return errors.New("holds a control character")
		}
	}
	return nil
}
