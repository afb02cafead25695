package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
)

// askIn sends a request with an Accept-Language header (none when empty)
// and decodes the JSON answer.
func (a *testAPI) askIn(method, path, acceptLanguage, body string) (int, map[string]any, http.Header) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("%s %s: %d, body not JSON: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out, resp.Header
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// TestLanguageNegotiation: the risk answer, the inline scores and the
// at-risk list come in the language of Accept-Language, which ?lang=
// overrides; an unknown language is English, not an error. The answer says
// its language (Content-Language) and varies with the header; a problem
// stays English and says no language.
func TestLanguageNegotiation(t *testing.T) {
	a := newTestAPI(t, true)
	historyFixture(t, a)
	a.loadGenerated(t, 200)
	a.scoreGenerated(t, 200)
	const ticket = "我們準備換成競爭對手的產品，請幫忙註銷帳號。"
	const score = `{"customers":[{"customer_id":"w1","events":[{"type":"ticket","timestamp":"2026-06-30","text":"` + ticket + `"},
		{"type":"page_view","timestamp":"2026-06-30","path":"/account/cancel"}]}]}`
	type answers struct {
		risk, score, atRisk map[string]any
	}
	get := func(t *testing.T, header, query string, want i18n.Lang) answers {
		t.Helper()
		var out answers
		atRisk := "/v1/at-risk?limit=20"
		if query != "" {
			atRisk += "&" + strings.TrimPrefix(query, "?")
		}
		for _, r := range []struct {
			method, path, body string
			into               *map[string]any
		}{
			{"GET", "/v1/customers/h1/risk" + query, "", &out.risk},
			{"POST", "/v1/score" + query, score, &out.score},
			{"GET", atRisk, "", &out.atRisk},
		} {
			code, body, h := a.askIn(r.method, r.path, header, r.body)
			if code != 200 {
				t.Fatalf("%s %s: %d %v", r.method, r.path, code, body)
			}
			if got := h.Get("Content-Language"); got != string(want) {
				t.Errorf("%s %s (Accept-Language %q): Content-Language %q, want %s", r.method, r.path, header, got, want)
			}
			if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Language") {
				t.Errorf("%s %s: Vary %q lacks Accept-Language", r.method, r.path, h.Values("Vary"))
			}
			*r.into = body
		}
		return out
	}
	en := get(t, "", "", i18n.En)
	for _, c := range []struct {
		header, query string
		want          i18n.Lang
	}{
		{"en-US,en;q=0.9", "", i18n.En},
		{"zh-TW,zh;q=0.9,en;q=0.8", "", i18n.ZhTW},
		{"zh-HK", "", i18n.ZhTW},
		{"zh-CN", "", i18n.ZhCN},
		{"zh-SG", "", i18n.ZhCN},
		{"fr-FR", "", i18n.En},                // unknown: English
		{"", "?lang=zh-TW", i18n.ZhTW},        // the query alone
		{"zh-TW", "?lang=zh-CN", i18n.ZhCN},   // the query wins
		{"zh-CN", "?lang=en", i18n.En},        //
		{"zh-TW", "?lang=klingon", i18n.En},   // an unknown query: English, not an error
		{"zh-TW", "?lang=zh-Hant", i18n.ZhTW}, //
	} {
		got := get(t, c.header, c.query, c.want)
		// The scores are the English answer's; the sentences are written anew.
		if got.risk["score"] != en.risk["score"] || len(got.risk["drivers"].([]any)) != len(en.risk["drivers"].([]any)) {
			t.Fatalf("%q %q: risk %v, in English %v", c.header, c.query, got.risk, en.risk)
		}
		for i, d := range got.risk["drivers"].([]any) {
			d, e := d.(map[string]any), en.risk["drivers"].([]any)[i].(map[string]any)
			reason, enReason := d["reason"].(string), e["reason"].(string)
			if d["feature"] != e["feature"] || (c.want == i18n.En) != (reason == enReason) || (c.want != i18n.En) != hasHan(reason) {
				t.Errorf("%q %q: driver %v %q, in English %v %q", c.header, c.query, d["feature"], reason, e["feature"], enReason)
			}
			if d["feature"] != features.IntentTickets90d && reason != features.Translate(c.want, enReason) {
				t.Errorf("%q %q: driver %v %q, the English translated %q", c.header, c.query, d["feature"], reason, features.Translate(c.want, enReason))
			}
		}
		sigs, enSigs := got.risk["signals"].([]any), en.risk["signals"].([]any)
		if len(sigs) == 0 || len(sigs) != len(enSigs) {
			t.Fatalf("%q %q: signals %v, in English %v", c.header, c.query, sigs, enSigs)
		}
		for i, s := range sigs {
			text := s.(map[string]any)["text"].(string)
			if (c.want != i18n.En) != hasHan(text) || s.(map[string]any)["kind"] != enSigs[i].(map[string]any)["kind"] {
				t.Errorf("%q %q: signal %v, in English %v", c.header, c.query, s, enSigs[i])
			}
		}
		result := got.score["results"].([]any)[0].(map[string]any)
		first := result["signals"].([]any)[0].(map[string]any)["text"].(string)
		// The churn-intent ticket quoted as written, in the language's quotes
		// (what it is read as is the signals package's business).
		quoted := map[i18n.Lang]string{i18n.En: `: "%s"`, i18n.ZhTW: "：「%s」", i18n.ZhCN: "：“%s”"}[c.want]
		if !strings.HasSuffix(first, fmt.Sprintf(quoted, ticket)) || (c.want != i18n.En) != hasHan(strings.TrimSuffix(first, fmt.Sprintf(quoted, ticket))) {
			t.Errorf("%q %q: the inline score's first signal %q", c.header, c.query, first)
		}
		items, enItems := got.atRisk["items"].([]any), en.atRisk["items"].([]any)
		if len(items) == 0 || len(items) != len(enItems) {
			t.Fatalf("%q %q: %d at-risk items, in English %d", c.header, c.query, len(items), len(enItems))
		}
		for i, it := range items {
			it, e := it.(map[string]any), enItems[i].(map[string]any)
			top, enTop := it["top_driver"].(string), e["top_driver"].(string)
			if it["customer_id"] != e["customer_id"] || top != features.Translate(c.want, enTop) || (c.want != i18n.En) != hasHan(top) {
				t.Errorf("%q %q: item %v %q, in English %v %q", c.header, c.query, it["customer_id"], top, e["customer_id"], enTop)
			}
		}
	}
	// A problem is in English and says no language.
	code, body, h := a.askIn("GET", "/v1/customers/nobody/risk?lang=zh-TW", "zh-TW", "")
	if code != 404 || h.Get("Content-Language") != "" || hasHan(body["title"].(string)) {
		t.Errorf("unknown customer in zh-TW: %d %v, Content-Language %q", code, body, h.Get("Content-Language"))
	}
}

