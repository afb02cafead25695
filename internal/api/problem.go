package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// FieldError names one invalid field of a request, by JSON path.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// problemError is an error that knows its HTTP problem.
type problemError struct{ p Problem }

func (e *problemError) Error() string { return e.p.Title + ": " + e.p.Detail }

func newProblem(status int, detail string, fields ...FieldError) *problemError {
	return &problemError{Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields}}
}

func badRequest(format string, args ...any) *problemError {
	return newProblem(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// nothingStored ends the detail of invalid fields in the answer to a
// request that could write (writeProblem adds it); a read says nothing of storing.
const nothingStored = "; nothing was stored"

func invalid(fields []FieldError) *problemError {
	return newProblem(http.StatusUnprocessableEntity, fmt.Sprintf("%d invalid field(s)", len(fields)), fields...)
}

// writeProblem sends a problem+json response and aborts the chain.
func writeProblem(c *gin.Context, p Problem) {
	if m := c.Request.Method; p.Status == http.StatusUnprocessableEntity && m != http.MethodGet && m != http.MethodHead {
		p.Detail += nothingStored
	}
	c.Header("Content-Type", "application/problem+json")
	if p.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "2")
	}
	c.AbortWithStatusJSON(p.Status, p)
}

// fail maps an error to its problem: a *problemError as it is, anything else
// as an internal error whose details stay in the log.
func (s *Server) fail(c *gin.Context, err error) {
	var pe *problemError
	if errors.As(err, &pe) {
		if pe == errUnavailable {
			s.prom.storeErrs.Inc()
		}
		writeProblem(c, pe.p)
		return
	}
	s.log.ErrorContext(c.Request.Context(), "request failed", "path", c.FullPath(), "err", err, "request_id", c.GetString(requestIDKey))
	writeProblem(c, Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
		Detail: "internal error; see the server log for request " + c.GetString(requestIDKey)})
}
