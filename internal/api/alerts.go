package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/webhook"
)

// Bounds of GET /v1/customers/{id}/alerts.
const defaultAlertsLimit = 50

// alertItem is one webhook delivery made for a customer, as GET
// /v1/customers/{id}/alerts shows it: never the subscription's URL or
// secret.
type alertItem struct {
	ID             string                 `json:"id"`
	SubscriptionID string                 `json:"subscription_id"`
	Type           webhook.EventType      `json:"type"`
	Status         webhook.DeliveryStatus `json:"status"`
	Attempts       int                    `json:"attempts"`
	LastStatus     int                    `json:"last_status,omitempty"`
	CreatedAt      time.Time              `json:"created_at"`
	UpdatedAt      time.Time              `json:"updated_at"`
	Payload        json.RawMessage        `json:"payload"`
}

// alertOf returns the view of a delivery.
func alertOf(d webhook.Delivery) alertItem {
	payload := d.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	return alertItem{ID: d.ID, SubscriptionID: d.SubscriptionID, Type: d.Type, Status: d.Status, Attempts: d.Attempts,
		LastStatus: d.LastStatus, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Payload: payload}
}

// customerAlerts answers GET /v1/customers/{id}/alerts: the webhook
// deliveries made for the customer across every subscription, newest first
// ({"items":[]} when webhooks are not configured or none was made).
func (s *Server) customerAlerts(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit := defaultAlertsLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > webhook.MaxCustomerDeliveries {
			s.fail(c, invalid([]FieldError{{Field: "limit", Message: "must be an integer from 1 to 200"}}))
			return
		}
		limit = n
	}
	ds, err := s.alerts.CustomerDeliveries(c.Request.Context(), id, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]alertItem, 0, len(ds))
	for _, d := range ds {
		items = append(items, alertOf(d))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
