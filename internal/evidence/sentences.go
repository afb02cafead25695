package evidence

import (
	"fmt"
	"strconv"

	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/signals"
)

// pageNames names each risk-page category in a signal (the English form of
// the page kind of sentences).
var pageNames = [signals.NumCategories]string{
	signals.CatCancel: "the cancel page", signals.CatDowngrade: "the downgrade page", signals.CatPricing: "the pricing page",
	signals.CatBilling: "the billing page", signals.CatRefund: "the refund page", signals.CatExport: "the data export page",
	signals.CatCompetitor: "a competitor comparison page",
}

// sentences are the signals and reasons of this package in English,
// Traditional Chinese (Taiwan usage) and Simplified Chinese (mainland
// usage), written for support agents. A customer's own words (text) are
// quoted as written, in 「」 in Taiwan and “” in mainland China. Kinds:
// text (as given: a ticket's words, or a phrase already in the language),
// int (a count), f2 (a sentiment with two decimals), page (pageNames), day
// (a calendar day, i18n.Day).
var sentences = i18n.MustCatalog(map[string]i18n.Kind{
	"text": i18n.Verbatim(nil),
	"int":  i18n.Number(func(v float64) string { return strconv.Itoa(int(v)) }),
	"f2":   i18n.Number(func(v float64) string { return fmt.Sprintf("%.2f", v) }),
	"page": i18n.Enum(map[string][2]string{
		"the cancel page":              {"取消頁面", "取消页面"},
		"the downgrade page":           {"降級頁面", "降级页面"},
		"the pricing page":             {"價格頁面", "价格页面"},
		"the billing page":             {"帳單頁面", "账单页面"},
		"the refund page":              {"退費頁面", "退款页面"},
		"the data export page":         {"資料匯出頁面", "数据导出页面"},
		"a competitor comparison page": {"競品比較頁面", "竞品对比页面"},
	}),
	"day": i18n.DayKind(),
}, []i18n.Entry{
	// What a customer asked for.
	{"intent.cancel", "asked to cancel", "要求取消訂閱", "要求取消订阅"},
	{"intent.refund", "asked for a refund", "要求退費", "要求退款"},
	{"intent.competitor", "mentioned moving to a competitor", "提到要改用競爭對手的產品", "提到要换用竞争对手的产品"},
	{"intent.price", "complained about the price", "抱怨價格太高", "抱怨价格太高"},
	{"intent.downgrade", "asked to downgrade", "要求降級方案", "要求降级套餐"},
	{"intent.other", "expressed churn intent", "表達了流失意圖", "表达了流失意向"},
	{"intent.and", "{1:text} and {2:text}", "{1}、{2}", "{1}、{2}"},

	// A ticket excerpt.
	{"ticket.quote", `{1:text}: "{2:text}"`, "{1}：「{2}」", "{1}：“{2}”"},
	{"ticket.noText", "{1:text} (ticket text not kept)", "{1}（未保留工單內容）", "{1}（未保留工单内容）"},
	{"ticket.negative", "negative ticket (sentiment {1:f2})", "負面工單（語氣分數{1}）", "负面工单（语气分数{1}）"},

	// Tickets the daily aggregates count without an excerpt.
	{"counted.intentOne", "a support ticket with churn intent (no excerpt kept)", "1 張表達流失意圖的客服工單（未保留內容）", "1 个表达流失意向的客服工单（未保留内容）"},
	{"counted.intent", "{1:int} support tickets with churn intent (no excerpt kept)", "{1}張表達流失意圖的客服工單（未保留內容）", "{1}个表达流失意向的客服工单（未保留内容）"},
	{"counted.negativeOne", "a negative support ticket (no excerpt kept)", "1 張負面客服工單（未保留內容）", "1 个负面客服工单（未保留内容）"},
	{"counted.negative", "{1:int} negative support tickets (no excerpt kept)", "{1}張負面客服工單（未保留內容）", "{1}个负面客服工单（未保留内容）"},

	// Risk pages and usage.
	{"visit.once", "visited {1:page}", "造訪了{1}", "访问了{1}"},
	{"visit.times", "visited {1:page} {2:int} times in {3:int} days", "{3}天內造訪{1}{2}次", "{3}天内访问{1}{2}次"},
	{"stopped", "no product activity since {1:day} ({2:int} days)", "{1}起沒有再使用產品（已{2}天）", "{1}起没有再使用产品（已{2}天）"},

	// The churn-intent driver's reason.
	{"explain.on", "{1:text} on {2:day}", "{2}{1}", "{2}{1}"},
	{"explain.quote", "{1:text} on {2:day}: '{3:text}'", "{2}{1}：「{3}」", "{2}{1}：“{3}”"},
	{"explain.count", " ({1:int} tickets with churn intent in {2:int} days)", "（{2}天內有{1}張表達流失意圖的工單）", "（{2}天内有{1}个表达流失意向的工单）"},
})

// say writes the sentence key with its arguments in language l.
func say(l i18n.Lang, key string, args ...any) string {
	return sentences.Text(l, i18n.Msg(key, args...))
}
