package signals

import (
	"strings"
	"unicode/utf8"
)

// Intent is a kind of churn intent expressed in a support ticket.
type Intent string

// Churn intents, in their sort order.
const (
	IntentCancel     Intent = "cancel"     // cancelling, closing the account, not renewing
	IntentCompetitor Intent = "competitor" // switching to or evaluating another product
	IntentDowngrade  Intent = "downgrade"  // a cheaper plan, fewer seats, dropping an add-on
	IntentPrice      Intent = "price"      // too expensive, not worth it, price increase
	IntentRefund     Intent = "refund"     // refund, money back, chargeback, service credit
)

// intentOrder lists the intents sorted by their string value.
var intentOrder = [...]Intent{IntentCancel, IntentCompetitor, IntentDowngrade, IntentPrice, IntentRefund}

// DetectIntent returns the churn intents expressed in text, in English or
// Chinese, Simplified or Traditional (converted first, see simplify; both
// languages are tried, so mixed text works), sorted and without
// duplicates; nil when there is none.
//
// Matching is by hand-written phrase patterns (intent_en.go, intent_zh.go);
// it is cheap and transparent, not a classifier. An intent is what the
// customer says of their own relationship with the product: paraphrases
// count ("we'll be letting the subscription lapse", "下一季起就先不合作了"),
// volitional negations do not ("I am not cancelling", "no need to cancel",
// "不想取消", "不用退费", "不太贵") while inability does ("I can't cancel",
// "无法取消" are intent), and objects that make a phrase innocent are
// excluded ("cancel the export job", "refund our shoppers", "降级成一般成员",
// "your competitor has this feature"), as are moves made by the customer's
// own clients ("our customer switched to a competitor"), plans that did
// not happen ("I was going to ask for a refund, but ...") and tickets that
// say the customer is staying ("we're not planning to leave, but ...",
// "最后选了你们", "没有换系统的打算"). Hypothetical questions asked for paperwork
// ("if we ever cancel, how long do you keep our data?"), quoted messages
// of the product ("收到「您的订阅已取消」的信"), trials ended to buy the paid
// plan, other parties' contracts and departed colleagues' accounts are no
// intent either (see detectIntent, enCancelObject, zhCancelObject). Moving from a plan to a cheaper one, named or ranked
// ("from Business to Pro", "从企业版换到专业版"), is a downgrade.
func DetectIntent(text string) []Intent {
	simp, _ := simplify(text)
	return detectIntent(simp)
}

// detectIntent is DetectIntent of a text whose Chinese is Simplified.
//
// Two rules apply to the whole ticket, in both languages. A hypothetical
// question asked for paperwork or about a remote future ("if we ever
// cancel, how long do you keep our data?", "审计问，合同终止的话备份怎么处理？")
// is no intent: such sentences are left out (withoutHypotheticals). And a
// ticket that says the customer is not leaving ("we are not cancelling",
// "no plans to switch", "我们不换到别家", "不会因为这样就退订") has no cancel or
// competitor intent, unless it also sets a condition ("..., but if it
// happens again we will cancel").
func detectIntent(text string) []Intent {
	if text == "" {
		return nil
	}
	if strings.ContainsAny(text, "「『“\"") {
		text = withoutQuotedMessages(text)
	}
	found := detectLanguages(text)
	if found != 0 {
		if rest, ok := withoutHypotheticals(text); ok {
			found = detectLanguages(rest)
		}
	}
	if found == 0 {
		return nil
	}
	out := make([]Intent, 0, len(intentOrder))
	for i, in := range intentOrder {
		if found&(1<<i) != 0 {
			out = append(out, in)
		}
	}
	return out
}

// leavingBits are the intents of leaving, which a ticket saying that the
// customer stays takes back.
var leavingBits = intentBit(IntentCancel) | intentBit(IntentCompetitor)

