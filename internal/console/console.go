// Package console serves the web console for support teams: a single page
// application of plain HTML, CSS and JavaScript modules embedded in the
// binary. It calls the JSON API of the same origin (/v1/...) with the API key
// the user signs in with; it has no server-side logic of its own.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Prefix is the URL path the console is served under.
const Prefix = "/console/"

// CSP is the Content-Security-Policy of every console answer: nothing but the
// origin's own scripts, styles and API, no inline code, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

//go:embed static
var static embed.FS

// contentTypes maps the extensions of the static files to their media types.
// A file of another extension is not served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// file is one static file held in memory with its validator.
type file struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves the console for request paths under Prefix: Prefix itself
// answers index.html, Prefix without its trailing slash redirects to it, and
// any other path answers the static file of that name or 404. Only GET and
// HEAD are allowed. Every answer carries the CSP and hardening headers.
func Handler() http.Handler {
	files, err := load()
	if err != nil {
		panic("console: embedded files: " + err.Error()) // the embed is fixed at build time
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
			http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
			return
		}
		f, ok := files[lookupName(r.URL.Path)]
		if !ok {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("ETag", f.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	})
}

// setHeaders sets the security and caching headers every answer carries.
func setHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

// lookupName maps a request path to the name of a static file, or "" when
// the path is not under Prefix. Prefix itself names index.html.
func lookupName(p string) string {
	if !strings.HasPrefix(p, Prefix) {
		return ""
	}
	name := strings.TrimPrefix(p, Prefix)
	if name == "" {
		return "index.html"
	}
	if path.Clean(name) != name || !fs.ValidPath(name) {
		return ""
	}
	return name
}

// load reads every static file of a known type into memory.
func load() (map[string]file, error) {
	root, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	files := map[string]file{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		files[name] = file{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	return files, err
}
