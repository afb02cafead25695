package features

import (
	"fmt"
	"strconv"

	"github.com/churnrisk/churn/internal/i18n"
)

// The sentences of Describe in English, Traditional Chinese (Taiwan usage)
// and Simplified Chinese (mainland usage), written for support agents. The
// argument kinds:
//
//	num      a number (num: 1,234 or 1.5)
//	int      a whole number of days (the lookback)
//	pct      a whole percentage, without its % sign
//	money    an amount with two decimals
//	signed   a tone in [-1, 1] with its sign (+0.30)
//	days, tickets, unhappy, views, visits   a count of something
//	page     a risk page (pageNames)
//	tone     a tone in words (tone)
//	attr     a column name of the customer data (the plan's is translated)
//	level    a value of a column (as given)
var sentences = i18n.MustCatalog(map[string]i18n.Kind{
	"num":    i18n.Number(num),
	"int":    i18n.Number(func(v float64) string { return strconv.Itoa(int(v)) }),
	"pct":    i18n.Number(func(v float64) string { return fmt.Sprintf("%.0f", v) }),
	"money":  i18n.Number(money),
	"signed": i18n.Number(func(v float64) string { return fmt.Sprintf("%+.2f", v) }),
	"days":   i18n.Count(num, "day", "days", map[i18n.Lang][2]string{i18n.ZhTW: {"0 天", "%s 天"}, i18n.ZhCN: {"0 天", "%s 天"}}),
	"tickets": i18n.Count(num, "support ticket", "support tickets", map[i18n.Lang][2]string{
		i18n.ZhTW: {"沒有客服工單", "有 %s 張客服工單"}, i18n.ZhCN: {"没有客服工单", "有 %s 个客服工单"}}),
	"unhappy": i18n.Count(num, "unhappy support ticket", "unhappy support tickets", map[i18n.Lang][2]string{
		i18n.ZhTW: {"沒有不滿的客服工單", "有 %s 張不滿的客服工單"}, i18n.ZhCN: {"没有不满的客服工单", "有 %s 个不满的客服工单"}}),
	"views": i18n.Count(num, "page view", "page views", map[i18n.Lang][2]string{
		i18n.ZhTW: {"沒有瀏覽頁面", "瀏覽頁面 %s 次"}, i18n.ZhCN: {"没有浏览页面", "浏览页面 %s 次"}}),
	"visits": i18n.Count(num, "visit", "visits", map[i18n.Lang][2]string{i18n.ZhTW: {"0 次", "%s 次"}, i18n.ZhCN: {"0 次", "%s 次"}}),
	"page": i18n.Enum(map[string][2]string{
		"cancel page":                {"取消頁面", "取消页面"},
		"downgrade page":             {"降級頁面", "降级页面"},
		"pricing page":               {"價格頁面", "价格页面"},
		"billing page":               {"帳單頁面", "账单页面"},
		"refund policy page":         {"退費政策頁面", "退款政策页面"},
		"data export page":           {"資料匯出頁面", "数据导出页面"},
		"competitor comparison page": {"競品比較頁面", "竞品对比页面"},
	}),
	"tone": i18n.Enum(map[string][2]string{
		"angry": {"憤怒", "愤怒"}, "unhappy": {"不滿", "不满"}, "neutral": {"中性", "中性"},
		"satisfied": {"滿意", "满意"}, "happy": {"很滿意", "很满意"},
	}),
	"attr":  i18n.Verbatim(map[string][2]string{"plan": {"方案", "套餐"}}),
	"level": i18n.Verbatim(map[string][2]string{rareLevel: {"少見或新的值", "少见或新的值"}}),
}, []i18n.Entry{
	// A missing value.
	{"known." + Usage7d, "usage in the last 7 days is not known", "近 7 天的用量不明", "近 7 天的用量未知"},
	{"known." + Usage30d, "usage in the last 30 days is not known", "近 30 天的用量不明", "近 30 天的用量未知"},
	{"known." + UsagePrev30d, "usage in the 30 days before the last 30 is not known", "前一個 30 天的用量不明", "前一个 30 天的用量未知"},
	{"known." + UsageDrop30d, "the change in usage against the previous 30 days is not known", "用量與前一個 30 天相比的變化不明", "用量与前一个 30 天相比的变化未知"},
	{"known." + UsageDrop7d, "the change in usage this week is not known", "本週用量的變化不明", "本周用量的变化未知"},
	{"known." + DaysSinceActive, "the last product activity is not known", "最後一次使用產品的時間不明", "最后一次使用产品的时间未知"},
	{"known." + ActiveDays30d, "how many of the last 30 days the product was used is not known", "近 30 天有幾天使用產品不明", "近 30 天有几天使用产品未知"},
	{"known." + UsageTrend, "the usage trend is not known", "用量趨勢不明", "用量趋势未知"},
	{"known." + Tickets30d, "the number of support tickets in the last 30 days is not known", "近 30 天的客服工單數不明", "近 30 天的客服工单数未知"},
	{"known." + Tickets90d, "the number of support tickets in the last 90 days is not known", "近 90 天的客服工單數不明", "近 90 天的客服工单数未知"},
	{"known." + SentimentMean90d, "the tone of the support tickets is not known", "客服工單的語氣不明", "客服工单的语气未知"},
	{"known." + SentimentMin90d, "the tone of the unhappiest support ticket is not known", "最不滿的客服工單語氣不明", "最不满的客服工单语气未知"},
	{"known." + NegativeTickets90d, "the number of unhappy support tickets is not known", "不滿的客服工單數不明", "不满的客服工单数未知"},
	{"known." + DaysSinceNegTicket, "the last unhappy support ticket is not known", "最近一張不滿的客服工單時間不明", "最近一个不满的客服工单时间未知"},
	{"known." + IntentTickets90d, "whether support tickets asked to cancel is not known", "不確定客服工單是否提到取消", "不确定客服工单是否提到取消"},
	{"known." + RiskVisitDays30d, "visits to risk pages is not known", "風險頁面的造訪情況不明", "风险页面的访问情况未知"},
	{"known." + PageViews30d, "the number of page views is not known", "頁面瀏覽次數不明", "页面浏览次数未知"},
	{"known." + TenureDays, "the signup date is not known", "註冊日期不明", "注册日期未知"},
	{"known." + MRR, "the monthly revenue is not known", "每月營收不明", "每月收入未知"},
	{"known.visits", "visits to the {1:page} is not known", "{1}的造訪次數不明", "{1}的访问次数未知"},
	{"known.attr", "{1:attr} is not known", "{1}不明", "{1}未知"},

	// Usage of the last 7 days against a usual week.
	{"u7.none", "no usage in the last 7 days", "近 7 天沒有用量", "近 7 天没有用量"},
	{"u7.of", "usage of {1:num} in the last 7 days", "近 7 天用量為{1}", "近 7 天用量为{1}"},
	{"u7.noneEver", "no usage in the last 7 days, nor in the 3 weeks before", "近 7 天沒有用量，之前 3 週也沒有", "近 7 天没有用量，之前 3 周也没有"},
	{"u7.noneAgainst", "no usage in the last 7 days, against about {1:num} in a usual week", "近 7 天沒有用量，平常一週約為{1}", "近 7 天没有用量，平常一周约为{1}"},
	{"u7.started", "usage of {1:num} in the last 7 days, after none in the 3 weeks before", "近 7 天用量為{1}，之前 3 週都沒有用量", "近 7 天用量为{1}，之前 3 周都没有用量"},
	{"u7.down", "usage of {1:num} in the last 7 days, down from about {2:num} in a usual week", "近 7 天用量為{1}，低於平常一週的約{2}", "近 7 天用量为{1}，低于平常一周的约{2}"},
	{"u7.up", "usage of {1:num} in the last 7 days, up from about {2:num} in a usual week", "近 7 天用量為{1}，高於平常一週的約{2}", "近 7 天用量为{1}，高于平常一周的约{2}"},
	{"u7.same", "usage of {1:num} in the last 7 days, about the same as a usual week", "近 7 天用量為{1}，與平常一週差不多", "近 7 天用量为{1}，与平常一周差不多"},

	// Usage of the last 30 days against the 30 before.
	{"u30.none", "no usage in the last 30 days", "近 30 天沒有用量", "近 30 天没有用量"},
	{"u30.of", "usage of {1:num} in the last 30 days", "近 30 天用量為{1}", "近 30 天用量为{1}"},
	{"u30.noneEver", "no usage in the last 30 days, nor in the 30 before", "近 30 天沒有用量，前一個 30 天也沒有", "近 30 天没有用量，前一个 30 天也没有"},
	{"u30.stopped", "usage stopped: none in the last 30 days, against {1:num} in the 30 before", "已停止使用：近 30 天沒有用量，前一個 30 天為{1}", "已停止使用：近 30 天没有用量，前一个 30 天为{1}"},
	{"u30.stoppedAfter", "usage stopped: none in the last 30 days, after usage in the 30 before", "已停止使用：近 30 天沒有用量，前一個 30 天還有", "已停止使用：近 30 天没有用量，前一个 30 天还有"},
	{"u30.started", "usage started: {1:num} in the last 30 days, after none in the 30 before", "開始使用：近 30 天用量為{1}，前一個 30 天沒有用量", "开始使用：近 30 天用量为{1}，前一个 30 天没有用量"},
	{"u30.fell", "usage fell from {1:num} to {2:num} a month", "每月用量從{1}降到{2}", "每月用量从{1}降到{2}"},
	{"u30.rose", "usage rose from {1:num} to {2:num} a month", "每月用量從{1}增加到{2}", "每月用量从{1}增加到{2}"},
	{"u30.steady", "usage steady at about {1:num} a month", "每月用量穩定在{1}左右", "每月用量稳定在{1}左右"},

	// Usage of the 30 days before the last 30.
	{"prev.none", "no usage in the 30 days before the last 30", "前一個 30 天沒有用量", "前一个 30 天没有用量"},
	{"prev.of", "usage of {1:num} in the 30 days before the last 30", "前一個 30 天的用量為{1}", "前一个 30 天的用量为{1}"},
	{"prev.noneEver", "no usage in the 30 days before the last 30, nor since", "前一個 30 天沒有用量，之後也沒有", "前一个 30 天没有用量，之后也没有"},
	{"prev.started", "no usage in the 30 days before the last 30, then {1:num} since", "前一個 30 天沒有用量，近 30 天為{1}", "前一个 30 天没有用量，近 30 天为{1}"},
	{"prev.stopped", "usage of {1:num} in the 30 days before the last 30, then none since", "前一個 30 天的用量為{1}，近 30 天沒有用量", "前一个 30 天的用量为{1}，近 30 天没有用量"},
	{"prev.fell", "usage was {1:num} in the 30 days before the last 30, then fell to {2:num}", "前一個 30 天的用量為{1}，近 30 天降到{2}", "前一个 30 天的用量为{1}，近 30 天降到{2}"},
	{"prev.rose", "usage was {1:num} in the 30 days before the last 30, then rose to {2:num}", "前一個 30 天的用量為{1}，近 30 天增加到{2}", "前一个 30 天的用量为{1}，近 30 天增加到{2}"},
	{"prev.steady", "usage steady at about {1:num} a month over the last 60 days", "近 60 天每月用量穩定在{1}左右", "近 60 天每月用量稳定在{1}左右"},

	// The change of the last 30 days against the 30 before.
	{"d30.same", "usage about the same as the previous 30 days", "用量與前一個 30 天差不多", "用量与前一个 30 天差不多"},
	{"d30.sameFrom", "usage about the same as the previous 30 days (from {1:num} to {2:num} a month)", "用量與前一個 30 天差不多（每月從{1}變為{2}）", "用量与前一个 30 天差不多（每月从{1}变为{2}）"},
	{"d30.fell", "usage fell {1:pct}% against the previous 30 days", "用量比前一個 30 天減少{1}%", "用量比前一个 30 天减少{1}%"},
	{"d30.fellFrom", "usage fell {1:pct}% against the previous 30 days (from {2:num} to {3:num} a month)", "用量比前一個 30 天減少{1}%（每月從{2}降到{3}）", "用量比前一个 30 天减少{1}%（每月从{2}降到{3}）"},
	{"d30.doubled", "usage more than doubled against the previous 30 days", "用量比前一個 30 天增加一倍以上", "用量比前一个 30 天增加一倍以上"},
	{"d30.doubledFrom", "usage more than doubled against the previous 30 days (from {1:num} to {2:num} a month)", "用量比前一個 30 天增加一倍以上（每月從{1}增加到{2}）", "用量比前一个 30 天增加一倍以上（每月从{1}增加到{2}）"},
	{"d30.rose", "usage rose {1:pct}% against the previous 30 days", "用量比前一個 30 天增加{1}%", "用量比前一个 30 天增加{1}%"},
	{"d30.roseFrom", "usage rose {1:pct}% against the previous 30 days (from {2:num} to {3:num} a month)", "用量比前一個 30 天增加{1}%（每月從{2}增加到{3}）", "用量比前一个 30 天增加{1}%（每月从{2}增加到{3}）"},

	// The change of this week against a usual week.
	{"d7.noneEver", "no usage this week, nor in the 3 weeks before", "本週沒有用量，之前 3 週也沒有", "本周没有用量，之前 3 周也没有"},
	{"d7.noneAgainst", "no usage this week, against about {1:num} in a usual week", "本週沒有用量，平常一週約為{1}", "本周没有用量，平常一周约为{1}"},
	{"d7.stoppedAfter", "no usage this week, after usage in the weeks before", "本週沒有用量，之前幾週都有", "本周没有用量，之前几周都有"},
	{"d7.same", "usage this week about the same as its usual week", "本週用量與平常一週差不多", "本周用量与平常一周差不多"},
	{"d7.below", "usage this week is {1:pct}% below its usual week", "本週用量比平常一週少{1}%", "本周用量比平常一周少{1}%"},
	{"d7.started", "usage of {1:num} this week, after none in the 3 weeks before", "本週用量為{1}，之前 3 週都沒有用量", "本周用量为{1}，之前 3 周都没有用量"},
	{"d7.doubled", "usage this week is more than double its usual week", "本週用量是平常一週的兩倍以上", "本周用量是平常一周的两倍以上"},
	{"d7.above", "usage this week is {1:pct}% above its usual week", "本週用量比平常一週多{1}%", "本周用量比平常一周多{1}%"},

	// The last product activity.
	{"act.newNone", "no product activity yet: signed up less than a day ago", "還沒有使用產品：註冊不到一天", "还没有使用产品：注册不到一天"},
	{"act.sinceSignup", "no product activity since signing up {1:days} ago", "{1}前註冊，之後一直沒有使用產品", "{1}前注册，之后一直没有使用产品"},
	{"act.lookback", "no product activity in the last {1:int} days", "近{1}天沒有使用產品", "近{1}天没有使用产品"},
	{"act.lastDay", "used the product in the last day", "最近一天內有使用產品", "最近一天内有使用产品"},
	{"act.for", "no product activity for {1:days}", "已經{1}沒有使用產品", "已经{1}没有使用产品"},

	// Active days.
	{"ad.none", "did not use the product on any of the last 30 days", "近 30 天都沒有使用產品", "近 30 天都没有使用产品"},
	{"ad.all", "used the product every day of the last 30", "近 30 天每天都有使用產品", "近 30 天每天都有使用产品"},
	{"ad.some", "used the product on {1:num} of the last 30 days", "近 30 天中有{1}天使用產品", "近 30 天中有{1}天使用产品"},

	// The usage trend over the lookback.
	{"tr.none", "no usage in the last {1:int} days", "近{1}天沒有用量", "近{1}天没有用量"},
	{"tr.steady", "usage roughly steady over the last {1:int} days", "近{1}天用量大致持平", "近{1}天用量大致持平"},
	{"tr.falling", "usage has been falling steeply over the last {1:int} days", "近{1}天用量持續大幅下滑", "近{1}天用量持续大幅下滑"},
	{"tr.fell", "usage has fallen by about {1:pct}% over the last {2:int} days", "近{2}天用量下降約{1}%", "近{2}天用量下降约{1}%"},
	{"tr.halved", "usage roughly halved over the last {1:int} days", "近{1}天用量大約減半", "近{1}天用量大约减半"},
	{"tr.rose", "usage has risen by about {1:pct}% over the last {2:int} days", "近{2}天用量成長約{1}%", "近{2}天用量增长约{1}%"},
	{"tr.doubled", "usage roughly doubled over the last {1:int} days", "近{1}天用量成長到約兩倍", "近{1}天用量增长到约两倍"},
	{"tr.tripled", "usage roughly tripled over the last {1:int} days", "近{1}天用量成長到約三倍", "近{1}天用量增长到约三倍"},
	{"tr.rising", "usage has been rising steeply over the last {1:int} days", "近{1}天用量持續大幅成長", "近{1}天用量持续大幅增长"},

	// Support tickets.
	{"t30.count", "{1:tickets} in the last 30 days", "近 30 天{1}", "近 30 天{1}"},
	{"t30.noneAfter", "no support tickets in the last 30 days, after {1:num} in the 60 days before", "近 30 天沒有客服工單，之前 60 天有{1}張", "近 30 天没有客服工单，之前 60 天有{1}个"},
	{"t30.noneBefore", "{1:tickets} in the last 30 days, none in the 60 days before", "近 30 天{1}，之前 60 天沒有", "近 30 天{1}，之前 60 天没有"},
	{"t30.against", "{1:tickets} in the last 30 days, against {2:num} in the 60 days before", "近 30 天{1}，之前 60 天有{2}張", "近 30 天{1}，之前 60 天有{2}个"},
	{"t90.none", "no support tickets in the last 90 days", "近 90 天沒有客服工單", "近 90 天没有客服工单"},
	{"t90.count", "{1:tickets} in the last 90 days", "近 90 天{1}", "近 90 天{1}"},
	{"t90.noneRecent", "{1:tickets} in the last 90 days, none of them in the last 30", "近 90 天{1}，但近 30 天沒有", "近 90 天{1}，但近 30 天没有"},
	{"t90.oneRecent", "1 support ticket in the last 90 days, within the last 30", "近 90 天有 1 張客服工單，在近 30 天內", "近 90 天有 1 个客服工单，在近 30 天内"},
	{"t90.allRecent", "{1:tickets} in the last 90 days, all within the last 30", "近 90 天{1}，全都在近 30 天內", "近 90 天{1}，全都在近 30 天内"},
	{"t90.someRecent", "{1:tickets} in the last 90 days, {2:num} of them in the last 30", "近 90 天{1}，其中{2}張在近 30 天內", "近 90 天{1}，其中{2}个在近 30 天内"},

	// The tone of the tickets.
	{"sent.none", "no support tickets in the last 90 days to judge their tone", "近 90 天沒有客服工單，無法判斷語氣", "近 90 天没有客服工单，无法判断语气"},
	{"sent.mean", "support tickets in the last 90 days were {1:tone} on average (tone {2:signed}, from -1 angry to +1 happy)",
		"近 90 天客服工單的整體語氣為{1}（平均語氣分數{2}，-1 為憤怒，+1 為很滿意）", "近 90 天客服工单的整体语气为{1}（平均语气分数{2}，-1 为愤怒，+1 为很满意）"},
	{"sent.minCalm", "no unhappy support ticket in the last 90 days (lowest tone {1:signed}, from -1 angry to +1 happy)",
		"近 90 天沒有不滿的客服工單（最低語氣分數{1}，-1 為憤怒，+1 為很滿意）", "近 90 天没有不满的客服工单（最低语气分数{1}，-1 为愤怒，+1 为很满意）"},
	{"sent.min", "the unhappiest support ticket in the last 90 days was {1:tone} (tone {2:signed}, from -1 angry to +1 happy)",
		"近 90 天最不滿的一張客服工單語氣為{1}（語氣分數{2}，-1 為憤怒，+1 為很滿意）", "近 90 天最不满的一个客服工单语气为{1}（语气分数{2}，-1 为愤怒，+1 为很满意）"},

	// Unhappy tickets.
	{"neg.none", "no unhappy support tickets in the last 90 days", "近 90 天沒有不滿的客服工單", "近 90 天没有不满的客服工单"},
	{"neg.count", "{1:unhappy} in the last 90 days", "近 90 天{1}", "近 90 天{1}"},
	{"neg.only", "the only support ticket in the last 90 days was unhappy", "近 90 天唯一的一張客服工單語氣不滿", "近 90 天唯一的一个客服工单语气不满"},
	{"neg.all", "all {1:num} support tickets in the last 90 days were unhappy", "近 90 天的{1}張客服工單全都語氣不滿", "近 90 天的{1}个客服工单全都语气不满"},
	{"neg.some", "{1:num} of {2:num} support tickets in the last 90 days were unhappy", "近 90 天的{2}張客服工單中，有{1}張語氣不滿", "近 90 天的{2}个客服工单中，有{1}个语气不满"},
	{"neg.someOne", "{1:num} of {2:num} support tickets in the last 90 days was unhappy", "近 90 天的{2}張客服工單中，有{1}張語氣不滿", "近 90 天的{2}个客服工单中，有{1}个语气不满"},
	{"dneg.none", "no unhappy support ticket in the last {1:int} days", "近{1}天沒有不滿的客服工單", "近{1}天没有不满的客服工单"},
	{"dneg.lastDay", "an unhappy support ticket in the last day", "最近一天內有一張不滿的客服工單", "最近一天内有一个不满的客服工单"},
	{"dneg.ago", "last unhappy support ticket {1:days} ago", "最近一張不滿的客服工單在{1}前", "最近一个不满的客服工单在{1}前"},

	// Churn intent.
	{"intent.none", "no support ticket in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product",
		"近 90 天沒有客服工單提到取消、降級、退費或改用其他產品", "近 90 天没有客服工单提到取消、降级、退款或改用其他产品"},
	{"intent.count", "{1:tickets} in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product or of the price",
		"近 90 天{1}提到取消、降級、退費、改用其他產品或價格問題", "近 90 天{1}提到取消、降级、退款、改用其他产品或价格问题"},

	// Risk pages.
	{"rv.none", "no visits to risk pages (cancel, pricing, refund...) in the last 30 days", "近 30 天沒有造訪風險頁面（取消、價格、退費等）", "近 30 天没有访问风险页面（取消、价格、退款等）"},
	{"rv.all", "visited risk pages (cancel, pricing, refund...) every day of the last 30", "近 30 天每天都造訪風險頁面（取消、價格、退費等）", "近 30 天每天都访问风险页面（取消、价格、退款等）"},
	{"rv.some", "visited risk pages (cancel, pricing, refund...) on {1:num} of the last 30 days", "近 30 天中有{1}天造訪風險頁面（取消、價格、退費等）", "近 30 天中有{1}天访问风险页面（取消、价格、退款等）"},
	{"visit.none", "no visits to the {1:page} in the last 30 days", "近 30 天沒有造訪{1}", "近 30 天没有访问{1}"},
	{"visit.count", "{1:visits} to the {2:page} in the last 30 days", "近 30 天造訪{2}{1}", "近 30 天访问{2}{1}"},

	// Page views.
	{"pv.none", "no page views in the last 30 days", "近 30 天沒有瀏覽頁面", "近 30 天没有浏览页面"},
	{"pv.count", "{1:views} in the last 30 days", "近 30 天{1}", "近 30 天{1}"},
	{"pv.noneRisk", "{1:views} in the last 30 days, none on risk pages (cancel, pricing, refund...)", "近 30 天{1}，都不是風險頁面（取消、價格、退費等）", "近 30 天{1}，都不是风险页面（取消、价格、退款等）"},
	{"pv.oneRisk", "1 page view in the last 30 days, on a risk page (cancel, pricing, refund...)", "近 30 天瀏覽頁面 1 次，是風險頁面（取消、價格、退費等）", "近 30 天浏览页面 1 次，是风险页面（取消、价格、退款等）"},
	{"pv.allRisk", "{1:views} in the last 30 days, all on risk pages (cancel, pricing, refund...)", "近 30 天{1}，全都是風險頁面（取消、價格、退費等）", "近 30 天{1}，全都是风险页面（取消、价格、退款等）"},
	{"pv.someRisk", "{1:views} in the last 30 days, {2:num} on risk pages (cancel, pricing, refund...)", "近 30 天{1}，其中{2}次是風險頁面（取消、價格、退費等）", "近 30 天{1}，其中{2}次是风险页面（取消、价格、退款等）"},

	// Tenure and revenue.
	{"tenure.new", "new customer: signed up less than a day ago", "新客戶：註冊不到一天", "新客户：注册不到一天"},
	{"tenure.days", "new customer: signed up {1:days} ago", "新客戶：{1}前註冊", "新客户：{1}前注册"},
	{"tenure.months", "customer for about {1:num} months", "成為客戶約{1}個月", "成为客户约{1}个月"},
	{"tenure.years", "customer for about {1:num} years", "成為客戶約{1}年", "成为客户约{1}年"},
	{"mrr.zero", "pays nothing a month (a free or unpaid account)", "每月未付費（免費或未付款的帳號）", "每月未付费（免费或未付款的账号）"},
	{"mrr.negative", "monthly revenue is negative ({1:money})", "每月營收為負數（{1}）", "每月收入为负数（{1}）"},
	{"mrr.pays", "pays {1:money} a month", "每月付費{1}", "每月付费{1}"},

	// The columns of the customer data.
	{"cat.is", "{1:attr} is {2:level}", "{1}為{2}", "{1}为{2}"},
	{"cat.isNot", "{1:attr} is {2:level}, not {3:level}", "{1}為{2}，不是{3}", "{1}为{2}，不是{3}"},
	{"cat.not", "{1:attr} is not {2:level}", "{1}不是{2}", "{1}不是{2}"},
	{"attr.ago", "{1:attr} was {2:days} ago", "{1}：{2}前", "{1}：{2}前"},
	{"attr.is", "{1:attr} is {2:num}", "{1}為{2}", "{1}为{2}"},
})

// rareLevel names the one-hot level of the values too rare to have their own.
const rareLevel = "a rare or new value"

// Translate writes in language l a sentence Describe wrote in English (a
// reason or a top driver stored in English): the same sentence DescribeIn
// writes for the same vector. It returns the sentence unchanged when it is
// not one of Describe's (a reason of another wording) or l is English.
func Translate(l i18n.Lang, sentence string) string {
	if l == i18n.En {
		return sentence
	}
	out, _ := sentences.Translate(l, sentence)
	return out
}
