package api

import (
	"cmp"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/churnrisk/churn/internal/model"
)

const (
	// driftWindow is how many of the latest served feature vectors the
	// drift monitor keeps per model version.
	driftWindow = 10_000
	// driftMinSample is the sample under which PSI figures are flagged as
	// unreliable and the gauge is left alone.
	driftMinSample = 100
	// driftGaugeEvery bounds how often serving refreshes the PSI gauge.
	driftGaugeEvery = 30 * time.Second
)

// PSI levels of GET /v1/model/drift.
const (
	driftStable      = "stable"      // PSI < 0.1
	driftModerate    = "moderate"    // PSI < 0.25
	driftSignificant = "significant" // PSI >= 0.25
)

// driftMonitor keeps a ring of the latest served feature vectors of the
// active model version (reset when the version changes) and refreshes the
// churn_feature_drift_psi gauge from them at most every driftGaugeEvery,
// off the request path.
type driftMonitor struct {
	model func() *model.Artifact
	gauge *prometheus.GaugeVec
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	version   string
	ring      [][]float64 // up to driftWindow vectors; never mutated once stored
	next      int         // the slot the next vector replaces once the ring is full
	lastGauge time.Time

	computing    atomic.Bool
	gaugeMu      sync.Mutex
	gaugeVersion string
}

func newDriftMonitor(active func() *model.Artifact, gauge *prometheus.GaugeVec, log *slog.Logger) *driftMonitor {
	return &driftMonitor{model: active, gauge: gauge, log: log, now: time.Now}
}

// observe records one served feature vector of a model version (copied: the
// caller keeps its slice) and, when due, refreshes the gauge in the
// background.
func (d *driftMonitor) observe(version string, x []float64) {
	v := slices.Clone(x)
	now := d.now()
	d.mu.Lock()
	if version != d.version {
		d.version, d.ring, d.next, d.lastGauge = version, d.ring[:0], 0, time.Time{}
	}
	if len(d.ring) < driftWindow {
		d.ring = append(d.ring, v)
	} else {
		d.ring[d.next] = v
		d.next = (d.next + 1) % driftWindow
	}
	due := len(d.ring) >= driftMinSample && now.Sub(d.lastGauge) >= driftGaugeEvery
	if due {
		d.lastGauge = now
	}
	d.mu.Unlock()
	if due && d.computing.CompareAndSwap(false, true) {
		go func() {
			defer d.computing.Store(false)
			if m := d.model(); m != nil {
				d.setGauge(d.report(m))
			}
		}()
	}
}

// sample returns the stored vectors of a model version (shared, read-only),
// or nil when the ring holds another version.
func (d *driftMonitor) sample(version string) [][]float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if version != d.version {
		return nil
	}
	return slices.Clone(d.ring)
}

// driftFeature is one feature's entry of GET /v1/model/drift.
type driftFeature struct {
	Feature string  `json:"feature"`
	PSI     float64 `json:"psi"`
	Level   string  `json:"level"`
}

// driftResponse is GET /v1/model/drift.
type driftResponse struct {
	ModelVersion string         `json:"model_version"`
	SampleSize   int            `json:"sample_size"`
	Features     []driftFeature `json:"features"`
	MaxPSI       float64        `json:"max_psi"`
	Note         string         `json:"note,omitempty"`
}

// driftLevel names a PSI: stable below 0.1, moderate below 0.25, else
// significant.
func driftLevel(psi float64) string {
	switch {
	case psi < 0.1:
		return driftStable
	case psi < 0.25:
		return driftModerate
	}
	return driftSignificant
}

// report computes every feature's PSI of the recent sample of model m
// against its training reference, highest first.
func (d *driftMonitor) report(m *model.Artifact) driftResponse {
	rep := driftResponse{ModelVersion: m.Version, Features: []driftFeature{}}
	ref := m.Reference
	if ref == nil {
		rep.Note = "this model has no training reference distributions (trained before drift monitoring): retrain it to monitor drift"
		return rep
	}
	if len(ref.Features) != m.Schema.Len() {
		rep.Note = "this model's training reference does not match its feature schema: retrain it to monitor drift"
		return rep
	}
	var rows [][]float64
	for _, x := range d.sample(m.Version) {
		if len(x) == len(ref.Features) {
			rows = append(rows, x)
		}
	}
	rep.SampleSize = len(rows)
	if len(rows) == 0 {
		rep.Note = "no customers have been scored with this model yet"
		return rep
	}
	if len(rows) < driftMinSample {
		rep.Note = "fewer than 100 customers scored with this model: the figures are not yet reliable"
	}
	col := make([]float64, len(rows))
	for j, f := range ref.Features {
		for i, x := range rows {
			col[i] = x[j]
		}
		psi, _ := ref.PSI(j, col)
		rep.Features = append(rep.Features, driftFeature{Feature: f.Name, PSI: math.Round(psi*1e4) / 1e4, Level: driftLevel(psi)})
	}
	slices.SortFunc(rep.Features, func(a, b driftFeature) int {
		if c := cmp.Compare(b.PSI, a.PSI); c != 0 {
			return c
		}
		return cmp.Compare(a.Feature, b.Feature)
	})
	rep.MaxPSI = rep.Features[0].PSI
	return rep
}

// setGauge publishes a report on churn_feature_drift_psi; reports on fewer
// than driftMinSample vectors are left out. A new model version clears the
// previous version's features first.
func (d *driftMonitor) setGauge(rep driftResponse) {
	if rep.SampleSize < driftMinSample || len(rep.Features) == 0 {
		return
	}
	d.gaugeMu.Lock()
	defer d.gaugeMu.Unlock()
	if rep.ModelVersion != d.gaugeVersion {
		d.gauge.Reset()
		d.gaugeVersion = rep.ModelVersion
	}
	for _, f := range rep.Features {
		d.gauge.WithLabelValues(f.Feature).Set(f.PSI)
	}
	if rep.MaxPSI >= 0.25 {
		d.log.Warn("feature drift", "model", rep.ModelVersion, "max_psi", rep.MaxPSI, "feature", rep.Features[0].Feature, "sample", rep.SampleSize)
	}
}

// modelDrift answers GET /v1/model/drift: the PSI of every feature of the
// latest served customers (up to 10,000) against the active model's
// training data; 503 without a model.
func (s *Server) modelDrift(c *gin.Context) {
	m, err := s.models.Require()
	if err != nil {
		s.fail(c, err)
		return
	}
	rep := s.drift.report(m)
	s.drift.setGauge(rep)
	c.JSON(http.StatusOK, rep)
}
