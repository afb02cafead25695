package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/churnrisk/churn/internal/cases"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/impact"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// CaseStore keeps the cases (store.Mem, store.Redis).
type CaseStore interface {
	OpenCase(ctx context.Context, c cases.Case) (bool, error)
	GetCase(ctx context.Context, id string) (cases.Case, error)
	UpdateCase(ctx context.Context, id string, fn func(cases.Case) (cases.Case, error)) (cases.Case, error)
	CustomerCases(ctx context.Context, customer string) ([]cases.Case, error)
	Cases(ctx context.Context, q store.CaseQuery) (store.CasePage, error)
	PendingCases(ctx context.Context, fn func(c cases.Case) error) error
}

// CaseRule is the alert rule whose at-risk transitions open cases: the
// model's threshold with the service's hysteresis, one case per crossing.
const CaseRule = "cases"

// DefaultCaseHorizon is a case's horizon when the model does not say its
// own.
const DefaultCaseHorizon = 30 * 24 * time.Hour

// DefaultSettleEvery is how often the outcomes of open cases are settled.
const DefaultSettleEvery = time.Minute

// CaseConfig configures the cases.
type CaseConfig struct {
	// Off opens no cases.
	Off bool
	// Holdout chooses the control group (cases.Holdout); Share 0 holds out
	// no one.
	Holdout cases.Holdout
	// Plays is the play table; nil means cases.DefaultPlays.
	Plays cases.Plays
	// SettleEvery is how often outcomes are recorded; 0 means
	// DefaultSettleEvery.
	SettleEvery time.Duration
}

// ErrCasesOff is returned by the case use cases when cases are off.
var ErrCasesOff = errors.New("cases are off on this server")

// Cases is the work queue of at-risk customers: it opens a case when a
// stored customer crosses into risk, lets agents work it, and records each
// case's outcome once its customer churns or the horizon passes.
type Cases struct {
	st       CaseStore
	profiles Profiles
	evidence ScoreStore
	holdout  cases.Holdout
	plays    cases.Plays
	every    time.Duration
	now      func() time.Time
	log      *slog.Logger
}

func newCases(cfg CaseConfig, st Store, now func() time.Time, log *slog.Logger) *Cases {
	cs, ok := st.(CaseStore)
	if cfg.Off || !ok {
		return nil
	}
	c := &Cases{st: cs, profiles: st, evidence: st, holdout: cfg.Holdout, plays: cfg.Plays, every: cfg.SettleEvery, now: now, log: log}
	if c.plays == nil {
		c.plays = cases.DefaultPlays()
	}
	if c.every <= 0 {
		c.every = DefaultSettleEvery
	}
	return c
}

// Group returns the group of a customer.
func (c *Cases) Group(customer string) cases.Group { return c.holdout.Group(customer) }

// open opens the case of customer p's crossing into risk at now with
// prediction pred of model m. It returns the case and whether it opened
// one: not when the customer has an open case already.
func (c *Cases) open(ctx context.Context, m *model.Artifact, p *features.Profile, pred model.Prediction, now time.Time) (cases.Case, bool, error) {
	drivers := make([]cases.Driver, 0, len(pred.Drivers))
	for _, d := range pred.Drivers {
		drivers = append(drivers, cases.Driver{Feature: d.Feature, Impact: d.Impact, Reason: d.Reason})
	}
	competitor, err := c.competitorTicket(ctx, m, p.ID, now)
	if err != nil {
		return cases.Case{}, false, err
	}
	horizon := DefaultCaseHorizon
	if m.Meta.HorizonDays > 0 {
		horizon = time.Duration(m.Meta.HorizonDays) * 24 * time.Hour
	}
	var mrr *float64
	if p.MRR != nil {
		v := *p.MRR
		mrr = &v
	}
	cs := cases.Case{ID: cases.ID(p.ID, now), CustomerID: p.ID, OpenedAt: now, Score: pred.Score,
		RevenueAtRisk: revenueAtRisk(pred.Score, mrr), MRR: mrr, Drivers: drivers,
		Play: c.plays.Suggest(drivers, competitor), Group: c.holdout.Group(p.ID), Status: cases.StatusOpen,
		Notes: []cases.Note{}, UpdatedAt: now, HorizonEnds: now.Add(horizon)}
	opened, err := c.st.OpenCase(ctx, cs)
	return cs, opened, err
}

