package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
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

// problemError is an error that knows its HTTP problem, and its cause
// when it has one (errors.Is and errors.As see through to it).
type problemError struct {
	p   Problem
	err error
}

func (e *problemError) Error() string { return e.p.Title + ": " + e.p.Detail }

func (e *problemError) Unwrap() error { return e.err }

func newProblem(status int, detail string, fields ...FieldError) *problemError {
	return &problemError{p: Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields}}
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

// errUnavailable is the answer while a store cannot be reached.
var errUnavailable = newProblem(http.StatusServiceUnavailable, "the store is unavailable; retry later")

// errConflict is the answer to a write of a customer that other writes of
// the same customer kept changing until its deadline (store.ErrConflict).
var errConflict = newProblem(http.StatusConflict, "the customer (or case) was changed by concurrent requests while this one was written; nothing of it was stored: retry")

// errRange is the answer to a write the churn figures cannot hold exactly
// (metrics.ErrRange): a sum of a month (new, churned, expansion MRR...) or
// the revenue at risk would pass metrics.MaxSum cents.
var errRange = newProblem(http.StatusUnprocessableEntity,
	fmt.Sprintf("a value is beyond what the churn figures hold exactly: a month's MRR sum or the revenue at risk would pass %g in currency units", metrics.MaxSum/100))

// problemOf is the one place an error of a use case becomes what the client
// is told: a problem as it is; an unknown customer, webhook, delivery or
// report 404; webhooks not configured 404; a store that cannot be reached 503 (with Retry-After, see
// writeProblem); no model loaded 503; a model that could not be loaded 409;
// a cursor the store did not issue 422; an Idempotency-Key used with
// another body 422, and one whose first attempt is still running 409; a
// write that lost to concurrent writes of the same customer until its
// deadline 409 (errConflict); a value the churn figures cannot hold
// exactly 422 (errRange). Anything else is an internal error
// (ok false): the client gets a generic 500 and the error stays in the log.
func problemOf(err error) (p Problem, ok bool) {
	var pe *problemError
	var nf *app.NotFoundError
	switch {
	case errors.As(err, &pe):
		return pe.p, true
	case errors.As(err, &nf):
		return newProblem(http.StatusNotFound, nf.What).p, true
	case errors.Is(err, app.ErrNoSnapshots):
		return newProblem(http.StatusNotFound, "this store keeps no score snapshots").p, true
	case errors.Is(err, app.ErrCasesOff):
		return newProblem(http.StatusNotFound, "cases are off on this server").p, true
	case errors.Is(err, app.ErrWebhooksOff):
		return newProblem(http.StatusNotFound, "webhooks are not configured on this server").p, true
	case errors.Is(err, store.ErrNotFound):
		return newProblem(http.StatusNotFound, "no such customer").p, true
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, webhook.ErrUnavailable):
		return errUnavailable.p, true
	case errors.Is(err, store.ErrConflict):
		return errConflict.p, true
	case errors.Is(err, metrics.ErrRange):
		return errRange.p, true
	case errors.Is(err, store.ErrBadCursor):
		return invalid([]FieldError{{Field: "cursor", Message: "not a cursor of this list and sort: start again without it"}}).p, true
	case errors.Is(err, app.ErrNoModel):
		return newProblem(http.StatusServiceUnavailable, "no model loaded: train one with `train fit` and POST /v1/model/reload").p, true
	case errors.Is(err, model.ErrNoModel):
		return newProblem(http.StatusConflict, "no model has been trained: run `train fit`").p, true
	case errors.Is(err, app.ErrModelRefused):
		return newProblem(http.StatusConflict, "the artifact in models/current could not be loaded; the previous model keeps serving").p, true
	case errors.Is(err, app.ErrKeyReused):
		return invalid([]FieldError{{Field: "Idempotency-Key", Message: "already used with another body: a key names one request; send a new key for a new batch"}}).p, true
	case errors.As(err, new(*app.BusyError)):
		return newProblem(http.StatusConflict, "an earlier attempt of this request (the same Idempotency-Key) is still in progress; retry after Retry-After").p, true
	case errors.Is(err, app.ErrModelsUnreadable):
		return newProblem(http.StatusServiceUnavailable, "the models directory cannot be read").p, true
	}
	return Problem{}, false
}

// fail answers a request with the problem of err (problemOf); an internal
// error is logged with the request id, which the generic answer names.
func (s *Server) fail(c *gin.Context, err error) {
	if p, ok := problemOf(err); ok {
		if errors.Is(err, store.ErrUnavailable) || errors.Is(err, webhook.ErrUnavailable) {
			s.prom.storeErrs.Inc()
		}
		writeProblem(c, p)
		return
	}
	s.log.ErrorContext(c.Request.Context(), "request failed", "path", c.FullPath(), "err", err, "request_id", c.GetString(requestIDKey))
	writeProblem(c, Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
		Detail: "internal error; see the server log for request " + c.GetString(requestIDKey)})
}
