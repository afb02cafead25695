package api

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// DefaultHysteresis is how far below a subscription's threshold a score
// must fall before a customer.risk_cleared alert.
const DefaultHysteresis = 0.05

// webhookRequest is the body of POST /v1/webhooks.
type webhookRequest struct {
	URL      string              `json:"url"`
	Events   []webhook.EventType `json:"events"`
	MinScore *float64            `json:"min_score"`
}

// webhookView is a subscription as the API shows it: the secret only once,
// at creation.
type webhookView struct {
	ID             string              `json:"id"`
	URL            string              `json:"url"`
	Events         []webhook.EventType `json:"events"`
	MinScore       *float64            `json:"min_score"`
	Secret         string              `json:"secret,omitempty"`
	Disabled       bool                `json:"disabled"`
	DisabledReason string              `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time           `json:"created_at"`
}

func viewOf(s webhook.Subscription, withSecret bool) webhookView {
	v := webhookView{ID: s.ID, URL: webhook.RedactURL(s.URL), Events: s.Events, MinScore: s.MinScore, Disabled: s.Disabled,
		DisabledReason: s.DisabledReason, CreatedAt: s.CreatedAt}
	if withSecret {
		v.Secret, v.URL = s.Secret, s.URL
	}
	return v
}

func (s *Server) webhooksEnabled(c *gin.Context) bool {
	if s.hooks == nil {
		writeProblem(c, newProblem(http.StatusNotFound, "webhooks are not configured on this server").p)
		return false
	}
	return true
}

func (s *Server) createWebhook(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	var in webhookRequest
	if err := decodeJSON(c.Request.Body, &in, ""); err != nil {
		s.fail(c, err)
		return
	}
	var errs fieldErrors
	if err := webhook.CheckURL(c.Request.Context(), in.URL, s.allowPrivateHooks, nil); err != nil {
		errs.add("url", "%s", err.Error())
	}
	if len(in.Events) == 0 {
		in.Events = []webhook.EventType{webhook.EventAtRisk, webhook.EventRiskCleared}
	}
	for i, e := range in.Events {
		if e != webhook.EventAtRisk && e != webhook.EventRiskCleared {
			errs.add("events["+strconv.Itoa(i)+"]", "unknown event %q: customer.at_risk or customer.risk_cleared", e)
		}
	}
	if in.MinScore != nil && !(*in.MinScore > 0 && *in.MinScore < 1) {
		errs.add("min_score", "must be a number in (0, 1)")
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		s.fail(c, err)
		return
	}
	sub := webhook.Subscription{ID: "wh_" + strings.TrimPrefix(webhook.NewMessageID(), "msg_"), URL: in.URL, Events: slices.Compact(in.Events),
		MinScore: in.MinScore, Secret: secret, CreatedAt: s.now().UTC()}
	if err := s.hooks.PutSubscription(c.Request.Context(), sub); err != nil {
		s.fail(c, storeErr(err))
		return
	}
	s.subs.invalidate()
	c.JSON(http.StatusCreated, viewOf(sub, true))
}

func (s *Server) listWebhooks(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	subs, err := s.hooks.Subscriptions(c.Request.Context())
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	out := make([]webhookView, 0, len(subs))
	for _, sub := range subs {
		out = append(out, viewOf(sub, false))
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": out})
}

func (s *Server) deleteWebhook(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	err := s.hooks.DeleteSubscription(c.Request.Context(), c.Param("id"))
	if errors.Is(err, webhook.ErrNotFound) {
		s.fail(c, newProblem(http.StatusNotFound, "no such webhook"))
		return
	}
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	s.subs.invalidate()
	c.Status(http.StatusNoContent)
}

func (s *Server) webhookDeliveries(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	ctx := c.Request.Context()
	if _, err := s.hooks.GetSubscription(ctx, c.Param("id")); err != nil {
		if errors.Is(err, webhook.ErrNotFound) {
			s.fail(c, newProblem(http.StatusNotFound, "no such webhook"))
			return
		}
		s.fail(c, storeErr(err))
		return
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > webhook.MaxDeliveriesKept {
			s.fail(c, invalid([]FieldError{{Field: "limit", Message: "must be an integer from 1 to 1000"}}))
			return
		}
		limit = n
	}
	ds, err := s.hooks.Deliveries(ctx, c.Param("id"), limit)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": ds})
}

func (s *Server) redeliver(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	err := s.hooks.Redeliver(c.Request.Context(), c.Param("id"), c.Param("delivery"))
	if errors.Is(err, webhook.ErrNotFound) {
		s.fail(c, newProblem(http.StatusNotFound, "no such failed delivery of this webhook"))
		return
	}
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"redelivery": c.Param("delivery")})
}

// subsCache keeps the subscription list for a short while: alerts are
// checked on every score, subscriptions change rarely.
type subsCache struct {
	mu      sync.Mutex
	subs    []webhook.Subscription
	fetched time.Time
}

func (sc *subsCache) invalidate() {
	sc.mu.Lock()
	sc.fetched = time.Time{}
	sc.mu.Unlock()
}

func (s *Server) subscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	if time.Since(s.subs.fetched) < 2*time.Second {
		return s.subs.subs, nil
	}
	subs, err := s.hooks.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	s.subs.subs, s.subs.fetched = subs, time.Now()
	return subs, nil
}

// alertsWanted reports whether any webhook subscription exists, so that the
// scoring and import paths do no alert work (an extra read of the previous
// score, a rescoring of everyone loaded) when nobody listens.
func (s *Server) alertsWanted(ctx context.Context) bool {
	if s.hooks == nil {
		return false
	}
	subs, err := s.subscriptions(ctx)
	return err == nil && len(subs) > 0
}

// alertPayload is the body of a webhook (DESIGN.md section 8).
type alertPayload struct {
	Type      webhook.EventType `json:"type"`
	Timestamp time.Time         `json:"timestamp"`
	Data      alertData         `json:"data"`
}

type alertData struct {
	CustomerID    string          `json:"customer_id"`
	Score         float64         `json:"score"`
	PreviousScore *float64        `json:"previous_score"`
	RiskLevel     model.RiskLevel `json:"risk_level"`
	Drivers       []model.Driver  `json:"drivers"`
	ModelVersion  string          `json:"model_version"`
	MRR           *float64        `json:"mrr"`
}

// alert applies a customer's new score to its alert state for every
// subscription and enqueues one delivery per transition. A customer who has
// left raises no alert.
func (s *Server) alert(ctx context.Context, m *model.Artifact, p *features.Profile, pred model.Prediction, prev *float64, now time.Time) error {
	if s.hooks == nil || !p.ActiveAt(now) {
		return nil
	}
	subs, err := s.subscriptions(ctx)
	if err != nil || len(subs) == 0 {
		return err
	}
	rules := make([]store.AlertRule, 0, len(subs))
	byID := map[string]webhook.Subscription{}
	for _, sub := range subs {
		if sub.Disabled {
			continue
		}
		th := m.Threshold
		if sub.MinScore != nil {
			th = *sub.MinScore
		}
		rules = append(rules, store.AlertRule{ID: sub.ID, Threshold: th, Clear: math.Max(0, th-s.hysteresis)})
		byID[sub.ID] = sub
	}
	tr, err := s.store.Alerts(ctx, p.ID, pred.Score, rules)
	if err != nil || len(tr) == 0 {
		return err
	}
	var ds []webhook.Delivery
	for _, t := range tr {
		typ := webhook.EventRiskCleared
		if t.AtRisk {
			typ = webhook.EventAtRisk
		}
		if !slices.Contains(byID[t.RuleID].Events, typ) {
			continue
		}
		body, err := json.Marshal(alertPayload{Type: typ, Timestamp: now, Data: alertData{CustomerID: p.ID, Score: pred.Score,
			PreviousScore: prev, RiskLevel: pred.RiskLevel, Drivers: pred.Drivers, ModelVersion: m.Version, MRR: p.MRR}})
		if err != nil {
			return err
		}
		ds = append(ds, webhook.Delivery{ID: webhook.NewMessageID(), SubscriptionID: t.RuleID, Type: typ, CustomerID: p.ID,
			Payload: body, Status: webhook.StatusPending, CreatedAt: now, UpdatedAt: now})
	}
	if len(ds) == 0 {
		return nil
	}
	return s.hooks.Enqueue(ctx, ds)
}
