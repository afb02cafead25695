package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/evidence"
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
	if m := s.models.Active(); m == nil {
		checks["model"], ok = "no model loaded", false
	}
	if err := s.ready.check(c.Request.Context(), s.app.Ping); errors.Is(err, store.ErrWritesRefused) {
		checks["store"], ok = "refusing writes", false
	} else if err != nil {
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
	if err := s.app.PutCustomer(c.Request.Context(), p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) getCustomer(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.app.Customer(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) postEvents(c *gin.Context) {
	key, err := idempotencyKey(c.Request.Header)
	if err != nil {
		s.fail(c, err)
		return
	}
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
	var w cost
	w.addEvents(events, "events", s.limit.limits.MaxTextBytes, &errs)
	if err := s.charge(c, w); err != nil {
		s.fail(c, err)
		return
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	acc, dup, err := s.ingest(c, key, events)
	if err != nil {
		s.failEvents(c, err, key, events)
		return
	}
	s.prom.events.Add(float64(acc))
	s.prom.duplicates.Add(float64(dup))
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

// riskOf is the answer of one scored customer.
func riskOf(r *app.Risk) riskResponse {
	p := &r.Prediction
	return riskResponse{CustomerID: r.CustomerID, Score: p.Score, BaseScore: p.BaseScore, RiskLevel: p.RiskLevel, Flagged: p.Flagged,
		Drivers: p.Drivers, Signals: r.Signals, ModelVersion: r.ModelVersion, AsOf: r.AsOf}
}

func (s *Server) risk(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	l := langOf(c)
	r, err := s.app.Risk(c.Request.Context(), id, l)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.prom.scores.Inc()
	answerIn(c, l)
	c.JSON(http.StatusOK, riskOf(&r))
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
	maxPlanLen   = 100 // characters of the plan parameter
	maxSearchLen = 100 // characters of the q parameter
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
	l := langOf(c)
	page, err := s.app.AtRisk(c.Request.Context(), q, app.AtRiskFilter{Plan: plan, Text: text}, l)
	if err != nil {
		s.fail(c, err)
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
	answerIn(c, l)
	c.JSON(http.StatusOK, body)
}

// plans answers GET /v1/plans: the plans of the active model's training data
// (the plan levels of its feature schema), sorted, for a choice of plans;
// none without a model.
func (s *Server) plans(c *gin.Context) {
	plans := []string{}
	version := ""
	if m := s.models.Active(); m != nil {
		version = m.Version
		if m.Schema.Plan != nil {
			plans = append(plans, m.Schema.Plan.Levels...)
			slices.Sort(plans)
		}
	}
	c.JSON(http.StatusOK, gin.H{"plans": plans, "model_version": version})
}

func (s *Server) score(c *gin.Context) {
	if _, err := s.models.Require(); err != nil { // before reading the body
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
	var w cost
	items := make([]app.Unstored, 0, len(body.Customers))
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
		w.items++
		w.addEvents(events, field+".events", s.limit.limits.MaxTextBytes, &errs)
		items = append(items, app.Unstored{Profile: p, Events: events})
	}
	if err := s.charge(c, w); err != nil {
		s.fail(c, err)
		return
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	l := langOf(c)
	res, err := s.app.Score(items, l)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]riskResponse, len(res.Risks))
	for i := range res.Risks {
		out[i] = riskOf(&res.Risks[i])
	}
	answerIn(c, l)
	c.JSON(http.StatusOK, gin.H{"model_version": res.ModelVersion, "as_of": res.AsOf, "results": out})
}

func (s *Server) getModel(c *gin.Context) {
	m, err := s.models.Require()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m.Meta)
}

func (s *Server) reloadModel(c *gin.Context) {
	a, err := s.models.Load()
	if err != nil {
		s.log.Warn("model reload refused", "err", err)
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"version": a.Version, "learner": a.Meta.Chosen})
}
