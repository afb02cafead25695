package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// TestProblemOf: each error a use case returns, wrapped with context as
// the use cases do, becomes its problem; anything else is internal.
func TestProblemOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("redis get c1: %w", err) }
	for _, c := range []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"problem", invalid([]FieldError{{Field: "id", Message: "bad"}}), 422, "1 invalid field(s)"},
		{"unknown customer", wrap(store.ErrNotFound), 404, "no such customer"},
		{"unknown webhook", &app.NotFoundError{What: "no such webhook"}, 404, "no such webhook"},
		{"webhooks off", app.ErrWebhooksOff, 404, "webhooks are not configured on this server"},
		{"store down", wrap(store.ErrUnavailable), 503, "the store is unavailable; retry later"},
		{"webhook store down", fmt.Errorf("list subscriptions: %w", webhook.ErrUnavailable), 503, "the store is unavailable; retry later"},
		{"bad cursor", wrap(store.ErrBadCursor), 422, "1 invalid field(s)"},
		{"contended customer", fmt.Errorf("put customer %q: %w", "c1", store.ErrConflict), 409,
			"the customer (or case) was changed by concurrent requests while this one was written; nothing of it was stored: retry"},
		{"figures out of range", fmt.Errorf("put customer: churn figures: %w: 9e18 + 1e14", metrics.ErrRange), 422,
			"a value is beyond what the churn figures hold exactly: a month's MRR sum or the revenue at risk would pass 9e+16 in currency units"},
		{"no model loaded", app.ErrNoModel, 503, "no model loaded: train one with `train fit` and POST /v1/model/reload"},
		{"no model trained", fmt.Errorf("load: %w: %w", app.ErrModelRefused, model.ErrNoModel), 409, "no model has been trained: run `train fit`"},
		{"model refused", fmt.Errorf("load /srv/models: %w: unexpected EOF", app.ErrModelRefused), 409,
			"the artifact in models/current could not be loaded; the previous model keeps serving"},
		{"models unreadable", fmt.Errorf("list: %w: permission denied", app.ErrModelsUnreadable), 503, "the models directory cannot be read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ok := problemOf(c.err)
			if !ok || p.Status != c.status || p.Detail != c.detail {
				t.Errorf("problemOf(%v) = %d %q (%v), want %d %q", c.err, p.Status, p.Detail, ok, c.status, c.detail)
			}
		})
	}
	if _, ok := problemOf(errors.New("redis eval: ERR script error")); ok {
		t.Error("an unknown error mapped to a problem: it must be an internal error")
	}
}

// TestReloadHidesTheCause: a version that does not load answers 409 with a
// generic detail, never the loader's error (paths, parse errors).
func TestReloadHidesTheCause(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "broken"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "broken", "model.json"), []byte(`{"format_version": 1, "learner": "gbt"`), 0o644)
	os.WriteFile(filepath.Join(dir, "broken", "metadata.json"), []byte(`{}`), 0o644)
	if err := model.SetCurrent(dir, "broken"); err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Store: store.NewMem(store.MemOptions{}), ModelsDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/v1/model/reload", nil))
	body := rec.Body.String()
	if rec.Code != 409 || !strings.Contains(body, "could not be loaded; the previous model keeps serving") {
		t.Fatalf("reload of a broken version: %d %s", rec.Code, body)
	}
	if strings.Contains(body, dir) || strings.Contains(body, "broken") || strings.Contains(body, "EOF") {
		t.Errorf("the answer leaks the cause: %s", body)
	}
}
