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
