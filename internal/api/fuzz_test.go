package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/value"
)

// FuzzPostEvents sends arbitrary bodies to POST /v1/events: the answer is
// always 202, 400, 413 or 422, never a 500 or a panic, and accepted quantities
// are within value.MaxAmount.
func FuzzPostEvents(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"type":"usage","customer_id":"a","timestamp":"2026-06-30T10:00:00Z","quantity":3}]}`,
		`{"events":[{"type":"ticket","customer_id":"a","timestamp":"2026-06-30","text":"我想取消订阅","sentiment":-0.5}]}`,
		`{"events":[{"type":"page_view","customer_id":"a","timestamp":"2026-06-30T10:00:00+02:00","path":"https://x.io/pricing?a=1"}]}`,
		`{"events":[{"type":"usage","quantity":1e400}]}`,
		`{"events":[{"type":"usage","customer_id":"a","timestamp":"2026-06-30","quantity":1.7e308},{"type":"usage","customer_id":"a","timestamp":"2026-06-30","quantity":1e12}]}`,
		`{"events":[null, 1, "x", [], {}]}`,
		`{"events":{}}`, `[]`, `null`, ``, `{"events":[{"customer_id":"\u0000"}]}`,
	} {
		f.Add([]byte(s))
	}
	clk := func() time.Time { return time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC) }
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk}), ModelsDir: f.TempDir(), Now: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: Limits{Events: Policy{Rate: -1}}}) // fuzzing outpaces any fair share
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v1/events", bytes.NewReader(body))
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 202, 400, 413, 422:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		// Accepted events keep their quantities within the contract's bound.
		var in struct {
			Events []struct {
				Quantity *float64 `json:"quantity"`
			} `json:"events"`
		}
		if rec.Code == 202 && json.Unmarshal(body, &in) == nil {
			for i, e := range in.Events {
				if e.Quantity != nil && value.CheckAmount(*e.Quantity) != nil {
					t.Fatalf("events[%d].quantity %v accepted for %q", i, *e.Quantity, body)
				}
			}
		}
	})
}
