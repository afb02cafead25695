// Package api is the churn service's HTTP API (Gin): customers, events,
// risk scores with drivers, batch scoring and the model. It declares the
// store methods it needs; store.Mem and the Redis store provide them.
package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// Store is what the API needs from a store (store.Mem and store.Redis).
type Store interface {
	PutCustomer(ctx context.Context, p features.Profile) error
	GetCustomer(ctx context.Context, id string) (features.Profile, error)
	AddEvents(ctx context.Context, events []store.Event) (accepted, duplicates int, err error)
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
	Snapshot(ctx context.Context, id string) (features.Profile, *store.Cached, error)
	PutScore(ctx context.Context, id string, c store.Cached) error
	AtRisk(ctx context.Context, q store.AtRiskQuery) (store.AtRiskPage, error)
	Import(ctx context.Context, customers []store.CustomerData) error
	ChurnMetrics(ctx context.Context) (store.ChurnState, error)
	RecordPredicted(ctx context.Context, predicted map[metrics.Month]float64) error
	Alerts(ctx context.Context, id string, score float64, rules []store.AlertRule) ([]store.Transition, error)
	EachCustomer(ctx context.Context, fn func(id string) error) error
	GetScore(ctx context.Context, id string) (store.Score, error)
	Evidence(ctx context.Context, id string, from, to int32) (signals.History, []signals.Excerpt, error)
	Ping(ctx context.Context) error
}

// Config wires a Server.
type Config struct {
	Store     Store
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
	// customer.risk_cleared; 0 means DefaultHysteresis.
	Hysteresis float64
	// Keys are the API keys (CHURN_API_KEYS); nil serves without
	// authentication.
	Keys *Keys
	// MaxScoring bounds the scoring requests (risk, score) in flight; past
	// it they get 503 with Retry-After instead of queueing. 0 means 512.
	MaxScoring int
	// ModelPoll is how often Run checks models/current for a new version;
	// 0 means 5 seconds, a negative value turns the polling off.
	ModelPoll time.Duration
	// RescoreRate bounds the background rescoring of every customer after a
	// model change, in customers per second; 0 means 1000.
	RescoreRate float64
	// Account names the customer attributes the at-risk list shows as
	// account name and owner (CHURN_NAME_ATTRIBUTE, CHURN_OWNER_ATTRIBUTE);
	// an empty name means the store's default.
	Account store.Account
}

// Server holds the API's dependencies and the active model.
type Server struct {
	store     Store
	modelsDir string
	log       *slog.Logger
	now       func() time.Time
	agg       *signals.Aggregator
	maxSkew   time.Duration
	model     atomic.Pointer[model.Artifact]
	reloadMu  sync.Mutex
	rescore   *rescorer

	hooks             webhook.Store
	allowPrivateHooks bool
	hysteresis        float64
	subs              subsCache
	modelChanged      chan struct{}
	rescoreRate       float64
	prom              *promMetrics
	keys              *Keys
	modelPoll         time.Duration
	drift             *driftMonitor
	scoring           chan struct{}
	draining          atomic.Bool
	keepText          bool
	account           store.Account
}

// Drain marks the server as shutting down: /readyz answers 503 "draining" so
// that load balancers stop sending new requests, while every route keeps
// serving the requests that still arrive.
func (s *Server) Drain() { s.draining.Store(true) }

// New returns a Server; call LoadModel to load the current model and Run to
// keep the at-risk list current as events arrive.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, modelsDir: cfg.ModelsDir, log: cfg.Logger, now: cfg.Now, agg: cfg.Aggregator, maxSkew: cfg.MaxSkew, rescore: newRescorer()}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.agg == nil {
		s.agg = signals.NewAggregator()
	}
	if s.maxSkew <= 0 {
		s.maxSkew = 5 * time.Minute
	}
	s.hooks, s.allowPrivateHooks, s.hysteresis = cfg.Webhooks, cfg.AllowPrivateWebhooks, cfg.Hysteresis
	s.modelChanged, s.rescoreRate = make(chan struct{}, 1), cfg.RescoreRate
	s.prom = newPromMetrics()
	s.keys = cfg.Keys
	s.keepText = !cfg.DropTicketText
	if cfg.MaxScoring <= 0 {
		cfg.MaxScoring = 512
	}
	s.scoring = make(chan struct{}, cfg.MaxScoring)
	s.prom.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "churn_model_age_seconds",
		Help: "Age of the active model (since it was trained)."}, func() float64 {
		if m := s.Model(); m != nil && !m.Meta.CreatedAt.IsZero() {
			return time.Since(m.Meta.CreatedAt).Seconds()
		}
		return 0
	}))
	s.drift = newDriftMonitor(s.Model, s.prom.drift, s.log)
	s.modelPoll = cfg.ModelPoll
	if s.modelPoll == 0 {
		s.modelPoll = 5 * time.Second
	}
	if s.rescoreRate <= 0 {
		s.rescoreRate = 1000
	}
	if s.hysteresis <= 0 {
		s.hysteresis = DefaultHysteresis
	}
	s.account = store.Account{NameAttribute: cmp.Or(cfg.Account.NameAttribute, store.DefaultNameAttribute),
		OwnerAttribute: cmp.Or(cfg.Account.OwnerAttribute, store.DefaultOwnerAttribute)}
	return s
}

// Model returns the active model, or nil before one is loaded.
func (s *Server) Model() *model.Artifact { return s.model.Load() }

// LoadModel loads models/current and makes it active. On any error the
// previously active model keeps serving and the error is returned.
func (s *Server) LoadModel() (*model.Artifact, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	a, err := model.Load(s.modelsDir)
	if err != nil {
		return nil, fmt.Errorf("load model from %s: %w", s.modelsDir, err)
	}
	old := s.model.Swap(a)
	s.prom.modelInfo.Reset()
	s.prom.modelInfo.WithLabelValues(a.Version, a.Meta.Chosen).Set(1)
	if old == nil || old.Version != a.Version {
		s.log.Info("model active", "version", a.Version, "learner", a.Meta.Chosen, "features", a.Schema.Len())
	}
	if old != nil && old.Version != a.Version {
		select { // a new model rescores everyone in the background (see Run)
		case s.modelChanged <- struct{}{}:
		default:
		}
	}
	return a, nil
}

func storeErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return newProblem(404, "no such customer")
	case errors.Is(err, store.ErrUnavailable):
		return errUnavailable
	}
	return err
}

var errUnavailable = newProblem(503, "the store is unavailable; retry later")
