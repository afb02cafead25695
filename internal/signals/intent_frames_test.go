package signals

import (
	"slices"
	"testing"
)

// TestIntentFrames: the rules that read a trigger word in its frame (the
// tenth tuning batch's causes), each with the case it excludes and the
// case that must stay an intent, in both languages.
func TestIntentFrames(t *testing.T) {
	cancel := []Intent{IntentCancel}
	tests := []struct {
		rule, text string
		want       []Intent
	}{
		// hypothetical questions for paperwork or about a remote future
		{"hypothetical", "If we ever terminate, do you delete backups? Asking for our SOC 2 audit.", nil},
		{"hypothetical", "如果以后不续约，数据能保留多久？合规那边要问。", nil},
		{"hypothetical", "假如合同终止的话，备份怎么处理？审计要看。", nil},
		{"threat", "If you can't fix this by Friday we will terminate the contract.", cancel},
		{"threat", "要是再这样，我们就不续约了。", cancel},
		{"terms of ending", "If we terminate early, can we get the unused months back?", []Intent{IntentCancel, IntentRefund}},
		// a ticket saying the customer stays
		{"staying", "No plans to switch to Zendesk, just curious how your macros compare.", nil},
		{"staying", "We decided against switching after your team fixed the bug.", nil},
		{"staying", "没打算换，只是问问别家是怎么做的。", nil},
		{"staying", "没有搬走的打算，只是想要一份竞品对照表。", nil},
		{"staying", "我們不會因為這個就退訂，但真的很難用。", nil},
		{"staying", "我们不换到钉钉，继续用你们的。", nil},
		{"staying with a condition", "We don't want to leave, but if the sync breaks again we will cancel.", cancel},
		{"forced to leave", "We don't want to cancel, but we have no choice, please close the account.", cancel},
		{"forced to leave", "我们不想换，但老板说只能换到钉钉了。", []Intent{IntentCompetitor}},
		{"a fact, not staying", "我们根本没取消，怎么收到了取消通知？", nil},
		{"a question, not a negation", "三个人用太贵了，有没有小一点的套餐可以换？", []Intent{IntentDowngrade, IntentPrice}},
		// objects of cancel verbs
		{"trial to paid", "Please cancel our trial and upgrade us to the paid Business plan.", nil},
		{"trial to paid", "試用快到期了，麻煩取消試用，直接升級成正式版。", nil},
		{"trial without buying", "Please cancel the trial, it's not for us.", cancel},
		{"another party's contract", "We ended our agreement with the payroll provider, please remove that integration.", nil},
		{"another party's contract", "我们跟代理商的合作协议到期不续了，请把那个对接插件拿掉。", nil},
		{"our contract", "We want to end our contract with you at the end of the term.", cancel},
		{"someone else's object", "客户退了，怎么停掉给他开的周期账单？", nil},
		{"a pronoun for an innocent object", "Please cancel tomorrow's demo call, we don't need it anymore.", nil},
		{"a pronoun for the product", "Your tool keeps crashing and we don't need it anymore.", cancel},
		{"a mailing", "市场部的推送太多了，怎么取消订阅？", nil},
		{"a departed person", "帮我把张三的账号停掉，他离职了。", nil},
		{"a departed person", "Please deactivate Mark's account, he left the company on Friday.", nil},
		{"our account", "团队有人离职了，我们的账号也一起注销吧。", cancel},
		{"a quoted message", "收到一封“你们的账号将被注销”的邮件，是不是搞错了？", nil},
		{"a quoted message", `I got "your subscription will be cancelled" in the app, we never asked for that.`, nil},
		{"the customer's own words", `I wrote "please cancel" last week and nobody answered.`, cancel},
		// moves, prices and discounts
		{"a move to this product", "We moved over from Freshdesk in May and some tags came in lower case.", nil},
		{"a negation by the subject", "Nobody on our side wants to downgrade, we just need two more seats.", nil},
		{"a discount question", "请问有没有教育机构的折扣？", nil},
		{"a client's price", "有个客户嫌贵，想让我们打个折。", nil},
		{"a price of ours", "太贵了，能不能打个折？", []Intent{IntentPrice}},
		// the eleventh batch's causes: leaving said without the keywords
		{"a renewal refused", "续约这块就不考虑了，谢谢你们这两年。", cancel},
		{"a renewal asked about", "续约的事可以下周再谈吗？", nil},
		{"letting it lapse", "合同期满就算了，别再打电话来推续费。", cancel},
		{"signing no more", "这份合约到期后我们不会再签。", cancel},
		{"not on the list", "明年的供应商名单里没有你们了，请知悉。", cancel},
		{"a pause of the service", "业务收缩，服务只能先停了。", cancel},
		{"a pause of an in-product thing", "周报推送先停一停，下个月再开。", nil},
		{"a subscription given back", "会员帮我们退掉吧，后面用不上。", cancel},
		{"a bare 退 after a charge", "同一张卡扣了两次费，快点退。", []Intent{IntentRefund}},
		{"an add-on removed", "增值的语音模块帮我们去掉。", []Intent{IntentDowngrade}},
		{"back to a cheaper plan", "麻烦改回入门版，高级版我们用不完。", []Intent{IntentDowngrade}},
		// the eleventh batch's causes: innocent trigger words in Taiwan and Hong Kong usage
		{"renewing", "自動續約可以先取消嗎？改成匯款付款，我們還是會續。", nil},
		{"not renewing", "自動續約幫我取消，我們不會續了。", cancel},
		{"a credential revoked", "舊的 token 麻煩幫我註銷，外洩了。", nil},
		{"a test account", "註銷咗一個測試帳號，可唔可以復原？", nil},
		{"our account closed", "公司結束營運，帳號麻煩註銷。", cancel},
		{"the buyers' refund", "有顧客想要退貨，我們這邊要在哪裡按退款？", nil},
		{"our refund", "被多扣了一個月，我們要退款。", []Intent{IntentRefund}},
		{"a price set in the product", "商品的價格我們想調高，要在哪裡改？", nil},
		{"a price raised on us", "你們的價格又調高了，太誇張。", []Intent{IntentPrice}},
		{"a budget approved", "今年預算批下來了，想再加五個席位。", nil},
		{"a budget short", "今年預算不夠，這個費用真的負擔不起。", []Intent{IntentPrice}},
		{"a downgrade disowned", "降級的話報表功能會少嗎？只是問問，沒有要降。", nil},
		{"a downgrade asked", "報表功能用不到，幫我們降級到基本方案。", []Intent{IntentDowngrade}},
	}
	for _, tc := range tests {
		if got := DetectIntent(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s: DetectIntent(%q) = %v, want %v", tc.rule, tc.text, got, tc.want)
		}
	}
}
