// Package i18n holds the languages the product speaks to support agents
// (English, Traditional Chinese as written in Taiwan, Simplified Chinese as
// written in mainland China), how the language of a request is chosen, and
// the sentence catalogs the packages that write sentences (features,
// evidence) keep their wording in: one entry per sentence with its three
// languages side by side. It is the one home of language matching.
package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language the product's sentences are written in. Its value is
// the BCP 47 tag the API answers with (Content-Language) and the console
// stores.
type Lang string

// The languages.
const (
	En   Lang = "en"    // English, the default
	ZhTW Lang = "zh-TW" // Traditional Chinese, Taiwan usage
	ZhCN Lang = "zh-CN" // Simplified Chinese, mainland usage
)

// Langs lists the languages, the default first.
var Langs = []Lang{En, ZhTW, ZhCN}

// String returns the language's BCP 47 tag.
func (l Lang) String() string { return string(l) }

// Chinese reports whether l is one of the Chinese languages.
func (l Lang) Chinese() bool { return l == ZhTW || l == ZhCN }

// matcher matches requested languages to Langs, in the same order. With
// these three tags golang.org/x/text/language already maps zh-HK, zh-MO and
// zh-Hant to zh-TW (same script), and zh, zh-Hans and zh-SG to zh-CN.
var matcher = language.NewMatcher([]language.Tag{language.English, language.MustParse("zh-TW"), language.MustParse("zh-CN")})

// Match returns the language to answer in: the one the query names when it
// is not empty (a ?lang= parameter: any BCP 47 tag, e.g. "zh-TW", "zh-HK",
// "zh"), otherwise the best of an Accept-Language header ("zh-TW,zh;q=0.9,
// en;q=0.8"). A value that matches none of the languages, or cannot be
// parsed, gives English: a client asking for an unknown language gets the
// default, not an error. A query that names an unknown language gives
// English even when the header names a known one: the explicit choice wins.
func Match(acceptLanguage, query string) Lang {
	if q := strings.TrimSpace(query); q != "" {
		return match(q)
	}
	return match(acceptLanguage)
}

// match matches an Accept-Language value (a single tag is one too).
func match(s string) Lang {
	if len(s) > 1024 { // a header of this size is not a language preference
		return En
	}
	tags, _, err := language.ParseAcceptLanguage(s)
	if err != nil || len(tags) == 0 {
		return En
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No || i < 0 || i >= len(Langs) {
		return En
	}
	return Langs[i]
}
