package signals

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Intent is a kind of churn intent expressed in a support ticket.
type Intent string

// Churn intents, in their sort order.
const (
	IntentCancel     Intent = "cancel"     // cancelling, closing the account, not renewing
	IntentCompetitor Intent = "competitor" // switching to a competitor or an alternative
	IntentPrice      Intent = "price"      // too expensive, can't afford, price increase
	IntentRefund     Intent = "refund"     // refund, money back, chargeback
)

// intentOrder lists the intents sorted by their string value.
var intentOrder = [...]Intent{IntentCancel, IntentCompetitor, IntentPrice, IntentRefund}

// DetectIntent returns the churn intents expressed in text, in English or
// Chinese (both are tried, so mixed text works), sorted and without
// duplicates; nil when there is none.
//
// Matching is by hand-written phrase patterns; it is cheap and transparent,
// not a classifier. Cheap negations are handled: a phrase preceded in its
// clause by a volitional negation ("I am not cancelling", "no need to
// cancel", "don't want a refund", "不想取消", "不需要退款", "不太贵") does not
// count, while inability does ("I can't cancel", "无法取消" are intent).
// Not renewing counts as cancelling ("we won't renew", "不再续费"). Objects
// that make a phrase innocent are excluded ("cancel the export job", "switch
// to the annual plan", "转到人工客服").
func DetectIntent(text string) []Intent {
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
	out := make([]Intent, 0, 4)
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

// English.

// enPattern is a sequence of word matchers. A matcher is a word, a prefix
// ending in '*', or alternatives separated by '|'. Up to two determiners
// ("my", "the", ...) may stand between consecutive matchers.
type enPattern struct {
	intent Intent
	words  []string
	// stop: the match does not count when one of the four words after it
	// (in its clause) is one of these, unless, for a cancel phrase, one of
	// them is a subscription word ("cancel my plan and the export job").
	stop map[string]bool
	// wantNeg: the phrase counts only when negated ("not renew").
	wantNeg bool
}

var (
	stopCancel = set("job jobs run runs task tasks build builds export exports import imports upload uploads download downloads meeting meetings invite invites invitation invitations email emails notification notifications query queries sync report reports event events booking appointment order orders print operation process deployment payment")
	stopUnsub  = set("email emails newsletter newsletters mailing list marketing notifications notification digest alerts")
	stopSwitch = set("plan plans annual yearly monthly tier version mode tab view page setting settings billing pro premium basic enterprise business team free paid dark light english language user account address office city country location folder trash invoice invoicing card workspace profile")
	stopAlt    = set("way ways method methods approach workaround route to email address payment contact option options format text")
	subjWords  = set("subscription subscriptions account plan membership contract service")
	enDets     = set("my our the this that your a an their entire whole company team organization organisation org workspace business")
	enFillers  = set("going gonna want wanna wanting plan planning intend intending need looking thinking considering to be of about a an any really actually auto")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

func enPat(in Intent, words string) enPattern {
	return enPattern{intent: in, words: strings.Fields(words)}
}

func enPatStop(in Intent, words string, stop map[string]bool) enPattern {
	return enPattern{intent: in, words: strings.Fields(words), stop: stop}
}

var enPatterns = []enPattern{
	enPatStop(IntentCancel, "cancel*", stopCancel),
	enPatStop(IntentCancel, "discontinu*", stopCancel),
	enPatStop(IntentCancel, "unsubscrib*", stopUnsub),
	enPat(IntentCancel, "clos*|delet*|deactivat*|terminat*|remov* account|accounts"),
	enPat(IntentCancel, "terminat*|end|ending|stop|stopping subscription|contract|membership|service|agreement"),
	enPat(IntentCancel, "stop|stopping paying|using"),
	{intent: IntentCancel, words: []string{"continu*"}, wantNeg: true},
	enPat(IntentCancel, "turn|turning|switch off auto*"),
	enPat(IntentCancel, "disabl* auto*"),
	{intent: IntentCancel, words: []string{"renew*"}, wantNeg: true},
	enPat(IntentCancel, "we|i|we're|i'm are|am leaving"),

	enPat(IntentRefund, "refund*"),
	enPat(IntentRefund, "money back"),
	enPat(IntentRefund, "chargeback*"),
	enPat(IntentRefund, "charge back"),
	enPat(IntentRefund, "reimburs*"),
	enPat(IntentRefund, "disput*"),

	enPat(IntentCompetitor, "competitor*"),
	enPatStop(IntentCompetitor, "alternative*", stopAlt),
	enPatStop(IntentCompetitor, "switch*|mov*|migrat* to|over", stopSwitch),
	enPat(IntentCompetitor, "migrat* away"),
	enPat(IntentCompetitor, "switch* provider*|vendor*|tools|platform*|solution*|services"),
	enPat(IntentCompetitor, "another|other|different provider*|vendor*|tool|tools|platform*|solution*|company|companies|service|services|product|products|software|app|crm"),
	enPat(IntentCompetitor, "elsewhere"),
	enPat(IntentCompetitor, "better option|options|offer|deal|tool|product|solution"),

	enPat(IntentPrice, "expensive"),
	enPat(IntentPrice, "pricey"),
	enPat(IntentPrice, "overpriced"),
	enPat(IntentPrice, "costly"),
	enPat(IntentPrice, "afford*"),
	enPat(IntentPrice, "cheaper"),
	enPat(IntentPrice, "discount*"),
	enPat(IntentPrice, "cost|costs|charg*|pay|paying too much"),
	enPat(IntentPrice, "too much money"),
	enPat(IntentPrice, "price|prices|pricing|cost|costs|fee|fees increas*|hike*|went|going|rise|rising|rais*|jump*|up|chang*"),
	enPat(IntentPrice, "rais*|increas*|hik*|doubl* price*|pricing|fee|fees|cost|costs"),
	enPat(IntentPrice, "budget cut*|constraint*|reasons|freeze"),
	enPat(IntentPrice, "over|exceed*|beyond budget|budgets"),
	enPat(IntentPrice, "money|budget|budgets|cash is|are|'s tight"),
	enPat(IntentPrice, "tight budget*"),
	enPat(IntentPrice, "pay|paying|spend|spending this|that|so much"),
	enPat(IntentPrice, "price|prices|pricing|cost|costs|fee|fees doubl*|tripl*"),
	{intent: IntentPrice, words: []string{"worth"}, wantNeg: true},
}

// enToken is one lower-case word and the clause it belongs to.
type enToken struct {
	w      string
	clause int32
}

func enTokenize(text string) []enToken {
	lower := strings.ToLower(text)
	if strings.ContainsRune(lower, '’') {
		lower = strings.ReplaceAll(lower, "’", "'")
	}
	toks := make([]enToken, 0, len(lower)/5+1)
	var clause int32
	start := -1
	for i := 0; i <= len(lower); i++ {
		var c byte = ' '
		if i < len(lower) {
			c = lower[i]
		}
		word := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '\'' && start >= 0
		if word {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, enToken{w: strings.Trim(lower[start:i], "'"), clause: clause})
			start = -1
		}
		switch c {
		case '.', ',', '!', '?', ';', ':', '\n', '(', ')':
			clause++
		}
	}
	return toks
}

// wordMatcher is a compiled matcher (see enPattern).
type wordMatcher struct {
	exact, prefix []string
}

func compileMatcher(m string) wordMatcher {
	var wm wordMatcher
	for alt := range strings.SplitSeq(m, "|") {
		if p, ok := strings.CutSuffix(alt, "*"); ok {
			wm.prefix = append(wm.prefix, p)
		} else {
			wm.exact = append(wm.exact, alt)
		}
	}
	return wm
}

func (wm *wordMatcher) match(w string) bool {
	for _, e := range wm.exact {
		if e == w {
			return true
		}
	}
	for _, p := range wm.prefix {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// enIndex finds the patterns whose first matcher accepts a word.
type enIndex struct {
	exact  map[string][]int // word -> pattern indexes
	prefix []enPrefix
}

type enPrefix struct {
	p   string
	pat int
}

// enCompiled holds the compiled matchers of enPatterns and the index of
// their first words.
var enCompiled = sync.OnceValues(func() ([][]wordMatcher, enIndex) {
	ms := make([][]wordMatcher, len(enPatterns))
	idx := enIndex{exact: map[string][]int{}}
	for i, pat := range enPatterns {
		for _, w := range pat.words {
			ms[i] = append(ms[i], compileMatcher(w))
		}
		for _, e := range ms[i][0].exact {
			idx.exact[e] = append(idx.exact[e], i)
		}
		for _, p := range ms[i][0].prefix {
			idx.prefix = append(idx.prefix, enPrefix{p: p, pat: i})
		}
	}
	return ms, idx
})

// matchAt returns the index after the match of the pattern with matchers ms
// whose first word is toks[i], or -1.
func matchAt(ms []wordMatcher, toks []enToken, i int) int {
	j := i + 1
	for mi := 1; mi < len(ms); mi++ {
		ok := false
		for skip := 0; skip <= 2 && j < len(toks) && toks[j].clause == toks[i].clause; skip++ {
			if ms[mi].match(toks[j].w) {
				ok = true
				break
			}
			if !enDets[toks[j].w] {
				break
			}
			j++
		}
		if !ok {
			return -1
		}
		j++
	}
	return j
}

// enNegated reports whether the phrase starting at toks[i] is negated by a
// volitional negation before it in its clause, with only filler words
// ("going to", "want", "a") in between.
func enNegated(toks []enToken, i int) bool {
	c := toks[i].clause
	for k, n := i-1, 0; k >= 0 && toks[k].clause == c && n <= 4; k, n = k-1, n+1 {
		switch w := toks[k].w; w {
		case "not":
			return k == 0 || (toks[k-1].w != "can" && toks[k-1].w != "could")
		case "never", "don't", "dont", "won't", "wont", "didn't", "didnt", "isn't", "isnt", "aren't", "wasn't", "doesn't":
			return true
		case "no":
			if k+1 < len(toks) {
				switch toks[k+1].w {
				case "need", "intention", "plan", "plans", "longer":
					return true
				}
			}
			return false
		default:
			if !enFillers[w] && !(toks[k].w == "need" || toks[k].w == "intention" || toks[k].w == "plans" || toks[k].w == "longer") {
				return false
			}
		}
	}
	return false
}

func detectEnglish(text string) uint8 {
	toks := enTokenize(text)
	ms, idx := enCompiled()
	var found uint8
	try := func(pi, i int) {
		pat := &enPatterns[pi]
		bit := intentBit(pat.intent)
		if found&bit != 0 {
			return
		}
		end := matchAt(ms[pi], toks, i)
		if end < 0 {
			return
		}
		if pat.stop != nil && stopped(toks, end, pat.stop, pat.intent == IntentCancel) {
			return
		}
		if enNegated(toks, i) != pat.wantNeg {
			return
		}
		found |= bit
	}
	for i := range toks {
		for _, pi := range idx.exact[toks[i].w] {
			try(pi, i)
		}
		for _, p := range idx.prefix {
			if strings.HasPrefix(toks[i].w, p.p) {
				try(p.pat, i)
			}
		}
	}
	return found
}

// stopped reports whether one of the four words from toks[end] (in the
// clause of toks[end-1]) is a stop word and, when rescue is set, none is a
// subscription word.
func stopped(toks []enToken, end int, stop map[string]bool, rescue bool) bool {
	hit := false
	clause := toks[end-1].clause
	for k := end; k < len(toks) && k < end+4 && toks[k].clause == clause; k++ {
		if rescue && subjWords[toks[k].w] {
			return false
		}
		if stop[toks[k].w] {
			hit = true
		}
	}
	return hit
}

// Chinese.

// zhPattern is a phrase found by substring search.
type zhPattern struct {
	intent Intent
	phrase string
	// follow: when set, one of these must occur within the next 5 runes.
	follow []string
	// near: when set, one of these must occur within the 6 runes before or
	// the 5 runes after the phrase, in its clause ("取消订阅", "把订阅取消").
	near []string
	// stop: the match does not count when one of these occurs within the
	// next 6 runes.
	stop []string
	// wantNeg: the phrase counts only when negated ("不续费").
	wantNeg bool
	// shortNeg: a 不 right before the phrase negates it ("不太贵").
	shortNeg bool
}

var (
	zhSubj      = strings.Fields("订阅 续费 续订 会员 账号 账户 帐号 帐户 服务 套餐 合同 合作 自动续")
	zhOtherThng = strings.Fields("平台 产品 软件 工具 服务 系统 厂商 供应商 公司 品牌 方案")
	zhStopMove  = strings.Fields("年付 月付 套餐 版本 版 人工 客服 年度 月度 按年 按月 付费 免费 账号 管理员 同事 邮箱 手机 页面 设置 中文 英文 工作区 空间 文件夹 目录 部门 项目")
	// zhNegators are volitional negations: they cancel an intent phrase
	// that follows within a few runes. Inability (无法, 不能, 没法) is not
	// among them.
	zhNegators = strings.Fields("不想 不要 不会 不打算 不准备 不用 不需要 无需 不必 没打算 没想 并不想 不是要 不是 不考虑 暂不 暂时不")
)

var zhPatterns = []zhPattern{
	{intent: IntentCancel, phrase: "取消", near: zhSubj},
	{intent: IntentCancel, phrase: "注销"},
	{intent: IntentCancel, phrase: "销户"},
	{intent: IntentCancel, phrase: "退订"},
	{intent: IntentCancel, phrase: "解约"},
	{intent: IntentCancel, phrase: "关闭", near: zhSubj},
	{intent: IntentCancel, phrase: "关掉", near: zhSubj},
	{intent: IntentCancel, phrase: "停用", near: zhSubj},
	{intent: IntentCancel, phrase: "删除账号"},
	{intent: IntentCancel, phrase: "删除账户"},
	{intent: IntentCancel, phrase: "终止", near: zhSubj},
	{intent: IntentCancel, phrase: "继续", wantNeg: true},
	{intent: IntentCancel, phrase: "停止订阅"},
	{intent: IntentCancel, phrase: "停止使用"},
	{intent: IntentCancel, phrase: "不再使用"},
	{intent: IntentCancel, phrase: "续费", wantNeg: true},
	{intent: IntentCancel, phrase: "续约", wantNeg: true},
	{intent: IntentCancel, phrase: "续订", wantNeg: true},

	{intent: IntentRefund, phrase: "退款"},
	{intent: IntentRefund, phrase: "退钱"},
	{intent: IntentRefund, phrase: "退费"},
	{intent: IntentRefund, phrase: "退还"},
	{intent: IntentRefund, phrase: "返还"},
	{intent: IntentRefund, phrase: "钱退"},
	{intent: IntentRefund, phrase: "退回"},
	{intent: IntentRefund, phrase: "退给"},
	{intent: IntentRefund, phrase: "拒付"},
	{intent: IntentRefund, phrase: "退货"},

	{intent: IntentCompetitor, phrase: "竞品"},
	{intent: IntentCompetitor, phrase: "竞争对手"},
	{intent: IntentCompetitor, phrase: "友商"},
	{intent: IntentCompetitor, phrase: "别家"},
	{intent: IntentCompetitor, phrase: "其他家"},
	{intent: IntentCompetitor, phrase: "其它家"},
	{intent: IntentCompetitor, phrase: "换一家"},
	{intent: IntentCompetitor, phrase: "换家"},
	{intent: IntentCompetitor, phrase: "另一家"},
	{intent: IntentCompetitor, phrase: "另外一家"},
	{intent: IntentCompetitor, phrase: "迁过去"},
	{intent: IntentCompetitor, phrase: "转过去"},
	{intent: IntentCompetitor, phrase: "换过去"},
	{intent: IntentCompetitor, phrase: "用别的"},
	{intent: IntentCompetitor, phrase: "替代"},
	{intent: IntentCompetitor, phrase: "别的", follow: zhOtherThng},
	{intent: IntentCompetitor, phrase: "其他", follow: zhOtherThng},
	{intent: IntentCompetitor, phrase: "其它", follow: zhOtherThng},
	{intent: IntentCompetitor, phrase: "换成", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "换到", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "转到", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "迁移到", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "迁到", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "切换到", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "改用", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "转用", stop: zhStopMove},
	{intent: IntentCompetitor, phrase: "换用", stop: zhStopMove},

	{intent: IntentPrice, phrase: "太贵", shortNeg: true},
	{intent: IntentPrice, phrase: "好贵", shortNeg: true},
	{intent: IntentPrice, phrase: "很贵", shortNeg: true},
	{intent: IntentPrice, phrase: "挺贵", shortNeg: true},
	{intent: IntentPrice, phrase: "有点贵", shortNeg: true},
	{intent: IntentPrice, phrase: "比较贵", shortNeg: true},
	{intent: IntentPrice, phrase: "偏贵", shortNeg: true},
	{intent: IntentPrice, phrase: "贵了", shortNeg: true},
	{intent: IntentPrice, phrase: "价格太高", shortNeg: true},
	{intent: IntentPrice, phrase: "价格偏高", shortNeg: true},
	{intent: IntentPrice, phrase: "价格高", shortNeg: true},
	{intent: IntentPrice, phrase: "费用太高", shortNeg: true},
	{intent: IntentPrice, phrase: "收费太高", shortNeg: true},
	{intent: IntentPrice, phrase: "涨价"},
	{intent: IntentPrice, phrase: "提价"},
	{intent: IntentPrice, phrase: "价格上涨"},
	{intent: IntentPrice, phrase: "价格涨"},
	{intent: IntentPrice, phrase: "费用涨"},
	{intent: IntentPrice, phrase: "收费涨"},
	{intent: IntentPrice, phrase: "调价"},
	{intent: IntentPrice, phrase: "负担不起"},
	{intent: IntentPrice, phrase: "付不起"},
	{intent: IntentPrice, phrase: "用不起"},
	{intent: IntentPrice, phrase: "承担不起"},
	{intent: IntentPrice, phrase: "不值"},
	{intent: IntentPrice, phrase: "不划算"},
	{intent: IntentPrice, phrase: "性价比"},
	{intent: IntentPrice, phrase: "便宜"},
	{intent: IntentPrice, phrase: "打折"},
	{intent: IntentPrice, phrase: "折扣"},
	{intent: IntentPrice, phrase: "优惠"},
	{intent: IntentPrice, phrase: "降价"},
	{intent: IntentPrice, phrase: "预算"},
	{intent: IntentPrice, phrase: "费用压力"},
	{intent: IntentPrice, phrase: "成本压力"},
	{intent: IntentPrice, phrase: "成本太高", shortNeg: true},
	{intent: IntentPrice, phrase: "报价太高", shortNeg: true},
}

// clauseStart returns the byte index where the clause containing text[i]
// begins.
func clauseStart(text string, i int) int {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if isClauseBreak(r) {
			return i
		}
		i -= size
	}
	return 0
}

// runesBefore returns up to n runes of text ending at byte i, not crossing
// the start of the clause.
func runesBefore(text string, i, n int) string {
	lo := clauseStart(text, i)
	j := i
	for k := 0; k < n && j > lo; k++ {
		_, size := utf8.DecodeLastRuneInString(text[lo:j])
		j -= size
	}
	return text[j:i]
}

// runesAfter returns up to n runes of text starting at byte i, stopping at a
// clause break.
func runesAfter(text string, i, n int) string {
	j := i
	for k := 0; k < n && j < len(text); k++ {
		r, size := utf8.DecodeRuneInString(text[j:])
		if isClauseBreak(r) {
			break
		}
		j += size
	}
	return text[i:j]
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func (pat *zhPattern) negated(text string, at int) bool {
	if pat.wantNeg {
		// 不 negates, but inability (不能继续使用) is a complaint, not a decision.
		b := runesBefore(text, at, 4)
		return strings.Contains(b, "不") && !strings.Contains(b, "不能")
	}
	if pat.shortNeg {
		if before := runesBefore(text, at, 2); strings.HasSuffix(before, "不") || strings.HasSuffix(before, "不算") {
			return true
		}
	}
	return containsAny(runesBefore(text, at, 6), zhNegators)
}

func detectChinese(text string) uint8 {
	var found uint8
	for pi := range zhPatterns {
		pat := &zhPatterns[pi]
		bit := intentBit(pat.intent)
		if found&bit != 0 {
			continue
		}
		for off := 0; off < len(text); {
			k := strings.Index(text[off:], pat.phrase)
			if k < 0 {
				break
			}
			at := off + k
			end := at + len(pat.phrase)
			off = end
			if pat.follow != nil && !containsAny(runesAfter(text, end, 5), pat.follow) {
				continue
			}
			if pat.near != nil && !containsAny(runesAfter(text, end, 5), pat.near) && !containsAny(runesBefore(text, at, 6), pat.near) {
				continue
			}
			if pat.stop != nil && containsAny(runesAfter(text, end, 6), pat.stop) {
				continue
			}
			if pat.negated(text, at) != pat.wantNeg {
				continue
			}
			found |= bit
			break
		}
	}
	return found
}
