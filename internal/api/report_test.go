package api

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/store"
)

// TestModelReport: the active version's report.html is served as HTML with
// a policy that lets it load and run nothing; 404 when the version has none,
// 503 without a model.
func TestModelReport(t *testing.T) {
	page := "<!doctype html><title>report</title><style>p{color:red}</style><p>ROC AUC 0.8</p>\n"
	dir, vdir := modelsWithReport(t, page)
	srv := New(Config{Store: store.NewMem(store.MemOptions{}), ModelsDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := srv.Handler()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model/report", nil))
		return rec
	}
	if rec := get(); rec.Code != 503 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("without a model: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	rec := get()
	if rec.Code != 200 || rec.Body.String() != page {
		t.Fatalf("report: %d %q", rec.Code, rec.Body)
	}
	for k, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if err := os.Remove(filepath.Join(vdir, "report.html")); err != nil {
		t.Fatal(err)
	}
	if rec := get(); rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("without report.html: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// modelsWithReport copies the test model into a new models directory whose
// active version has page as its report.html; it returns the directory and
// the version's directory.
func modelsWithReport(t *testing.T, page string) (dir, vdir string) {
	t.Helper()
	a, err := model.Load(trainedModels(t))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if vdir, err = model.Save(dir, a, true); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vdir, "report.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, vdir
}
