package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/evidence"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// Batch limits.
const (
	MaxEvents    = 10000
	MaxCustomers = 1000
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if s.draining.Load() {
		c.Header("Retry-After", "2")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	checks := gin.H{"model": "ok", "store": "ok"}
	ok := true
	if m := s.Model(); m == nil {
		checks["model"], ok = "no model loaded", false
	}
	if err := s.store.Ping(c.Request.Context()); err != nil {
		checks["store"], ok = "unreachable", false
	}
	if !ok {
		c.Header("Retry-After", "2")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

func customerID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if err := signals.ValidateCustomerID(id); err != nil {
		return "", invalid([]FieldError{{Field: "id", Message: err.Error()}})
	}
	return id, nil
}

func (s *Server) putCustomer(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in customerIn
	if err := decodeJSON(c.Request.Body, &in, ""); err != nil {
		s.fail(c, err)
		return
	}
	var errs fieldErrors
	if in.CustomerID != nil && *in.CustomerID != id {
		errs.add("customer_id", "does not match the id in the path (%q)", id)
	}
	if in.Events != nil {
		errs.add("events", "unknown field: send events to POST /v1/events")
	}
	p := in.profile(id, "", &errs)
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	if err := s.store.PutCustomer(c.Request.Context(), p); err != nil {
		s.fail(c, storeErr(err))
		return
	}
	// A new plan, MRR or attribute changes the features: rescore in the
	// background so that the at-risk list and the alerts follow.
	s.rescore.mark([]string{id})
	c.JSON(http.StatusOK, p)
}

func (s *Server) getCustomer(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.store.GetCustomer(c.Request.Context(), id)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) postEvents(c *gin.Context) {
	var body struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := decodeJSON(c.Request.Body, &body, ""); err != nil {
		s.fail(c, err)
		return
	}
	if body.Events == nil {
		s.fail(c, invalid([]FieldError{{Field: "events", Message: "required: an array of events"}}))
		return
	}
	if len(body.Events) > MaxEvents {
		s.fail(c, invalid([]FieldError{{Field: "events", Message: "at most 10000 events per request"}}))
		return
	}
	var errs fieldErrors
	events := s.parseEvents(body.Events, "events", "", &errs)
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	batch := make([]store.Event, len(events))
	for i := range events {
		d, x, ok := s.agg.Ticket(&events[i], s.keepText)
		batch[i] = store.Event{CustomerID: events[i].CustomerID, EventID: events[i].EventID, Day: d}
		if ok {
			batch[i].Excerpt = &x
		}
	}
	acc, dup, err := s.store.AddEvents(c.Request.Context(), batch)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	s.prom.events.Add(float64(acc))
	s.prom.duplicates.Add(float64(dup))
	if acc > 0 {
		ids := make([]string, 0, 8)
		seen := map[string]bool{}
		for i := range batch {
			if id := batch[i].CustomerID; !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		s.rescore.mark(ids)
	}
	c.JSON(http.StatusAccepted, gin.H{"accepted": acc, "duplicates": dup})
}

// riskResponse is the body of GET /v1/customers/{id}/risk and of each result of /v1/score.
type riskResponse struct {
	CustomerID string          `json:"customer_id"`
	Score      float64         `json:"score"`
	BaseScore  float64         `json:"base_score"`
	RiskLevel  model.RiskLevel `json:"risk_level"`
	Flagged    bool            `json:"flagged"`
	Drivers    []model.Driver  `json:"drivers"`
	// Signals are the concrete events behind the score (evidence.Build).
	Signals      []evidence.Signal `json:"signals"`
	ModelVersion string            `json:"model_version"`
	AsOf         time.Time         `json:"as_of"`
}

func (s *Server) activeModel() (*model.Artifact, error) {
	m := s.Model()
	if m == nil {
		return nil, newProblem(http.StatusServiceUnavailable, "no model loaded: train one with `train fit` and POST /v1/model/reload")
	}
	return m, nil
}

func (s *Server) risk(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	m, err := s.activeModel()
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.now().UTC()
	pred, err := s.scoreStored(c.Request.Context(), m, id, now)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	sigs, err := s.storedSignals(c.Request.Context(), m, id, now, &pred)
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	s.prom.scores.Inc()
	c.JSON(http.StatusOK, riskResponse{CustomerID: id, Score: pred.Score, BaseScore: pred.BaseScore, RiskLevel: pred.RiskLevel, Flagged: pred.Flagged,
		Drivers: pred.Drivers, Signals: sigs, ModelVersion: m.Version, AsOf: now})
}

// scoreStored scores a stored customer as of now. The cached feature vector
// is used when it was computed today with this model (and nothing changed
// since: the store drops it on new events or a new profile); otherwise the
// vector is rebuilt from the aggregates, and it and the score are stored,
// which also keeps the at-risk list current.
func (s *Server) scoreStored(ctx context.Context, m *model.Artifact, id string, now time.Time) (model.Prediction, error) {
	p, cached, err := s.store.Snapshot(ctx, id)
	if err != nil {
		return model.Prediction{}, err
	}
	day := signals.DayNumber(now)
	if cached != nil && cached.Day == day && cached.ModelVersion == m.Version && len(cached.Vector) == m.Schema.Len() {
		if p.ActiveAt(now) { // churned customers would read as drift
			s.drift.observe(m.Version, cached.Vector)
		}
		pred := m.Predict(cached.Vector, model.DefaultDrivers)
		prev := cached.Score.Score
		return pred, s.alert(ctx, m, &p, pred, &prev, now)
	}
	var prev *float64
	if cached != nil {
		prev = &cached.Score.Score
	} else if s.alertsWanted(ctx) {
		if sc, err := s.store.GetScore(ctx, id); err == nil {
			prev = &sc.Score
		}
	}
	end := signals.EndDay(now)
	h, err := s.store.History(ctx, id, end-int32(m.Schema.LookbackDays), end)
	if err != nil {
		return model.Prediction{}, err
	}
	x := make([]float64, m.Schema.Len())
	m.Schema.Vector(&p, h, now, x)
	if p.ActiveAt(now) { // churned customers would read as drift
		s.drift.observe(m.Version, x)
	}
	pred := m.Predict(x, model.DefaultDrivers)
	sc := store.Score{Score: pred.Score, RiskLevel: pred.RiskLevel, Flagged: pred.Flagged, ModelVersion: m.Version, AsOf: now, MRR: p.MRR, Plan: p.Plan}
	sc.Name, sc.Owner = s.account.Of(&p)
	if len(pred.Drivers) > 0 {
		sc.TopDriver = pred.Drivers[0].Reason
	}
	if err := s.store.PutScore(ctx, id, store.Cached{Day: day, ModelVersion: m.Version, Vector: x, Score: sc}); err != nil {
		return model.Prediction{}, err
	}
	return pred, s.alert(ctx, m, &p, pred, prev, now)
}

// atRiskItem is one entry of GET /v1/at-risk.
type atRiskItem struct {
	CustomerID    string          `json:"customer_id"`
	Name          string          `json:"name"`  // from the attribute CHURN_NAME_ATTRIBUTE as of the score; "" when unknown
	Owner         string          `json:"owner"` // from the attribute CHURN_OWNER_ATTRIBUTE as of the score; "" when unknown
	Score         float64         `json:"score"`
	ScoreWeekAgo  *float64        `json:"score_7d_ago"`
	Change        *float64        `json:"change"` // score - score_7d_ago; null when that is unknown
	RiskLevel     model.RiskLevel `json:"risk_level"`
	MRR           *float64        `json:"mrr"`
	RevenueAtRisk *float64        `json:"revenue_at_risk"`
	TopDriver     string          `json:"top_driver"`
	ModelVersion  string          `json:"model_version"`
	AsOf          time.Time       `json:"as_of"`
	Plan          string          `json:"plan"` // as of the score; "" when unknown
}

// Bounds of the filters of GET /v1/at-risk.
const (
	maxPlanLen    = 100   // characters of the plan parameter
	maxSearchLen  = 100   // characters of the q parameter
	maxAtRiskScan = 10000 // list entries one filtered request examines
)

func (s *Server) atRisk(c *gin.Context) {
	var errs fieldErrors
	q := store.AtRiskQuery{Cursor: c.Query("cursor")}
	if v := c.Query("level"); v != "" {
		q.Level = store.Level(v)
		if !slices.Contains(store.Levels, q.Level) {
			errs.add("level", "must be high or medium (or left out for both)")
		}
	}
	if v := c.Query("sort"); v != "" {
		q.Sort = store.Sort(v)
		if !slices.Contains(store.Sorts, q.Sort) {
			errs.add("sort", "must be score, revenue_at_risk or change")
		}
	}
	if v := c.Query("min_score"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			errs.add("min_score", "must be a number in [0, 1]")
		}
		q.MinScore = f
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxAtRiskLimit {
			errs.add("limit", "must be an integer from 1 to %d", store.MaxAtRiskLimit)
		}
		q.Limit = n
	}
	plan := c.Query("plan")
	if len([]rune(plan)) > maxPlanLen {
		errs.add("plan", "at most %d characters", maxPlanLen)
	}
	text := strings.TrimSpace(c.Query("q"))
	if len([]rune(text)) > maxSearchLen {
		errs.add("q", "at most %d characters", maxSearchLen)
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	keep := atRiskFilter(q, plan, text)
	var page store.AtRiskPage
	var err error
	if keep == nil {
		page, err = s.store.AtRisk(c.Request.Context(), q)
	} else {
		page, err = s.atRiskFiltered(c.Request.Context(), q, keep)
	}
	if errors.Is(err, store.ErrBadCursor) {
		s.fail(c, invalid([]FieldError{{Field: "cursor", Message: "not a cursor of this list and sort: start again without it"}}))
		return
	}
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	items := make([]atRiskItem, 0, len(page.Items))
	for _, it := range page.Items {
		sc := it.Score
		item := atRiskItem{CustomerID: it.CustomerID, Name: sc.Name, Owner: sc.Owner, Score: sc.Score, ScoreWeekAgo: it.ScoreWeekAgo,
			Change: store.Change(sc.Score, it.ScoreWeekAgo), RiskLevel: sc.RiskLevel, MRR: sc.MRR,
			TopDriver: sc.TopDriver, ModelVersion: sc.ModelVersion, AsOf: sc.AsOf, Plan: sc.Plan}
		if sc.MRR != nil {
			r := *sc.MRR * sc.Score
			item.RevenueAtRisk = &r
		}
		items = append(items, item)
	}
	body := gin.H{"items": items, "next_cursor": nil}
	if page.Next != "" {
		body["next_cursor"] = page.Next
	}
	c.JSON(http.StatusOK, body)
}

// atRiskFilter is the filter the store cannot apply by range: the plan
// (case-insensitive), the search text (a case-insensitive substring of the
// customer id or name) and, outside the score order, the minimum score. It
// is nil when there is nothing to filter.
func atRiskFilter(q store.AtRiskQuery, plan, text string) func(store.AtRiskItem) bool {
	minScore := q.Sort != "" && q.Sort != store.SortScore && q.MinScore > 0
	if plan == "" && text == "" && !minScore {
		return nil
	}
	text = strings.ToLower(text)
	return func(it store.AtRiskItem) bool {
		if plan != "" && !strings.EqualFold(it.Score.Plan, plan) {
			return false
		}
		if text != "" && !strings.Contains(strings.ToLower(it.CustomerID), text) && !strings.Contains(strings.ToLower(it.Score.Name), text) {
			return false
		}
		return !minScore || it.Score.Score >= q.MinScore
	}
}

// atRiskFiltered is a page of the at-risk list holding only the customers
// keep keeps. It reads the store's pages from q.Cursor on until q.Limit such
// customers are found, the list ends, or maxAtRiskScan entries were
// examined; Next then continues right after the last entry examined, so a
// page may hold fewer than q.Limit customers (even none) and still have a
// Next.
func (s *Server) atRiskFiltered(ctx context.Context, q store.AtRiskQuery, keep func(store.AtRiskItem) bool) (store.AtRiskPage, error) {
	want := q.Limit
	if want <= 0 {
		want = store.DefaultAtRiskLimit
	}
	var out store.AtRiskPage
	for budget := maxAtRiskScan; ; {
		q.Limit = min(store.MaxAtRiskLimit, budget)
		page, err := s.store.AtRisk(ctx, q)
		if err != nil {
			return store.AtRiskPage{}, err
		}
		for i, it := range page.Items {
			budget--
			if keep(it) {
				out.Items = append(out.Items, it)
			}
			if len(out.Items) == want || budget == 0 {
				out.Next = page.Next
				if i < len(page.Items)-1 {
					out.Next = it.Cursor
				}
				return out, nil
			}
		}
		if page.Next == "" {
			return out, nil
		}
		if len(page.Items) == 0 { // every entry left the list while read
			budget -= q.Limit
		}
		if budget <= 0 {
			out.Next = page.Next
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// plans answers GET /v1/plans: the plans of the active model's training data
// (the plan levels of its feature schema), sorted, for a choice of plans;
// none without a model.
func (s *Server) plans(c *gin.Context) {
	plans := []string{}
	version := ""
	if m := s.Model(); m != nil {
		version = m.Version
		if m.Schema.Plan != nil {
			plans = append(plans, m.Schema.Plan.Levels...)
			slices.Sort(plans)
		}
	}
	c.JSON(http.StatusOK, gin.H{"plans": plans, "model_version": version})
}

func (s *Server) score(c *gin.Context) {
	m, err := s.activeModel()
	if err != nil {
		s.fail(c, err)
		return
	}
	var body struct {
		Customers []json.RawMessage `json:"customers"`
	}
	if err := decodeJSON(c.Request.Body, &body, ""); err != nil {
		s.fail(c, err)
		return
	}
	if body.Customers == nil {
		s.fail(c, invalid([]FieldError{{Field: "customers", Message: "required: an array of customers"}}))
		return
	}
	if len(body.Customers) > MaxCustomers {
		s.fail(c, invalid([]FieldError{{Field: "customers", Message: "at most 1000 customers per request"}}))
		return
	}
	var errs fieldErrors
	type item struct {
		p     features.Profile
		h     signals.History
		notes []signals.Excerpt
	}
	items := make([]item, 0, len(body.Customers))
	nEvents := 0
	for i, raw := range body.Customers {
		field := "customers[" + itoa(i) + "]"
		var in customerIn
		if err := decodeJSON(bytesReader(raw), &in, field); err != nil {
			var pe *problemError
			if errors.As(err, &pe) && len(pe.p.Errors) > 0 {
				errs = append(errs, pe.p.Errors...)
			} else {
				errs.add(field, "must be a customer object")
			}
			continue
		}
		id := ""
		if in.CustomerID != nil {
			id = *in.CustomerID
			if err := signals.ValidateCustomerID(id); err != nil {
				errs.add(field+".customer_id", "%s", err.Error())
			}
		}
		p := in.profile(id, field, &errs)
		nEvents += len(in.Events)
		if nEvents > MaxEvents {
			errs.add(field+".events", "at most 10000 events in one request")
			break
		}
		evID := id
		if evID == "" {
			evID = "inline"
		}
		events := s.parseEvents(in.Events, field+".events", evID, &errs)
		var it item
		it.p = p
		for k := range events {
			d, x, ok := s.agg.Ticket(&events[k], s.keepText)
			it.h.Add(d)
			if ok {
				it.notes = append(it.notes, x)
			}
		}
		items = append(items, it)
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	now := s.now().UTC()
	out := make([]riskResponse, len(items))
	for i := range items {
		pred := m.Score(&items[i].p, items[i].h, now)
		sigs := explain(m, items[i].h, items[i].notes, now, &pred)
		out[i] = riskResponse{CustomerID: items[i].p.ID, Score: pred.Score, BaseScore: pred.BaseScore, RiskLevel: pred.RiskLevel, Flagged: pred.Flagged,
			Drivers: pred.Drivers, Signals: sigs, ModelVersion: m.Version, AsOf: now}
	}
	c.JSON(http.StatusOK, gin.H{"model_version": m.Version, "as_of": now, "results": out})
}

func (s *Server) getModel(c *gin.Context) {
	m, err := s.activeModel()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m.Meta)
}

func (s *Server) reloadModel(c *gin.Context) {
	a, err := s.LoadModel()
	if err != nil {
		s.log.Warn("model reload refused", "err", err)
		detail := "the artifact in models/current could not be loaded; the previous model keeps serving: " + err.Error()
		if errors.Is(err, model.ErrNoModel) {
			detail = "no model has been trained: run `train fit`"
		}
		s.fail(c, newProblem(http.StatusConflict, detail))
		return
	}
	c.JSON(http.StatusOK, gin.H{"version": a.Version, "learner": a.Meta.Chosen})
}
