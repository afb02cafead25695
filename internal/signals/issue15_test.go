package signals

import (
	"slices"
	"testing"
)

// TestIssue15Tickets: the seven tickets of issue 15, which were read as
// neutral or positive with no intent, are read as what they say: a churn
// intent is found and none is positive.
func TestIssue15Tickets(t *testing.T) {
	tests := []struct {
		text   string
		lang   string
		script Script
		want   []Intent
	}{
		{"價格太貴了,我們想取消訂閱。", "zh", ScriptHant, []Intent{IntentCancel, IntentPrice}},
		{"我們準備換成競爭對手的產品,請幫忙註銷帳號。", "zh", ScriptHant, []Intent{IntentCancel, IntentCompetitor}},
		{"如果沒有改善,下個月我們就不續約了。", "zh", ScriptHant, []Intent{IntentCancel}},
		{"价格太贵了,我们想取消订阅。", "zh", ScriptHans, []Intent{IntentCancel, IntentPrice}},
		{"Honestly we might not renew next quarter.", "en", "", []Intent{IntentCancel}},
		{"Please downgrade us to the starter plan.", "en", "", []Intent{IntentDowngrade}},
		{"We're evaluating HubSpot as a replacement.", "en", "", []Intent{IntentCompetitor}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			rd := Read(tc.text)
			if rd.Lang != tc.lang || rd.Script != tc.script {
				t.Errorf("lang %q script %q, want %q %q", rd.Lang, rd.Script, tc.lang, tc.script)
			}
			if !slices.Equal(rd.Intents, tc.want) {
				t.Errorf("intents %v, want %v", rd.Intents, tc.want)
			}
			if rd.Sentiment > 0.05 {
				t.Errorf("sentiment %+.2f: positive", rd.Sentiment)
			}
			if s := DefaultAnalyzer().Analyze(tc.text); s.Score != rd.Sentiment || s.Lang != rd.Lang {
				t.Errorf("DefaultAnalyzer: %+v, Read: %+v", s, rd)
			}
			if got := DetectIntent(tc.text); !slices.Equal(got, rd.Intents) {
				t.Errorf("DetectIntent %v, Read %v", got, rd.Intents)
			}
		})
	}
}

// TestIntentOrder: the intents are listed sorted by their string value
// (DetectIntent's output order), downgrade among them.
func TestIntentOrder(t *testing.T) {
	if !slices.IsSorted(intentOrder[:]) || !slices.Contains(intentOrder[:], IntentDowngrade) {
		t.Errorf("intentOrder %v: want every intent, sorted", intentOrder)
	}
	if got := DetectIntent("Please cancel, it's too expensive, we're moving to Zendesk, refund the last month, or at least downgrade us to Starter."); !slices.Equal(got, intentOrder[:]) {
		t.Errorf("all five intents: %v", got)
	}
}

// TestIntentNegationsAndInnocentObjects: the negations and innocent
// objects of issue 15 are no intent.
func TestIntentNegationsAndInnocentObjects(t *testing.T) {
	for _, text := range []string{
		"我們沒有要取消", "我们没有要取消", "不用退款", "不用退費", "cancel a scheduled export job",
		"your competitor has this feature, when will you?", "Every other helpdesk has bulk edit, when will you add it?",
		"No refund needed, just fix the export please.", "We're not looking to downgrade.", "可以把使用者降級成一般成員嗎？",
		"請把離職同事的帳號註銷。", "How do I refund a shopper's order?", "The refund came through, thanks!",
		"每十分鐘就被登出一次", "We were about to look elsewhere, but the new module changed our minds.",
	} {
		if got := DetectIntent(text); got != nil {
			t.Errorf("DetectIntent(%q) = %v, want none", text, got)
		}
	}
}
