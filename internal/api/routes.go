package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/console"
)

const requestIDKey = "request_id"

// Body limits per route group.
const (
	smallBody  = 1 << 20  // customers, webhooks, model
	eventsBody = 32 << 20 // up to 10,000 events
	scoreBody  = 32 << 20 // up to 1,000 customers with events
)

// Handler returns the whole HTTP surface of the service.
//
// Routes (the role each needs is in the route table of the function body):
//
//	GET  /healthz                    liveness
//	GET  /readyz                     model loaded and store reachable
//	GET  /metrics                    Prometheus metrics
//	GET  /openapi.json               the OpenAPI 3 description of this API
//	PUT  /v1/customers/:id           upsert a profile
//	GET  /v1/customers/:id           the stored profile
//	GET  /v1/customers/:id/risk      score with drivers
//	GET  /v1/customers/:id/history   daily aggregates and point-in-time scores, usage drop
//	GET  /v1/customers/:id/alerts    the webhook deliveries made for the customer
//	POST /v1/events                  ingest up to 10,000 events
//	POST /v1/score                   score without storing
//	GET  /v1/at-risk                 high and medium risk customers by score, revenue at risk or weekly change
//	GET  /v1/customers/:id/cases     the customer's cases, newest first
//	GET  /v1/cases                   the work queue: cases by score or revenue at risk, filtered
//	GET  /v1/cases/:id               one case
//	PATCH /v1/cases/:id              owner, status, a signed note
//	GET  /v1/retention/impact        treated against control churn with its interval, per play
//	GET  /v1/plans                   the plans of the active model's training data
//	GET  /v1/metrics/churn           actual churn figures beside the predicted
//	POST /v1/webhooks                subscribe a CRM endpoint (secret shown once)
//	GET  /v1/webhooks                the subscriptions
//	DELETE /v1/webhooks/:id          unsubscribe
//	GET  /v1/webhooks/:id/deliveries recent deliveries
//	POST /v1/webhooks/:id/deliveries/:delivery/redeliver  retry a failed delivery
//	GET  /v1/model                   active model metadata
//	POST /v1/model/reload            reload models/current
//	GET  /v1/model/drift             PSI of recent serving features against training
//	GET  /v1/model/performance       how each month's snapshot of scores turned out
//	GET  /v1/model/report            the active version's report.html
//	GET  /v1/models                  every version with its figures and status
//	GET  /v1/whoami                  the role of the request's key
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	_ = r.SetTrustedProxies(nil) // no proxy is trusted unless configured
	r.HandleMethodNotAllowed = true
	r.Use(requestID(), s.logRequests(), s.recovery())
	r.NoRoute(func(c *gin.Context) { writeProblem(c, newProblem(http.StatusNotFound, "no such route").p) })
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, newProblem(http.StatusMethodNotAllowed, "method not allowed on this route").p)
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.metricsHandler())
	r.GET("/openapi.json", s.openAPI)

	// The support console: static files; its pages call the /v1 routes
	// below with the key the user signs in with.
	ui := gin.WrapH(console.Handler())
	for _, path := range []string{"/console", "/console/*file"} {
		r.GET(path, ui)
		r.HEAD(path, ui)
	}
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, console.Prefix) })

	// Every /v1 route and the role it needs (API keys of CHURN_API_KEYS;
	// with no keys configured the server is loopback-only and open).
	read, write, admin := s.require(RoleRead), s.require(RoleWrite), s.require(RoleAdmin)
	v1 := r.Group("/v1")
	v1.PUT("/customers/:id", write, limitBody(smallBody), s.putCustomer)
	v1.GET("/customers/:id", read, s.getCustomer)
	v1.GET("/customers/:id/risk", read, s.limitScoring(), s.risk)
	v1.GET("/customers/:id/history", read, s.limitScoring(), s.customerHistory)
	v1.GET("/customers/:id/alerts", read, s.customerAlerts)
	v1.POST("/events", write, s.fairUse(s.limit.events), limitBody(eventsBody), s.heavyWork(), s.postEvents)
	v1.POST("/score", read, s.fairUse(s.limit.score), s.limitScoring(), limitBody(scoreBody), s.heavyWork(), s.score)
	v1.GET("/at-risk", read, s.atRisk)
	v1.GET("/customers/:id/cases", read, s.customerCases)
	v1.GET("/cases", read, s.listCases)
	v1.GET("/cases/:id", read, s.getCase)
	v1.PATCH("/cases/:id", write, limitBody(smallBody), s.patchCase)
	v1.GET("/retention/impact", read, s.retentionImpact)
	v1.GET("/plans", read, s.plans)
	v1.GET("/metrics/churn", read, s.churnMetrics)
	v1.POST("/webhooks", admin, limitBody(smallBody), s.createWebhook)
	v1.GET("/webhooks", admin, s.listWebhooks)
	v1.DELETE("/webhooks/:id", admin, s.deleteWebhook)
	v1.GET("/webhooks/:id/deliveries", admin, s.webhookDeliveries)
	v1.POST("/webhooks/:id/deliveries/:delivery/redeliver", admin, s.redeliver)
	v1.GET("/model", read, s.getModel)
	v1.POST("/model/reload", admin, limitBody(smallBody), s.reloadModel)
	v1.GET("/model/drift", read, s.modelDrift)
	v1.GET("/model/performance", read, s.modelPerformance)
	v1.GET("/model/report", read, s.modelReport)
	v1.GET("/models", read, s.listModels)
	v1.GET("/whoami", read, s.whoami) // any valid key: read is the weakest role
	return r
}

// requestID honours X-Request-ID (up to 128 printable characters) or makes one, and echoes it.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if len(id) == 0 || len(id) > 128 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		s.prom.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
		s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("method", c.Request.Method), slog.String("route", c.FullPath()),
			slog.Int("status", c.Writer.Status()), slog.Duration("duration", time.Since(start)),
			slog.String("request_id", c.GetString(requestIDKey)))
	}
}

// recovery turns a panic into a logged 500 problem instead of a dropped connection.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "panic", r, "path", c.Request.URL.Path, "request_id", c.GetString(requestIDKey))
				writeProblem(c, newProblem(http.StatusInternalServerError, "internal error").p)
			}
		}()
		c.Next()
	}
}

// limitScoring bounds the scoring requests in flight: past the bound a
// request gets 503 with Retry-After at once rather than waiting in a queue.
func (s *Server) limitScoring() gin.HandlerFunc {
	return func(c *gin.Context) {
		select {
		case s.scoring <- struct{}{}:
			defer func() { <-s.scoring }()
			c.Next()
		default:
			s.prom.busy.Inc()
			writeProblem(c, newProblem(http.StatusServiceUnavailable, "too many scoring requests in flight; retry shortly").p)
		}
	}
}

// limitBody caps the request body (reading past it fails and the handler
// answers 413) and refuses a body declared as anything but JSON (415).
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ct := c.GetHeader("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
				writeProblem(c, newProblem(http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type: application/json)").p)
				return
			}
		}
		if c.Request.ContentLength > n {
			writeProblem(c, newProblem(http.StatusRequestEntityTooLarge, "request body over its limit").p)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}
