package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// postWith sends body to POST /v1/events with the given headers and decodes
// the answer.
func (a *testAPI) postWith(body string, headers map[string]string) (int, map[string]any, http.Header) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.url+"/v1/events", strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatalf("answer %d not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out, resp.Header
}

func TestIdempotencyKeyHeader(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   string
		bad    string // a word of the error, "" when valid
	}{
		{nil, "", ""},
		{[]string{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`}, "8e03978e-40d5-43e8-bc93-6894a57f9324", ""},
		{[]string{`  "a b"  `}, "a b", ""},
		{[]string{`"q\"uote\\d"`}, `q"uote\d`, ""},
		{[]string{`x`}, "", "quoted"},
		{[]string{`abc`}, "", "quoted"},
		{[]string{`""`}, "", "1 to 255"},
		{[]string{`"` + strings.Repeat("k", 256) + `"`}, "", "1 to 255"},
		{[]string{`"` + strings.Repeat("k", 255) + `"`}, strings.Repeat("k", 255), ""},
		{[]string{`"abc`}, "", "closing quote"},
		{[]string{`"a\nb"`}, "", "backslash"},
		{[]string{`"a";p=1`}, "", "parameters"},
		{[]string{`"a", "b"`}, "", "closing quote"},
		{[]string{"\"caf\xc3\xa9\""}, "", "printable ASCII"},
		{[]string{"\"a\tb\""}, "", "printable ASCII"},
		{[]string{`"a"`, `"a"`}, "", "send it once"},
	} {
		h := http.Header{}
		for _, v := range c.values {
			h.Add(idempotencyHeader, v)
		}
		got, err := idempotencyKey(h)
		switch {
		case c.bad == "" && (err != nil || got != c.want):
			t.Errorf("%q: %q, %v; want %q", c.values, got, err, c.want)
		case c.bad != "" && err == nil:
			t.Errorf("%q: taken as %q, want an error", c.values, got)
		case c.bad != "":
			p, _ := problemOf(err)
			msg := err.Error()
			if len(p.Errors) == 1 {
				msg = p.Errors[0].Message
			}
			if p.Status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != idempotencyHeader || !strings.Contains(msg, c.bad) {
				t.Errorf("%q: %+v, want a 400 naming the header and saying %q", c.values, p, c.bad)
			}
		}
	}
}

// FuzzIdempotencyKey sends arbitrary Idempotency-Key values: the parser
// never panics, a key it takes is 1-255 printable ASCII characters that
// quote back to a value it reads the same, and the API answers such a
// request 202 (the same answer twice) or 400, never anything else.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`, `abc`, `""`, `"a\"b"`, `"a\\"`, `"a\`, `"x";y`, " \"k\" ", "\"\x7f\""} {
		f.Add(s)
	}
	clk := func() time.Time { return time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC) }
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk}), ModelsDir: f.TempDir(), Now: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := srv.Handler()
	const body = `{"events":[{"type":"usage","customer_id":"a","timestamp":"2026-06-30"}]}`
	f.Fuzz(func(t *testing.T, v string) {
		key, err := idempotencyKey(http.Header{idempotencyHeader: {v}})
		if err == nil {
			if len(key) < 1 || len(key) > maxIdempotencyKey {
				t.Fatalf("%q: key %q of %d bytes", v, key, len(key))
			}
			for i := 0; i < len(key); i++ {
				if key[i] < 0x20 || key[i] > 0x7e {
					t.Fatalf("%q: key %q holds byte 0x%02x", v, key, key[i])
				}
			}
			if again, err := idempotencyKey(http.Header{idempotencyHeader: {quoteSFString(key)}}); err != nil || again != key {
				t.Fatalf("%q: key %q quoted back reads %q, %v", v, key, again, err)
			}
		}
		var first string
		for range 2 {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(body))
			req.Header[idempotencyHeader] = []string{v}
			h.ServeHTTP(rec, req)
			switch {
			case err == nil && rec.Code != http.StatusAccepted, err != nil && rec.Code != http.StatusBadRequest:
				t.Fatalf("%q (parse error %v): answered %d %s", v, err, rec.Code, rec.Body)
			case first != "" && rec.Body.String() != first:
				t.Fatalf("%q: the retry answered %s, the first %s", v, rec.Body, first)
			}
			first = rec.Body.String()
		}
	})
}

