package signals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
)

// Categorizer assigns page paths to risk categories by path patterns. It is
// immutable once built and safe for concurrent use.
//
// Pattern semantics: a pattern is a slash-separated sequence of segment
// globs, for example "cancel*", "account/close*" or "compare/*". It matches a
// path when its segments match consecutive whole segments of the path,
// anywhere in the path (so "pricing" matches "/pricing", "/en/pricing" and
// "/pricing/enterprise"). In a segment glob '*' stands for any run of
// characters within one segment; a segment that is just "*" stands for
// exactly one segment. Matching ignores ASCII case; leading, trailing and
// doubled slashes in patterns and paths are ignored.
//
// Because globs match whole segments, "cancel*" matches "/account/cancel"
// and "/cancel-subscription" but not "/docs/how-to-cancel-a-job-run": a
// documentation page that merely mentions a word is deliberately not a risk
// page. Write "*cancel*" to match the word anywhere in a segment.
type Categorizer struct {
	pats [NumCategories][]pagePattern
}

type pagePattern struct {
	src  string
	segs []string // lower-case segment globs
}

// categoryPriority is the order in which categories are tried: the first
// category with a matching pattern wins. Specific intent (cancel, downgrade,
// refund, export) comes before comparison shopping, which comes before the
// general billing and pricing pages, so "/billing/cancel" is cancel and
// "/billing/downgrade" is downgrade.
var categoryPriority = [NumCategories]Category{
	CatCancel, CatDowngrade, CatRefund, CatExport, CatCompetitor, CatBilling, CatPricing,
}

// defaultPatterns are the built-in patterns of each category.
var defaultPatterns = map[Category][]string{
	CatCancel: {"cancel*", "unsubscribe*", "account/close*", "close-account*", "close-my-account*",
		"delete-account*", "delete-my-account*", "account/delete*", "deactivate*", "terminate*", "end-subscription*"},
	CatDowngrade: {"downgrade*", "pause-subscription*", "subscription/pause*"},
	CatRefund:    {"refund*", "return*", "money-back*", "chargeback*"},
	CatExport:    {"export*", "data-export*", "download-data*", "download-my-data*", "takeout"},
	CatCompetitor: {"vs", "*-vs-*", "versus", "compare/*", "comparison*", "alternative*", "*-alternative",
		"*-alternatives", "competitor*", "switch-from-*"},
	CatBilling: {"billing*", "invoice*", "payment*", "subscription*", "receipt*", "charges"},
	CatPricing: {"pricing*", "price*", "plans", "compare-plans*"},
}

// DefaultCategorizer returns a Categorizer with the built-in patterns (see
// defaultPatterns in pages.go and the Categorizer documentation). It never
// fails.
func DefaultCategorizer() *Categorizer {
	c := &Categorizer{}
	for cat, list := range defaultPatterns {
		for _, s := range list {
			p, err := parsePagePattern(s)
			if err != nil {
				panic("signals: bad default page pattern " + s) // a programming error, caught by the tests
			}
			c.pats[cat] = append(c.pats[cat], p)
		}
	}
	return c
}

// LoadCategorizer reads a JSON object mapping category names to pattern
// lists, e.g. {"cancel": ["/cancel", "/account/close"], "pricing":
// ["/pricing"]}, and returns a Categorizer using only those patterns (the
// defaults are replaced; a category left out has no patterns). It returns an
// error naming the file, and the line and column or the key, for unreadable
// files, malformed JSON, unknown category names, values that are not arrays
// of strings, and bad patterns (empty, matching every path, or containing
// '?', '#', white space or a scheme).
func LoadCategorizer(path string) (*Categorizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load page patterns: %w", err)
	}
	return parseCategorizer(path, data)
}

