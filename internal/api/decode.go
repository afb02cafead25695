package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/value"
)

// decodeJSON reads one JSON value into dst, rejecting unknown fields and
// trailing data. Field errors come back as a 422 problem naming the field
// under prefix; syntax errors as 400; an oversized body as 413.
func decodeJSON(r io.Reader, dst any, prefix string) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return jsonError(err, prefix)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return badRequest("empty body: a JSON object is expected")
	case !utf8.Valid(body):
		return badRequest("the body is not valid UTF-8")
	case trimmed[0] != '{':
		return badRequest("a JSON object is expected")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, prefix)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("unexpected data after the JSON body")
	}
	return nil
}

func jsonError(err error, prefix string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	join := func(f string) string {
		switch {
		case prefix == "":
			return f
		case f == "":
			return prefix
		}
		return prefix + "." + f
	}
	switch {
	case errors.As(err, &mbe):
		return newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over its limit of %d bytes", mbe.Limit))
	case errors.Is(err, io.EOF):
		return badRequest("empty body: a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: unexpected end of the body")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return invalid([]FieldError{{Field: join(typ.Field), Message: "must be " + jsonType(typ.Type.Kind().String()) + ", not " + typ.Value}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid([]FieldError{{Field: join(f), Message: "unknown field"}})
	}
	return badRequest("malformed JSON: %s", err.Error())
}

func jsonType(kind string) string {
	switch kind {
	case "float64", "float32", "int", "int64", "int32":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	case "bool":
		return "a boolean"
	case "ptr":
		return "a value of the documented type"
	}
	return "a " + kind
}

// fieldErrors collects validation errors for one request.
type fieldErrors []FieldError

func (f *fieldErrors) add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// eventIn is one event as the API receives it.
type eventIn struct {
	Type       string   `json:"type"`
	CustomerID string   `json:"customer_id"`
	Timestamp  string   `json:"timestamp"`
	EventID    string   `json:"event_id"`
	Quantity   *float64 `json:"quantity"`
	Metric     string   `json:"metric"`
	Text       string   `json:"text"`
	Sentiment  *float64 `json:"sentiment"`
	Channel    string   `json:"channel"`
	Path       string   `json:"path"`
}

// parseEvents decodes and validates a list of raw events. defaultCustomer
// fills a missing customer_id (inline events of /v1/score). Every bad field of
// every item is reported.
func (s *Server) parseEvents(raw []json.RawMessage, prefix, defaultCustomer string, errs *fieldErrors) []signals.Event {
	now := s.app.Now()
	out := make([]signals.Event, 0, len(raw))
	for i, r := range raw {
		field := fmt.Sprintf("%s[%d]", prefix, i)
		var in eventIn
		if err := decodeJSON(bytes.NewReader(r), &in, field); err != nil {
			var pe *problemError
			if errors.As(err, &pe) && len(pe.p.Errors) > 0 {
				*errs = append(*errs, pe.p.Errors...)
			} else {
				errs.add(field, "must be an event object")
			}
			continue
		}
		e := signals.Event{Type: signals.EventType(in.Type), CustomerID: in.CustomerID, EventID: in.EventID, Metric: in.Metric,
			Text: in.Text, Sentiment: in.Sentiment, Channel: in.Channel, Path: in.Path, Quantity: 1}
		if e.CustomerID == "" {
			e.CustomerID = defaultCustomer
		}
		if in.Quantity != nil {
			e.Quantity = *in.Quantity
		}
		if e.Type == signals.TypeUsage && e.Metric == "" {
			e.Metric = "usage"
		}
		var tsErr string
		if in.Timestamp != "" {
			t, err := value.ParseTime(in.Timestamp)
			switch {
			case err != nil:
				tsErr = fmt.Sprintf("cannot parse %q: RFC 3339 time or YYYY-MM-DD expected", in.Timestamp)
			case t.After(now.Add(s.maxSkew)):
				tsErr = fmt.Sprintf("%s is in the future (more than %s ahead of the server clock)", in.Timestamp, s.maxSkew)
			default:
				e.Timestamp = t
			}
		}
		bad := signals.Validate(&e)
		set := func(k, msg string) {
			if bad == nil {
				bad = map[string]string{}
			}
			bad[k] = msg
		}
		if tsErr != "" {
			set("timestamp", tsErr)
		}
		for _, k := range slices.Sorted(maps.Keys(bad)) {
			errs.add(field+"."+k, "%s", bad[k])
		}
		out = append(out, e)
	}
	return out
}

// customerIn is a customer profile as the API receives it.
type customerIn struct {
	CustomerID *string                    `json:"customer_id"`
	SignupAt   *string                    `json:"signup_at"`
	Plan       *string                    `json:"plan"`
	MRR        *float64                   `json:"mrr"`
	ChurnedAt  *string                    `json:"churned_at"`
	Attributes map[string]json.RawMessage `json:"attributes"`
	Events     []json.RawMessage          `json:"events"`
}

// profile validates a customerIn into a Profile, reporting bad fields under prefix.
func (in *customerIn) profile(id, prefix string, errs *fieldErrors) features.Profile {
	p := features.Profile{ID: id}
	f := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	parseTime := func(name string, v *string) *time.Time {
		if v == nil || *v == "" {
			return nil
		}
		t, err := value.ParseTime(*v)
		if err != nil {
			errs.add(f(name), "cannot parse %q: RFC 3339 time or YYYY-MM-DD expected", *v)
			return nil
		}
		return &t
	}
	p.SignupAt = parseTime("signup_at", in.SignupAt)
	p.ChurnedAt = parseTime("churned_at", in.ChurnedAt)
	if in.Plan != nil {
		if len(*in.Plan) > 256 {
			errs.add(f("plan"), "at most 256 characters")
		}
		p.Plan = *in.Plan
	}
	if in.MRR != nil {
		if err := value.CheckAmount(*in.MRR); err != nil {
			errs.add(f("mrr"), "%s", err.Error())
		} else {
			v := *in.MRR
			p.MRR = &v
		}
	}
	if len(in.Attributes) > 200 {
		errs.add(f("attributes"), "at most 200 attributes")
	}
	for _, k := range slices.Sorted(maps.Keys(in.Attributes)) {
		v := bytes.TrimSpace(in.Attributes[k])
		field := f("attributes." + k)
		switch {
		case len(v) == 0 || bytes.Equal(v, []byte("null")):
			continue
		case v[0] == '"':
			var str string
			if err := json.Unmarshal(v, &str); err != nil {
				errs.add(field, "must be a string, number or boolean")
				continue
			}
			if len(str) > 1024 {
				errs.add(field, "at most 1024 characters")
				continue
			}
			if !value.IsMissing(str) {
				setAttr(&p, k, str)
			}
		case v[0] == '{' || v[0] == '[':
			errs.add(field, "must be a string, number or boolean")
		default: // number or boolean, kept as its JSON text
			setAttr(&p, k, string(v))
		}
	}
	return p
}

func setAttr(p *features.Profile, k, v string) {
	if p.Attributes == nil {
		p.Attributes = map[string]string{}
	}
	p.Attributes[k] = v
}

func itoa(i int) string { return fmt.Sprint(i) }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
