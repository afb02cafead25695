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
	}
	for _, tc := range tests {
		if got := DetectIntent(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%s: DetectIntent(%q) = %v, want %v", tc.rule, tc.text, got, tc.want)
		}
	}
}
