// Package app holds the churn service's use cases as plain Go, below the
// HTTP layer (internal/api) and above the stores: ingest events, upsert a
// profile, score a stored customer and persist the result, score without
// storing, read a customer's history, signals and alerts, list the at-risk
// customers, read the churn figures, rescore in the background after events
// or a model change, and evaluate the webhook alerts. Models holds the
// active model, Alerts the webhook side. The package declares the small
// interfaces it needs from the stores; store.Mem and store.Redis provide
// them. Importing a data set is the use case of internal/app/dataload.
package app

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// Profiles keeps customer profiles.
type Profiles interface {
	PutCustomer(ctx context.Context, p features.Profile) error
	GetCustomer(ctx context.Context, id string) (features.Profile, error)
}

// Events stores validated events with their daily aggregates.
type Events interface {
	AddEvents(ctx context.Context, events []store.Event) (accepted, duplicates int, err error)
}

// ScoreWriter keeps a customer's feature vector and score (which also
// places the customer on the at-risk list).
type ScoreWriter interface {
	PutScore(ctx context.Context, id string, c store.Cached) error
}

// ScoreStore is what scoring a stored customer reads and writes: the
// profile with its cached vector, the daily aggregates and ticket excerpts
// of the lookback window, the previous score.
type ScoreStore interface {
	ScoreWriter
	Snapshot(ctx context.Context, id string) (store.Snap, error)
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
	Evidence(ctx context.Context, id string, from, to int32) (signals.History, []signals.Excerpt, error)
	GetScore(ctx context.Context, id string) (store.Score, error)
}

// AlertStates keeps each customer's alert state per rule and applies a new
// score to it.
type AlertStates interface {
	Alerts(ctx context.Context, id string, score float64, rules []store.AlertRule) ([]store.Transition, error)
}

// AtRiskList pages through the at-risk list.
type AtRiskList interface {
	AtRisk(ctx context.Context, q store.AtRiskQuery) (store.AtRiskPage, error)
}

// Figures reads the incrementally kept churn aggregates.
type Figures interface {
	ChurnMetrics(ctx context.Context) (store.ChurnState, error)
}

// Customers walks every stored customer (the rescoring after a model change).
type Customers interface {
	EachCustomer(ctx context.Context, fn func(id string) error) error
}

// Importer is what importing a data set writes (internal/app/dataload): the
// customers in bulk, the back-tested predicted churn, the scores.
type Importer interface {
	ScoreWriter
	Import(ctx context.Context, customers []store.CustomerData) error
	RecordPredicted(ctx context.Context, predicted map[metrics.Month]float64) error
}

// Pinger answers whether the store can serve: it is reachable and would
// accept a write now.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Store is every store interface above: what a Service is built on.
type Store interface {
	Profiles
	Events
	ScoreStore
	AlertStates
	AtRiskList
	Figures
	Customers
	Importer
	Pinger
	Requests
}

// Errors of the use cases, beside the stores' (store.ErrNotFound,
// store.ErrUnavailable, store.ErrBadCursor, webhook.ErrUnavailable) which
// they return wrapped.
var (
	// ErrNoModel is returned by the use cases that need a model before one
	// is loaded.
	ErrNoModel = errors.New("no model loaded")
	// ErrModelRefused is wrapped by Models.Load when models/current cannot
	// be loaded (with model.ErrNoModel when none was trained); the previous
	// model keeps serving.
	ErrModelRefused = errors.New("model refused")
	// ErrModelsUnreadable is wrapped by Models.List when the models
	// directory cannot be read.
	ErrModelsUnreadable = errors.New("models directory unreadable")
	// ErrWebhooksOff is returned by the webhook use cases of a service
	// without a webhook store.
	ErrWebhooksOff = errors.New("webhooks are not configured")
)

// NotFoundError is returned for a webhook, a delivery or a report that does
// not exist; What says which, in words a client may be shown.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What }

