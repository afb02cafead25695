package features

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/signals"
)

// englishRun is three or more Latin words in a row: English left in a
// Chinese sentence (names of the customer's columns and values are single
// words in these tests).
var englishRun = regexp.MustCompile(`[A-Za-z]+(?:[ ,.:;'-]+[A-Za-z]+){2,}`)

// checkChinese asserts what a sentence in each Chinese language must be, at
// any value: what checkSentence asks of English, Chinese words with no
// English sentence left, and the same sentence as Translate makes of the
// English one (the at-risk list translates stored English reasons so).
func checkChinese(t *testing.T, what string, s *Schema, name string, x []float64) {
	t.Helper()
	en := s.Describe(name, x)
	for _, l := range []i18n.Lang{i18n.ZhTW, i18n.ZhCN} {
		got := s.DescribeIn(l, name, x)
		w := what + " in " + string(l)
		checkSentence(t, w, got)
		if !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s: %q has no Chinese", w, got)
		}
		if m := englishRun.FindString(got); m != "" {
			t.Errorf("%s: %q has English left (%q)", w, got, m)
		}
		if strings.ContainsAny(got, "?{}") {
			t.Errorf("%s: %q has a placeholder left", w, got)
		}
		if tr := Translate(l, en); tr != got {
			t.Errorf("%s: Translate(%q) = %q, DescribeIn %q", w, en, tr, got)
		}
	}
}

// TestDescribeInChinese checks the sentences of a few fixed vectors in the
// three languages, written as support agents in Taiwan and mainland China
// read them.
func TestDescribeInChinese(t *testing.T) {
	s := fullSchema()
	cases := []struct {
		name       string
		set        map[string]float64
		en, tw, cn string
	}{
		{Usage30d, map[string]float64{Usage30d: 120, UsagePrev30d: 582},
			"usage fell from 582 to 120 a month", "每月用量從 582 降到 120", "每月用量从 582 降到 120"},
		{Usage30d, map[string]float64{Usage30d: 12500, UsagePrev30d: 0},
			"usage started: 12,500 in the last 30 days, after none in the 30 before",
			"開始使用：近 30 天用量為 12,500，前一個 30 天沒有用量", "开始使用：近 30 天用量为 12,500，前一个 30 天没有用量"},
		{UsageDrop30d, map[string]float64{Usage30d: 120, UsagePrev30d: 582, UsageDrop30d: Drop(120, 582)},
			"usage fell 79% against the previous 30 days (from 582 to 120 a month)",
			"用量比前一個 30 天減少 79%（每月從 582 降到 120）", "用量比前一个 30 天减少 79%（每月从 582 降到 120）"},
		{DaysSinceActive, map[string]float64{DaysSinceActive: 19, TenureDays: 400},
			"no product activity for 19 days", "已經 19 天沒有使用產品", "已经 19 天没有使用产品"},
		{Tickets90d, map[string]float64{Tickets30d: 3, Tickets90d: 5},
			"5 support tickets in the last 90 days, 3 of them in the last 30",
			"近 90 天有 5 張客服工單，其中 3 張在近 30 天內", "近 90 天有 5 个客服工单，其中 3 个在近 30 天内"},
		{SentimentMean90d, map[string]float64{Tickets90d: 4, SentimentMean90d: -0.42},
			"support tickets in the last 90 days were unhappy on average (tone -0.42, from -1 angry to +1 happy)",
			"近 90 天客服工單的整體語氣為不滿（平均語氣分數 -0.42，-1 為憤怒，+1 為很滿意）",
			"近 90 天客服工单的整体语气为不满（平均语气分数 -0.42，-1 为愤怒，+1 为很满意）"},
		{IntentTickets90d, map[string]float64{IntentTickets90d: 2},
			"2 support tickets in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product or of the price",
			"近 90 天有 2 張客服工單提到取消、降級、退費、改用其他產品或價格問題",
			"近 90 天有 2 个客服工单提到取消、降级、退款、改用其他产品或价格问题"},
		{VisitFeature(signals.CatCancel), map[string]float64{VisitFeature(signals.CatCancel): 4},
			"4 visits to the cancel page in the last 30 days", "近 30 天造訪取消頁面 4 次", "近 30 天访问取消页面 4 次"},
		{MRR, map[string]float64{MRR: 1234.5}, "pays 1,234.50 a month", "每月付費 1,234.50", "每月付费 1,234.50"},
		{MRR, map[string]float64{MRR: 0}, "pays nothing a month (a free or unpaid account)",
			"每月未付費（免費或未付款的帳號）", "每月未付费（免费或未付款的账号）"},
		{"plan_pro", map[string]float64{"plan_basic": 1}, "plan is basic, not pro", "方案為 basic，不是 pro", "套餐为 basic，不是 pro"},
		{"plan_basic", map[string]float64{"plan_other": 1}, "plan is a rare or new value, not basic",
			"方案為少見或新的值，不是 basic", "套餐为少见或新的值，不是 basic"},
		{"attr_seats", map[string]float64{"attr_seats": 12}, "seats is 12", "seats 為 12", "seats 为 12"},
		{TenureDays, map[string]float64{TenureDays: 19}, "new customer: signed up 19 days ago", "新客戶：19 天前註冊", "新客户：19 天前注册"},
	}
	for _, c := range cases {
		x := make([]float64, s.Len())
		for n, v := range c.set {
			x[s.Index(n)] = v
		}
		for l, want := range map[i18n.Lang]string{i18n.En: c.en, i18n.ZhTW: c.tw, i18n.ZhCN: c.cn} {
			if got := s.DescribeIn(l, c.name, x); got != want {
				t.Errorf("%s %v in %s:\n got %q\nwant %q", c.name, c.set, l, got, want)
			}
			if got := Translate(l, c.en); got != want {
				t.Errorf("Translate(%s, %q) = %q, want %q", l, c.en, got, want)
			}
		}
	}
}

// TestTranslateOtherSentences: a sentence Describe does not write is left
// as it is, and English stays English.
func TestTranslateOtherSentences(t *testing.T) {
	for _, s := range []string{"", "something else entirely", "usage fell from many to few a month", "asked to cancel on 12 Nov: 'bye'"} {
		for _, l := range i18n.Langs {
			if got := Translate(l, s); got != s {
				t.Errorf("Translate(%s, %q) = %q", l, s, got)
			}
		}
	}
	if got := Translate(i18n.En, "usage fell from 582 to 120 a month"); got != "usage fell from 582 to 120 a month" {
		t.Errorf("English translated to %q", got)
	}
}

// TestSentencesInTheirScript: every Traditional sentence is written in
// Traditional characters and every Simplified one in Simplified: OpenCC
// leaves each unchanged when converting to its own script.
func TestSentencesInTheirScript(t *testing.T) {
	checkScripts(t, sentences)
	if n := len(sentences.Keys()); n < 100 {
		t.Errorf("only %d sentences", n)
	}
}

// checkScripts fails on any Chinese template of c that is not all in its
// own script (i18n.InOwnScript).
func checkScripts(t *testing.T, c *i18n.Catalog) {
	t.Helper()
	problems, err := c.ScriptProblems()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
