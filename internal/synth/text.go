package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// intent is what a support ticket is about; it decides the templates and the
// tone of the text.
type intent int

const (
	intentHowTo intent = iota
	intentBug
	intentPraise
	intentComplaint
	intentPrice
	intentCancel
	intentRefund
	intentCompetitor
	intentUpgrade
	intentBilling
	intentExport
	numIntents
)

// intentTone is the sentiment, in [-1, 1], that a careful human would give a
// ticket of each intent; the optional sentiment column is drawn around it.
var intentTone = [numIntents]float64{
	intentHowTo:      0.1,
	intentBug:        -0.3,
	intentPraise:     0.8,
	intentComplaint:  -0.75,
	intentPrice:      -0.45,
	intentCancel:     -0.5,
	intentRefund:     -0.45,
	intentCompetitor: -0.35,
	intentUpgrade:    0.35,
	intentBilling:    0.0,
	intentExport:     -0.05,
}

// phrasebook is the vocabulary of one language: template bodies per intent,
// greetings, sign-offs, follow-up sentences and slot fillers. A body may hold
// slots such as {task}; each slot is filled from slots[name].
type phrasebook struct {
	greet   []string
	signoff []string
	angry   []string // extra sentences for sour tickets
	bodies  [numIntents][]string
	slots   map[string][]string
	sep     string // between sentences
}

var english = &phrasebook{
	greet:   []string{"Hi,", "Hello,", "Hi team,", "Hello support,", "Hey,", "Good morning,", "", ""},
	signoff: []string{"Thanks!", "Thank you.", "Thanks in advance.", "Cheers", "Best regards", "Regards,", "", ""},
	angry: []string{
		"Please fix this.", "I expect an answer today.", "This is not what we are paying for.",
		"My manager is asking questions.", "We are losing patience.", "",
	},
	sep: " ",
	bodies: [numIntents][]string{
		intentHowTo: {
			"Quick question: how do I {task}?",
			"Could you tell me how to {task}?",
			"I can't find where to {task}. Is there a guide for this?",
			"Is it possible to {task}? The docs were not clear to me.",
			"What is the best way to {task}?",
			"Our new admin wants to {task}. Where is that option?",
		},
		intentBug: {
			"The {feature} {symptom} since {when}.",
			"Since {when} the {feature} {symptom}. Can you look into it?",
			"Bug report: the {feature} {symptom} for several people on my team.",
			"Not sure if it's on our side, but the {feature} {symptom}.",
			"Heads up, the {feature} {symptom}. Screenshots attached.",
		},
		intentPraise: {
			"Just wanted to say the new {feature} is great. Thanks!",
			"Your support team was super helpful yesterday, really appreciate it.",
			"Great work on the latest release, the {feature} is much faster now.",
			"We love the product, the whole team uses it every day.",
			"Thanks for fixing the {feature} so quickly, awesome service.",
		},
		intentComplaint: {
			"This is the {nth} time the {feature} has been down this month. Really frustrating.",
			"I am very disappointed with the service lately.",
			"Nobody answered my last ticket for {n} days. This is unacceptable.",
			"The product keeps getting worse with every update. Terrible experience.",
			"The {feature} {symptom} AGAIN. My team is furious.",
			"Honestly, this is the worst support I have ever dealt with.",
		},
		intentPrice: {
			"Your new pricing is too expensive for a team our size.",
			"We got an invoice that is {pct}% higher than last month. Why did the price go up?",
			"Honestly it is too expensive for what we actually use.",
			"The price increase is hard to justify to my boss.",
			"Can we get a discount? The current plan is too expensive for us.",
		},
		intentCancel: {
			"We want to cancel our subscription at the end of this month.",
			"How do I cancel my account? We no longer need it.",
			"Please close our account and delete our data.",
			"We have decided not to renew our contract.",
			"I want to cancel. Please confirm that we will not be charged again.",
		},
		intentRefund: {
			"I would like a refund for the last invoice, we barely used the product.",
			"Please refund the charge from {month}, we were billed after asking to cancel.",
			"Can I get my money back for this month? The service was down most of the time.",
			"Requesting a refund for the unused seats on our plan.",
		},
		intentCompetitor: {
			"We are evaluating {competitor} and will probably switch.",
			"{competitor} offers the same features for half the price. Can you match it?",
			"We are moving to {competitor} next quarter.",
			"Our team prefers {competitor}, so we are switching.",
			"Why should we stay? {competitor} is cheaper and faster.",
		},
		intentUpgrade: {
			"We are growing fast. What would the {plan} plan cost for {n}0 seats?",
			"Can we get a quote for upgrading to {plan}?",
			"Does the {plan} plan include single sign-on and audit logs?",
			"We'd like to add {n} more seats. How does pricing work?",
		},
		intentBilling: {
			"Can you send me a copy of the invoice for {month}?",
			"Please add our VAT number to the invoices.",
			"Our credit card changed, where do I update the payment method?",
			"Who should I contact to change the billing email?",
		},
		intentExport: {
			"How do I export all of our data? We need a full copy.",
			"Is there a way to download every report at once?",
			"We need a complete export of our account data in CSV.",
		},
	},
	slots: map[string][]string{
		"task": {
			"export a report to PDF", "add a new user to our team", "set up single sign-on",
			"change the time zone on my dashboard", "connect our Salesforce account",
			"schedule a weekly report", "cancel a scheduled report", "reset our API key",
			"filter the dashboard by region", "share a dashboard with a client",
			"change the owner of a workspace", "import data from a spreadsheet",
		},
		"feature": {
			"dashboard", "reports page", "export", "Salesforce integration", "API",
			"alerts page", "search", "mobile app", "SSO login",
		},
		"symptom": {
			"keeps loading forever", "shows a 500 error", "is extremely slow",
			"does not save my changes", "shows the wrong numbers",
			"logs me out every few minutes", "times out",
		},
		"when":       {"yesterday", "this morning", "the last update", "Monday", "last week"},
		"competitor": {"Competitor X", "Acme Analytics", "Datawise", "InsightHub", "Metricly"},
		"plan":       {"Growth", "Business", "Enterprise"},
		"nth":        {"third", "fourth", "fifth"},
		"month": {
			"January", "February", "March", "April", "May", "June", "July",
			"August", "September", "October", "November", "December",
		},
	},
}