// detectLanguages runs the English and the Chinese patterns on text (both
// when it mixes scripts) and applies the staying rule.
func detectLanguages(text string) uint8 {
	var found uint8
	var staying bool
	ascii, other := false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			other = true
		} else if c|0x20 >= 'a' && c|0x20 <= 'z' {
			ascii = true
		}
	}
	if ascii {
		f, st := detectEnglish(text)
		found, staying = found|f, staying || st
	}
	if other {
		f, st := detectChinese(text)
		found, staying = found|f, staying || st
	}
	if staying && found&leavingBits != 0 && !conditional(strings.ToLower(text)) {
		found &^= leavingBits
	}
	return found
}

// conditionalWords set a condition or a threat, or say that leaving is
// forced: a ticket that says the customer stays but holds one of these may
// still be leaving ("we don't want to leave, but unless this is fixed we'll
// cancel", "不想走，但只能换了").
var conditionalWords = phrases("unless otherwise 否则 不然 要不然 除非 再不 如果 要是 假如 " +
	"have_to has_to no_choice forced 不得不 只好 只能 被迫 没办法 没得选")

// conditional reports whether lower (lower-cased) sets a condition or says
// that leaving is forced: a phrase of conditionalWords ('_' for a space),
// or the English word "if".
func conditional(lower string) bool {
	return containsAny(lower, conditionalWords) || hasWord(lower, "if") || strings.Contains(lower, "or else")
}

