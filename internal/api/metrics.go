package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/metrics"
)

// defaultMetricsMonths is the range of GET /v1/metrics/churn without from:
// the current month and the 11 before it.
const defaultMetricsMonths = 12

// churnMetrics answers GET /v1/metrics/churn?from=YYYY-MM&to=YYYY-MM from the
// store's incrementally kept aggregate: no customer is read.
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
	from := to - defaultMetricsMonths + 1
	if v := c.Query("from"); v != "" {
		m, err := metrics.ParseMonth(v)
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
	rar := st.RevenueAtRisk
	t := metrics.Compute(st.Aggregate, metrics.Options{From: from, To: to, RevenueHistory: true, Predicted: st.Predicted, RevenueAtRisk: &rar})
	c.JSON(http.StatusOK, t)
}
