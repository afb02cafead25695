package api

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/model"
)

// listModels answers GET /v1/models: every version of the models directory
// with its figures and status.
func (s *Server) listModels(c *gin.Context) {
	vs, err := model.List(s.modelsDir)
	if err != nil {
		s.fail(c, newProblem(http.StatusServiceUnavailable, "the models directory cannot be read"))
		return
	}
	active := ""
	if m := s.Model(); m != nil {
		active = m.Version
	}
	if vs == nil {
		vs = []model.VersionInfo{}
	}
	c.JSON(http.StatusOK, gin.H{"active": active, "models": vs})
}

// watchModels polls models/current and loads the version it names when it
// differs from the active one, off the request path: requests keep the
// model they started with, and a version that does not load is logged once
// and left alone while the old model keeps serving.
func (s *Server) watchModels(ctx context.Context) {
	if s.modelPoll <= 0 {
		return
	}
	failed := ""
	t := time.NewTicker(s.modelPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v := model.Current(s.modelsDir)
		if v == "" || v == failed {
			continue
		}
		if m := s.Model(); m != nil && m.Version == v {
			continue
		}
		if _, err := s.LoadModel(); err != nil {
			s.log.Warn("new models/current refused; the previous model keeps serving", "version", v, "err", err)
			failed = v
			continue
		}
		failed = ""
	}
}

// reportCSP lets the served report load and run nothing: its styles are
// inline and its plots inline SVG or data: images.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

// modelReport answers GET /v1/model/report: the active version's
// report.html; 503 without a model, 404 when the version has no report.
func (s *Server) modelReport(c *gin.Context) {
	m, err := s.activeModel()
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := os.ReadFile(filepath.Join(m.Dir, model.ReportFile))
	if errors.Is(err, fs.ErrNotExist) {
		s.fail(c, newProblem(http.StatusNotFound, "model version "+m.Version+" has no report.html"))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", reportCSP)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}
