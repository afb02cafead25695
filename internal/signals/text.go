package signals

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jonreiter/govader"
)

// Sentiment is the sentiment of one text.
type Sentiment struct {
	// Score is the compound score in [-1, 1]: below -0.05 negative, above
	// 0.05 positive, neutral in between (VADER's conventional thresholds).
	Score float64
	// Lang is the language the text was analysed as ("en", "zh"), "" for an
	// empty text.
	Lang string
}

// SentimentAnalyzer scores the sentiment of a text. Implementations must be
// safe for concurrent use and must not panic on any input.
type SentimentAnalyzer interface {
	// Analyze returns the sentiment of text; an empty or sentiment-free text
	// scores 0.
	Analyze(text string) Sentiment
}

// DetectLanguage returns "zh" when CJK Han characters dominate the letters of
// text, "en" otherwise, and "" for a text without any non-space character.
//
// Han characters are counted one by one and every run of other letters
// (a Latin word, a kana run) counts as one unit, so a Chinese ticket that
// names an English product ("我的API key无法使用") is still "zh" while an
// English sentence quoting a Chinese name stays "en". Text with no letters
// at all (digits, punctuation, emoji) is "en".
func DetectLanguage(text string) string {
	han, words := 0, 0
	inWord, any := false, false
	for _, r := range text {
		if !unicode.IsSpace(r) {
			any = true
		}
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			inWord = false
		case unicode.IsLetter(r):
			if !inWord {
				words++
				inWord = true
			}
		default:
			inWord = false
		}
	}
	if !any {
		return ""
	}
	if han > 0 && han >= words {
		return "zh"
	}
	return "en"
}

// router sends each text to the analyzer of its language.
type router struct {
	en english
	zh chinese
}

// DefaultAnalyzer returns the analyzer the service uses: it detects the
// language of each text (DetectLanguage) and routes Chinese, Traditional or
// Simplified, to the Chinese lexicon analyzer and everything else to
// English VADER; a greeting and a sign-off ("Hi team,", "Best regards,
// Anna", "谢谢！") are left out of the score. Then the rules of support
// tickets apply: a ticket whose churn intents say the customer is leaving,
// that asks money back for a vendor's error (refundComplaint), that holds a
// complaint cue ("third time I'm asking") or ends in sarcasm ("... wiped
// our custom fields. Great job.") scores at most LeavingTone, however
// polite its words; a flat bug report (steps, a screenshot, a quoted error
// or an HTTP status; no complaint cue, emotion word or intent) and a plain
// question ("How do I cancel a meeting invite that went to the wrong
// team?") are not negative. It is safe for concurrent use; the VADER
// lexicon and the OpenCC dictionaries are loaded once per process.
func DefaultAnalyzer() SentimentAnalyzer {
	return router{en: english{sia: vader()}, zh: newChinese()}
}

func (r router) Analyze(text string) Sentiment {
	rd := r.read(text)
	return Sentiment{Score: rd.Sentiment, Lang: rd.Lang}
}

// LeavingTone is the highest sentiment DefaultAnalyzer gives a ticket that
// expresses a leaving intent: IntentCancel, IntentCompetitor or IntentPrice,
// the intents that are bad news however they are worded ("Honestly we
// might not renew next quarter."), that holds a complaint cue
// (complaintCues) or sarcasm, or that asks money back for a vendor's error
// or an outage (refundComplaint). It is below NegativeSentiment, so such a
// ticket counts as negative. IntentDowngrade and a routine refund
// (routineRefund: the customer's own mistake, a refund already agreed) do
// not pull: fewer seats for a smaller team or a refund of a double payment
// can be asked for calmly, and the words then tell the tone.
const LeavingTone = -0.3

// Reading is how one support ticket's text is read.
type Reading struct {
	// Lang is the language the text was read as ("en", "zh"), "" for an
	// empty text (DetectLanguage).
	Lang string
	// Script is the script of a Chinese text, "" for other texts
	// (DetectScript).
	Script Script
	// Sentiment is the score of DefaultAnalyzer, in [-1, 1].
	Sentiment float64
	// Intents are the churn intents of the text (DetectIntent); nil when
	// there is none.
	Intents []Intent
}

// Read reads text as the service does: DefaultAnalyzer's sentiment,
// DetectIntent's intents, and the language and script, converting a
// Traditional text to Simplified only once.
func Read(text string) Reading {
	return router{en: english{sia: vader()}, zh: newChinese()}.read(text)
}

