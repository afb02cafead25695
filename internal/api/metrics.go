package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/metrics"
)

// churnMetrics answers GET /v1/metrics/churn?from=YYYY-MM&to=YYYY-MM (the
// last 12 months by default): the churn figures of app.ChurnFigures.
// Without from, the range is metrics.DefaultFrom's (the one `train metrics`
// uses).
func (s *Server) churnMetrics(c *gin.Context) {
	var errs fieldErrors
	to := metrics.MonthOf(s.app.Now())
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
	start := &from
	if !fromSet {
		start = nil // metrics.DefaultFrom's
	}
	t, err := s.app.ChurnFigures(c.Request.Context(), start, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}
