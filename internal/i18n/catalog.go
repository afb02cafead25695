package i18n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one sentence of a catalog in the three languages: its key, then
// its English, Traditional Chinese and Simplified Chinese templates (an
// array rather than a struct, so that a catalog reads as a table). The
// English template names each argument with its position and kind, "{1:num}"; the
// Chinese templates name it by position alone, "{1}", in any order. Around
// an argument the Chinese templates need no spaces: a space is put between
// Chinese and Latin letters or digits where they meet ("近 30 天", "方案為
// basic"), never between two Chinese characters.
type Entry [4]string

// Kind is how one kind of argument is written: its form in each language,
// and how its English form is read back (to translate a stored English
// sentence).
type Kind struct {
	// Pattern is a regular expression, without capturing groups, of the
	// English form.
	Pattern string
	// Format writes the value v (as given to Message) in language l.
	Format func(l Lang, v any) string
	// Parse reads the English form back into a value for Format.
	Parse func(en string) (any, bool)
}

// Message is a sentence of a catalog with its arguments, not yet written in
// a language.
type Message struct {
	Key  string
	Args []any
}

// Msg returns the Message of the sentence key with its arguments.
func Msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// Catalog is a set of sentences and the kinds of their arguments.
type Catalog struct {
	kinds   map[string]Kind
	entries map[string]*entry
	order   []*entry
}

// entry is an Entry parsed: its templates, the kinds of its arguments and
// the English form as a regular expression.
type entry struct {
	key     string
	source  Entry
	tmpl    [3][]segment // in the order of Langs
	kinds   []string     // of arguments 1..n, at index 0..n-1
	re      *regexp.Regexp
	prefix  string // the English template's literal start and end
	suffix  string
	literal int // characters of the English template outside arguments
}

// segment is literal text, or argument arg (1-based) when arg > 0.
type segment struct {
	text string
	arg  int
}

var placeholder = regexp.MustCompile(`\{([0-9]+)(?::([a-z0-9]+))?\}`)

// NewCatalog parses the entries and checks them: unique keys, English
// arguments numbered from 1 without gaps and each of a known kind, Chinese
// templates that use exactly the English arguments. It returns the first
// problem found.
func NewCatalog(kinds map[string]Kind, entries []Entry) (*Catalog, error) {
	c := &Catalog{kinds: kinds, entries: map[string]*entry{}}
	for _, in := range entries {
		key := in[0]
		if _, dup := c.entries[key]; dup || key == "" {
			return nil, fmt.Errorf("catalog: key %q empty or repeated", key)
		}
		e, err := c.parse(in)
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", key, err)
		}
		c.entries[key] = e
		c.order = append(c.order, e)
	}
	return c, nil
}

// MustCatalog is NewCatalog for the catalogs written in the code, which are
// fixed at build time: it panics on a problem (as regexp.MustCompile does),
// which any test of the package reports.
func MustCatalog(kinds map[string]Kind, entries []Entry) *Catalog {
	c, err := NewCatalog(kinds, entries)
	if err != nil {
		panic(err)
	}
	return c
}

func (c *Catalog) parse(in Entry) (*entry, error) {
	e := &entry{key: in[0], source: in}
	// English: positions and kinds.
	segs, kinds, err := segments(in[1], true)
	if err != nil {
		return nil, fmt.Errorf("en: %w", err)
	}
	e.kinds = make([]string, len(kinds))
	for i, k := range kinds {
		if k == "" {
			return nil, fmt.Errorf("en: argument {%d} missing or without a kind", i+1)
		}
		if _, ok := c.kinds[k]; !ok {
			return nil, fmt.Errorf("en: argument {%d}: unknown kind %q", i+1, k)
		}
		e.kinds[i] = k
	}
	e.tmpl[0] = segs
	for j, t := range in[2:] {
		segs, used, err := segments(t, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Langs[j+1], err)
		}
		if t == "" {
			return nil, fmt.Errorf("%s: empty", Langs[j+1])
		}
		if len(used) != len(kinds) {
			return nil, fmt.Errorf("%s: uses %d arguments, English %d", Langs[j+1], len(used), len(kinds))
		}
		for i, k := range used {
			if k != "-" {
				return nil, fmt.Errorf("%s: argument {%d} not used", Langs[j+1], i+1)
			}
		}
		e.tmpl[j+1] = segs
	}
	// The English form as a regular expression.
	var re strings.Builder
	re.WriteString("^")
	for i, s := range e.tmpl[0] {
		if s.arg == 0 {
			re.WriteString(regexp.QuoteMeta(s.text))
			e.literal += utf8.RuneCountInString(s.text)
			if i == 0 {
				e.prefix = s.text
			}
			if i == len(e.tmpl[0])-1 {
				e.suffix = s.text
			}
			continue
		}
		re.WriteString("(" + c.kinds[e.kinds[s.arg-1]].Pattern + ")")
	}
	re.WriteString("$")
	if e.re, err = regexp.Compile(re.String()); err != nil {
		return nil, fmt.Errorf("en: %w", err)
	}
	if e.re.NumSubexp() != len(e.tmpl[0])-countLiterals(e.tmpl[0]) {
		return nil, fmt.Errorf("en: a kind's pattern has capturing groups")
	}
	return e, nil
}

func countLiterals(segs []segment) int {
	n := 0
	for _, s := range segs {
		if s.arg == 0 {
			n++
		}
	}
	return n
}

