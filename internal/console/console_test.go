package console

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// svgNS is the one absolute URL the static files may contain: the SVG
// namespace name, which is an identifier and never fetched.
const svgNS = "http://www.w3.org/2000/svg"

// get answers the console's response to one request.
func get(t *testing.T, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec.Result()
}

// staticFiles lists the embedded files by their name under static/.
func staticFiles(t *testing.T) map[string][]byte {
	t.Helper()
	root, err := fs.Sub(static, "static")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, name)
		files[name] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d static files embedded", len(files))
	}
	return files
}

// checkHeaders asserts the headers every answer carries.
func checkHeaders(t *testing.T, target string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-cache",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", target, k, got, v)
		}
	}
}

func TestIndexServedWithCSP(t *testing.T) {
	res := get(t, http.MethodGet, "/console/", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	checkHeaders(t, "/console/", res.Header)
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{`<main id="app" tabindex="-1"`, `<script type="module" src="js/app.js"></script>`, `<html lang="en">`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("index lacks %s", want)
		}
	}
	index, _ := static.ReadFile("static/index.html")
	if !bytes.Equal(body, index) {
		t.Error("/console/ does not answer index.html")
	}
}

func TestEveryStaticFileServedWithItsType(t *testing.T) {
	types := map[string]string{
		".html": "text/html; charset=utf-8",
		".js":   "text/javascript; charset=utf-8",
		".css":  "text/css; charset=utf-8",
		".svg":  "image/svg+xml",
	}
	for name, want := range staticFiles(t) {
		ct, ok := types[path.Ext(name)]
		if !ok {
			t.Errorf("%s: a static file of an unserved type", name)
			continue
		}
		res := get(t, http.MethodGet, Prefix+name, nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", name, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Content-Type"); got != ct {
			t.Errorf("%s: Content-Type %q, want %q", name, got, ct)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("%s: body differs from the embedded file", name)
		}
		checkHeaders(t, name, res.Header)
	}
}

func TestUnknownPathsAre404(t *testing.T) {
	for _, target := range []string{
		"/console/nope.js", "/console/js/", "/console/js", "/console/index.html/", "/console//js/app.js",
		"/console/js/../js/app.js", "/console/./index.html", "/console/static/index.html", "/index.html", "/", "/consolex/",
	} {
		res := get(t, http.MethodGet, target, nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: Content-Type %q, want text/plain", target, ct)
		}
		if strings.TrimSpace(string(body)) != "not found" {
			t.Errorf("%s: body %q", target, body)
		}
		checkHeaders(t, target, res.Header)
	}
}

func TestRedirectMethodsAndRevalidation(t *testing.T) {
	res := get(t, http.MethodGet, "/console", nil)
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/console/" {
		t.Errorf("/console: %d to %q, want 301 to /console/", res.StatusCode, res.Header.Get("Location"))
	}
	checkHeaders(t, "/console", res.Header)

	res = get(t, http.MethodPost, "/console/", nil)
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	checkHeaders(t, "POST /console/", res.Header)

	res = get(t, http.MethodHead, "/console/js/app.js", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || len(body) != 0 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("HEAD: %d, %d bytes, %q", res.StatusCode, len(body), res.Header.Get("Content-Type"))
	}

	etag := get(t, http.MethodGet, "/console/console.css", nil).Header.Get("ETag")
	if len(etag) < 4 {
		t.Fatalf("ETag %q", etag)
	}
	res = get(t, http.MethodGet, "/console/console.css", http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: %d, want 304", res.StatusCode)
	}
	if etag == get(t, http.MethodGet, "/console/js/app.js", nil).Header.Get("ETag") {
		t.Error("two files share an ETag")
	}
}

func TestNoExternalReferences(t *testing.T) {
	absolute := regexp.MustCompile(`(?i)https?://`)
	protocolRelative := regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']?//|url\(\s*["']?//|from\s+["']//|import\s*\(\s*["']//`)
	for name, b := range staticFiles(t) {
		text := strings.ReplaceAll(string(b), svgNS, "")
		if m := absolute.FindString(text); m != "" {
			t.Errorf("%s references an absolute URL (%s…)", name, m)
		}
		if m := protocolRelative.FindString(text); m != "" {
			t.Errorf("%s references another origin: %s", name, m)
		}
	}
}

func TestNoInlineCodeOrHTMLInjection(t *testing.T) {
	files := staticFiles(t)
	html := string(files["index.html"])
	for _, m := range regexp.MustCompile(`(?is)<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(m, ` src="`) {
			t.Errorf("inline script: %s", m)
		}
	}
	for name, b := range files {
		text := string(b)
		checks := map[string]*regexp.Regexp{
			"a <style> block":       regexp.MustCompile(`(?i)<style`),
			"a style attribute":     regexp.MustCompile(`(?i)\sstyle\s*=`),
			"an inline handler":     regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`),
			"a javascript: URL":     regexp.MustCompile(`(?i)javascript:`),
			"HTML parsing of data":  regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment`),
			"code from strings":     regexp.MustCompile(`\beval\s*\(|new\s+Function\s*\(`),
			"a style set as a prop": regexp.MustCompile(`['"]style['"]\s*:`),
		}
		for what, re := range checks {
			if path.Ext(name) == ".css" && what == "a style attribute" {
				continue
			}
			if m := re.FindString(text); m != "" {
				t.Errorf("%s has %s: %q", name, what, m)
			}
		}
	}
}

