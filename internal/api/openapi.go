package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDoc is the OpenAPI 3 description of every route of Handler.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI answers GET /openapi.json with the embedded OpenAPI document.
func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openAPIDoc)
}
