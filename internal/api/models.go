package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// listModels answers GET /v1/models: every version of the models directory
// with its figures and status.
func (s *Server) listModels(c *gin.Context) {
	vs, err := s.models.List()
	if err != nil {
		s.fail(c, err)
		return
	}
	active := ""
	if m := s.models.Active(); m != nil {
		active = m.Version
	}
	c.JSON(http.StatusOK, gin.H{"active": active, "models": vs})
}

// reportCSP lets the served report load and run nothing: its styles are
// inline and its plots inline SVG or data: images.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

// modelReport answers GET /v1/model/report: the active version's
// report.html; 503 without a model, 404 when the version has no report.
func (s *Server) modelReport(c *gin.Context) {
	page, err := s.models.Report()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", reportCSP)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}
