package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/webhook"
)

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
	if !s.alerts.Enabled() { // before the body is read
		s.fail(c, app.ErrWebhooksOff)
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
	sub, err := s.alerts.Subscribe(c.Request.Context(), in.URL, in.Events, in.MinScore)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewOf(sub, true))
}

func (s *Server) listWebhooks(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	subs, err := s.alerts.Subscriptions(c.Request.Context())
	if err != nil {
		s.fail(c, err)
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
	if err := s.alerts.Unsubscribe(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) webhookDeliveries(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	ctx := c.Request.Context()
	// An unknown webhook is 404 whatever the limit.
	if _, err := s.alerts.Subscription(ctx, c.Param("id")); err != nil {
		s.fail(c, err)
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
	ds, err := s.alerts.Deliveries(ctx, c.Param("id"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": ds})
}

func (s *Server) redeliver(c *gin.Context) {
	if !s.webhooksEnabled(c) {
		return
	}
	if err := s.alerts.Redeliver(c.Request.Context(), c.Param("id"), c.Param("delivery")); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"redelivery": c.Param("delivery")})
}
