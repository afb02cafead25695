package i18n

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		header, query string
		want          Lang
	}{
		{"", "", En},
		{"en-US,en;q=0.9", "", En},
		{"en-GB", "", En},
		{"zh-TW", "", ZhTW},
		{"zh-HK", "", ZhTW},
		{"zh-MO", "", ZhTW},
		{"zh-Hant", "", ZhTW},
		{"zh-Hant-HK", "", ZhTW},
		{"zh", "", ZhCN},
		{"zh-CN", "", ZhCN},
		{"zh-Hans", "", ZhCN},
		{"zh-SG", "", ZhCN},
		{"zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "", ZhTW},
		{"fr-FR,fr;q=0.9,zh-HK;q=0.5", "", ZhTW},   // the first known one
		{"en;q=0.5,zh-CN;q=0.9", "", ZhCN},         // by weight, not order
		{"de-DE,en;q=0.3,zh-TW;q=0.2", "", En},     // English before Chinese
		{"fr", "", En},                             // unknown: English
		{"ja,ko", "", En},                          //
		{"yue", "", En},                            // not matched with confidence
		{"*", "", En},                              //
		{"not a language at all ;;;", "", En},      // unparsable
		{strings.Repeat("zh-TW,", 400), "", En},    // absurd
		{"en", "zh-TW", ZhTW},                      // the query wins
		{"zh-TW", "en", En},                        //
		{"en", "zh-hk", ZhTW},                      // any tag, any case
		{"en", "zh", ZhCN},                         //
		{"en", "zh-CN", ZhCN},                      //
		{"zh-TW", "fr", En},                        // an unknown query: English
		{"zh-TW", "!!", En},                        // an unparsable one too
		{"zh-TW", " ", ZhTW},                       // an empty one is no query
		{"zh-TW-u-ca-chinese", "", ZhTW},           // extensions ignored
		{"zh-Hant;q=0.1, zh-Hans;q=0.2", "", ZhCN}, //
	} {
		if got := Match(c.header, c.query); got != c.want {
			t.Errorf("Match(%q, %q) = %s, want %s", c.header, c.query, got, c.want)
		}
	}
}

// TestNumbersAreWrittenAlike: the locales of Taiwan and mainland China write
// numbers as English does (grouping by three with a comma, a decimal
// point), which is why the catalogs use one formatter for all three.
func TestNumbersAreWrittenAlike(t *testing.T) {
	en := message.NewPrinter(language.English)
	for _, l := range []Lang{ZhTW, ZhCN} {
		p := message.NewPrinter(language.MustParse(string(l)))
		for _, v := range []float64{0, 7, 1234, 12500, 1234567.5, -2578.02} {
			want := en.Sprint(number.Decimal(v, number.MaxFractionDigits(2)))
			if got := p.Sprint(number.Decimal(v, number.MaxFractionDigits(2))); got != want {
				t.Errorf("%v in %s: %q, in English %q", v, l, got, want)
			}
		}
	}
}

func TestDay(t *testing.T) {
	nov19 := time.Date(2026, 11, 19, 23, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d    Day
		l    Lang
		want string
	}{
		{DayOf(nov19, false), En, "19 Nov"},
		{DayOf(nov19, true), En, "19 Nov 2026"},
		{DayOf(nov19, false), ZhTW, "11月19日"},
		{DayOf(nov19, true), ZhTW, "2026年11月19日"},
		{DayOf(nov19, false), ZhCN, "11月19日"},
		{DayOf(nov19, true), ZhCN, "2026年11月19日"},
		{DayOf(time.Date(2026, 1, 2, 0, 0, 0, 0, time.FixedZone("x", 3600)), true), ZhTW, "2026年1月1日"}, // in UTC
		{Day{Month: 2, Day: 29}, En, "29 Feb"},
	} {
		if got := c.d.In(c.l); got != c.want {
			t.Errorf("%+v in %s: %q, want %q", c.d, c.l, got, c.want)
		}
	}
}