// Config wires a Service.
type Config struct {
	Store     Store
	ModelsDir string
	Logger    *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Aggregator turns events into daily aggregates; nil means the default.
	Aggregator *signals.Aggregator
	// DropTicketText keeps ticket excerpts without their text
	// (CHURN_KEEP_TICKET_TEXT=false); their dates and kinds are still kept.
	DropTicketText bool
	// Webhooks keeps webhook subscriptions and deliveries; nil disables
	// webhooks.
	Webhooks webhook.Store
	// Hysteresis is how far below a threshold a score must fall before
	// customer.risk_cleared; 0 means DefaultHysteresis.
	Hysteresis float64
	// ModelPoll is how often Run checks models/current for a new version;
	// 0 means 5 seconds, a negative value turns the polling off.
	ModelPoll time.Duration
	// RescoreRate bounds the background rescoring of every customer after a
	// model change, in customers per second; 0 means 1000.
	RescoreRate float64
	// Account names the customer attributes kept with a score as account
	// name and owner; an empty name means the store's default.
	Account store.Account
	// Observe, when set, is given the feature vector of every active
	// customer scored from the store, with the model version (the drift
	// monitor); it must not keep x.
	Observe func(version string, x []float64)
	// Cases configures the work queue of at-risk customers; a store without
	// cases (neither store.Mem nor store.Redis) opens none.
	Cases CaseConfig
}

// Service is the application: the use cases over one store, one webhook
// store and the active model.
type Service struct {
	st          Store
	models      *Models
	alerts      *Alerts
	scorer      Scorer
	log         *slog.Logger
	now         func() time.Time
	agg         *signals.Aggregator
	keepText    bool
	observe     func(version string, x []float64)
	rescore     *rescorer
	rescoreRate float64
	cases       *Cases
}

// New returns a Service; call Models().Load to load the current model and
// Run to keep scores current in the background.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, log: cmp.Or(cfg.Logger, slog.Default()), now: cfg.Now, agg: cfg.Aggregator,
		keepText: !cfg.DropTicketText, observe: cfg.Observe, rescore: newRescorer(), rescoreRate: cfg.RescoreRate}
	if s.now == nil {
		s.now = time.Now
	}
	if s.agg == nil {
		s.agg = signals.NewAggregator()
	}
	if s.rescoreRate <= 0 {
		s.rescoreRate = 1000
	}
	poll := cfg.ModelPoll
	if poll == 0 {
		poll = 5 * time.Second
	}
	s.models = newModels(cfg.ModelsDir, poll, s.log)
	s.cases = newCases(cfg.Cases, cfg.Store, s.now, s.log)
	s.alerts = newAlerts(cfg.Webhooks, cfg.Store, cfg.Hysteresis, s.now)
	s.alerts.cases = s.cases
	s.scorer = Scorer{Store: cfg.Store, Account: store.Account{NameAttribute: cmp.Or(cfg.Account.NameAttribute, store.DefaultNameAttribute),
		OwnerAttribute: cmp.Or(cfg.Account.OwnerAttribute, store.DefaultOwnerAttribute)}}
	return s
}

// Cases returns the work queue of at-risk customers; its methods return
// ErrCasesOff when cases are off.
func (s *Service) Cases() *Cases { return s.cases }

// Models returns the holder of the active model.
func (s *Service) Models() *Models { return s.models }

// Alerts returns the webhook side: alert evaluation, subscriptions and
// deliveries.
func (s *Service) Alerts() *Alerts { return s.alerts }

// Now returns the service's current time in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Account returns the attributes kept with a score as account name and owner.
func (s *Service) Account() store.Account { return s.scorer.Account }

// Importer returns the service's store in its bulk-import role, for the
// import use case (internal/app/dataload).
func (s *Service) Importer() Importer { return s.st }

// Ping returns nil when the store answers and would accept a write now,
// else its error (see store.Redis.Ping).
func (s *Service) Ping(ctx context.Context) error { return s.st.Ping(ctx) }
