package console

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/churnrisk/churn/internal/i18n"
)

// runNode runs a module script in a copy of static/js and answers its
// standard output.
func runNode(t *testing.T, name, script string) string {
	t.Helper()
	node := nodeOrSkip(t)
	dir := jsTree(t)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, name)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", name, err, out)
	}
	return strings.TrimSpace(string(out))
}

// placeholders are the {name} of a string.
var placeholders = regexp.MustCompile(`\{\w+\}`)

// englishWords is three or more English words in a row (a sentence, not a
// key like 'metrics.cohorts.title' or classes like 'axis axis-y').
var englishWords = regexp.MustCompile(`[A-Za-z]+(?:[,;:'’]?\s+[A-Za-z]+){2,}`)

// TestStringTables: every string of the console exists in the three
// languages with the same placeholders; the Chinese tables have no English
// sentence left (names like MRR, ROC AUC, Webhook and API routes are
// single words or routes), Traditional strings are in Traditional
// characters and Simplified ones in Simplified.
func TestStringTables(t *testing.T) {
	out := runNode(t, "tables.js", `
import en from './js/strings/en.js';
import tw from './js/strings/zh-TW.js';
import cn from './js/strings/zh-CN.js';
console.log(JSON.stringify({ en, 'zh-TW': tw, 'zh-CN': cn }));
`)
	var tables map[string]map[string]string
	if err := json.Unmarshal([]byte(out), &tables); err != nil {
		t.Fatalf("tables: %v\n%s", err, out)
	}
	en := tables["en"]
	if len(en) < 200 {
		t.Fatalf("only %d English strings", len(en))
	}
	for _, l := range []string{"zh-TW", "zh-CN"} {
		table := tables[l]
		for key := range en {
			if _, ok := table[key]; !ok {
				t.Errorf("%s lacks %s", l, key)
			}
		}
		for key, text := range table {
			enText, ok := en[key]
			if !ok {
				t.Errorf("%s has %s, which English lacks", l, key)
				continue
			}
			got, want := placeholders.FindAllString(text, -1), placeholders.FindAllString(enText, -1)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: placeholders %v, in English %v", l, key, got, want)
			}
			if m := englishWords.FindString(placeholders.ReplaceAllString(text, "")); m != "" {
				t.Errorf("%s %s: %q has English left (%q)", l, key, text, m)
			}
			if conv, ok, err := i18n.InOwnScript(i18n.Lang(l), text); err != nil || !ok {
				t.Errorf("%s %s: %q is not all in its script (%q, %v)", l, key, text, conv, err)
			}
			hasHan := strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) })
			if !hasHan && text == enText && strings.ContainsFunc(text, unicode.IsLetter) && !sameEverywhere[key] {
				t.Errorf("%s %s: %q is the English text", l, key, text)
			}
		}
	}
}

// sameEverywhere are the strings written alike in the three languages:
// names of figures and of the product's parts.
var sameEverywhere = map[string]bool{
	"atRisk.col.mrr": true, "customer.mrr": true, "model.rocAuc": true, "model.prAuc": true, "model.col.brier": true,
	"model.col.ece": true, "model.col.f1": true, "nav.webhooks": true, "webhooks.title": true, "webhooks.col.id": true,
	"webhooks.col.url": true,
}

// TestNoStringsOutsideTheTables: the modules write no English sentence of
// their own; every text a page shows comes from the tables through t().
func TestNoStringsOutsideTheTables(t *testing.T) {
	literal := regexp.MustCompile("'(?:[^'\\\\\\n]|\\\\.)*'|`(?:[^`\\\\]|\\\\.)*`")
	comment := regexp.MustCompile(`(?m)^\s*//.*$|/\*(?s:.*?)\*/|\s//\s.*$`)
	for name, b := range staticFiles(t) {
		if path.Ext(name) != ".js" || strings.HasPrefix(name, "js/strings/") {
			continue
		}
		code := comment.ReplaceAllString(string(b), "")
		for _, lit := range literal.FindAllString(code, -1) {
			if m := englishWords.FindString(lit); m != "" {
				t.Errorf("%s: the literal %s is English text outside the string tables", name, lit)
			}
		}
	}
}