func parseCategorizer(name string, data []byte) (*Categorizer, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %v", name, line, col, se)
		case errors.As(err, &te):
			line, col := lineCol(data, te.Offset)
			return nil, fmt.Errorf("%s:%d:%d: want a JSON object of category name to pattern list, got %s", name, line, col, te.Value)
		default:
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if raw == nil {
		return nil, fmt.Errorf("%s: want a JSON object of category name to pattern list, got null", name)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	c := &Categorizer{}
	for _, k := range keys {
		cat, ok := categoryByName(k)
		if !ok {
			return nil, fmt.Errorf("%s: %q: unknown category (want one of %s)", name, k, strings.Join(CategoryNames[:], ", "))
		}
		var list []string
		if err := json.Unmarshal(raw[k], &list); err != nil || (list == nil && bytes.Equal(bytes.TrimSpace(raw[k]), []byte("null"))) {
			return nil, fmt.Errorf("%s: %q: want an array of pattern strings", name, k)
		}
		for i, s := range list {
			p, err := parsePagePattern(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %q[%d]: %w", name, k, i, err)
			}
			c.pats[cat] = append(c.pats[cat], p)
		}
	}
	return c, nil
}

func categoryByName(s string) (Category, bool) {
	for i, n := range CategoryNames {
		if n == s {
			return Category(i), true
		}
	}
	return 0, false
}

// lineCol converts a byte offset (as reported by encoding/json: the offset
// after the bad byte) into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	line, col := 1, 1
	if len(data) == 0 {
		return line, col
	}
	off = min(max(off, 1), int64(len(data)))
	for _, b := range data[:off-1] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func parsePagePattern(s string) (pagePattern, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return pagePattern{}, errors.New("empty pattern")
	case strings.Contains(t, "://"):
		return pagePattern{}, fmt.Errorf("pattern %q: want a path, not a URL", s)
	case strings.ContainsAny(t, "?# \t\r\n"):
		return pagePattern{}, fmt.Errorf("pattern %q: '?', '#' and white space are not allowed", s)
	}
	p := pagePattern{src: s}
	wild := true
	for seg := range strings.SplitSeq(strings.ToLower(t), "/") {
		if seg == "" {
			continue
		}
		if strings.Trim(seg, "*") != "" {
			wild = false
		}
		p.segs = append(p.segs, seg)
	}
	if wild {
		return pagePattern{}, fmt.Errorf("pattern %q matches every path", s)
	}
	return p, nil
}

// Categorize returns the risk category of a page, given as a path
// ("/account/cancel") or a full URL (scheme, host, query and fragment are
// ignored; percent-escapes are decoded), and true; or false when no pattern
// matches. Categories are tried in a fixed priority order (cancel,
// downgrade, refund, export, competitor, billing, pricing).
func (c *Categorizer) Categorize(pathOrURL string) (Category, bool) {
	if c == nil {
		return 0, false
	}
	path := pagePath(pathOrURL)
	var buf [32]string
	segs := buf[:0]
	for seg := range strings.SplitSeq(path, "/") {
		if seg != "" && seg != "." {
			segs = append(segs, seg)
		}
	}
	if len(segs) == 0 {
		return 0, false
	}
	for _, cat := range categoryPriority {
		for i := range c.pats[cat] {
			if c.pats[cat][i].match(segs) {
				return cat, true
			}
		}
	}
	return 0, false
}

// pagePath strips the scheme, host, query and fragment of a URL or path.
func pagePath(s string) string {
	s = strings.TrimSpace(s)
	host := false
	if i := strings.Index(s, "://"); i >= 0 && !strings.ContainsAny(s[:i], "/?#") {
		s, host = s[i+3:], true
	} else if strings.HasPrefix(s, "//") {
		s, host = s[2:], true
	}
	if host {
		// The host ends at the first '/', '?' or '#'.
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[j:]
		} else {
			s = ""
		}
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if strings.IndexByte(s, '%') >= 0 {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	return s
}

func (p *pagePattern) match(segs []string) bool {
	n := len(p.segs)
	for start := 0; start+n <= len(segs); start++ {
		ok := true
		for k, g := range p.segs {
			if !globMatch(g, segs[start+k]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// globMatch reports whether s matches the lower-case glob pat, where '*'
// matches any run of bytes; s is compared ignoring ASCII case.
func globMatch(pat, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(pat) && pat[px] == '*' {
			starP, starS = px, sx
			px++
			continue
		}
		if px < len(pat) && pat[px] == asciiLower(s[sx]) {
			px++
			sx++
			continue
		}
		if starP >= 0 {
			starS++
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	for px < len(pat) && pat[px] == '*' {
		px++
	}
	return px == len(pat)
}

func asciiLower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