// TestOpenAPILanguage: the document allows ?lang= (any value: an unknown
// one is English) on the three routes and describes Content-Language on
// their answers.
func TestOpenAPILanguage(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAPI(t, true)
	historyFixture(t, a)
	engine := a.srv.Handler()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	for _, target := range []string{"/v1/customers/h1/risk?lang=zh-TW", "/v1/customers/h1/risk?lang=fr", "/v1/at-risk?lang=zh-CN&limit=5", "/v1/score?lang=en"} {
		method, body := "GET", ""
		if strings.HasPrefix(target, "/v1/score") {
			method, body = "POST", `{"customers":[{"customer_id":"x"}]}`
		}
		req := func() *http.Request {
			r := httptest.NewRequest(method, target, bytes.NewBufferString(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Accept-Language", "zh-TW")
			return r
		}
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, req())
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		checkAnswer(t, router, req(), w, opts)
	}
	for _, path := range []string{"/v1/customers/{id}/risk", "/v1/score", "/v1/at-risk"} {
		item := doc.Paths.Value(path)
		var op = item.Get
		if op == nil {
			op = item.Post
		}
		found := false
		for _, p := range append(item.Parameters, op.Parameters...) {
			if p.Value != nil && p.Value.Name == "lang" && p.Value.In == "query" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no lang parameter", path)
		}
		ok := op.Responses.Value("200")
		if ok == nil || ok.Value.Headers["Content-Language"] == nil {
			t.Errorf("%s: the 200 answer has no Content-Language header", path)
		}
	}
}
