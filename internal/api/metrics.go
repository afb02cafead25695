package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/metrics"
)

// churnMetrics answers GET /v1/metrics/churn?from=YYYY-MM&to=YYYY-MM from the
// store's incrementally kept aggregate: no customer is read. Without from,
// the range is metrics.DefaultFrom's (the one `train metrics` uses).
func (s *Server) churnMetrics(c *gin.Context) {
	var errs fieldErrors
	to := metrics.MonthOf(s.now())
	if v := c.Query("to"); v != "" {
		m, err := metrics.ParseMonth(v)
		if err != nil {
			errs.add("to", "must be a month YYYY-MM")
		}
		to = m
	}
	from := to - metrics.DefaultMonths + 1
	fromSet := c.Query("from") != ""
	if fromSet {
		m, err := metrics.ParseMonth(c.Query("from"))
		if err != nil {
			errs.add("from", "must be a month YYYY-MM")
		}
		from = m
	}
	if len(errs) == 0 && from > to {
		errs.add("from", "must not be after to")
	}
	if len(errs) == 0 && to-from >= metrics.MaxMonths {
		errs.add("from", "the range is limited to 1200 months")
	}
	if len(errs) > 0 {
		s.fail(c, invalid(errs))
		return
	}
	st, err := s.store.ChurnMetrics(c.Request.Context())
	if err != nil {
		s.fail(c, storeErr(err))
		return
	}
	var note string
	if !fromSet {
		from, note = metrics.DefaultFrom(st.Aggregate, to)
	}
	o := metrics.Options{From: from, To: to, RevenueHistory: true, Predicted: st.Predicted, RevenueAtRisk: &st.RevenueAtRisk}
	if m := s.Model(); m != nil {
		o.LookbackDays = m.Meta.LookbackDays
	}
	t := metrics.Compute(st.Aggregate, o)
	if note != "" {
		t.Notes = append(t.Notes, note)
	}
	c.JSON(http.StatusOK, t)
}