// hasWord reports whether lower holds w as a whole ASCII word.
func hasWord(lower, w string) bool {
	for off := 0; ; {
		k := strings.Index(lower[off:], w)
		if k < 0 {
			return false
		}
		a, b := off+k, off+k+len(w)
		if (a == 0 || !isASCIILetter(lower[a-1])) && (b == len(lower) || !isASCIILetter(lower[b])) {
			return true
		}
		off = b
	}
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// Hypothetical frames (see withoutHypotheticals), English words matched as
// whole words, Chinese ones as substrings.
var (
	hypoIfEn     = strings.Fields("if hypothetically suppose supposing")
	hypoIfZh     = strings.Fields("如果 假如 假设 万一 要是 若是 倘若 的话 一旦")
	hypoRemoteEn = strings.Fields("ever hypothetically someday future")
	hypoRemoteZh = strings.Fields("万一 假设 哪天 将来 以后 之后 有朝一日 未来")
	hypoAskEn    = strings.Fields("how what whether which")
	hypoAskZh    = strings.Fields("吗 呢 怎么 怎样 多久 什么 如何 是否 哪 几天 会不会 能不能 可不可以")
	// paperworkEn, paperworkZh: a ticket asking for paperwork (an audit,
	// a questionnaire, a policy, a clause) rather than for an action.
	paperworkEn = strings.Fields("audit auditor auditors questionnaire compliance procurement legal policy policies clause clauses dpa gdpr diligence paperwork soc iso")
	paperworkZh = strings.Fields("审计 问卷 合规 采购 法务 条款 政策 尽职调查 资安 安全评估 风险评估 供应商评估 会计师 稽核 存档 档案")
)

// withoutHypotheticals returns text without its hypothetical questions,
// and whether it had any. A sentence is one when it sets a condition ("if",
// "in the event of", "如果", "的话"), asks (a question mark or a question
// word), and either the condition is remote ("ever", "万一", "以后") or the
// ticket asks for paperwork (an audit, a questionnaire, a policy, a
// clause). A threat is no question ("if it isn't fixed we'll end the
// contract" stays), nor is asking what ending early costs without paperwork
// ("if we terminate early, can we get the unused months back?").
func withoutHypotheticals(text string) (string, bool) {
	lower := strings.ToLower(text)
	paper := containsAny(lower, paperworkZh) || anyWord(lower, paperworkEn)
	src := text
	if len(lower) != len(text) {
		src = lower // a letter whose lower case has another length
	}
	var b strings.Builder
	cut := false
	start := 0
	for i, r := range lower {
		end := i + utf8.RuneLen(r)
		if end < len(lower) && !sentenceEnd(lower, i, r) {
			continue
		}
		if hypothetical(lower[start:end], paper) {
			cut = true
			b.WriteString("\n")
		} else {
			b.WriteString(src[start:end])
		}
		start = end
	}
	if !cut {
		return text, false
	}
	return b.String(), true
}

// sentenceEnd reports whether r at lower[i] ends a sentence: . ! ? 。！？ or a
// new line, but not a '.' inside a word or a number ("monday.com", "1.5").
func sentenceEnd(lower string, i int, r rune) bool {
	switch r {
	case '!', '?', '\n', '。', '！', '？':
		return true
	case '.':
		return i+1 >= len(lower) || !isASCIILetter(lower[i+1]) && (lower[i+1] < '0' || lower[i+1] > '9')
	}
	return false
}

// hypothetical reports whether the sentence s (lower-cased) is a
// hypothetical question (see withoutHypotheticals).
func hypothetical(s string, paper bool) bool {
	cond := containsAny(s, hypoIfZh) || anyWord(s, hypoIfEn) || strings.Contains(s, "in the event") || strings.Contains(s, "in case")
	if !cond {
		return false
	}
	ask := strings.ContainsAny(s, "?？") || containsAny(s, hypoAskZh) || anyWord(s, hypoAskEn)
	if !ask {
		return false
	}
	return paper || containsAny(s, hypoRemoteZh) || anyWord(s, hypoRemoteEn)
}

// anyWord reports whether lower holds one of words as a whole ASCII word.
func anyWord(lower string, words []string) bool {
	for _, w := range words {
		if hasWord(lower, w) {
			return true
		}
	}
	return false
}

// quotePairs are the quotation marks that open and close a quote.
var quotePairs = [][2]string{{"「", "」"}, {"『", "』"}, {"“", "”"}, {"\"", "\""}}

// quotedYou: a quotation holding one of these addresses the customer.
var quotedYou = strings.Fields("您 你的 你们的 your you've you're")

// withoutQuotedMessages returns text without the quotations that address
// the customer: a message or a label of the product quoted back to it
// ("收到「您的订阅已取消」的信", "got a "your plan was downgraded" email") is no
// word of the customer's.
func withoutQuotedMessages(text string) string {
	for _, q := range quotePairs {
		for off := 0; off < len(text); {
			a := strings.Index(text[off:], q[0])
			if a < 0 {
				break
			}
			a += off
			b := strings.Index(text[a+len(q[0]):], q[1])
			if b < 0 {
				break
			}
			b += a + len(q[0])
			inner := text[a+len(q[0]) : b]
			if containsAny(strings.ToLower(inner), quotedYou) {
				text = text[:a] + text[b+len(q[1]):]
				off = a
			} else {
				off = b + len(q[1])
			}
		}
	}
	return text
}

// departed reports whether lower (a lower-cased ticket) says that a person
// left the customer's company.
func departed(lower string) bool { return containsAny(lower, departedPhrases) }

// departedPhrases say that a person left the customer's company ("she
// left the company", "他离职了"): an account closed in such a ticket is that
// person's user, not the customer's account.
var departedPhrases = strings.Split("left the company|left our company|no longer with us|no longer works|resigned|retired|离职|辞职|退休|离开公司|调岗|调走", "|")

// trialToPaid reports whether lower (a lower-cased ticket) ends a trial to
// buy the paid product ("cancel the trial and move us to the paid plan",
// "试用到期直接转成付费版"): ending that trial is no churn.
func trialToPaid(lower string) bool {
	return containsAny(lower, trialPaid)
}

// trialPaid are the words of buying after a trial.
var trialPaid = strings.Fields("paid upgrade purchase subscribe convert 付费 开通 转正 正式版 升级 购买")

func intentBit(in Intent) uint8 {
	for i, x := range intentOrder {
		if x == in {
			return 1 << i
		}
	}
	return 0
}
