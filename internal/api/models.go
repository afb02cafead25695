package api

import (
	"context"
	"net/http"
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