func (r router) read(text string) Reading {
	lang := DetectLanguage(text)
	if lang == "" {
		return Reading{}
	}
	simp, script := simplify(text)
	rd := Reading{Lang: lang, Intents: detectIntent(simp)}
	var body string // the text without its greeting and sign-off
	if lang == "zh" {
		rd.Script = script
		body = withoutCourtesy(simp)
		rd.Sentiment = r.zh.score(body)
	} else {
		body = withoutCourtesy(text)
		rd.Sentiment = r.en.Analyze(body).Score
	}
	lower := strings.ToLower(simp)
	cue := containsAny(recovered.Replace(lower), complaintCues) || stopDoing(lower) || digitsThenDays(lower) ||
		rd.Sentiment > 0 && r.sarcastic(simp, lang)
	if rd.Sentiment < 0 && !cue && len(rd.Intents) == 0 && !containsAny(lower, emotionWords) &&
		(containsAny(lower, reportMarkers) || httpStatus(lower) || plainQuestion(strings.ToLower(body), lang)) {
		rd.Sentiment = 0 // a flat bug report, with evidence, or a plain question
	}
	if rd.Sentiment > LeavingTone && (cue || leaving(rd.Intents) || refundComplaint(lower, rd.Intents)) {
		rd.Sentiment = LeavingTone
	}
	return rd
}

// refundComplaint reports whether intents hold IntentRefund and the text
// (lower-cased, Chinese in Simplified) does not say that the refund is
// routine (routineRefund): money asked back for a vendor's billing error or
// an outage is bad news however politely it is asked ("The charge went
// through twice on my card. I need one of them reversed.").
func refundComplaint(lower string, intents []Intent) bool {
	for _, in := range intents {
		if in == IntentRefund {
			return !containsAny(lower, routineRefund)
		}
	}
	return false
}

// routineRefund are the words of a calm refund request: undoing the
// customer's own mistake or change ("we bought the annual plan by
// mistake", "the seats we removed mid-cycle"), or following up on a refund
// already agreed ("the refund you approved last week").
var routineRefund = phrases(`
多付 多缴 多交 重复付
mistake accident mistakenly by_error instead_of overpaid we_paid paid_the_same follow_up following_up followup approved agreed confirmation
any_update processed check_on checking mid-cycle mid_cycle prorat we_removed we_reduced we_added
不小心 误买 误操作 买错 买成 多加了 批下来 批准 核准 进度 处理了没 确认一下 退款通知 付了两次 月中 按比例
`)

// stopDoing reports whether the lower-cased text asks to stop doing
// something ("please stop closing my tickets"): a complaint, unlike "please
// stop the weekly digest" or "how do we stop syncing their records?".
func stopDoing(lower string) bool {
	for off := 0; ; {
		k := strings.Index(lower[off:], "please stop ")
		if k < 0 {
			return false
		}
		off += k + len("please stop ")
		w, _, _ := strings.Cut(lower[off:], " ")
		w = strings.TrimRight(w, ".,!?;:")
		if len(w) > 4 && strings.HasSuffix(w, "ing") && w != "billing" && w != "charging" && w != "everything" && w != "nothing" && w != "something" {
			return true
		}
	}
}

// digitsThenDays reports whether the text counts the days or weeks
// something has taken in digits ("工单都提了 4 天了").
func digitsThenDays(lower string) bool {
	for _, unit := range []string{"天了", "周了", "个星期了", "个礼拜了"} {
		for off := 0; ; {
			k := strings.Index(lower[off:], unit)
			if k < 0 {
				break
			}
			before := strings.TrimRight(lower[:off+k], " ")
			if before != "" && isDigit(before[len(before)-1]) {
				return true
			}
			off += k + len(unit)
		}
	}
	return false
}

// sarcasmTails are short sentences of praise that, after a complaint, are
// sarcasm ("Your last update wiped our custom fields. Great job.").
var sarcasmTails = phrases(`
great_job good_job nice_job well_done great_work nice_work good_work awesome fantastic brilliant wonderful just_great perfect amazing
bravo kudos thanks_a_lot thanks_for_nothing lovely nice great 真棒 真是太棒了 太棒了 干得好 好样的 厉害了 真厉害 真行 好极了 太好了 谢谢你们哦
`)

// sarcastic reports whether text (Chinese in Simplified) ends with a
// short sentence of praise (sarcasmTails) after sentences that read as
// negative.
func (r router) sarcastic(text, lang string) bool {
	t := strings.TrimRight(strings.TrimSpace(text), ".!。！ ")
	k := strings.LastIndexAny(t, ".!?。！？")
	if k < 0 {
		return false
	}
	tail := strings.ToLower(strings.TrimSpace(t[k+1:]))
	if k := strings.IndexAny(tail, ",，"); k >= 0 && k+1 < len(tail) {
		return false
	}
	tail = strings.TrimRight(tail, ",， ")
	if !slices.Contains(sarcasmTails, tail) {
		return false
	}
	if lang == "zh" {
		return r.zh.score(t[:k]) < NegativeSentiment
	}
	return r.en.Analyze(t[:k]).Score < NegativeSentiment
}

