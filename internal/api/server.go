// Package api is the churn service's HTTP layer (Gin): it decodes and
// validates requests, calls one use case of internal/app, encodes the
// answer, and maps errors to problem+json answers in one place (fail).
package api

import (
	"cmp"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// Config wires a Server and the application under it.
type Config struct {
	Store     app.Store
	ModelsDir string
	Logger    *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Aggregator turns events into daily aggregates; nil means the default.
	Aggregator *signals.Aggregator
	// DropTicketText keeps ticket excerpts without their text, for
	// businesses that may not keep support text (CHURN_KEEP_TICKET_TEXT=false);
	// their dates and kinds are still kept.
	DropTicketText bool
	// MaxSkew is how far into the future an event timestamp may be; 0 means 5 minutes.
	MaxSkew time.Duration
	// Webhooks keeps webhook subscriptions and deliveries; nil disables
	// webhooks (their routes answer 404).
	Webhooks webhook.Store
	// AllowPrivateWebhooks lets webhook URLs resolve to loopback, private or
	// link-local addresses (CHURN_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivateWebhooks bool
	// Hysteresis is how far below a threshold a score must fall before
	// customer.risk_cleared; 0 means app.DefaultHysteresis.
	Hysteresis float64
	// Keys are the API keys (CHURN_API_KEYS); nil serves without
	// authentication.
	Keys *Keys
	// MaxScoring bounds the scoring requests (risk, score) in flight; past
	// it they get 503 with Retry-After instead of queueing. 0 means 512.
	MaxScoring int
	// Limits bound each client's scoring work (fair use); zero fields
	// mean DefaultLimits.
	Limits Limits
	// ModelPoll is how often App().Run checks models/current for a new version;
	// 0 means 5 seconds, a negative value turns the polling off.
	ModelPoll time.Duration
	// RescoreRate bounds the background rescoring of every customer after a
	// model change, in customers per second; 0 means 1000.
	RescoreRate float64
	// Account names the customer attributes the at-risk list shows as
	// account name and owner (CHURN_NAME_ATTRIBUTE, CHURN_OWNER_ATTRIBUTE);
	// an empty name means the store's default.
	Account store.Account
	// Cases configures the work queue of at-risk customers: the control
	// group (CHURN_HOLDOUT_SHARE, CHURN_HOLDOUT_SALT) and the play table
	// (CHURN_PLAYS_FILE).
	Cases app.CaseConfig
}

// Server is the HTTP layer over the application's use cases.
type Server struct {
	app               *app.Service
	models            *app.Models
	alerts            *app.Alerts
	log               *slog.Logger
	maxSkew           time.Duration
	allowPrivateHooks bool
	prom              *promMetrics
	keys              *Keys
	drift             *driftMonitor
	scoring           chan struct{}
	limit             *limiter
	draining          atomic.Bool
	ready             readyCache // the store's answer for /readyz
}

// New returns a Server over a new app.Service built from cfg; call
// App().Models().Load to load the current model and App().Run to keep the
// scores current in the background.
func New(cfg Config) *Server {
	s := &Server{log: cmp.Or(cfg.Logger, slog.Default()), maxSkew: cfg.MaxSkew, allowPrivateHooks: cfg.AllowPrivateWebhooks,
		keys: cfg.Keys, prom: newPromMetrics()}
	if s.maxSkew <= 0 {
		s.maxSkew = 5 * time.Minute
	}
	if cfg.MaxScoring <= 0 {
		cfg.MaxScoring = 512
	}
	s.scoring = make(chan struct{}, cfg.MaxScoring)
	s.limit = newLimiter(cfg.Limits, s.prom.reg)
	active := func() *model.Artifact { return s.models.Active() }
	s.drift = newDriftMonitor(active, s.prom.drift, s.log)
	s.app = app.New(app.Config{Store: cfg.Store, ModelsDir: cfg.ModelsDir, Logger: s.log, Now: cfg.Now, Aggregator: cfg.Aggregator,
		DropTicketText: cfg.DropTicketText, Webhooks: cfg.Webhooks, Hysteresis: cfg.Hysteresis, ModelPoll: cfg.ModelPoll,
		RescoreRate: cfg.RescoreRate, Account: cfg.Account, Observe: s.drift.observe, Cases: cfg.Cases})
	s.models, s.alerts = s.app.Models(), s.app.Alerts()
	s.prom.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "churn_model_age_seconds",
		Help: "Age of the active model (since it was trained)."}, func() float64 {
		if m := active(); m != nil && !m.Meta.CreatedAt.IsZero() {
			return time.Since(m.Meta.CreatedAt).Seconds()
		}
		return 0
	}), modelInfo{active})
	return s
}

// App returns the application the server serves: its use cases, the
// active model (Models) and the background work (Run).
func (s *Server) App() *app.Service { return s.app }

// Drain marks the server as shutting down: /readyz answers 503 "draining" so
// that load balancers stop sending new requests, while every route keeps
// serving the requests that still arrive.
func (s *Server) Drain() { s.draining.Store(true) }
