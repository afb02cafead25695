package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// idempotencyHeader is the request header of the IETF httpapi draft "The
// Idempotency-Key HTTP Header Field", honoured by POST /v1/events.
const idempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey is the longest key taken, in characters.
const maxIdempotencyKey = 255

// idempotencyKey reads the Idempotency-Key header: "" without one. Its
// value is a Structured Field String (RFC 9651, section 3.3.3), as the draft
// says: a quoted string of printable ASCII where only \" and \\ are
// escapes, with 1 to 255 characters between the quotes. The draft defines
// no parameters, and none are taken. It returns a 400 problem naming the
// header for anything else, or for the header sent twice.
func idempotencyKey(h http.Header) (string, error) {
	vals := h.Values(idempotencyHeader)
	switch len(vals) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", badKey("sent %d times: send it once", len(vals))
	}
	key, err := parseSFString(vals[0])
	if err != nil {
		return "", badKey("%s", err)
	}
	if key == "" || len(key) > maxIdempotencyKey {
		return "", badKey("must hold 1 to %d characters, has %d", maxIdempotencyKey, len(key))
	}
	return key, nil
}

// keyExample shows a well-formed Idempotency-Key in errors.
const keyExample = `Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`

func badKey(format string, args ...any) error {
	return newProblem(http.StatusBadRequest, "bad Idempotency-Key header; for example "+keyExample,
		FieldError{Field: idempotencyHeader, Message: fmt.Sprintf(format, args...)})
}

// parseSFString parses a header value holding one Structured Field String
// without parameters (leading and trailing spaces are dropped, as a
// Structured Field parser does).
func parseSFString(v string) (string, error) {
	v = strings.Trim(v, " \t")
	if len(v) == 0 || v[0] != '"' {
		return "", errors.New(`must be a quoted string (a Structured Field String: "..."), not a bare token`)
	}
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\':
			i++
			if i == len(v) || (v[i] != '"' && v[i] != '\\') {
				return "", fmt.Errorf(`character %d: a backslash may only escape " or \`, i)
			}
			b.WriteByte(v[i])
		case c == '"':
			if i+1 != len(v) {
				return "", fmt.Errorf("character %d: nothing may follow the closing quote (no parameters are defined)", i+2)
			}
			return b.String(), nil
		case c < 0x20 || c > 0x7e:
			return "", fmt.Errorf("character %d: only printable ASCII may be quoted (byte 0x%02x)", i+1, c)
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("the closing quote is missing")
}

// quoteSFString writes key as a Structured Field String (the inverse of
// parseSFString for a key of printable ASCII).
func quoteSFString(key string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(key) + `"`
}

// callerScope names the caller whose Idempotency-Keys a request uses: a
// digest of its API key (already checked by require), or "" on a server
// without authentication.
func (s *Server) callerScope(c *gin.Context) string {
	if s.keys == nil {
		return ""
	}
	token, _ := bearer(c.GetHeader("Authorization"))
	d := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(d[:])
}

// ingest stores a validated batch of POST /v1/events: once per key when the
// request carries an Idempotency-Key.
func (s *Server) ingest(c *gin.Context, key string, events []signals.Event) (accepted, duplicates int, err error) {
	if key == "" {
		return s.app.Ingest(c.Request.Context(), events)
	}
	return s.app.IngestOnce(c.Request.Context(), app.Request{Scope: s.callerScope(c), Key: key}, events)
}

// failEvents answers a POST /v1/events whose batch could not be stored.
// While the store is unavailable the batch may have been partly applied, so
// the 503 says how to retry it safely for this request; an attempt in
// progress is a 409 with Retry-After.
func (s *Server) failEvents(c *gin.Context, err error, key string, events []signals.Event) {
	var busy *app.BusyError
	switch {
	case errors.As(err, &busy):
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(busy.RetryAfter.Seconds()))))
	case errors.Is(err, store.ErrUnavailable):
		p := newProblem(http.StatusServiceUnavailable, unavailableDetail(key != "", events))
		p.err = err
		err = p
	}
	s.fail(c, err)
}

// unavailableDetail is the detail of a 503 to POST /v1/events: what may
// have happened to the batch and how to retry it safely.
func unavailableDetail(withKey bool, events []signals.Event) string {
	const head = "the store is unavailable; the batch may have been partly applied. "
	if withKey {
		return head + "Retrying it with the same Idempotency-Key and the same body is safe: events already applied are not applied again."
	}
	for i := range events {
		if events[i].EventID == "" {
			return head + "Retrying it as it is may count its events without event_id twice. " +
				"To make retries safe, send each batch with an Idempotency-Key header (or an event_id on every event)."
		}
	}
	return head + "Retrying it is safe: every event has an event_id, and those already applied count as duplicates."
}