// TestJavaScriptInChinese runs the language choice and the formatters under
// node in each language: numbers, money, dates, months, points and words
// as the locale writes them, and the first choice from the browser's
// languages.
func TestJavaScriptInChinese(t *testing.T) {
	out := runNode(t, "chinese.js", `
import * as f from './js/format.js';
import { lang, matchLang, setLang, t } from './js/i18n.js';
import { inLanguage } from './js/api.js';
const run = () => ({
  lang: lang(),
  pct: [f.pct(0.853), f.pct(1, 0)], money: [f.money(2578.02), f.money(171849)], int: f.int(1234567),
  date: [f.date('2026-08-25'), f.date('2026-11-22T19:17:32.1Z'), f.date(null)], dateTime: f.dateTime('2026-11-22T19:17:32Z'),
  month: [f.month('2026-01'), f.month('x')],
  points: [0.12, 0.01, 0.0004, 0].map(f.points), sentiment: [-0.8, 0.3, null].map(f.sentimentWord), yes: f.yesNo(true),
  text: t('atRisk.page', { n: 2 }),
  path: [inLanguage('/v1/at-risk?limit=25&plan=growth+plus'), inLanguage('/v1/customers/c%2F1/risk'), inLanguage('/v1/score'), inLanguage('/v1/plans'), inLanguage('/v1/customers/c1/history?days=90')],
});
const out = { first: lang() };
for (const l of ['zh-TW', 'zh-CN', 'fr', 'en']) { setLang(l); out[l] = run(); }
out.match = [['zh-TW'], ['zh-HK', 'en'], ['zh-Hant-MO'], ['zh'], ['zh-CN'], ['zh-SG'], ['zh-Hans-HK'], ['fr', 'zh-TW'], ['fr', 'de'], ['en-GB', 'zh-TW'], [], ['yue']].map(matchLang);
console.log(JSON.stringify(out));
`)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{
		"first": `"en"`,
		"zh-TW": `{"lang":"zh-TW","pct":["85.3%","100%"],"money":["2,578.02","171,849"],"int":"1,234,567",` +
			`"date":["2026年8月25日","2026年11月22日","—"],"dateTime":"2026年11月22日 19:17 UTC","month":["2026年1月","x"],` +
			`"points":["+12 個百分點","+1 個百分點","不到 0.1 個百分點","0 個百分點"],"sentiment":["憤怒","滿意","無分數"],"yes":"是",` +
			`"text":"第 2 頁","path":["/v1/at-risk?limit=25&plan=growth+plus&lang=zh-TW","/v1/customers/c%2F1/risk?lang=zh-TW","/v1/score?lang=zh-TW","/v1/plans","/v1/customers/c1/history?days=90"]}`,
		"zh-CN": `{"lang":"zh-CN","pct":["85.3%","100%"],"money":["2,578.02","171,849"],"int":"1,234,567",` +
			`"date":["2026年8月25日","2026年11月22日","—"],"dateTime":"2026年11月22日 19:17 UTC","month":["2026年1月","x"],` +
			`"points":["+12 个百分点","+1 个百分点","不到 0.1 个百分点","0 个百分点"],"sentiment":["愤怒","满意","无分数"],"yes":"是",` +
			`"text":"第 2 页","path":["/v1/at-risk?limit=25&plan=growth+plus&lang=zh-CN","/v1/customers/c%2F1/risk?lang=zh-CN","/v1/score?lang=zh-CN","/v1/plans","/v1/customers/c1/history?days=90"]}`,
		"fr": `{"lang":"en","pct":["85.3%","100%"],"money":["$2,578.02","$171,849"],"int":"1,234,567",` +
			`"date":["2026-08-25","2026-11-22","—"],"dateTime":"2026-11-22 19:17 UTC","month":["2026-01","x"],` +
			`"points":["+12 pts","+1 pt","under 0.1 pts","0 pts"],"sentiment":["angry","satisfied","no score"],"yes":"yes",` +
			`"text":"page 2","path":["/v1/at-risk?limit=25&plan=growth+plus&lang=en","/v1/customers/c%2F1/risk?lang=en","/v1/score?lang=en","/v1/plans","/v1/customers/c1/history?days=90"]}`,
		"match": `["zh-TW","zh-TW","zh-TW","zh-CN","zh-CN","zh-CN","zh-CN","zh-TW","en","en","en","en"]`,
	}
	want["en"] = want["fr"]
	for k, w := range want {
		var v any
		if err := json.Unmarshal([]byte(w), &v); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		gotJSON, _ := json.Marshal(got[k])
		wantJSON, _ := json.Marshal(v)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", k, gotJSON, wantJSON)
		}
	}
}
