package api

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/cases"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/performance"
	"github.com/churnrisk/churn/internal/store"
)

// caseOut is a case as the API shows it: the play in the request's
// language, and the hold-out marked.
type caseOut struct {
	cases.Case
	Play    playOut `json:"play"`
	Holdout bool    `json:"holdout"`
	// HoldoutNote tells whoever sees a control customer not to contact it.
	HoldoutNote string `json:"holdout_note,omitempty"`
}

type playOut struct {
	ID     string       `json:"id"`
	Family cases.Family `json:"family"`
	Name   string       `json:"name"`
	Text   string       `json:"text"`
}

// holdoutNotes is the "do not contact" mark of a control customer.
var holdoutNotes = map[i18n.Lang]string{
	i18n.En:   "holdout: do not contact (control group of the retention experiment)",
	i18n.ZhTW: "對照組：請勿聯繫（留存實驗的對照組）",
	i18n.ZhCN: "对照组：请勿联系（留存实验的对照组）",
}

func caseIn(c cases.Case, l i18n.Lang) caseOut {
	t := c.Play.In(l.String())
	out := caseOut{Case: c, Play: playOut{ID: c.Play.ID, Family: c.Play.Family, Name: t.Name, Text: t.Text},
		Holdout: c.Group == cases.GroupControl}
	if out.Holdout {
		out.HoldoutNote = holdoutNotes[l]
	}
	if out.Notes == nil {
		out.Notes = []cases.Note{}
	}
	return out
}