// segments splits a template into literal text and arguments. It returns,
// per argument position (1-based, at index position-1), the kind named
// (withKinds) or "-" for each position used (otherwise).
func segments(t string, withKinds bool) ([]segment, []string, error) {
	var segs []segment
	var args []string
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(t, -1) {
		if m[0] > last {
			segs = append(segs, segment{text: t[last:m[0]]})
		}
		n, _ := strconv.Atoi(t[m[2]:m[3]])
		if n < 1 || n > 9 {
			return nil, nil, fmt.Errorf("argument {%d} out of 1..9", n)
		}
		kind := ""
		if m[4] >= 0 {
			kind = t[m[4]:m[5]]
		}
		if withKinds == (kind == "") {
			return nil, nil, fmt.Errorf("argument {%d}: a kind is named in English only", n)
		}
		for len(args) < n {
			args = append(args, "")
		}
		if args[n-1] != "" {
			return nil, nil, fmt.Errorf("argument {%d} used twice", n)
		}
		if withKinds {
			args[n-1] = kind
		} else {
			args[n-1] = "-"
		}
		if withKinds && len(segs) > 0 && segs[len(segs)-1].arg > 0 && m[0] == last {
			// English is read back: its arguments need text between them.
			return nil, nil, fmt.Errorf("arguments {%d} and the one before it touch", n)
		}
		segs = append(segs, segment{arg: n})
		last = m[1]
	}
	if last < len(t) {
		segs = append(segs, segment{text: t[last:]})
	}
	if strings.ContainsAny(strings.Join(literalTexts(segs), ""), "{}") {
		return nil, nil, fmt.Errorf("a brace outside an argument")
	}
	return segs, args, nil
}

func literalTexts(segs []segment) []string {
	var out []string
	for _, s := range segs {
		if s.arg == 0 {
			out = append(out, s.text)
		}
	}
	return out
}

// Text writes message m in language l. An unknown key or a missing argument
// is written as such ("?key", "?") rather than failing: a sentence is never
// worth a panic.
func (c *Catalog) Text(l Lang, m Message) string {
	e, ok := c.entries[m.Key]
	if !ok {
		return "?" + m.Key
	}
	args := make([]string, len(e.kinds))
	for i, k := range e.kinds {
		if i < len(m.Args) {
			args[i] = c.kinds[k].Format(l, m.Args[i])
		} else {
			args[i] = "?"
		}
	}
	return e.render(l, args)
}

// render joins the template of l with the written arguments.
func (e *entry) render(l Lang, args []string) string {
	segs := e.tmpl[langIndex(l)]
	var b strings.Builder
	for _, s := range segs {
		piece := s.text
		if s.arg > 0 {
			piece = args[s.arg-1]
		}
		if l.Chinese() && b.Len() > 0 && piece != "" {
			prev, _ := utf8.DecodeLastRuneInString(b.String())
			next, _ := utf8.DecodeRuneInString(piece)
			if needsSpace(prev, next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(piece)
	}
	return b.String()
}

// langIndex is the position of l in Langs; English for an unknown value.
func langIndex(l Lang) int {
	for i, x := range Langs {
		if x == l {
			return i
		}
	}
	return 0
}

// needsSpace reports whether Chinese text needs a space where a and b meet:
// between a Han character and a Latin letter, a digit or a sign.
func needsSpace(a, b rune) bool {
	latin := func(r rune) bool {
		return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("+-%.", r))
	}
	return unicode.Is(unicode.Han, a) && latin(b) && b != '%' && b != '.' ||
		latin(a) && unicode.Is(unicode.Han, b)
}

// Translate writes in language l the English sentence en of this catalog
// (one written by Text in English): the entry whose English form matches
// en is found, its arguments read back and written in l. When several
// entries match, the one with the most literal text (the most specific)
// wins. It returns en and false when no entry matches (a sentence of an
// older wording, or not of this catalog).
func (c *Catalog) Translate(l Lang, en string) (string, bool) {
	var best *entry
	var bestArgs []string
	for _, e := range c.order {
		if !strings.HasPrefix(en, e.prefix) || !strings.HasSuffix(en, e.suffix) || (best != nil && e.literal <= best.literal) {
			continue
		}
		m := e.re.FindStringSubmatch(en)
		if m == nil {
			continue
		}
		args := make([]string, len(e.kinds))
		ok := true
		for i, k := range e.kinds {
			v, good := c.kinds[k].Parse(m[i+1])
			if !good {
				ok = false
				break
			}
			args[i] = c.kinds[k].Format(l, v)
		}
		if ok {
			best, bestArgs = e, args
		}
	}
	if best == nil {
		return en, false
	}
	return best.render(l, bestArgs), true
}

// Keys lists the catalog's keys in their order.
func (c *Catalog) Keys() []string {
	out := make([]string, len(c.order))
	for i, e := range c.order {
		out[i] = e.key
	}
	return out
}

// Template returns the template of the sentence key in language l, as
// written in the catalog ("" for an unknown key).
func (c *Catalog) Template(l Lang, key string) string {
	if e, ok := c.entries[key]; ok {
		return e.source[1+langIndex(l)]
	}
	return ""
}

// Arity returns how many arguments the sentence key takes (-1 for an
// unknown key).
func (c *Catalog) Arity(key string) int {
	if e, ok := c.entries[key]; ok {
		return len(e.kinds)
	}
	return -1
}