var chinese = &phrasebook{
	greet:   []string{"你好，", "您好，", "客服你好，", "", ""},
	signoff: []string{"谢谢！", "谢谢。", "辛苦了。", "", ""},
	angry:   []string{"请尽快处理。", "今天之内给个答复。", "我们付钱不是为了这个。", "老板一直在问。", ""},
	sep:     "",
	bodies: [numIntents][]string{
		intentHowTo: {
			"请问怎么{task}？",
			"我想知道如何{task}，有教程吗？",
			"找不到{task}的地方，能告诉我在哪里吗？",
			"可以{task}吗？文档里没写清楚。",
		},
		intentBug: {
			"{feature}从{when}开始{symptom}。",
			"{feature}{symptom}，麻烦帮忙看一下。",
			"我们团队好几个人的{feature}都{symptom}。",
		},
		intentPraise: {
			"新版的{feature}非常好用，谢谢你们！",
			"客服回复很及时，非常满意。",
			"产品很好用，我们整个团队每天都在用。",
			"{feature}的问题修复得很快，服务很棒。",
		},
		intentComplaint: {
			"这个月{feature}已经第{n}次出问题了，太让人失望了。",
			"上次的工单{n}天都没人回复，服务太差了。",
			"每次更新都变得更难用，体验很差。",
			"{feature}又{symptom}了，我们非常生气。",
		},
		intentPrice: {
			"价格太贵了，我们这样的小团队负担不起。",
			"这个月的账单比上个月高了{pct}%，为什么涨价？",
			"说实话，按我们的使用量来说太贵了。",
			"能不能给个折扣？现在的套餐太贵了。",
		},
		intentCancel: {
			"我们想在月底取消订阅。",
			"请问怎么注销账户？我们不再需要了。",
			"请关闭我们的账户并删除数据。",
			"我们决定不再续费了。",
		},
		intentRefund: {
			"我们几乎没有使用，申请退款。",
			"请退还{month}的费用。",
			"服务大部分时间都不能用，这个月的钱能退吗？",
		},
		intentCompetitor: {
			"我们正在考虑换成{competitor}。",
			"{competitor}的价格只有你们的一半，能便宜一点吗？",
			"我们下个季度会转到{competitor}。",
		},
		intentUpgrade: {
			"我们团队在扩大，{plan}版{n}0个席位多少钱？",
			"能给我们一个升级到{plan}版的报价吗？",
			"{plan}版包含单点登录吗？",
		},
		intentBilling: {
			"麻烦发一下{month}的发票。",
			"请在发票上加上我们的税号。",
			"信用卡换了，在哪里更新付款方式？",
		},
		intentExport: {
			"怎么导出我们所有的数据？需要完整备份。",
			"有没有办法一次下载全部报表？",
		},
	},
	slots: map[string][]string{
		"task": {
			"导出PDF报表", "添加新的团队成员", "设置单点登录", "修改仪表盘的时区",
			"连接Salesforce账户", "设置每周定时报表", "取消定时报表", "重置API密钥",
			"按地区筛选仪表盘", "和客户共享仪表盘",
		},
		"feature":    {"仪表盘", "报表页面", "导出功能", "Salesforce集成", "API", "提醒页面", "搜索", "手机应用"},
		"symptom":    {"一直在加载", "报500错误", "非常慢", "保存不了修改", "显示的数字不对", "每隔几分钟就把我登出"},
		"when":       {"昨天", "今天早上", "上次更新", "周一", "上周"},
		"competitor": {"Competitor X", "Acme Analytics", "Datawise", "InsightHub", "Metricly"},
		"plan":       {"成长", "商业", "企业"},
		"nth":        {"三", "四", "五"},
		"month":      {"一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"},
	},
}