// listCases answers GET /v1/cases: filters status, owner (or
// unassigned=true), play and group; sort score or revenue_at_risk; cursor
// pages. The control group is listed only when asked for by group=control,
// and only to the admin role: it is no one's work.
func (s *Server) listCases(c *gin.Context) {
	var errs fieldErrors
	q := store.CaseQuery{Cursor: c.Query("cursor"), Play: c.Query("play"), Owner: c.Query("owner"), Group: cases.GroupTreatment}
	if v := c.Query("status"); v != "" {
		st, err := cases.ParseStatus(v)
		if err != nil {
			errs.add("status", "%s", err.Error())
		}
		q.Status = st
	}
	if v := c.Query("group"); v != "" {
		g, err := cases.ParseGroup(v)
		if err != nil {
			errs.add("group", "%s", err.Error())
		}
		if g == cases.GroupControl && !s.hasRole(c, RoleAdmin) {
			errs.add("group", "the control group is listed to the admin role only")
		}
		q.Group = g
	}
	if v := c.Query("unassigned"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs.add("unassigned", "must be true or false")
		}
		q.Unassigned = b
	}
	if len([]rune(q.Owner)) > cases.MaxOwner {
		errs.add("owner", "at most %d characters", cases.MaxOwner)
	}
	if v := c.Query("sort"); v != "" {
		q.Sort = store.Sort(v)
		if !slices.Contains(store.CaseSorts, q.Sort) {
			errs.add("sort", "must be score or revenue_at_risk")
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxCaseLimit {
			errs.add("limit", "must be an integer from 1 to %d", store.MaxCaseLimit)
		}
		q.Limit = n
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	page, err := s.app.Cases().List(c.Request.Context(), q)
	if errors.Is(err, store.ErrBadCursor) {
		s.fail(c, invalid([]FieldError{{Field: "cursor", Message: "not a cursor of this list and sort: start again without it"}}))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	l := langOf(c)
	items := make([]caseOut, 0, len(page.Items))
	for _, cs := range page.Items {
		items = append(items, caseIn(cs, l))
	}
	body := gin.H{"items": items, "next_cursor": nil}
	if page.Next != "" {
		body["next_cursor"] = page.Next
	}
	answerIn(c, l)
	c.JSON(http.StatusOK, body)
}

// getCase answers GET /v1/cases/{id}.
func (s *Server) getCase(c *gin.Context) {
	cs, err := s.app.Cases().Get(c.Request.Context(), c.Param("id"))
	s.answerCase(c, cs, err)
}

// answerCase answers with a case in the request's language, or err's
// problem.
func (s *Server) answerCase(c *gin.Context, cs cases.Case, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	l := langOf(c)
	answerIn(c, l)
	c.JSON(http.StatusOK, caseIn(cs, l))
}

// customerCases answers GET /v1/customers/{id}/cases: the customer's cases,
// newest first.
func (s *Server) customerCases(c *gin.Context) {
	id, err := customerID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	all, err := s.app.Cases().OfCustomer(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	l := langOf(c)
	items := make([]caseOut, 0, len(all))
	for _, cs := range all {
		items = append(items, caseIn(cs, l))
	}
	answerIn(c, l)
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// casePatch is the body of PATCH /v1/cases/{id}.
type casePatch struct {
	Owner  *string `json:"owner"`
	Status *string `json:"status"`
	Note   *string `json:"note"`
	// Author signs the note: the agent's name or email.
	Author *string `json:"author"`
}

// patchCase answers PATCH /v1/cases/{id}: a new owner, a new status and a
// note signed by its author.
func (s *Server) patchCase(c *gin.Context) {
	var in casePatch
	if err := decodeJSON(c.Request.Body, &in, ""); err != nil {
		s.fail(c, err)
		return
	}
	var errs fieldErrors
	p := cases.Patch{Owner: in.Owner, Note: in.Note}
	if in.Status != nil {
		st, err := cases.ParseStatus(*in.Status)
		if err != nil {
			errs.add("status", "%s", err.Error())
		}
		p.Status = &st
	}
	author := ""
	switch {
	case in.Note != nil && (in.Author == nil || *in.Author == ""):
		errs.add("author", "a note needs its author (the agent's name or email)")
	case in.Author != nil && in.Note == nil:
		errs.add("author", "only a note has an author")
	case in.Author != nil:
		author = *in.Author
		if err := (cases.Patch{Owner: in.Author}).Validate(); err != nil {
			errs.add("author", "%s", err.(*cases.FieldError).Message)
		}
	}
	if len(errs) == 0 {
		if err := p.Validate(); err != nil {
			var fe *cases.FieldError
			if !errors.As(err, &fe) {
				s.fail(c, newProblem(http.StatusUnprocessableEntity, err.Error()))
				return
			}
			errs.add(fe.Field, "%s", fe.Message)
		}
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	cs, err := s.app.Cases().Patch(c.Request.Context(), c.Param("id"), p, author)
	s.answerCase(c, cs, err)
}

// retentionImpact answers GET /v1/retention/impact?from=YYYY-MM&to=YYYY-MM:
// the measured effect of outreach over the cases opened in those months
// (to included; both default to the whole history).
func (s *Server) retentionImpact(c *gin.Context) {
	var errs fieldErrors
	fm, tm := monthRange(c, &errs, metrics.Month(math.MinInt32), metrics.Month(math.MaxInt32-1))
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	from, to := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if c.Query("from") != "" {
		from = fm.Start()
	}
	if c.Query("to") != "" {
		to = (tm + 1).Start()
	}
	r, err := s.app.Cases().Impact(c.Request.Context(), from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"method": "Newcombe's hybrid score interval (method 10) for the difference of two proportions, 95%; " +
		"group sizes by the normal approximation at 80% power and a 5% two-sided level",
		"difference_of": "control churn rate minus treated churn rate", "report": r})
}

// hasRole says whether the request's key has role need (always, without
// keys).
func (s *Server) hasRole(c *gin.Context, need Role) bool {
	if s.keys == nil {
		return true
	}
	r, _ := c.Get(roleKey)
	have, _ := r.(Role)
	return have >= need
}

// monthRange reads the from and to query months (YYYY-MM, both included);
// an absent one leaves def.
func monthRange(c *gin.Context, errs *fieldErrors, defFrom, defTo metrics.Month) (from, to metrics.Month) {
	from, to = defFrom, defTo
	for _, f := range []struct {
		name string
		dst  *metrics.Month
	}{{"from", &from}, {"to", &to}} {
		if v := c.Query(f.name); v != "" {
			m, err := metrics.ParseMonth(v)
			if err != nil {
				errs.add(f.name, "must be a month, YYYY-MM")
				continue
			}
			*f.dst = m
		}
	}
	if len(*errs) == 0 && to < from {
		errs.add("to", "must not be before from")
	}
	return from, to
}

// modelPerformance answers GET /v1/model/performance?from=YYYY-MM&to=YYYY-MM:
// how the scores of each month's snapshot turned out (figures once the
// horizon has passed).
func (s *Server) modelPerformance(c *gin.Context) {
	var errs fieldErrors
	from, to := monthRange(c, &errs, metrics.Month(math.MinInt32), metrics.Month(math.MaxInt32))
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	months, err := s.app.ModelPerformance(c.Request.Context(), from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]monthPerformance, len(months))
	for i, m := range months {
		out[i] = monthPerformance{MonthReport: m, Month: m.Month.String()}
	}
	c.JSON(http.StatusOK, gin.H{"months": out})
}

// monthPerformance is a month's report with its month as YYYY-MM.
type monthPerformance struct {
	performance.MonthReport
	Month string `json:"month"`
}