// recovered removes the phrases in which "again" is good news ("everything
// works again!") before the complaint cues are looked for.
var recovered = strings.NewReplacer("works again", "", "working again", "", "work again", "", "fine again", "", "normal again", "",
	"running again", "", "back up again", "", "up again", "")

// complaintCues are phrases of frustration that a word lexicon does not
// see ("third time I'm asking", "still no fix", "到现在都没人回"): a ticket
// holding one scores at most LeavingTone, as a leaving ticket does. They
// are matched in the lower-cased text, Chinese in Simplified.
var complaintCues = phrases(`
third_time fourth_time fifth_time 3rd_time again? again! yet_again still_no_ still_not still_waiting still_broken still_hasn't
still_haven't still_doesn't still_isn't how_hard tired_of fed_up sick_of takes_days for_weeks used_to_be every_single no_one_has
nobody_has no_response no_reply no_answer haven't_heard waste_of_time what_is_going_on what's_going_on keep_having keeps_happening
times_now three_times multiple_times several_times many_times again_and_again over_and_over repeatedly copy-paste copy_paste canned_response
without_fixing without_resolving without_solving without_a_fix without_an_answer without_a_reply without_a_response without_warning
without_notice without_explanation without_asking without_telling no_explanation nobody_told no_one_told not_ok not_okay not_acceptable
not_good_enough on_hold_for just_to_be_told why_does_it_take why_is_it_so why_do_i_have_to why_do_we_have_to why_did_you take_a_week
takes_a_week took_a_week a_week_to_get days_to_get weeks_to_get step_backwards step_backward a_step_back keep_coming keeps_coming
still_being still_getting still_charg still_bill charged_twice billed_twice charged_us_twice billed_us_twice charged_me_twice
went_through_twice double_charged double-charged charged_double in_a_row still_says still_shows still_pending still_open
still_unresolved harder_to still_wait wait_days waited_days wait_weeks waiting_days all_week all_day whole_day entire_day for_hours
anyone_there anybody_there is_anyone ?? ？？ 一整个 一整周 整整 second_time second_outage another_outage twice_this_week
sits_there sit_there 又宕机
第三次 第四次 第五次 又来 又一次 还是没 还没修 还没好 到现在都没 到现在都还 到现在还 没人回 没人理 追着 追著 好几天 受够 白白 一个月了 两个星期了
这么难 怎么回事 到底 一再 屡次 三番两次 说了好几次 讲了好几次 问了好几次
三次了 好几次了 两次了 每次都 每次回复 复制粘贴 这算什么 算什么 全没了 都没了 白做 白费 越改越 什么都没解决 没解决就 答非所问
说好的 答应的 又扣 又刷 扣了两次 刷了两次 等了一 等了两 等了三 等了几 等了好 等一个 等一周 要等一个 要等好几
两天了 三天了 四天了 五天了 六天了 七天了 十天了 几天了 多天了 一周了 两周了 三周了 几周了 一个星期了 三个星期了 一个礼拜了 两个礼拜了
`)

// reportMarkers say that a ticket reports a bug with evidence (steps, a
// screenshot, logs, the error message quoted, an HTTP status: httpStatus).
// Such a ticket without complaint cues, emotion words (emotionWords) and
// churn intent is a flat report, not an unhappy one, whatever the words of
// the bug ("error", "crashes", "报错"), and its negative score is set to 0.
var reportMarkers = phrases(`
screenshot screen_recording attached steps_to to_reproduce repro_steps steps_attached logs_attached har_file steps: repro: stack_trace
with_" says_" shows_" error_" message_" with_“ says_“ shows_“ error_“ message_“
截图 截屏 附上 附件 步骤 复现 重现 日志 录屏 附图 提示“ 提示" 提示「 出现“ 出现「 显示“ 显示「 报“ 报「
`)

// emotionWords are words of frustration or anger: a ticket holding one is
// not a flat report, whatever its evidence.
var emotionWords = phrases(`
annoying annoyed frustrat ridiculous unacceptable terrible awful horrible disappoint angry furious useless worst hate sucks pathetic
nightmare disaster absurd insane crazy joke
烦 失望 生气 离谱 无语 受不了 垃圾 太差 差劲 恶心 气死 火大 不爽 坑 骗 无奈 抓狂 服了
`)

