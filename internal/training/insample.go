package training

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// InSample says why evaluating a with ds as of asOf measures the model on
// rows it was trained on: the data is its training data (the same
// fingerprint), or in time mode asOf is one of its training snapshots. It
// returns "" when neither holds.
func InSample(ds *data.Dataset, a *model.Artifact, asOf time.Time) string {
	if ds.Fingerprint != "" && ds.Fingerprint == a.Meta.DataFingerprint {
		return "the data is the model's training data (same fingerprint as metadata.json)"
	}
	if a.Meta.Mode == data.ModeTime {
		day := signals.DayStart(signals.DayNumber(asOf))
		if day.Equal(asOf) && slices.Contains(a.Meta.Snapshots, day.Format(time.DateOnly)) {
			return fmt.Sprintf("the as-of %s is one of the model's training snapshots", day.Format(time.DateOnly))
		}
	}
	return ""
}

// SharedFeatures checks that ds holds at least one of the inputs a's
// features are computed from (event files, signup_at, mrr, plan, attribute
// columns). It returns an error wrapping data.ErrBadInput that names what
// the model expects when the data has none of them.
func SharedFeatures(ds *data.Dataset, a *model.Artifact) error {
	s := a.Schema
	var want []string
	found := false
	check := func(name string, present bool) {
		want = append(want, name)
		found = found || present
	}
	if s.Behaviour {
		check("usage, tickets or page_views events", ds.HasEvents[data.Usage] || ds.HasEvents[data.Tickets] || ds.HasEvents[data.PageViews])
	}
	var signup, mrr, plan bool
	for i := range ds.Customers {
		c := &ds.Customers[i]
		signup, mrr, plan = signup || c.SignupAt != nil, mrr || c.MRR != nil, plan || c.Plan != ""
	}
	if s.Tenure {
		check("signup_at", signup)
	}
	if s.MRR {
		check("mrr", mrr)
	}
	if s.Plan != nil {
		check("plan", plan)
	}
	for _, at := range s.Attributes {
		check(at.Name, hasAttribute(ds, at.Name))
	}
	if found || len(want) == 0 {
		return nil
	}
	const most = 8
	list := strings.Join(want[:min(most, len(want))], ", ")
	if len(want) > most {
		list += fmt.Sprintf(" and %d more", len(want)-most)
	}
	return fmt.Errorf("%w: the data has none of the model's features: the model %s reads %s; is this the data the model was meant for?",
		data.ErrBadInput, a.Version, list)
}
