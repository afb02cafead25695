package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// TestHostileInput sends oversized, deeply nested, mistyped and malformed
// bodies to every writing route: each answer must be a 4xx problem+json, and
// the server must stay healthy.
func TestHostileInput(t *testing.T) {
	clk := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk}), ModelsDir: trainedModels(t), Now: clk,
		Webhooks: webhook.NewMem(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	nested := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	bodies := map[string]string{
		"oversized":         `{"plan":"` + strings.Repeat("x", 40<<20) + `"}`,
		"deeply nested":     nested,
		"nested in field":   `{"events":[` + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + `]}`,
		"invalid utf-8":     "{\"events\":[{\"type\":\"ticket\",\"customer_id\":\"a\xff\xfe\",\"timestamp\":\"2026-06-30\",\"text\":\"\xc3\x28\"}]}",
		"huge number":       `{"events":[{"type":"usage","customer_id":"a","timestamp":"2026-06-30","quantity":1e999}], "customers":[{"mrr":1e999}], "mrr":1e999}`,
		"NaN string":        `{"events":[{"type":"usage","customer_id":"a","timestamp":"2026-06-30","quantity":"NaN"}], "mrr":"NaN", "customers":[{"mrr":"NaN"}]}`,
		"bare NaN":          `{"mrr":NaN,"events":[{"quantity":NaN}]}`,
		"not json":          "\x00\x01\x02",
		"array":             `[1,2,3]`,
		"null":              `null`,
		"string":            `"hello"`,
		"many fields":       `{"attributes":{` + manyFields(10000) + `}}`,
		"negative zero ids": `{"events":[{"type":"usage","customer_id":"","timestamp":"0000-00-00"}]}`,
	}
	routes := []struct{ method, path string }{
		{"POST", "/v1/events"}, {"PUT", "/v1/customers/h1"}, {"POST", "/v1/score"}, {"POST", "/v1/webhooks"},
	}
	contentTypes := []string{"application/json", "text/plain", "application/x-www-form-urlencoded", ""}
	client := &http.Client{Timeout: 30 * time.Second}
	for name, body := range bodies {
		for _, r := range routes {
			for _, ct := range contentTypes[:2] {
				req, _ := http.NewRequest(r.method, hs.URL+r.path, strings.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s %s %s: %v", name, r.method, r.path, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 400 || resp.StatusCode >= 500 {
					t.Errorf("%s to %s %s (%s): status %d, want 4xx", name, r.method, r.path, ct, resp.StatusCode)
				}
				if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/problem+json") {
					t.Errorf("%s to %s %s: content type %q", name, r.method, r.path, got)
				}
			}
		}
	}
	resp, err := client.Get(hs.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("server unhealthy after the hostile input: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestScoringLimit: past MaxScoring requests in flight, scoring answers 503
// with Retry-After at once instead of queueing.
func TestScoringLimit(t *testing.T) {
	clk := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk}), ModelsDir: trainedModels(t), Now: clk, MaxScoring: 2,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	// Hold both slots as two slow requests would.
	srv.scoring <- struct{}{}
	srv.scoring <- struct{}{}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/customers/x/risk", nil))
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("busy: %d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	<-srv.scoring
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/customers/x/risk", nil))
	if rec.Code != 404 {
		t.Fatalf("with a free slot: %d, want 404 (unknown customer)", rec.Code)
	}
}

func manyFields(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":1`)
	}
	return b.String()
}
