package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/alerts"
	"github.com/churnrisk/churn/internal/cases"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/webhook"
)

// DefaultHysteresis is how far below a subscription's threshold a score
// must fall before a customer.risk_cleared alert (alerts.DefaultHysteresis).
const DefaultHysteresis = alerts.DefaultHysteresis

// Alerts is the webhook side of the service: it turns new scores into
// customer.at_risk and customer.risk_cleared deliveries, and manages the
// subscriptions and their deliveries. Without a webhook store it does no
// alert work, lists no customer deliveries, and its subscription and
// delivery methods return ErrWebhooksOff.
type Alerts struct {
	hooks      webhook.Store // nil: webhooks are off
	cases      *Cases        // nil: cases are off
	states     AlertStates
	hysteresis float64
	now        func() time.Time

	mu      sync.Mutex // guards the subscriptions cache
	subs    []webhook.Subscription
	fetched time.Time
}

func newAlerts(hooks webhook.Store, states AlertStates, hysteresis float64, now func() time.Time) *Alerts {
	if hysteresis <= 0 {
		hysteresis = DefaultHysteresis
	}
	return &Alerts{hooks: hooks, states: states, hysteresis: hysteresis, now: now}
}

// Enabled reports whether webhooks are configured.
func (a *Alerts) Enabled() bool { return a.hooks != nil }

// invalidate drops the cached subscriptions.
func (a *Alerts) invalidate() {
	a.mu.Lock()
	a.fetched = time.Time{}
	a.mu.Unlock()
}

// subscriptions returns the subscriptions, cached for a short while: alerts
// are checked on every score, subscriptions change rarely.
func (a *Alerts) subscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if time.Since(a.fetched) < 2*time.Second {
		return a.subs, nil
	}
	subs, err := a.hooks.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	a.subs, a.fetched = subs, time.Now()
	return subs, nil
}

// Wanted reports whether a new score can raise alert work: a case (cases
// on) or a webhook delivery (a subscription exists), so that the import
// path rescores loaded customers through the alerts only then.
func (a *Alerts) Wanted(ctx context.Context) bool {
	return a.cases != nil || a.subscribed(ctx)
}

// subscribed reports whether any webhook subscription exists: only a
// delivery's payload needs the previous score (an extra read).
func (a *Alerts) subscribed(ctx context.Context) bool {
	if a.hooks == nil {
		return false
	}
	subs, err := a.subscriptions(ctx)
	return err == nil && len(subs) > 0
}

// AlertPayload is the body of a webhook delivery (DESIGN.md section 8).
type AlertPayload struct {
	Type      webhook.EventType `json:"type"`
	Timestamp time.Time         `json:"timestamp"`
	Data      AlertData         `json:"data"`
}

// AlertData is what an alert says of the customer.
type AlertData struct {
	CustomerID    string          `json:"customer_id"`
	Score         float64         `json:"score"`
	PreviousScore *float64        `json:"previous_score"`
	RiskLevel     model.RiskLevel `json:"risk_level"`
	Drivers       []model.Driver  `json:"drivers"`
	ModelVersion  string          `json:"model_version"`
	MRR           *float64        `json:"mrr"`
	// CaseID and Play are the customer's open case and its suggested play
	// (customer.at_risk only; absent when cases are off).
	CaseID string      `json:"case_id,omitempty"`
	Play   *cases.Play `json:"play,omitempty"`
}

// Evaluate applies a customer's new score (pred, by model m; prev is the
// previous score when known) to its alert state for every enabled
// subscription (threshold: the subscription's min_score, else the model's;
// cleared below it by the hysteresis) and enqueues one delivery per
// transition the subscription asked for. A customer who has left raises no
// alert. It returns the stores' errors.
func (a *Alerts) Evaluate(ctx context.Context, m *model.Artifact, p *features.Profile, pred model.Prediction, prev *float64, now time.Time) error {
	if (a.hooks == nil && a.cases == nil) || !p.ActiveAt(now) {
		return nil
	}
	var subs []webhook.Subscription
	if a.hooks != nil {
		var err error
		if subs, err = a.subscriptions(ctx); err != nil {
			return err
		}
	}
	rules := make([]alerts.Rule, 0, len(subs)+1)
	byID := map[string]webhook.Subscription{}
	for _, sub := range subs {
		if sub.Disabled {
			continue
		}
		th := m.Threshold
		if sub.MinScore != nil {
			th = *sub.MinScore
		}
		rules = append(rules, alerts.NewRule(sub.ID, th, a.hysteresis))
		byID[sub.ID] = sub
	}
	if a.cases != nil {
		rules = append(rules, alerts.NewRule(CaseRule, m.Threshold, a.hysteresis))
	}
	if len(rules) == 0 {
		return nil
	}
	tr, err := a.states.Alerts(ctx, p.ID, pred.Score, rules)
	if err != nil || len(tr) == 0 {
		return err
	}
	// The case first: the at-risk deliveries name it.
	var open *cases.Case
	for _, t := range tr {
		if t.RuleID == CaseRule && t.AtRisk {
			c, _, err := a.cases.open(ctx, m, p, pred, now)
			if err != nil {
				return fmt.Errorf("open the case of %s: %w", p.ID, err)
			}
			open = &c
		}
	}
	if a.hooks == nil || (a.cases != nil && a.cases.Group(p.ID) == cases.GroupControl) {
		return nil // held out: nothing goes to the CRM
	}
	var ds []webhook.Delivery
	for _, t := range tr {
		if t.RuleID == CaseRule {
			continue
		}
		typ := webhook.EventRiskCleared
		if t.AtRisk {
			typ = webhook.EventAtRisk
		}
		if !slices.Contains(byID[t.RuleID].Events, typ) {
			continue
		}
		data := AlertData{CustomerID: p.ID, Score: pred.Score, PreviousScore: prev, RiskLevel: pred.RiskLevel,
			Drivers: pred.Drivers, ModelVersion: m.Version, MRR: p.MRR}
		if t.AtRisk {
			if open == nil {
				open = a.cases.current(ctx, p.ID)
			}
			if open != nil {
				data.CaseID, data.Play = open.ID, &open.Play
			}
		}
		body, err := json.Marshal(AlertPayload{Type: typ, Timestamp: now, Data: data})
		if err != nil {
			return fmt.Errorf("alert payload of %s: %w", p.ID, err)
		}
		ds = append(ds, webhook.Delivery{ID: webhook.NewMessageID(), SubscriptionID: t.RuleID, Type: typ, CustomerID: p.ID,
			Payload: body, Status: webhook.StatusPending, CreatedAt: now, UpdatedAt: now})
	}
	if len(ds) == 0 {
		return nil
	}
	return a.hooks.Enqueue(ctx, ds)
}