func TestReferencesResolve(t *testing.T) {
	files := staticFiles(t)
	attr := regexp.MustCompile(`(?:src|href)="([^"#][^"]*)"`)
	for _, m := range attr.FindAllStringSubmatch(string(files["index.html"]), -1) {
		if _, ok := files[m[1]]; !ok {
			t.Errorf("index.html references %s, which is not embedded", m[1])
		}
	}
	imports := regexp.MustCompile(`(?m)(?:^|\s)(?:import|export)\s[^;'"]*?from\s+'([^']+)'|import\s+'([^']+)'|import\(\s*'([^']+)'`)
	seen := 0
	for name, b := range files {
		if path.Ext(name) != ".js" {
			continue
		}
		for _, m := range imports.FindAllStringSubmatch(string(b), -1) {
			spec := m[1] + m[2] + m[3]
			seen++
			if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
				t.Errorf("%s imports %q: only relative module paths can be served", name, spec)
				continue
			}
			target := path.Join(path.Dir(name), spec)
			if _, ok := files[target]; !ok {
				t.Errorf("%s imports %s (%s), which is not embedded", name, spec, target)
			}
		}
	}
	if seen < 20 {
		t.Errorf("found only %d imports: the pattern no longer matches the code", seen)
	}
}

// TestIDsOfTheContract checks that the DOM ids and classes other code and
// people rely on (routes, tests, docs) are still produced by the console.
func TestIDsOfTheContract(t *testing.T) {
	var all strings.Builder
	for _, b := range staticFiles(t) {
		all.Write(b)
	}
	text := all.String()
	for _, id := range []string{
		"login-form", "api-key", "sign-in", "login-error", "nav-at-risk", "nav-metrics", "nav-model", "nav-webhooks",
		"sign-out", "auth-banner", "filters", "min-score", "plan", "at-risk-table", "next-page", "first-page",
		"customer-score", "drivers-table", "score-chart", "usage-chart", "tickets-table", "tickets-chart", "pages-table",
		"profile", "alerts-table", "churn-rate-chart", "mrr-churn-chart", "predicted-chart", "cohort-heatmap",
		"metrics-table", "model-figures", "candidates-table", "versions-table", "download-report", "webhooks-table",
		// Issue 17: the queue, the case in the customer page, the impact page
		// and how the scores turned out.
		"nav-cases", "nav-impact", "agent-form", "agent-name", "save-agent", "case-views",
		"cases-table", "more-cases", "customer-cases", "holdout-mark", "impact-groups-table", "impact-interval",
		"impact-difference-text", "impact-needed", "impact-method", "churn-curves", "curves-need-admin",
		"impact-plays-table", "model-performance", "performance-table", "performance-chart", "predicted-actual-chart",
	} {
		if !strings.Contains(text, `'`+id+`'`) && !strings.Contains(text, `"`+id+`"`) {
			t.Errorf("no element id %q in the static files", id)
		}
	}
	for _, s := range []string{"churn.apiKey", "'Bearer '", "customer-link", "usage-drop", "/v1/whoami", "/v1/at-risk",
		"/v1/cases", "/v1/retention/impact", "/v1/model/performance", "'PATCH'", "assign-me", "set-status", "add-note", "case-card",
		"/v1/metrics/churn", "/v1/model/report", "/v1/webhooks", "aria-live=\"polite\"", "sessionStorage", "dataset.state", "dataset.page"} {
		if !strings.Contains(text, s) {
			t.Errorf("the static files lack %s", s)
		}
	}
	// The key is kept in sessionStorage only: localStorage holds the
	// language choice (js/i18n.js, issue 15) and the agent's name
	// (js/agent.js, issue 17) alone, never the key.
	stored := map[string]string{"js/i18n.js": "'churn.lang'", "js/agent.js": "'churn.agent'"}
	for name, b := range staticFiles(t) {
		if _, ok := stored[name]; strings.Contains(string(b), "localStorage") && !ok {
			t.Errorf("%s uses localStorage: the key must be kept in sessionStorage only", name)
		}
	}
	for name, key := range stored {
		if js := string(staticFiles(t)[name]); strings.Contains(js, "churn.apiKey") || strings.Contains(js, "getKey") || !strings.Contains(js, key) {
			t.Errorf("%s must keep %s alone in localStorage", name, key)
		}
	}
}

