package api

import (
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/churnrisk/churn/internal/model"
)

// promMetrics are the service's Prometheus metrics, on a registry of the
// Server's own (so that several servers in one process do not collide).
type promMetrics struct {
	reg        *prometheus.Registry
	deliveries *prometheus.CounterVec
	events     prometheus.Counter
	duplicates prometheus.Counter
	scores     prometheus.Counter
	requests   *prometheus.HistogramVec
	storeErrs  prometheus.Counter
	busy       prometheus.Counter
	drift      *prometheus.GaugeVec
}

func newPromMetrics() *promMetrics {
	m := &promMetrics{
		reg: prometheus.NewRegistry(),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "churn_webhook_deliveries_total",
			Help: "Webhook delivery attempts by result: sent (2xx), retried, failed (schedule exhausted or not retryable), disabled (410 Gone)."}, []string{"result"}),
		events:     prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_events_ingested_total", Help: "Events accepted by POST /v1/events."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_events_duplicate_total", Help: "Events ignored as duplicates of an earlier event_id."}),
		scores:     prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_scores_served_total", Help: "Risk scores served by GET /v1/customers/{id}/risk."}),
		drift: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "churn_feature_drift_psi",
			Help: "Population stability index of recently served feature values against the active model's training data."}, []string{"feature"}),
	}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "churn_http_request_duration_seconds",
		Help: "HTTP requests by route, method and status, with their latency.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}},
		[]string{"route", "method", "status"})
	m.storeErrs = prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_store_errors_total", Help: "Requests answered 503 because the store was unreachable."})
	m.busy = prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_scoring_rejected_total", Help: "Scoring requests refused with 503 because too many were in flight."})
	m.reg.MustRegister(m.requests, m.storeErrs, m.busy)
	m.reg.MustRegister(m.deliveries, m.events, m.duplicates, m.scores, m.drift,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	for _, r := range []string{"sent", "retried", "failed", "disabled"} {
		m.deliveries.WithLabelValues(r)
	}
	return m
}

// modelInfoDesc describes churn_model_info.
var modelInfoDesc = prometheus.NewDesc("churn_model_info", "The active model version (value 1).", []string{"version", "learner"}, nil)

// modelInfo is churn_model_info: 1 labelled with the active model's version
// and learner, read at each scrape; absent before a model is loaded.
type modelInfo struct{ active func() *model.Artifact }

func (modelInfo) Describe(ch chan<- *prometheus.Desc) { ch <- modelInfoDesc }

func (m modelInfo) Collect(ch chan<- prometheus.Metric) {
	if a := m.active(); a != nil {
		ch <- prometheus.MustNewConstMetric(modelInfoDesc, prometheus.GaugeValue, 1, a.Version, a.Meta.Chosen)
	}
}

// WebhookMetrics returns the hook a webhook.Dispatcher reports its results to.
func (s *Server) WebhookMetrics() func(result string) {
	return func(result string) { s.prom.deliveries.WithLabelValues(result).Inc() }
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.prom.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
