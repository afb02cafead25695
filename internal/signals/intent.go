package signals

import "unicode/utf8"

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
// "最后选了你们"). Moving from a plan to a cheaper one, named or ranked
// ("from Business to Pro", "从企业版换到专业版"), is a downgrade.
func DetectIntent(text string) []Intent {
	simp, _ := simplify(text)
	return detectIntent(simp)
}

// detectIntent is DetectIntent of a text whose Chinese is Simplified.
func detectIntent(text string) []Intent {
	if text == "" {
		return nil
	}
	var found uint8
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
		found |= detectEnglish(text)
	}
	if other {
		found |= detectChinese(text)
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

func intentBit(in Intent) uint8 {
	for i, x := range intentOrder {
		if x == in {
			return 1 << i
		}
	}
	return 0
}
