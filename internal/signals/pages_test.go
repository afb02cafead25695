package signals

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDefaultCategorizer(t *testing.T) {
	c := DefaultCategorizer()
	none := Category(-1)
	tests := []struct {
		in   string
		want Category
	}{
		{"/pricing", CatPricing},
		{"/en/pricing", CatPricing},
		{"/PRICING/", CatPricing},
		{"/pricing.html", CatPricing},
		{"/plans", CatPricing},
		{"https://app.example.com/pricing?utm_source=mail#top", CatPricing},
		{"//cdn.example.com/en/pricing", CatPricing},
		{"/account/cancel", CatCancel},
		{"/cancel-subscription", CatCancel},
		{"/settings/account/close", CatCancel},
		{"/billing/cancel", CatCancel},
		{"/billing/downgrade", CatDowngrade},
		{"/subscription/pause", CatDowngrade},
		{"/billing", CatBilling},
		{"/settings/billing/invoices", CatBilling},
		{"/account/payment-methods", CatBilling},
		{"/legal/refund-policy", CatRefund},
		{"/returns", CatRefund},
		{"/help/return-policy", CatRefund},
		{"/settings/export", CatExport},
		{"/account/data-export", CatExport},
		{"/compare/x", CatCompetitor},
		{"/alternatives", CatCompetitor},
		{"/blog/acme-alternatives", CatCompetitor},
		{"/vs/competitor", CatCompetitor},
		{"/acme-vs-rival", CatCompetitor},
		{"/%63ancel", CatCancel},
		// Deliberately not risk pages: a word inside a segment is not a
		// match (see the Categorizer documentation).
		{"/docs/how-to-cancel-a-job-run", none},
		{"/pricing-is-not-here-either/x", CatPricing}, // prefix glob "pricing*"
		{"/pricing/compare", CatPricing},
		{"/", none},
		{"", none},
		{"https://example.com", none},
		{"https://example.com?next=/cancel", none},
		{"/dashboard", none},
		{"/versus-mode-docs", none},
	}
	for _, tc := range tests {
		got, ok := c.Categorize(tc.in)
		if !ok {
			got = none
		}
		if got != tc.want {
			t.Errorf("Categorize(%q) = %v (ok=%v), want %v", tc.in, got, ok, tc.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"cancel*", "Cancel", true},
		{"cancel*", "cancellation", true},
		{"cancel*", "how-to-cancel", false},
		{"*cancel*", "how-to-cancel", true},
		{"*-vs-*", "a-vs-b", true},
		{"*-vs-*", "vs", false},
		{"*", "x", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"abc", "ab", false},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pat, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCategorizer(t *testing.T) {
	p := writeFile(t, "pages.json", `{
  "cancel": ["/leave", "/account/close"],
  "pricing": ["/tarifs", "offers/*"],
  "competitor": []
}`)
	c, err := LoadCategorizer(p)
	if err != nil {
		t.Fatal(err)
	}
	none := Category(-1)
	tests := []struct {
		in   string
		want Category
	}{
		{"/fr/leave", CatCancel},
		{"https://x.io/account/close?x=1", CatCancel},
		{"/TARIFS", CatPricing},
		{"/offers/spring", CatPricing},
		{"/offers", none},
		{"/pricing", none},        // defaults replaced
		{"/account/cancel", none}, // defaults replaced
		{"/vs/rival", none},
	}
	for _, tc := range tests {
		got, ok := c.Categorize(tc.in)
		if !ok {
			got = none
		}
		if got != tc.want {
			t.Errorf("Categorize(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestLoadCategorizerErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string // substrings of the error
	}{
		{"bad json", "{\n  \"cancel\": [\"/a\",]\n}", []string{"bad json.json:2:", "invalid character"}},
		{"truncated", `{"cancel": ["/a"`, []string{"truncated.json"}},
		{"empty", ``, []string{"empty.json:1:1"}},
		{"not an object", `["/a"]`, []string{"not an object.json:1:", "want a JSON object"}},
		{"null", `null`, []string{"null.json", "got null"}},
		{"unknown category", `{"cancle": ["/cancel"]}`, []string{"unknown category.json", `"cancle"`, "unknown category"}},
		{"empty pattern", `{"pricing": ["/pricing", "  "]}`, []string{"empty pattern.json", `"pricing"[1]`, "empty pattern"}},
		{"not strings", `{"pricing": [1]}`, []string{`"pricing"`, "array of pattern strings"}},
		{"null list", `{"pricing": null}`, []string{`"pricing"`, "array of pattern strings"}},
		{"match all", `{"pricing": ["/*/"]}`, []string{`"pricing"[0]`, "matches every path"}},
		{"url", `{"pricing": ["https://x.io/pricing"]}`, []string{`"pricing"[0]`, "not a URL"}},
		{"query", `{"pricing": ["/pricing?x"]}`, []string{`"pricing"[0]`, "not allowed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.name+".json", tc.content)
			c, err := LoadCategorizer(p)
			if err == nil {
				t.Fatalf("got %v, want an error", c)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadCategorizer(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: got %v", err)
	}
}

func TestCategorizeNoAllocs(t *testing.T) {
	c := DefaultCategorizer()
	paths := []string{"/en/pricing", "https://app.example.com/account/cancel?x=1", "/dashboard/reports/42"}
	for _, p := range paths {
		if n := testing.AllocsPerRun(100, func() { c.Categorize(p) }); n != 0 {
			t.Errorf("Categorize(%q): %v allocations, want 0", p, n)
		}
	}
}

func TestCategorizeConcurrent(t *testing.T) {
	c := DefaultCategorizer()
	var wg sync.WaitGroup
	bad := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if got, ok := c.Categorize("/account/cancel"); !ok || got != CatCancel {
					bad <- "cancel"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(bad)
	for b := range bad {
		t.Errorf("concurrent Categorize wrong for %s", b)
	}
}

func FuzzCategorize(f *testing.F) {
	for _, s := range []string{"/pricing", "https://x/cancel?a#b", "//", "%", "%zz/cancel", "://", strings.Repeat("/a", 100) + "/cancel"} {
		f.Add(s)
	}
	c := DefaultCategorizer()
	f.Fuzz(func(t *testing.T, s string) {
		cat, ok := c.Categorize(s)
		if ok && (cat < 0 || int(cat) >= NumCategories) {
			t.Fatalf("Categorize(%q) = %v", s, cat)
		}
		if !ok && cat != 0 {
			t.Fatalf("Categorize(%q) = %v with ok=false", s, cat)
		}
	})
}

func FuzzLoadCategorizer(f *testing.F) {
	for _, s := range []string{`{"cancel":["/a"]}`, `{}`, `null`, `{"x":1}`, `{"pricing":["*"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCategorizer("fuzz.json", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("got categorizer %v and error %v", c, err)
		}
		if c != nil {
			c.Categorize("/a/b/cancel")
		}
	})
}

func BenchmarkCategorize(b *testing.B) {
	c := DefaultCategorizer()
	paths := []string{"/en/pricing", "https://app.example.com/account/cancel?x=1", "/dashboard/reports/42", "/docs/how-to-cancel-a-job-run"}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			c.Categorize(p)
		}
	}
}