// nodeOrSkip answers the path of node; without it the test is skipped,
// unless CI is set, where it fails.
func nodeOrSkip(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if _, e := os.Stat("/usr/bin/node"); e == nil {
			return "/usr/bin/node"
		}
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed (needed in CI to check the JavaScript)")
		}
		t.Skip("node is not installed")
	}
	return node
}

// jsTree copies static/js into a temporary module package (type module) and
// answers its directory.
func jsTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range staticFiles(t) {
		if path.Ext(name) != ".js" {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"type":"module"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestJavaScriptSyntax(t *testing.T) {
	node := nodeOrSkip(t)
	dir := jsTree(t)
	n := 0
	for name := range staticFiles(t) {
		if path.Ext(name) != ".js" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			// In a "type": "module" package node parses the file as a module.
			out, err := exec.Command(node, "--check", filepath.Join(dir, filepath.FromSlash(name))).CombinedOutput()
			if err != nil {
				t.Errorf("node --check %s: %v\n%s", name, err, out)
			}
		})
	}
	if n < 5 {
		t.Errorf("only %d JavaScript files", n)
	}
}

// TestJavaScriptHelpers runs the DOM-free helpers under node and compares
// their answers with the expected strings.
func TestJavaScriptHelpers(t *testing.T) {
	node := nodeOrSkip(t)
	dir := jsTree(t)
	script := `
import * as f from './js/format.js';
import { niceTicks, describe } from './js/charts.js';
import { withQuery } from './js/api.js';
import { retentionClass } from './js/pages/metrics.js';
import { hashFor, parseMinScore } from './js/pages/at-risk.js';
const out = {
  pct: [f.pct(0.853), f.pct(0.85), f.pct(-0.0123), f.pct(null), f.pct(1, 0)],
  money: [f.money(45), f.money(38.3), f.money(2578.02), f.money(171849), f.money(null)],
  int: f.int(1234567), signed: [f.signed(2.2839), f.signed(-0.4647), f.signed(0)],
  date: [f.date('2026-08-25'), f.date('2026-11-22T19:17:32.1Z'), f.date(null)],
  dateTime: f.dateTime('2026-11-22T19:17:32.108859875Z'),
  sentiment: [-0.8, -0.5, -0.2, 0, 0.05, 0.3, 0.7, null].map(f.sentimentWord),
  ticks: [niceTicks(0, 0.052).ticks, niceTicks(-0.013, 0.04).ticks, niceTicks(0, 0).ticks, niceTicks(0, 12.5).ticks],
  describe: describe(['a', 'b', 'c'], [0.2, null, 0.1], (v) => f.pct(v)),
  query: [withQuery('/v1/at-risk', { limit: 25, min_score: '0.5', plan: '', cursor: null }), withQuery('/x', {})],
  retention: [1, 0.95, 0.9, 0.8999, 0.5, 0.05, 0, null].map(retentionClass),
  hash: [hashFor({ min_score: '0.5', plan: 'growth plus' }), hashFor({}, 'abc', 2), hashFor({ min_score: '', plan: '' }),
    hashFor({ level: 'medium', q: 'acme', sort: 'change' }), hashFor({ sort: 'score' })],
  minScore: ['50', '50%', '0.5', ' 12.5 % ', '0', '100%', '1', '', '150%', '-1', 'abc', '0.5%'].map(parseMinScore),
};
console.log(JSON.stringify(out));
`
	if err := os.WriteFile(filepath.Join(dir, "helpers.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "helpers.js")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := `{"pct":["85.3%","85.0%","-1.2%","—","100%"],` +
		`"money":["$45","$38.30","$2,578.02","$171,849","—"],` +
		`"int":"1,234,567","signed":["+2.28","−0.46","+0.00"],` +
		`"date":["2026-08-25","2026-11-22","—"],` +
		`"dateTime":"2026-11-22 19:17 UTC",` +
		`"sentiment":["angry","angry","unhappy","neutral","neutral","satisfied","happy","no score"],` +
		`"ticks":[[0,0.02,0.04,0.06],[-0.02,0,0.02,0.04],[0,0.2,0.4,0.6,0.8,1],[0,2.5,5,7.5,10,12.5]],` +
		`"describe":"lowest 10.0% in c, highest 20.0% in a, latest 10.0% in c",` +
		`"query":["/v1/at-risk?limit=25&min_score=0.5","/x"],` +
		`"retention":["ret-9","ret-9","ret-9","ret-8","ret-5","ret-0","ret-0","ret-none"],` +
		`"hash":["#/at-risk?plan=growth+plus&min_score=0.5","#/at-risk?cursor=abc&page=2","#/at-risk","#/at-risk?level=medium&q=acme&sort=change","#/at-risk"],` +
		`"minScore":[0.5,0.5,0.5,0.125,0,1,1,"",null,null,null,0.005]}`
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("helpers answered\n%s\nwant\n%s", got, want)
	}
}
