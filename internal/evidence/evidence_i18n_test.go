package evidence

import (
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// TestBuildInChinese: the signals of a few customers in the three
// languages; the customer's own words are quoted as written.
func TestBuildInChinese(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	end := signals.EndDay(now) // 2 Dec is the last day visible
	day := func(k int32) int32 { return end - 1 - k }
	at := func(k int32) time.Time { return signals.DayStart(day(k)).Add(9 * time.Hour) }
	var h signals.History
	h.Add(signals.Day{Day: day(13), Usage: 5, UsageEvents: 1}) // silent since 20 Nov
	visit := signals.Day{Day: day(0), PageViews: 4, Tickets: 2, NegTickets: 2, IntentTickets: 1}
	visit.Risk[signals.CatCancel] = 4
	h.Add(visit)
	h.Add(signals.Day{Day: day(3), Tickets: 2, NegTickets: 2}) // no excerpt kept
	const text = "價格太貴了，我們想取消訂閱。"
	notes := []signals.Excerpt{
		{At: at(0), Text: text, Intents: []signals.Intent{signals.IntentCancel, signals.IntentPrice}, Negative: true, Sentiment: -0.6},
		{At: at(0).Add(time.Hour), Negative: true, Sentiment: -0.5},
	}
	want := map[i18n.Lang][]string{
		i18n.En: {
			`asked to cancel and complained about the price: "` + text + `"`,
			"visited the cancel page 4 times in 30 days",
			"no product activity since 20 Nov (13 days)",
			"negative ticket (sentiment -0.50) (ticket text not kept)",
			"2 negative support tickets (no excerpt kept)",
		},
		i18n.ZhTW: {
			"要求取消訂閱、抱怨價格太高：「" + text + "」",
			"30 天內造訪取消頁面 4 次",
			"11月20日起沒有再使用產品（已 13 天）",
			"負面工單（語氣分數 -0.50）（未保留工單內容）",
			"2 張負面客服工單（未保留內容）",
		},
		i18n.ZhCN: {
			"要求取消订阅、抱怨价格太高：“" + text + "”",
			"30 天内访问取消页面 4 次",
			"11月20日起没有再使用产品（已 13 天）",
			"负面工单（语气分数 -0.50）（未保留工单内容）",
			"2 个负面客服工单（未保留内容）",
		},
	}
	for l, texts := range want {
		got := Build(h, notes, end, 90, l)
		if len(got) != len(texts) {
			t.Fatalf("%s: %d signals, want %d:\n%s", l, len(got), len(texts), show(got))
		}
		for i, s := range got {
			if s.Text != texts[i] {
				t.Errorf("%s: signal %d %q, want %q", l, i, s.Text, texts[i])
			}
			if en := Build(h, notes, end, 90, i18n.En)[i]; s.Kind != en.Kind || !s.At.Equal(en.At) {
				t.Errorf("%s: signal %d is %s at %v, in English %s at %v", l, i, s.Kind, s.At, en.Kind, en.At)
			}
		}
	}
	// Another year's day has its year; one visit is just a visit.
	var old signals.History
	old.Add(signals.Day{Day: signals.DayNumber(time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)), Usage: 1, UsageEvents: 1})
	jan := signals.EndDay(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	once := signals.Day{Day: jan - 1}
	once.Risk[signals.CatCompetitor] = 1
	old.Add(once)
	for l, texts := range map[i18n.Lang][]string{
		i18n.En:   {"no product activity since 21 Dec 2025 (15 days)", "visited a competitor comparison page"},
		i18n.ZhTW: {"2025年12月21日起沒有再使用產品（已 15 天）", "造訪了競品比較頁面"},
		i18n.ZhCN: {"2025年12月21日起没有再使用产品（已 15 天）", "访问了竞品对比页面"},
	} {
		got := Build(old, nil, jan, 90, l)
		if len(got) != 2 || got[0].Text != texts[0] || got[1].Text != texts[1] {
			t.Errorf("%s: %s", l, show(got))
		}
	}
}

// TestExplainInChinese: the churn-intent driver's reason quotes the newest
// intent ticket in each language.
func TestExplainInChinese(t *testing.T) {
	end := signals.DayNumber(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	two := 2.0
	nov12 := time.Date(2026, 11, 12, 8, 0, 0, 0, time.UTC)
	notes := []signals.Excerpt{{At: nov12, Text: "Please downgrade us to the starter plan.", Intents: []signals.Intent{signals.IntentDowngrade}}}
	for l, want := range map[i18n.Lang]string{
		i18n.En:   "asked to downgrade on 12 Nov: 'Please downgrade us to the starter plan.' (2 tickets with churn intent in 90 days)",
		i18n.ZhTW: "11月12日要求降級方案：「Please downgrade us to the starter plan.」（90 天內有 2 張表達流失意圖的工單）",
		i18n.ZhCN: "11月12日要求降级套餐：“Please downgrade us to the starter plan.”（90 天内有 2 个表达流失意向的工单）",
	} {
		drivers := []model.Driver{{Feature: features.IntentTickets90d, Value: &two, Reason: "unchanged"}}
		Explain(drivers, notes, end, l)
		if drivers[0].Reason != want {
			t.Errorf("%s: %q, want %q", l, drivers[0].Reason, want)
		}
	}
	drivers := []model.Driver{{Feature: features.IntentTickets90d, Value: &two}}
	Explain(drivers, []signals.Excerpt{{At: nov12, Intents: []signals.Intent{signals.IntentRefund}}}, end, i18n.ZhTW)
	if want := "11月12日要求退費（90 天內有 2 張表達流失意圖的工單）"; drivers[0].Reason != want {
		t.Errorf("without text: %q, want %q", drivers[0].Reason, want)
	}
}

// TestSentencesInTheirScript: every Traditional sentence is written in
// Traditional characters and every Simplified one in Simplified: OpenCC
// leaves each unchanged when converting to its own script.
func TestSentencesInTheirScript(t *testing.T) {
	problems, err := sentences.ScriptProblems()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	for in, key := range intentWords {
		if sentences.Arity(key) != 0 {
			t.Errorf("intent %s has no sentence %q", in, key)
		}
	}
}