// revenueAtRisk is the revenue a case puts at risk: MRR x score.
func revenueAtRisk(score float64, mrr *float64) float64 {
	if mrr == nil {
		return 0
	}
	return *mrr * score
}

// competitorTicket says whether a ticket of the lookback window kept as
// evidence names a switch to another product.
func (c *Cases) competitorTicket(ctx context.Context, m *model.Artifact, id string, now time.Time) (bool, error) {
	end := signals.EndDay(now)
	_, notes, err := c.evidence.Evidence(ctx, id, end-int32(m.Schema.LookbackDays), end)
	if err != nil {
		return false, err
	}
	for _, n := range notes {
		if slices.Contains(n.Intents, signals.IntentCompetitor) {
			return true, nil
		}
	}
	return false, nil
}

// current returns the customer's open case, nil when it has none or it
// cannot be read (the payload then goes without it).
func (c *Cases) current(ctx context.Context, customer string) *cases.Case {
	if c == nil {
		return nil
	}
	all, err := c.st.CustomerCases(ctx, customer)
	if err != nil {
		return nil
	}
	for i := range all {
		if !all[i].Status.Closed() && all[i].Outcome == cases.OutcomeNone {
			return &all[i]
		}
	}
	return nil
}

// Get returns a case.
func (c *Cases) Get(ctx context.Context, id string) (cases.Case, error) {
	if c == nil {
		return cases.Case{}, ErrCasesOff
	}
	cs, err := c.st.GetCase(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return cases.Case{}, &NotFoundError{What: "no such case"}
	}
	return cs, err
}

// List returns a page of cases.
func (c *Cases) List(ctx context.Context, q store.CaseQuery) (store.CasePage, error) {
	if c == nil {
		return store.CasePage{}, ErrCasesOff
	}
	return c.st.Cases(ctx, q)
}

// OfCustomer returns a customer's cases, newest first.
func (c *Cases) OfCustomer(ctx context.Context, customer string) ([]cases.Case, error) {
	if c == nil {
		return nil, ErrCasesOff
	}
	return c.st.CustomerCases(ctx, customer)
}

// Patch applies an agent's validated change to a case.
func (c *Cases) Patch(ctx context.Context, id string, p cases.Patch, author string) (cases.Case, error) {
	if c == nil {
		return cases.Case{}, ErrCasesOff
	}
	if err := p.Validate(); err != nil {
		return cases.Case{}, err
	}
	now := c.now().UTC()
	cs, err := c.st.UpdateCase(ctx, id, func(cs cases.Case) (cases.Case, error) { return cs.Apply(p, author, now), nil })
	if errors.Is(err, store.ErrNotFound) {
		return cases.Case{}, &NotFoundError{What: "no such case"}
	}
	return cs, err
}

// SettleDue records the outcome of every pending case whose customer has
// churned or whose horizon has passed, as of now; it returns how many it
// settled.
func (c *Cases) SettleDue(ctx context.Context) (int, error) {
	if c == nil {
		return 0, ErrCasesOff
	}
	now := c.now().UTC()
	n := 0
	err := c.st.PendingCases(ctx, func(cs cases.Case) error {
		p, err := c.profiles.GetCustomer(ctx, cs.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if !cs.Settle(p.ChurnedAt, now) {
			return nil
		}
		_, err = c.st.UpdateCase(ctx, cs.ID, func(cur cases.Case) (cases.Case, error) {
			cur.Settle(p.ChurnedAt, now)
			return cur, nil
		})
		if err != nil {
			return fmt.Errorf("settle case %s: %w", cs.ID, err)
		}
		n++
		return nil
	})
	return n, err
}

// Impact measures the effect of outreach over the cases opened in
// [from, to) (impact.Measure).
func (c *Cases) Impact(ctx context.Context, from, to time.Time) (impact.Report, error) {
	if c == nil {
		return impact.Report{}, ErrCasesOff
	}
	var all []cases.Case
	q := store.CaseQuery{Limit: store.MaxCaseLimit}
	for {
		page, err := c.st.Cases(ctx, q)
		if err != nil {
			return impact.Report{}, err
		}
		for _, cs := range page.Items {
			if !cs.OpenedAt.Before(from) && cs.OpenedAt.Before(to) {
				all = append(all, cs)
			}
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	return impact.Measure(all), nil
}