// pick returns a uniformly chosen element of s.
func pick(rng *rand.Rand, s []string) string {
	return s[rng.IntN(len(s))]
}

// ticketText composes a ticket of intent in from a greeting, a body with its
// slots filled, sometimes an extra sentence, and a sign-off. sour marks an
// unhappy writer, who skips pleasantries and adds pressure more often.
// month (1-12) is the month of the ticket; {month} names the one before it,
// the month of the last invoice.
func (p *phrasebook) ticketText(rng *rand.Rand, in intent, sour bool, month time.Month) string {
	last := (int(month) + 10) % 12 // index of the previous month
	var b strings.Builder
	parts := 0
	add := func(s string) {
		if s == "" {
			return
		}
		if parts > 0 {
			b.WriteString(p.sep)
		}
		b.WriteString(s)
		parts++
	}
	if !sour || rng.IntN(3) == 0 {
		add(pick(rng, p.greet))
	}
	add(p.fill(rng, pick(rng, p.bodies[in]), last))
	switch {
	case sour && rng.IntN(2) == 0:
		add(pick(rng, p.angry))
	case in == intentCancel && rng.IntN(3) == 0:
		add(p.fill(rng, pick(rng, p.bodies[intentPrice]), last))
	case in == intentComplaint && rng.IntN(4) == 0:
		add(p.fill(rng, pick(rng, p.bodies[intentCompetitor]), last))
	case in == intentHowTo && rng.IntN(6) == 0:
		add(p.fill(rng, pick(rng, p.bodies[intentHowTo]), last))
	}
	if !sour || rng.IntN(2) == 0 {
		add(pick(rng, p.signoff))
	}
	return b.String()
}

// fill replaces every {slot} in tmpl: {n} and {pct} by numbers, {month} by
// the name of month index month (0-11), the others by a random word from
// p.slots. An unknown slot is kept as it is.
func (p *phrasebook) fill(rng *rand.Rand, tmpl string, month int) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		name := tmpl[i+1 : i+j]
		switch name {
		case "n":
			b.WriteString(strconv.Itoa(2 + rng.IntN(8)))
		case "pct":
			b.WriteString(strconv.Itoa(10 + rng.IntN(31)))
		case "month":
			b.WriteString(p.slots["month"][month])
		default:
			if words, ok := p.slots[name]; ok {
				b.WriteString(pick(rng, words))
			} else {
				b.WriteString(tmpl[i : i+j+1])
			}
		}
		tmpl = tmpl[i+j+1:]
	}
}