// TestIdempotentEvents: the same key and body answer the first outcome and
// store nothing again (whatever the spacing, field order or time zone
// spelling); another body is a 422 that stores nothing; another key is
// another request.
func TestIdempotentEvents(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, false)
		usage := func() float64 { return usageOf(t, a.store, 0, math.MaxInt32, "k1") }
		key := map[string]string{idempotencyHeader: `"batch-1"`}
		body := `{"events":[{"type":"usage","customer_id":"k1","timestamp":"2026-07-01T10:00:00Z","quantity":2},` +
			`{"type":"usage","customer_id":"k1","timestamp":"2026-07-01T10:00:00Z","quantity":2},` +
			`{"type":"usage","customer_id":"k1","timestamp":"2026-07-01T09:00:00Z","event_id":"e1","quantity":5}]}`
		code, out, _ := a.postWith(body, key)
		if code != 202 || out["accepted"] != 3.0 || out["duplicates"] != 0.0 {
			t.Fatalf("first: %d %v", code, out)
		}
		// The same batch spelled differently: the same request.
		same := `{ "events" : [ {"quantity":2,"customer_id":"k1","type":"usage","timestamp":"2026-07-01T12:00:00+02:00"},` +
			`{"type":"usage","customer_id":"k1","timestamp":"2026-07-01T10:00:00.000Z","quantity":2.0},` +
			`{"type":"usage","metric":"usage","customer_id":"k1","timestamp":"2026-07-01T09:00:00Z","event_id":"e1","quantity":5}]}`
		for _, b := range []string{body, same} {
			code, out, _ = a.postWith(b, key)
			if code != 202 || out["accepted"] != 3.0 || out["duplicates"] != 0.0 {
				t.Fatalf("retry: %d %v, want the first answer", code, out)
			}
		}
		if u := usage(); u != 9 {
			t.Fatalf("usage %v after retries, want 9", u)
		}
		// Another body under the same key.
		other := strings.Replace(body, `"quantity":5`, `"quantity":6`, 1)
		code, out, _ = a.postWith(other, key)
		if code != 422 || !strings.Contains(out["detail"].(string), "nothing was stored") || !strings.Contains(toJSON(out["errors"]), idempotencyHeader) {
			t.Fatalf("another body: %d %v, want 422 naming the header", code, out)
		}
		// Another key: another request (e1 is a duplicate of the first).
		code, out, _ = a.postWith(body, map[string]string{idempotencyHeader: `"batch-2"`})
		if code != 202 || out["accepted"] != 2.0 || out["duplicates"] != 1.0 {
			t.Fatalf("another key: %d %v", code, out)
		}
		// Without a key, as before.
		code, out, _ = a.postWith(body, nil)
		if code != 202 || out["accepted"] != 2.0 || out["duplicates"] != 1.0 {
			t.Fatalf("no key: %d %v", code, out)
		}
		if u := usage(); u != 17 {
			t.Fatalf("usage %v, want 17", u)
		}
		code, out, _ = a.postWith(body, map[string]string{idempotencyHeader: `batch-1`})
		if code != 400 {
			t.Fatalf("bare token key: %d %v, want 400", code, out)
		}
	})
}

// TestIdempotencyKeyPerCaller: two API keys using the same Idempotency-Key
// make two requests; one key's batch never answers for the other's.
func TestIdempotencyKeyPerCaller(t *testing.T) {
	keys, err := ParseKeys("write:aaaaaaaaaaaaaaaaaaaa,write:bbbbbbbbbbbbbbbbbbbb")
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAPI(t, false).sibling(t, func(c *Config) { c.Keys = keys })
	body := `{"events":[{"type":"usage","customer_id":"s1","timestamp":"2026-07-01T10:00:00Z"}]}`
	for _, bearer := range []string{"aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaaaaaa"} {
		code, out, _ := a.postWith(body, map[string]string{idempotencyHeader: `"k"`, "Authorization": "Bearer " + bearer})
		if code != 202 || out["accepted"] != 1.0 {
			t.Fatalf("%s: %d %v", bearer[:1], code, out)
		}
	}
	h, err := a.store.History(context.Background(), "s1", 0, math.MaxInt32)
	if err != nil || len(h) != 1 || h[0].Usage != 2 {
		t.Fatalf("history %+v, %v; want usage 2 (one per caller)", h, err)
	}
}

// TestFailEvents: the answers of POST /v1/events when its batch could not be
// stored: 409 with Retry-After while another attempt holds the request, and
// a 503 whose detail says how to retry this batch safely.
func TestFailEvents(t *testing.T) {
	a := newTestAPI(t, false)
	noIDs := []signals.Event{{EventID: "x"}, {}}
	withIDs := []signals.Event{{EventID: "x"}, {EventID: "y"}}
	outage := fmt.Errorf("add events: %w", store.ErrUnavailable)
	for _, c := range []struct {
		err    error
		key    string
		events []signals.Event
		code   int
		retry  string
		detail string
	}{
		{&app.BusyError{RetryAfter: 1500 * time.Millisecond}, "k", noIDs, 409, "2", "still in progress"},
		{outage, "k", noIDs, 503, "2", "with the same Idempotency-Key and the same body is safe"},
		{outage, "", noIDs, 503, "2", "may count its events without event_id twice"},
		{outage, "", withIDs, 503, "2", "every event has an event_id"},
	} {
		rec := httptest.NewRecorder()
		ctx, _ := gin.CreateTestContext(rec)
		ctx.Request = httptest.NewRequest(http.MethodPost, "/v1/events", nil)
		a.srv.failEvents(ctx, c.err, c.key, c.events)
		var p Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if rec.Code != c.code || rec.Header().Get("Retry-After") != c.retry || !strings.Contains(p.Detail, c.detail) {
			t.Errorf("%v (key %q): %d, Retry-After %q, %+v; want %d, %q, %q", c.err, c.key, rec.Code, rec.Header().Get("Retry-After"), p, c.code, c.retry, c.detail)
		}
		if c.code == 503 && !strings.Contains(p.Detail, "may have been partly applied") {
			t.Errorf("503 detail %q does not say the batch may have been applied", p.Detail)
		}
	}
}

// historian reads daily aggregates.
type historian interface {
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
}

// usageOf sums the usage stored for the customers ids on days from <= day < to.
func usageOf(t testing.TB, st historian, from, to int32, ids ...string) float64 {
	t.Helper()
	sum := 0.0
	for _, id := range ids {
		h, err := st.History(context.Background(), id, from, to)
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		for _, d := range h {
			sum += d.Usage
		}
	}
	return sum
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(bytes.TrimSpace(b))
}