// httpStatus reports whether the lower-cased text quotes an HTTP error
// status: a 4xx or 5xx number with "error" after it or "returns", "got",
// "返回", "回传", "报" before it ("a 403 error", "返回 429").
func httpStatus(lower string) bool {
	for i := 0; i+3 <= len(lower); i++ {
		if c := lower[i]; c != '4' && c != '5' || !isDigit(lower[i+1]) || !isDigit(lower[i+2]) ||
			i > 0 && (isDigit(lower[i-1]) || lower[i-1] == '$' || lower[i-1] == '.' || lower[i-1] == ',') ||
			i+3 < len(lower) && (isDigit(lower[i+3]) || lower[i+3] == '%') {
			continue
		}
		after := strings.TrimLeft(lower[i+3:], " ")
		before := strings.TrimRight(lower[max(0, i-12):i], " ")
		if strings.HasPrefix(after, "error") || strings.HasPrefix(after, "错误") ||
			strings.HasSuffix(before, "return") || strings.HasSuffix(before, "returns") || strings.HasSuffix(before, "returned") ||
			strings.HasSuffix(before, " a") && strings.Contains(lower[max(0, i-24):i], "return") ||
			strings.HasSuffix(before, "返回") || strings.HasSuffix(before, "回传") || strings.HasSuffix(before, "报") || strings.HasSuffix(before, "回") {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// questionOpeners begin the sentences of a plain English question: how to
// do something, whether something exists or is possible. "why" is not
// among them: "Why does every update break something?" complains.
var questionOpeners = strings.Fields("how where what what's which when is are can could do does will would should may any has have")

// zhComplaintQuestions mark a Chinese question that complains ("为什么又
// 报错？").
var zhComplaintQuestions = strings.Fields("为什么 为何 凭什么 怎么又 难道 到底 怎么回事 怎么还 还要多久 要等多久 有没有人")

// plainQuestion reports whether the lower-cased text is only questions:
// in English, each sentence ends with '?' and begins with a
// questionOpeners word ("how do i cancel a meeting invite that went to the
// wrong team?"); in Chinese, the text ends with a question mark, holds no
// other sentence end and does not complain (zhComplaintQuestions: "报表页
// 加载比较慢，这正常吗？"). The words of the thing asked about ("wrong",
// "error", "慢") are not the customer's tone.
func plainQuestion(lower, lang string) bool {
	lower = strings.TrimSpace(lower)
	if lang == "zh" {
		q := strings.TrimRight(lower, "？? ")
		return q != lower && !strings.ContainsAny(q, "。！!？?") && !containsAny(q, zhComplaintQuestions)
	}
	if !strings.HasSuffix(lower, "?") {
		return false
	}
	for s := range strings.SplitSeq(lower[:len(lower)-1], "?") {
		if k := strings.LastIndexByte(s, ':'); k >= 0 {
			s = s[k+1:] // "for our vendor risk form: what happens to ..."
		}
		s = strings.TrimSpace(s)
		if strings.ContainsAny(s, "!") || strings.Contains(s, ". ") {
			return false // a statement before the question
		}
		first, _, _ := strings.Cut(s, " ")
		if !slices.Contains(questionOpeners, first) {
			return false
		}
	}
	return true
}

// phrases splits s at white space and turns each '_' into a space.
func phrases(s string) []string {
	out := strings.Fields(s)
	for i, p := range out {
		out[i] = strings.ReplaceAll(p, "_", " ")
	}
	return out
}

// leaving reports whether intents holds an intent that pulls the tone down
// (see LeavingTone).
func leaving(intents []Intent) bool {
	for _, in := range intents {
		switch in {
		case IntentCancel, IntentCompetitor, IntentPrice:
			return true
		}
	}
	return false
}

// vader is the process-wide govader analyzer, with its lexicon adapted to
// support tickets (enSupportValence): building it parses the whole lexicon,
// and PolarityScores only reads it, so one instance is shared.
var vader = sync.OnceValue(func() *govader.SentimentIntensityAnalyzer {
	sia := govader.NewSentimentIntensityAnalyzer()
	for _, f := range strings.Fields(enSupportValence) {
		w, v, _ := strings.Cut(f, ":")
		sia.Lexicon[w] = parseFloat(v)
	}
	return sia
})

// enSupportValence adapts VADER's general-purpose lexicon to support
// tickets, "word:valence" separated by spaces (valence 0 removes a word's
// sentiment). Words that in a ticket name a topic or are politeness carry
// no tone: "cancel" (whether a ticket is about leaving is the churn
// intents' business, see LeavingTone; "cancel the export job" is not bad
// news), "credit" (card), "support", "please", "kindly", "honestly",
// "like" ("we'd like to"), "value", "free" (plan), "clear" (cache),
// "promised", "drop" and "cut" (seats). Complaint words of support tickets
// that VADER lacks are added ("unusable", "outage").
const enSupportValence = `
accident:0 accidentally:0 mistake:0 mistakes:-0.8 cancel:0 cancels:0 cancelled:0 canceled:0 cancelling:0 canceling:0 cancellation:0 credit:0 support:0 supported:0
please:0 kindly:0 honestly:0 like:0 value:0 free:0 clear:0 promise:0 promised:0 drop:0 cut:0 cuts:0 stop:0 lower:0 no:0 pay:0 joke:-1.5
backwards:-1.5 backward:-1.5 half-baked:-1.5 outdated:-1.2 break:-1.5 breaks:-1.5 chargeback:-1.5 unusable:-2.5 outage:-1.8 downtime:-1.5 buggy:-2.0 overcharged:-2.0 wiped:-1.5 laggy:-1.5 nobody:-0.8
`

type english struct {
	sia *govader.SentimentIntensityAnalyzer
}

// NewEnglishAnalyzer returns an analyzer scoring text with VADER
// (github.com/jonreiter/govader), its lexicon adapted to support tickets
// (enSupportValence), and reporting its compound score. The lexicon is
// loaded on the first call and shared by all analyzers.
func NewEnglishAnalyzer() SentimentAnalyzer {
	return english{sia: vader()}
}

func (e english) Analyze(text string) Sentiment {
	// govader splits words on ' ' only: fold other white space so that
	// "bad\nservice" is two words.
	if strings.ContainsAny(text, "\n\r\t\v\f") {
		text = strings.Join(strings.Fields(text), " ")
	}
	if strings.TrimSpace(text) == "" {
		return Sentiment{}
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	s := e.sia.PolarityScores(splitShortWords(text)).Compound
	if math.IsNaN(s) {
		s = 0
	}
	return Sentiment{Score: s, Lang: "en"}
}

// courtesyOpen and courtesyClose are the greetings that open a ticket
// ("Dear support,", "Hi team,") and the sign-offs that close it ("Thanks,
// Kim", "Best regards, Anna", "谢谢！"), lower-cased: their words ("dear",
// "best", "kind", "thanks") are politeness, not the customer's tone.
var (
	courtesyOpen  = strings.Fields("dear hi hello hey greetings 您好 你好 你们好 哈啰 哈喽")
	courtesyClose = strings.Fields("thanks thank thx cheers regards best kind warm many sincerely br 谢谢 感谢 多谢 先谢谢 辛苦了 辛苦 麻烦了 唔该 祝好 顺颂")
)

// withoutCourtesy returns text without an opening greeting of at most
// four words before its first comma or line break, and without closing
// sign-off sentences or clauses of at most five words (see courtesyOpen).
// A text that is only courtesy is returned as it is ("Thanks!").
func withoutCourtesy(text string) string {
	t := strings.TrimSpace(text)
	if k := strings.IndexAny(t, ",，\n"); k > 0 && courtesyWords(t[:k], courtesyOpen, 4) {
		if rest := strings.TrimSpace(strings.TrimLeft(t[k:], ",，\n")); rest != "" {
			t = rest
		}
	}
	for range 2 {
		body := strings.TrimRight(t, " .!！。~～")
		k := strings.LastIndexAny(body, ".!?。！？\n,，")
		if k <= 0 {
			break
		}
		_, size := utf8.DecodeRuneInString(body[k:])
		if !courtesyWords(body[k+size:], courtesyClose, 5) {
			break
		}
		t = body[:k+size]
	}
	return t
}

// courtesyWords reports whether s is a phrase of at most n words (a Chinese
// phrase counts as one) that begins with one of words.
func courtesyWords(s string, words []string, n int) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(strings.Fields(s)) > n || utf8.RuneCountInString(s) > 40 {
		return false
	}
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// splitShortWords puts a space between a word of one or two letters and
// the punctuation right after it ("not OK." -> "not OK ."): govader, as
// VADER, strips the punctuation around a word only when three letters or
// more remain, so "OK." and "no," would not be found in the lexicon.
func splitShortWords(text string) string {
	var b strings.Builder
	last, run := 0, 0 // run: letters of the current word
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c|0x20 >= 'a' && c|0x20 <= 'z' {
			run++
			continue
		}
		switch c {
		case '.', ',', '!', '?', ';', ':':
			if run >= 1 && run <= 2 && (i-run == 0 || text[i-run-1] == ' ') {
				if b.Len() == 0 {
					b.Grow(len(text) + 8)
				}
				b.WriteString(text[last:i])
				b.WriteByte(' ')
				last = i
			}
		}
		run = 0
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// Chinese lexicon analyzer.
//
// The text is lower-cased and cut into clauses at punctuation; each clause is
// segmented by forward maximum matching against one dictionary that holds
// sentiment words and phrases (with a VADER-scale valence, roughly -4..4),
// negators, intensifiers/diminishers, contrast words ("但是") and neutral
// words that only exist to stop a shorter sentiment word matching inside
// them ("好像", "信用卡", "专业版"). A sentiment word takes the modifiers
// found in the (at most three) tokens before it in its clause: each negator
// flips and damps it (x -0.74, as VADER), intensifiers multiply it (an
// intensifier right after a negator, "不太好", softens it to x 0.8 instead). Words before the
// first contrast word count half, words after it 1.5 times. The sum, with
// VADER's exclamation/question-mark emphasis, is squashed into [-1, 1] by
// x / sqrt(x^2 + 15), VADER's normalisation.

type zhKind uint8

const (
	zhNeutral zhKind = iota
	zhWord
	zhNegator
	zhBooster
	zhContrast
)

type zhEntry struct {
	kind zhKind
	v    float64 // valence of a word, factor of a booster
	// flags
	boostBefore bool // "好": an intensifier when a sentiment word follows ("好慢")
	// politeStart: "麻烦" is politeness, not a complaint, at the start of a
	// clause ("麻烦确认一下") and before a request inside one ("席位麻烦调到
	// 8 个"), unless an intensifier or a negator stands before it ("太麻烦")
	// or it ends its clause ("操作起来很麻烦").
	politeStart bool
}

// zhWords are the sentiment words and phrases, "word:valence" separated by
// spaces. Negated forms that mean something of their own ("不错", "不好用",
// "没问题") are entries too: maximum matching prefers them.
const zhWords = `
好:1.9 好的:0.5 还好:0.6 挺好:2.0 不错:1.9 还行:0.8 还可以:1.0 棒:2.5 赞:2.0 点赞:2.0 好用:2.0 易用:1.8
方便:1.6 便捷:1.6 实用:1.5 满意:2.0 感谢:1.5 谢谢:1.2 多谢:1.5 感激:2.0 辛苦了:1.0 喜欢:2.0 爱:2.2
稳定:1.3 流畅:1.6 顺利:1.5 顺畅:1.5 成功:1.3 解决:1.0 已解决:1.5 完美:3.0 优秀:2.5 出色:2.5 给力:2.2
靠谱:1.8 高效:1.8 省心:1.8 省时:1.2 强大:1.8 贴心:2.0 周到:1.8 友好:1.8 热情:1.5 耐心:1.5 专业:1.2
及时:1.2 清爽:1.2 简洁:1.2 漂亮:1.8 美观:1.5 开心:2.2 高兴:2.2 惊喜:2.3 推荐:1.5 值得:1.5 划算:1.5
速度快:1.5 快:0.8 好评:2.2 没问题:0.8 放心:1.5 认可:1.5 期待:1.0 有帮助:1.6 帮了大忙:2.5 到位:1.5
差:-2.0 很差:-2.5 烂:-2.5 垃圾:-3.0 糟糕:-2.5 糟:-2.0 失望:-2.5 不满:-2.0 不满意:-2.2 生气:-2.3
愤怒:-3.0 气死:-3.0 恼火:-2.5 恶心:-2.5 坑:-2.0 坑人:-2.5 坑爹:-2.5 骗:-2.5 被骗:-2.8 欺骗:-2.8
忽悠:-2.2 崩溃:-2.5 崩了:-2.5 闪退:-2.0 宕机:-2.2 卡:-1.0 卡顿:-1.5 卡住:-1.5 卡死:-2.0 慢:-1.5
错误:-1.5 出错:-1.8 报错:-1.8 不对:-1.5 失败:-1.5 bug:-1.5 故障:-1.8 异常:-1.2 有问题:-1.0 出问题:-1.5
难用:-2.2 不好用:-2.2 难受:-1.8 麻烦:-1.2 找不到:-1.2 用不了:-2.0 打不开:-1.8 登不上:-1.8 进不去:-1.8
登录不了:-2.0 无法使用:-2.0 无法登录:-2.0 不能用:-2.0 没法用:-2.0 不出来:-1.2 开不出来:-1.5 没用:-1.8
没什么用:-1.8 没有用:-1.8 无用:-1.8 浪费:-2.0 不值:-1.8 贵:-1.2 被扣:-1.5 乱扣:-2.5 多扣:-2.0
重复扣:-2.0 着急:-1.2 急:-1.0 担心:-1.2 投诉:-2.2 不回复:-1.8 没回复:-1.5 没人回复:-2.0 没人管:-2.2
不理:-1.8 敷衍:-2.2 推诿:-2.2 要求退款:-1.5 我要退款:-1.5 退钱:-1.5 不如:-1.2 还不如:-1.8
影响:-0.8 严重:-1.8 头疼:-1.8 莫名其妙:-2.0 离谱:-2.5 无语:-2.2 无奈:-1.8 遗憾:-1.5 困扰:-1.5
复杂:-1.0 困难:-1.2 难:-1.2 丢失:-2.0 丢了:-1.8 不见了:-1.8 不稳定:-1.8 不靠谱:-2.2 差劲:-2.5 太差:-2.8
后悔:-2.3 上当:-2.5 骗子:-3.0 不专业:-2.0 不合理:-1.8 不公平:-2.0 过分:-2.2 受不了:-2.5 等了好久:-1.8
好久:-0.8 拖:-1.2 延迟:-1.0 混乱:-1.8 乱:-1.2 不清楚:-0.8 不满足:-1.2 不行:-1.8 退步:-1.8 倒退:-1.8
当机:-2.2 停工:-2.0 害我们:-1.5 害得:-1.5 厉害:1.5 夸张:-2.0 没人接:-2.0 收不到:-1.5 错过:-1.5 烦:-2.0 烦人:-2.2
没动静:-1.8 到现在都还没:-1.2 到现在还没:-1.2 弄坏:-2.0 搞坏:-2.0 搞挂:-2.0 坏了:-1.8 坏的:-1.5 算错:-1.8 没人回:-2.0
不像话:-2.5 抓狂:-2.5 疯了:-2.2 踢出:-1.2 绕:-1.0 锁在外面:-1.5 还在扣:-2.0 扣钱:-1.2 服了:-2.0 受够:-2.5
拒付:-1.5 找银行:-1.2 乱掉:-1.8 乱七八糟:-2.2 唔得:-1.5 顶唔顺:-2.0 冇人理:-2.2 冇人:-1.0 太扯:-2.0
还在收费:-1.8 还在收钱:-1.8 还在计费:-1.8 嬲:-2.5 唔到:-1.0 做唔到:-1.2 搞到:-0.8 傻眼:-2.0 无言:-2.0 火大:-2.5 不爽:-2.2 超烦:-2.5 很烦:-2.2 讲不听:-2.0 白花钱:-2.0 冤枉钱:-2.0
缺少:-1.0 缺数据:-1.5 缺资料:-1.5 答非所问:-2.0 累:-1.2 尴尬:-1.5 过时:-1.2 干等:-1.5 挂了:-1.5 半生不熟:-1.5 半调子:-1.5 没人用:-1.5 没人在用:-1.5 登不进去:-1.8 登不进:-1.8 复制粘贴:-1.2
`

// zhModifiers are negators (N), intensifiers and diminishers (B=factor),
// contrast words (C) and neutral blockers (0).
const zhModifiers = `
不:N 没:N 没有:N 别:N 无法:N 不能:N 未:N 并不:N 从不:N 毫不:N 不是:N 不够:N 从来没:N 不怎么:N 没怎么:N 无:N 并没有:N 绝不:N
很:B1.25 非常:B1.5 太:B1.5 特别:B1.4 极:B1.6 极其:B1.6 十分:B1.4 相当:B1.3 超:B1.4 超级:B1.5 真:B1.2 真的:B1.2
实在:B1.3 完全:B1.4 根本:B1.3 一直:B1.2 总是:B1.2 经常:B1.2 老是:B1.3 又:B1.15 挺:B1.15 比较:B1.05 更:B1.2
最:B1.4 越来越:B1.3 好多次:B1.2 这么:B1.2 那么:B1.2 如此:B1.3 有点:B0.7 有些:B0.7 稍微:B0.7 略:B0.7 有一点:B0.7
但是:C 但:C 不过:C 可是:C 然而:C
好像:0 好几:0 好多:0 只好:0 正好:0 刚好:0 最好:0 好不好:0 好了:0 说好:0 讲好:0 讲好的:0 好处:0 友好度:0 没错:0
信用卡:0 银行卡:0 会员卡:0 卡号:0 卡片:0 储值卡:0 慢慢:0 尽快:0 赶快:0 快点:0 快递:0 快捷键:0 加快:0
专业版:0 企业版:0 基础版:0 高级版:0 标准版:0 旗舰版:0 不但:0 不仅:0 不断:0 不用:0 差不多:0 差价:0 差额:0
难道:0 不知道:0 无论:0 无需:0 无限:0 没关系:0 解决方案:0 麻烦您:0 麻烦你:0 麻烦帮:0 爱好:0
差别:0 差异:0 相差:0 出差:0 时差:0 唔该:0 唔好意思:0 好似:0 卡上:0 卡里:0 张卡:0 刷卡:0 累计:0 累积:0 积累:0
唔:N 冇:N 成日:B1.2 真系:B1.2 好鬼:B1.5
`

var zhDict = sync.OnceValue(func() map[string]zhEntry {
	d := make(map[string]zhEntry, 512)
	for _, f := range strings.Fields(zhWords) {
		w, v, _ := strings.Cut(f, ":")
		d[w] = zhEntry{kind: zhWord, v: parseFloat(v)}
	}
	for _, f := range strings.Fields(zhModifiers) {
		w, m, _ := strings.Cut(f, ":")
		switch m[0] {
		case 'N':
			d[w] = zhEntry{kind: zhNegator}
		case 'B':
			d[w] = zhEntry{kind: zhBooster, v: parseFloat(m[1:])}
		case 'C':
			d[w] = zhEntry{kind: zhContrast}
		default:
			d[w] = zhEntry{kind: zhNeutral}
		}
	}
	e := d["好"]
	e.boostBefore = true
	d["好"] = e
	e = d["麻烦"]
	e.politeStart = true
	d["麻烦"] = e

	return d
})

// zhMaxRunes is the longest dictionary entry, in runes.
var zhMaxRunes = sync.OnceValue(func() int {
	n := 0
	for w := range zhDict() {
		n = max(n, utf8.RuneCountInString(w))
	}
	return n
})

// parseFloat parses the compile-time constants above; they are well formed
// (a test checks that every entry parses to a non-zero value).
func parseFloat(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

type chinese struct {
	dict    map[string]zhEntry
	maxRune int
}

// NewChineseAnalyzer returns a lexicon-based analyzer for Chinese support
// text, Simplified or Traditional (converted first, see simplify); see the
// comment above zhKind for the method. It never fails; text without any
// sentiment word scores 0. Safe for concurrent use.
func NewChineseAnalyzer() SentimentAnalyzer {
	return newChinese()
}

func newChinese() chinese {
	return chinese{dict: zhDict(), maxRune: zhMaxRunes()}
}

// zhToken is one matched dictionary entry.
type zhToken struct {
	e     zhEntry
	start bool // first token of its clause
}

func isClauseBreak(r rune) bool {
	switch r {
	case '，', '。', '！', '？', '；', '：', ',', '.', '!', '?', ';', ':', '\n', '\r', '~', '～', '…', '、':
		return true
	}
	return false
}

// politeAt reports whether the politeStart word clause[i] is politeness
// there (see zhEntry.politeStart).
func politeAt(clause []zhToken, i int) bool {
	if clause[i].start {
		return true
	}
	if i+1 >= len(clause) {
		return false
	}
	p := clause[i-1].e
	return p.kind != zhBooster && p.kind != zhNegator && !p.boostBefore
}

func (c chinese) Analyze(text string) Sentiment {
	if strings.TrimSpace(text) == "" {
		return Sentiment{}
	}
	simp, _ := simplify(text)
	return Sentiment{Score: c.score(simp), Lang: "zh"}
}

// score is the sentiment of a text in Simplified Chinese.
func (c chinese) score(text string) float64 {
	if strings.TrimSpace(text) == "" {
		return 0
	}
	text = strings.ToLower(text)
	var (
		sum, after float64
		contrast   bool
		excl, qm   int
		buf        [32]zhToken
	)
	clause := buf[:0]
	flush := func() {
		for i, t := range clause {
			if t.e.kind == zhContrast && !contrast {
				contrast = true
				continue
			}
			if t.e.kind != zhWord || (t.e.politeStart && politeAt(clause, i)) {
				continue
			}
			if t.e.boostBefore && i+1 < len(clause) && clause[i+1].e.kind == zhWord {
				continue // "好慢": an intensifier, applied below
			}
			v := t.e.v
			for j := i - 1; j >= 0 && j >= i-3; j-- {
				m := clause[j].e
				if m.kind == zhWord && !(m.boostBefore && j == i-1) {
					break
				}
				switch {
				case m.kind == zhNegator:
					v *= -0.74
				case m.kind == zhBooster && j > 0 && clause[j-1].e.kind == zhNegator:
					v *= 0.8 // "不太好": not very good, milder than 不好
				case m.kind == zhBooster:
					v *= m.v
				case m.boostBefore:
					v *= 1.3
				}
			}
			if contrast {
				after += v
			} else {
				sum += v
			}
		}
		clause = clause[:0]
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '!' || r == '！':
			excl++
		case r == '?' || r == '？':
			qm++
		}
		if isClauseBreak(r) {
			flush()
			i += size
			continue
		}
		// Longest dictionary match starting at i.
		best, bestEnd := zhEntry{}, -1
		end := i
		for n := 1; n <= c.maxRune && end < len(text); n++ {
			_, s := utf8.DecodeRuneInString(text[end:])
			end += s
			if e, ok := c.dict[text[i:end]]; ok {
				best, bestEnd = e, end
			}
		}
		if bestEnd < 0 {
			i += size
			if !unicode.IsSpace(r) {
				// An unknown rune still takes a slot: it separates a
				// modifier from a word further away.
				clause = append(clause, zhToken{start: len(clause) == 0})
			}
			continue
		}
		clause = append(clause, zhToken{e: best, start: len(clause) == 0})
		i = bestEnd
	}
	flush()
	if contrast {
		sum = sum*0.5 + after*1.5
	}
	if sum != 0 {
		emph := float64(min(excl, 4)) * 0.292
		if qm > 1 {
			emph += min(float64(qm)*0.18, 0.96)
		}
		if sum > 0 {
			sum += emph
		} else {
			sum -= emph
		}
	}
	return sum / math.Sqrt(sum*sum+15)
}
