package api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// badIDs are customer ids the contract refuses, as JSON string literals
// (so that a lone surrogate escape reaches the server as written), with the
// rule the error must name.
var badIDs = []struct{ name, json, rule string }{
	{"slash", `"acme/eu"`, "'/'"},
	{"C1 control", `"acme\u0085"`, "control character (U+0085)"},
	{"line separator", `"acme\u2028"`, "U+2028"},
	{"bidi override", `"acme\u202e"`, "format character (U+202E"},
	{"zero-width space", `"ac\u200bme"`, "format character (U+200B"},
	{"lone high surrogate", `"acme\ud800"`, "U+FFFD"},
	{"lone low surrogate", `"acme\udc00"`, "U+FFFD"},
}

// errorsOf returns the field errors of a problem body as field -> message.
func errorsOf(body map[string]any) map[string]string {
	out := map[string]string{}
	list, _ := body["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		msg, _ := m["message"].(string)
		out[f] = msg
	}
	return out
}

// TestEventIDRules: POST /v1/events refuses every id outside the contract
// with a 422 naming the rule, and writes nothing (a lone surrogate is never
// turned into U+FFFD and stored, where two ids would collide).
func TestEventIDRules(t *testing.T) {
	a := newTestAPI(t, false)
	for _, tt := range badIDs {
		t.Run(tt.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"events":[{"type":"usage","customer_id":%s,"timestamp":"2026-06-30T10:00:00Z"}]}`, tt.json)
			code, out, _ := a.do("POST", "/v1/events", body)
			if code != 422 {
				t.Fatalf("status %d, want 422: %v", code, out)
			}
			if msg := errorsOf(out)["events[0].customer_id"]; !strings.Contains(msg, tt.rule) {
				t.Errorf("events[0].customer_id error %q, want the rule %q (all: %v)", msg, tt.rule, out)
			}
		})
	}
	if code, out, _ := a.do("GET", "/v1/customers/acme%EF%BF%BD", nil); code == 200 {
		t.Errorf("a customer acme\\uFFFD was stored: %v", out)
	}
}

// TestPutIDRules: the PUT path's id follows the same rules, invalid UTF-8
// bytes in the path included.
func TestPutIDRules(t *testing.T) {
	a := newTestAPI(t, false)
	ids := map[string]string{
		"C1 control":      "acme\u0085",
		"line separator":  "acme\u2029",
		"bidi override":   "\u202eacme",
		"byte order mark": "\ufeffacme",
		"invalid byte":    "acme\xff",
		"lone surrogate":  "acme\xed\xa0\x80",
	}
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			code, out, _ := a.do("PUT", "/v1/customers/"+url.PathEscape(id), `{"plan":"pro"}`)
			if code != 422 {
				t.Fatalf("PUT %q: status %d, want 422: %v", id, code, out)
			}
			if msg := errorsOf(out)["id"]; !strings.HasPrefix(msg, "customer_id must") {
				t.Errorf("PUT %q: id error %q, want the rule", id, msg)
			}
		})
	}
}

// TestScoreIDRules: POST /v1/score checks its customers' ids alike.
func TestScoreIDRules(t *testing.T) {
	a := newTestAPI(t, true)
	for _, tt := range badIDs {
		t.Run(tt.name, func(t *testing.T) {
			code, out, _ := a.do("POST", "/v1/score", fmt.Sprintf(`{"customers":[{"customer_id":%s,"plan":"pro"}]}`, tt.json))
			if code != 422 {
				t.Fatalf("status %d, want 422: %v", code, out)
			}
			if msg := errorsOf(out)["customers[0].customer_id"]; !strings.Contains(msg, tt.rule) {
				t.Errorf("customers[0].customer_id error %q, want the rule %q (all: %v)", msg, tt.rule, out)
			}
		})
	}
}