// testCatalog has the kinds of every constructor.
func testCatalog(t *testing.T) *Catalog {
	t.Helper()
	num := func(v float64) string { return fmt.Sprintf("%g", v) }
	c, err := NewCatalog(map[string]Kind{
		"num":  Number(num),
		"days": Count(num, "day", "days", map[Lang][2]string{ZhTW: {"0 天", "%s 天"}, ZhCN: {"0 天", "%s 天"}}),
		"page": Enum(map[string][2]string{"cancel page": {"取消頁面", "取消页面"}, "page": {"頁面", "页面"}}),
		"name": Verbatim(map[string][2]string{"plan": {"方案", "套餐"}}),
		"day":  DayKind(),
	}, []Entry{
		{"fell", "usage fell from {1:num} to {2:num}", "用量從{1}降到{2}", "用量从{1}降到{2}"},
		{"quiet", "no activity for {1:days}", "已{1}沒有活動", "已{1}没有活动"},
		{"visited", "visited the {1:page} on {2:day}", "{2}造訪了{1}", "{2}访问了{1}"},
		{"is", "{1:name} is {2:name}", "{1}為{2}", "{1}为{2}"},
		{"isNot", "{1:name} is {2:name}, not {3:name}", "{1}為{2}，不是{3}", "{1}为{2}，不是{3}"},
		{"unknown", "{1:name} is not known", "{1}不明", "{1}未知"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogText(t *testing.T) {
	c := testCatalog(t)
	nov19 := Day{Month: 11, Day: 19}
	for _, x := range []struct {
		m          Message
		en, tw, cn string
	}{
		{Msg("fell", 582.0, 120), "usage fell from 582 to 120", "用量從 582 降到 120", "用量从 582 降到 120"},
		{Msg("quiet", 1.0), "no activity for 1 day", "已 1 天沒有活動", "已 1 天没有活动"},
		{Msg("quiet", 0.0), "no activity for no days", "已 0 天沒有活動", "已 0 天没有活动"},
		{Msg("quiet", 19.0), "no activity for 19 days", "已 19 天沒有活動", "已 19 天没有活动"},
		{Msg("visited", "cancel page", nov19), "visited the cancel page on 19 Nov", "11月19日造訪了取消頁面", "11月19日访问了取消页面"},
		// Spaces between Chinese and Latin letters, none between Chinese characters.
		{Msg("is", "plan", "pro"), "plan is pro", "方案為 pro", "套餐为 pro"},
		{Msg("is", "seats", "12"), "seats is 12", "seats 為 12", "seats 为 12"},
		{Msg("is", "地區", "北部"), "地區 is 北部", "地區為北部", "地區为北部"},
		// Never a panic: an unknown key, a missing argument.
		{Msg("nope"), "?nope", "?nope", "?nope"},
		{Msg("fell", 1.0), "usage fell from 1 to ?", "用量從 1 降到?", "用量从 1 降到?"},
	} {
		for l, want := range map[Lang]string{En: x.en, ZhTW: x.tw, ZhCN: x.cn, "fr": x.en} {
			if got := c.Text(l, x.m); got != want {
				t.Errorf("%v in %s: %q, want %q", x.m, l, got, want)
			}
		}
	}
}

func TestCatalogTranslate(t *testing.T) {
	c := testCatalog(t)
	for _, x := range []struct {
		en, tw string
		ok     bool
	}{
		{"usage fell from 1,234.5 to 0.0", "用量從 1,234.5 降到 0.0", true}, // numbers as written
		{"no activity for 19 days", "已 19 天沒有活動", true},
		{"no activity for no days", "已 0 天沒有活動", true},
		{"visited the cancel page on 19 Nov 2025", "2025年11月19日造訪了取消頁面", true},
		{"visited the page on 29 Feb", "2月29日造訪了頁面", true},
		// The most specific entry wins: "is not known" over "is".
		{"industry is not known", "industry 不明", true},
		{"plan is basic, not pro", "方案為 basic，不是 pro", true},
		{"plan is basic", "方案為 basic", true},
		// Not a sentence of the catalog: unchanged.
		{"usage fell from many to few", "usage fell from many to few", false},
		{"visited the pricing page on 19 Nov", "visited the pricing page on 19 Nov", false},
		{"no activity for 19 weeks", "no activity for 19 weeks", false},
		{"", "", false},
	} {
		got, ok := c.Translate(ZhTW, x.en)
		if got != x.tw || ok != x.ok {
			t.Errorf("Translate(%q) = %q, %v, want %q, %v", x.en, got, ok, x.tw, x.ok)
		}
	}
}

func TestCatalogRefusesMistakes(t *testing.T) {
	kinds := map[string]Kind{"num": Number(func(v float64) string { return fmt.Sprint(v) })}
	for _, c := range []struct {
		name    string
		entries []Entry
		err     string
	}{
		{"repeated key", []Entry{{"a", "x", "x", "x"}, {"a", "y", "y", "y"}}, "repeated"},
		{"empty key", []Entry{{"", "x", "x", "x"}}, "empty"},
		{"unknown kind", []Entry{{"a", "{1:money}", "{1}", "{1}"}}, "unknown kind"},
		{"no kind in English", []Entry{{"a", "{1}", "{1}", "{1}"}}, "kind"},
		{"kind in Chinese", []Entry{{"a", "{1:num}", "{1:num}", "{1}"}}, "kind"},
		{"gap", []Entry{{"a", "{2:num}", "{2}", "{2}"}}, "missing"},
		{"unused in Chinese", []Entry{{"a", "{1:num} and {2:num}", "{1}", "{1}{2}"}}, "uses 1"},
		{"argument used twice", []Entry{{"a", "{1:num} {1:num}", "{1}", "{1}"}}, "twice"},
		{"touching in English", []Entry{{"a", "{1:num}{2:num}", "{1}{2}", "{1}{2}"}}, "touch"},
		{"empty Chinese", []Entry{{"a", "x", "", "x"}}, "empty"},
		{"stray brace", []Entry{{"a", "x {", "x", "x"}}, "brace"},
	} {
		if _, err := NewCatalog(kinds, c.entries); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.err)
		}
	}
}

// FuzzMatch: any header and query give one of the languages, never a panic.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"", "zh-TW,zh;q=0.9,en;q=0.8", "zh-HK", "fr;q=x", "*;q=0.5", "zh-Hant-TW-u-nu-hanidec", strings.Repeat("en-", 300)} {
		f.Add(s, "")
		f.Add("en", s)
	}
	f.Fuzz(func(t *testing.T, header, query string) {
		if got := Match(header, query); got != En && got != ZhTW && got != ZhCN {
			t.Fatalf("Match(%q, %q) = %q", header, query, got)
		}
	})
}

func TestInOwnScript(t *testing.T) {
	for _, c := range []struct {
		l    Lang
		text string
		want bool
	}{
		{ZhTW, "取消訂閱的帳號", true},
		{ZhTW, "取消订阅的账号", false},
		{ZhTW, "主控台", true}, // Taiwan's everyday 台, where OpenCC gives 臺
		{ZhCN, "取消订阅的账号", true},
		{ZhCN, "取消訂閱的帳號", false},
		{En, "帳號 and 账号", true},
	} {
		conv, ok, err := InOwnScript(c.l, c.text)
		if err != nil || ok != c.want {
			t.Errorf("InOwnScript(%s, %q) = %q, %v, %v; want ok %v", c.l, c.text, conv, ok, err, c.want)
		}
	}
}
