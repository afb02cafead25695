package i18n

import (
	"fmt"
	"strings"
	"sync"

	"github.com/longbridgeapp/opencc"
)

// converters are OpenCC's conversions to each Chinese language's own
// script, loaded on first use (their dictionaries take a moment).
var converters = sync.OnceValues(func() (map[Lang]*opencc.OpenCC, error) {
	s2tw, err := opencc.New("s2tw")
	if err != nil {
		return nil, fmt.Errorf("opencc s2tw: %w", err)
	}
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("opencc t2s: %w", err)
	}
	return map[Lang]*opencc.OpenCC{ZhTW: s2tw, ZhCN: t2s}, nil
})

// InOwnScript reports whether text, written for l, is all in l's script:
// Traditional characters for zh-TW, Simplified for zh-CN (English text is
// always in its script). It returns the text as converted to l's script, so
// that a caller can show what differs, and fails only when the converters
// cannot load. Taiwan writes 台 in everyday text where OpenCC gives the
// formal 臺; both are accepted.
func InOwnScript(l Lang, text string) (converted string, ok bool, err error) {
	if l != ZhTW && l != ZhCN {
		return text, true, nil
	}
	cs, err := converters()
	if err != nil {
		return "", false, err
	}
	converted, err = cs[l].Convert(text)
	if err != nil {
		return "", false, fmt.Errorf("convert to %s: %w", l, err)
	}
	if l == ZhTW {
		converted = strings.ReplaceAll(converted, "臺", "台")
	}
	return converted, converted == text, nil
}

// ScriptProblems lists the Chinese templates of c that are not all in their
// own script (see InOwnScript), one line each; nil when there are none.
func (c *Catalog) ScriptProblems() ([]string, error) {
	var out []string
	for _, key := range c.Keys() {
		for _, l := range []Lang{ZhTW, ZhCN} {
			text := c.Template(l, key)
			conv, ok, err := InOwnScript(l, text)
			if err != nil {
				return nil, err
			}
			if !ok {
				out = append(out, fmt.Sprintf("%s in %s: %q is not all in its script (%q)", key, l, text, conv))
			}
		}
	}
	return out, nil
}
