package app

import (
	"context"
	"time"

	"github.com/churnrisk/churn/internal/evidence"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// Scorer is the score-and-persist step, shared by the scoring of stored
// customers and the import of a data set: it scores a customer and keeps
// the feature vector and the score.
type Scorer struct {
	Store ScoreWriter
	// Account names the attributes kept with the score as account name and
	// owner.
	Account store.Account
}

// Put scores customer p with model m as of asOf from its daily aggregates h
// (those of the model's lookback window), explaining the prediction with up
// to drivers drivers, and stores the feature vector and the score as of
// asOf's day. It returns the prediction and the vector, or the store's
// error. The reasons (and the score's top driver) are in English, the
// language of what is stored: a reader in another language gets them
// written again (Service.Risk) or translated (Service.AtRisk).
//
// gen is the generation of the customer's data that p and h were read at
// (store.Snap.Gen), or store.GenCurrent for data the store holds now.
func (w Scorer) Put(ctx context.Context, m *model.Artifact, p *features.Profile, h signals.History, gen int64, asOf time.Time, drivers int) (model.Prediction, []float64, error) {
	x := make([]float64, m.Schema.Len())
	pred := m.ScoreInto(x, p, h, asOf, drivers)
	sc := store.Score{Score: pred.Score, RiskLevel: pred.RiskLevel, Flagged: pred.Flagged, ModelVersion: m.Version, AsOf: asOf, MRR: p.MRR, Plan: p.Plan}
	sc.Name, sc.Owner = w.Account.Of(p)
	if len(pred.Drivers) > 0 {
		sc.TopDriver = pred.Drivers[0].Reason
	}
	err := w.Store.PutScore(ctx, p.ID, store.Cached{Gen: gen, Day: signals.DayNumber(asOf), ModelVersion: m.Version, Vector: x, Score: sc})
	return pred, x, err
}

// Risk is a customer's score as of AsOf with the model that gave it, its
// drivers and the concrete events behind it.
type Risk struct {
	CustomerID   string
	Prediction   model.Prediction
	Signals      []evidence.Signal
	ModelVersion string
	AsOf         time.Time
}

// Risk scores a stored customer as of now with the active model, keeps the
// score (see scoreStored) and returns it with its signals, its reasons and
// signals written in language l. It returns ErrNoModel before a model is
// loaded, or the store's error (store.ErrNotFound for an unknown customer).
func (s *Service) Risk(ctx context.Context, id string, l i18n.Lang) (Risk, error) {
	m, err := s.models.Require()
	if err != nil {
		return Risk{}, err
	}
	now := s.Now()
	pred, x, err := s.scoreStored(ctx, m, id, now)
	if err != nil {
		return Risk{}, err
	}
	reasonsIn(l, m, x, pred.Drivers)
	sigs, err := s.storedSignals(ctx, m, id, now, &pred, l)
	if err != nil {
		return Risk{}, err
	}
	return Risk{CustomerID: id, Prediction: pred, Signals: sigs, ModelVersion: m.Version, AsOf: now}, nil
}

// scoreStored scores a stored customer as of now. The cached feature vector
// is used when it was computed today with this model (and nothing changed
// since: the store drops it on new events or a new profile); otherwise the
// vector is rebuilt from the aggregates, and it and the score are stored,
// which also keeps the at-risk list current. Either way the score goes
// through the webhook alerts. It returns the prediction and the feature
// vector it was made from.
func (s *Service) scoreStored(ctx context.Context, m *model.Artifact, id string, now time.Time) (model.Prediction, []float64, error) {
	snap, err := s.st.Snapshot(ctx, id)
	p, cached := snap.Profile, snap.Cached
	if err != nil {
		return model.Prediction{}, nil, err
	}
	day := signals.DayNumber(now)
	if cached != nil && cached.Day == day && cached.ModelVersion == m.Version && len(cached.Vector) == m.Schema.Len() {
		s.observed(m, &p, now, cached.Vector)
		pred := m.Predict(cached.Vector, model.DefaultDrivers)
		prev := cached.Score.Score
		return pred, cached.Vector, s.alerts.Evaluate(ctx, m, &p, pred, &prev, now)
	}
	var prev *float64
	if cached != nil {
		prev = &cached.Score.Score
	} else if s.alerts.subscribed(ctx) { // the previous score is for webhook payloads
		if sc, err := s.st.GetScore(ctx, id); err == nil {
			prev = &sc.Score
		}
	}
	end := signals.EndDay(now)
	h, err := s.st.History(ctx, id, end-int32(m.Schema.LookbackDays), end)
	if err != nil {
		return model.Prediction{}, nil, err
	}
	pred, x, err := s.scorer.Put(ctx, m, &p, h, snap.Gen, now, model.DefaultDrivers)
	if err != nil {
		return model.Prediction{}, nil, err
	}
	s.observed(m, &p, now, x)
	return pred, x, s.alerts.Evaluate(ctx, m, &p, pred, prev, now)
}

// reasonsIn writes the drivers' reasons in language l: each is its
// feature's sentence for the vector x (features.Schema.DescribeIn), the
// one the model wrote in English.
func reasonsIn(l i18n.Lang, m *model.Artifact, x []float64, drivers []model.Driver) {
	if l == i18n.En {
		return
	}
	for i := range drivers {
		drivers[i].Reason = m.Schema.DescribeIn(l, drivers[i].Feature, x)
	}
}

// observed hands a served vector to the drift monitor; churned customers
// would read as drift and are left out.
func (s *Service) observed(m *model.Artifact, p *features.Profile, now time.Time, x []float64) {
	if s.observe != nil && p.ActiveAt(now) {
		s.observe(m.Version, x)
	}
}

// storedSignals reads a stored customer's daily aggregates and ticket
// excerpts of the model's lookback window as of now (one round trip) and
// returns what explain makes of them in language l. It returns the store's
// error (store.ErrNotFound for an unknown customer).
func (s *Service) storedSignals(ctx context.Context, m *model.Artifact, id string, now time.Time, pred *model.Prediction, l i18n.Lang) ([]evidence.Signal, error) {
	end := signals.EndDay(now)
	from := end - int32(m.Schema.LookbackDays)
	h, notes, err := s.st.Evidence(ctx, id, from, end)
	if err != nil {
		return nil, err
	}
	return explain(m, h, notes, now, pred, l), nil
}

// explain returns the signals of a customer scored with model m as of now
// and makes pred's churn-intent driver quote the newest intent ticket, in
// language l.
func explain(m *model.Artifact, h signals.History, notes []signals.Excerpt, now time.Time, pred *model.Prediction, l i18n.Lang) []evidence.Signal {
	end := signals.EndDay(now)
	evidence.Explain(pred.Drivers, notes, end, l)
	return evidence.Build(h, notes, end, m.Schema.LookbackDays, l)
}

// Unstored is a customer to score without storing anything: a profile and
// its events (validated).
type Unstored struct {
	Profile features.Profile
	Events  []signals.Event
}

// Scored is the answer of Score: each customer's risk, in order, with the
// model and the time they were scored with.
type Scored struct {
	Risks        []Risk
	ModelVersion string
	AsOf         time.Time
}

// Score scores customers without storing anything (batch scoring,
// what-if): each from its own profile and events, as of now, with the
// active model, the reasons and signals written in language l. It returns
// ErrNoModel before a model is loaded.
func (s *Service) Score(customers []Unstored, l i18n.Lang) (Scored, error) {
	m, err := s.models.Require()
	if err != nil {
		return Scored{}, err
	}
	now := s.Now()
	out := Scored{Risks: make([]Risk, len(customers)), ModelVersion: m.Version, AsOf: now}
	for i := range customers {
		c := &customers[i]
		var h signals.History
		var notes []signals.Excerpt
		for k := range c.Events {
			d, x, ok := s.agg.Ticket(&c.Events[k], s.keepText)
			h.Add(d)
			if ok {
				notes = append(notes, x)
			}
		}
		x := make([]float64, m.Schema.Len())
		pred := m.ScoreInto(x, &c.Profile, h, now, model.DefaultDrivers)
		reasonsIn(l, m, x, pred.Drivers)
		out.Risks[i] = Risk{CustomerID: c.Profile.ID, Prediction: pred, Signals: explain(m, h, notes, now, &pred, l), ModelVersion: m.Version, AsOf: now}
	}
	return out, nil
}