// Subscribe registers a CRM endpoint for the given event types (already
// validated, as is the URL's safety) with an optional threshold, and
// returns the subscription with its new signing secret. It fails when the
// random source or the webhook store does.
func (a *Alerts) Subscribe(ctx context.Context, url string, events []webhook.EventType, minScore *float64) (webhook.Subscription, error) {
	if a.hooks == nil {
		return webhook.Subscription{}, ErrWebhooksOff
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return webhook.Subscription{}, fmt.Errorf("webhook secret: %w", err)
	}
	sub := webhook.Subscription{ID: "wh_" + strings.TrimPrefix(webhook.NewMessageID(), "msg_"), URL: url, Events: slices.Compact(events),
		MinScore: minScore, Secret: secret, CreatedAt: a.now().UTC()}
	if err := a.hooks.PutSubscription(ctx, sub); err != nil {
		return webhook.Subscription{}, err
	}
	a.invalidate()
	return sub, nil
}

// Subscriptions returns every subscription, or the webhook store's error.
func (a *Alerts) Subscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	if a.hooks == nil {
		return nil, ErrWebhooksOff
	}
	return a.hooks.Subscriptions(ctx)
}

// Subscription returns one subscription: a *NotFoundError for an unknown
// id, or the webhook store's error.
func (a *Alerts) Subscription(ctx context.Context, id string) (webhook.Subscription, error) {
	if a.hooks == nil {
		return webhook.Subscription{}, ErrWebhooksOff
	}
	sub, err := a.hooks.GetSubscription(ctx, id)
	if errors.Is(err, webhook.ErrNotFound) {
		return sub, &NotFoundError{What: "no such webhook"}
	}
	return sub, err
}

// Unsubscribe removes a subscription: a *NotFoundError for an unknown id,
// or the webhook store's error.
func (a *Alerts) Unsubscribe(ctx context.Context, id string) error {
	if a.hooks == nil {
		return ErrWebhooksOff
	}
	err := a.hooks.DeleteSubscription(ctx, id)
	if errors.Is(err, webhook.ErrNotFound) {
		return &NotFoundError{What: "no such webhook"}
	}
	if err != nil {
		return err
	}
	a.invalidate()
	return nil
}

// Deliveries returns up to limit recent deliveries of a subscription,
// newest first, or the webhook store's error.
func (a *Alerts) Deliveries(ctx context.Context, subscriptionID string, limit int) ([]webhook.Delivery, error) {
	if a.hooks == nil {
		return nil, ErrWebhooksOff
	}
	return a.hooks.Deliveries(ctx, subscriptionID, limit)
}

// Redeliver queues a failed delivery of a subscription again: a
// *NotFoundError when the subscription has no such failed delivery, or the
// webhook store's error.
func (a *Alerts) Redeliver(ctx context.Context, subscriptionID, deliveryID string) error {
	if a.hooks == nil {
		return ErrWebhooksOff
	}
	err := a.hooks.Redeliver(ctx, subscriptionID, deliveryID)
	if errors.Is(err, webhook.ErrNotFound) {
		return &NotFoundError{What: "no such failed delivery of this webhook"}
	}
	return err
}

// CustomerDeliveries returns up to limit webhook deliveries made for a
// customer across every subscription, newest first (none when webhooks are
// off), or the webhook store's error.
func (a *Alerts) CustomerDeliveries(ctx context.Context, customerID string, limit int) ([]webhook.Delivery, error) {
	if a.hooks == nil {
		return nil, nil
	}
	return a.hooks.CustomerDeliveries(ctx, customerID, limit)
}
