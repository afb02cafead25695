package api

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

func TestAPIKeysAndRoles(t *testing.T) {
	keys, err := ParseKeys("read:read-key-0123456789, write:write-key-0123456789,admin:admin-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	clk := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk}), ModelsDir: trainedModels(t), Now: clk, Keys: keys,
		Webhooks: webhook.NewMem(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	do := func(method, path, key, body string) int {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", method, path)
		}
		return rec.Code
	}
	routes := []struct {
		method, path, body string
		need               Role
	}{
		{"GET", "/v1/customers/a", "", RoleRead},
		{"GET", "/v1/at-risk", "", RoleRead},
		{"GET", "/v1/metrics/churn", "", RoleRead},
		{"GET", "/v1/model", "", RoleRead},
		{"POST", "/v1/score", `{"customers":[]}`, RoleRead},
		{"PUT", "/v1/customers/a", `{"plan":"x"}`, RoleWrite},
		{"POST", "/v1/events", `{"events":[]}`, RoleWrite},
		{"GET", "/v1/webhooks", "", RoleAdmin},
		{"POST", "/v1/webhooks", `{"url":"https://93.184.216.34/"}`, RoleAdmin},
		{"POST", "/v1/model/reload", "", RoleAdmin},
		{"GET", "/v1/customers/a/history", "", RoleRead},
		{"GET", "/v1/customers/a/alerts", "", RoleRead},
		{"GET", "/v1/model/report", "", RoleRead},
		{"GET", "/v1/whoami", "", RoleRead},
	}
	keyOf := map[Role]string{RoleRead: "read-key-0123456789", RoleWrite: "write-key-0123456789", RoleAdmin: "admin-key-0123456789"}
	for _, r := range routes {
		if code := do(r.method, r.path, "", r.body); code != 401 {
			t.Errorf("%s %s without a key: %d, want 401", r.method, r.path, code)
		}
		if code := do(r.method, r.path, "not-a-key-at-all-123", r.body); code != 401 {
			t.Errorf("%s %s with a wrong key: %d, want 401", r.method, r.path, code)
		}
		for role := RoleRead; role <= RoleAdmin; role++ {
			code := do(r.method, r.path, keyOf[role], r.body)
			if role < r.need && code != 403 {
				t.Errorf("%s %s as %s: %d, want 403", r.method, r.path, role, code)
			}
			if role >= r.need && (code == 401 || code == 403) {
				t.Errorf("%s %s as %s: %d, want access", r.method, r.path, role, code)
			}
		}
	}
	// Every registered route has a role in this table (or is open), and the
	// server enforces it.
	roles := map[string]Role{
		"PUT /v1/customers/:id": RoleWrite, "GET /v1/customers/:id": RoleRead, "GET /v1/customers/:id/risk": RoleRead,
		"POST /v1/events": RoleWrite, "POST /v1/score": RoleRead, "GET /v1/at-risk": RoleRead, "GET /v1/plans": RoleRead, "GET /v1/metrics/churn": RoleRead,
		"POST /v1/webhooks": RoleAdmin, "GET /v1/webhooks": RoleAdmin, "DELETE /v1/webhooks/:id": RoleAdmin,
		"GET /v1/webhooks/:id/deliveries": RoleAdmin, "POST /v1/webhooks/:id/deliveries/:delivery/redeliver": RoleAdmin,
		"GET /v1/model": RoleRead, "POST /v1/model/reload": RoleAdmin, "GET /v1/models": RoleRead, "GET /v1/model/drift": RoleRead,
		"GET /v1/customers/:id/history": RoleRead, "GET /v1/customers/:id/alerts": RoleRead, "GET /v1/model/report": RoleRead,
		"GET /v1/whoami": RoleRead, "GET /v1/customers/:id/cases": RoleRead, "GET /v1/cases": RoleRead, "GET /v1/cases/:id": RoleRead,
		"PATCH /v1/cases/:id": RoleWrite, "GET /v1/retention/impact": RoleRead, "GET /v1/model/performance": RoleRead,
		"GET /healthz": 0, "GET /readyz": 0, "GET /metrics": 0, "GET /openapi.json": 0,
		"GET /": 0, "GET /console": 0, "GET /console/*file": 0, "HEAD /console": 0, "HEAD /console/*file": 0,
	}
	for _, rt := range h.(*gin.Engine).Routes() {
		key := rt.Method + " " + rt.Path
		need, ok := roles[key]
		if !ok {
			t.Errorf("route %s has no role in the test's table", key)
			continue
		}
		path := strings.NewReplacer(":id", "c1", ":delivery", "d1").Replace(rt.Path)
		if need == 0 {
			if code := do(rt.Method, path, "", ""); code == 401 || code == 403 {
				t.Errorf("%s needs a key: %d", key, code)
			}
			continue
		}
		if code := do(rt.Method, path, "", ""); code != 401 {
			t.Errorf("%s without a key: %d, want 401", key, code)
		}
		if code := do(rt.Method, path, "wrong-key-0123456789", ""); code != 401 {
			t.Errorf("%s with a wrong key: %d, want 401", key, code)
		}
		for role := RoleRead; role <= RoleAdmin; role++ {
			code := do(rt.Method, path, keyOf[role], "")
			if (role < need) != (code == 403) || code == 401 {
				t.Errorf("%s as %s: %d (needs %s)", key, role, code, need)
			}
		}
	}
	for _, open := range []string{"/healthz", "/readyz", "/metrics"} {
		if code := do("GET", open, "", ""); code == 401 {
			t.Errorf("%s needs a key", open)
		}
	}
	// GET /v1/whoami names the role of each key.
	for role := RoleRead; role <= RoleAdmin; role++ {
		req := httptest.NewRequest("GET", "/v1/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+keyOf[role])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if want := `{"role":"` + role.String() + `","authentication":true}`; rec.Code != 200 || rec.Body.String() != want {
			t.Errorf("whoami as %s: %d %s, want %s", role, rec.Code, rec.Body, want)
		}
	}
}

// TestWhoamiWithoutAuthentication: with no keys configured whoami answers
// without a key, as admin.
func TestWhoamiWithoutAuthentication(t *testing.T) {
	srv := New(Config{Store: store.NewMem(store.MemOptions{}), ModelsDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/whoami", nil))
	if want := `{"role":"admin","authentication":false}`; rec.Code != 200 || rec.Body.String() != want {
		t.Errorf("whoami: %d %s, want %s", rec.Code, rec.Body, want)
	}
}

// TestBearerSchemeCaseInsensitive: the Authorization scheme is matched
// without regard to case (RFC 9110, section 11.1); the key itself is exact.
func TestBearerSchemeCaseInsensitive(t *testing.T) {
	keys, err := ParseKeys("read:read-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	clk := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
	srv := New(Config{Store: store.NewMem(store.MemOptions{Now: clk}), ModelsDir: t.TempDir(), Now: clk, Keys: keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := srv.Handler()
	for header, want := range map[string]int{
		"Bearer read-key-0123456789": 200, "bearer read-key-0123456789": 200, "BEARER read-key-0123456789": 200,
		"bEaReR read-key-0123456789": 200, "Bearer READ-KEY-0123456789": 401, "Basic read-key-0123456789": 401,
		"Bearerread-key-0123456789": 401, "read-key-0123456789": 401, "Bearer": 401,
	} {
		req := httptest.NewRequest("GET", "/v1/whoami", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization: %s: %d, want %d", header, rec.Code, want)
		}
	}
}

// TestParseKeysDuplicate: a key listed twice, under one role or two, is
// refused with an error naming both entries and never the key.
func TestParseKeysDuplicate(t *testing.T) {
	for _, spec := range []string{
		"read:same-key-0123456789,admin:same-key-0123456789",
		"write:same-key-0123456789, write:same-key-0123456789",
		"read:other-key-0123456789,admin:same-key-0123456789,,read:same-key-0123456789",
	} {
		k, err := ParseKeys(spec)
		if err == nil {
			t.Errorf("ParseKeys(%q) = %v, want an error", spec, k)
			continue
		}
		if !strings.Contains(err.Error(), "same key as entry") || strings.Contains(err.Error(), "same-key") {
			t.Errorf("ParseKeys(%q): %v", spec, err)
		}
	}
	if _, err := ParseKeys("read:key-one-0123456789,admin:key-two-0123456789"); err != nil {
		t.Errorf("two different keys: %v", err)
	}
}
