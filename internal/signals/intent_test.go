package signals

import (
	"slices"
	"strings"
	"testing"
)

func TestDetectIntentCases(t *testing.T) {
	tests := []struct {
		text string
		want []Intent
	}{
		{"", nil},
		{"How do I add a user?", nil},
		{"I want to cancel my subscription", []Intent{IntentCancel}},
		{"I am NOT cancelling, just asking", nil},
		{"I'm not going to cancel", nil},
		{"no need to cancel", nil},
		{"I can't cancel my account!", []Intent{IntentCancel}},
		{"we don't want to renew", []Intent{IntentCancel}},
		{"please renew our plan", nil},
		{"cancel the export job", nil},
		{"cancel my subscription and the export job", []Intent{IntentCancel}},
		{"Refund me now. We're moving to a competitor, it's too expensive",
			[]Intent{IntentCancel, IntentCompetitor, IntentPrice, IntentRefund}[1:]},
		{"refund refund REFUND", []Intent{IntentRefund}},
		{"I don't want a refund", nil},
		{"switch to the yearly plan", nil},
		{"switch to another vendor", []Intent{IntentCompetitor}},
		{"it is not expensive", nil},
		{"not worth the money", []Intent{IntentPrice}},
		{"worth every cent", nil},
		{"unsubscribe me from the newsletter", nil},
		{"取消订阅", []Intent{IntentCancel}},
		{"不想取消订阅", nil},
		{"无法取消订阅", []Intent{IntentCancel}},
		{"取消导出任务", nil},
		{"不再续费", []Intent{IntentCancel}},
		{"请续费", nil},
		{"不太贵", nil},
		{"太贵", []Intent{IntentPrice}},
		{"不需要退款", nil},
		{"还没退款", []Intent{IntentRefund}},
		{"转到人工客服", nil},
		{"转到别家", []Intent{IntentCompetitor}},
		{"太贵了，退款，我们换成别家", []Intent{IntentCompetitor, IntentPrice, IntentRefund}},
		{"Cancel 订阅 please, 太贵", []Intent{IntentCancel, IntentPrice}},
	}
	for _, tc := range tests {
		if got := DetectIntent(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("DetectIntent(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestIntentPrecisionRecall measures micro-averaged precision and recall of
// DetectIntent per language on the labelled tickets in testdata/intent.tsv.
func TestIntentPrecisionRecall(t *testing.T) {
	tests := []struct {
		path string
		// floors of precision and recall per language
		floors map[string][2]float64
	}{
		{"testdata/intent.tsv", map[string][2]float64{"en": {0.95, 0.95}, "zh": {0.95, 0.95}}},
		{"testdata/intent_dev2.tsv", map[string][2]float64{"en": {0.90, 0.90}, "zh": {0.95, 0.95}}},
		{"testdata/intent_holdout.tsv", map[string][2]float64{"en": {0.95, 0.70}, "zh": {0.95, 0.85}}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) { intentPrecisionRecall(t, tc.path, tc.floors) })
	}
}

func intentPrecisionRecall(t *testing.T, path string, floors map[string][2]float64) {
	rows := readLabelled(t, path)
	type counts struct{ tp, fp, fn, rows int }
	byLang := map[string]*counts{"en": {}, "zh": {}}
	for _, r := range rows {
		want := map[Intent]bool{}
		if r.label != "-" {
			for _, l := range strings.Split(r.label, ",") {
				in := Intent(l)
				if intentBit(in) == 0 {
					t.Fatalf("%s:%d: unknown intent %q", path, r.line, l)
				}
				want[in] = true
			}
		}
		c := byLang[DetectLanguage(r.text)]
		c.rows++
		got := DetectIntent(r.text)
		for _, in := range got {
			if want[in] {
				c.tp++
				delete(want, in)
			} else {
				c.fp++
				t.Logf("%s:%d: false %s: %s", path, r.line, in, r.text)
			}
		}
		for in := range want {
			c.fn++
			t.Logf("%s:%d: missed %s: %s", path, r.line, in, r.text)
		}
	}
	for lang, c := range byLang {
		if c.rows < 12 {
			t.Fatalf("%s: only %d labelled rows", lang, c.rows)
		}
		p := float64(c.tp) / float64(c.tp+c.fp)
		rec := float64(c.tp) / float64(c.tp+c.fn)
		t.Logf("%s: %d rows, precision %d/%d = %.3f, recall %d/%d = %.3f", lang, c.rows, c.tp, c.tp+c.fp, p, c.tp, c.tp+c.fn, rec)
		if f := floors[lang]; p < f[0] || rec < f[1] {
			t.Errorf("%s: precision %.3f / recall %.3f below floor %.2f / %.2f", lang, p, rec, f[0], f[1])
		}
	}
}

func FuzzDetectIntent(f *testing.F) {
	for _, s := range []string{"", "cancel", "I'm not cancelling", "不想取消订阅", "’", "'''", "\xff", "取消", "no", "not"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DetectIntent(s)
		if got != nil && len(got) == 0 {
			t.Fatal("empty non-nil result")
		}
		for i := 1; i < len(got); i++ {
			if got[i-1] >= got[i] {
				t.Fatalf("DetectIntent(%q) = %v: not sorted and unique", s, got)
			}
		}
	})
}

func BenchmarkDetectIntent(b *testing.B) {
	texts := []string{
		"The export keeps failing and support never answers. I want to cancel and get a refund.",
		"导出一直失败，客服也不回复，太贵了，我们考虑取消订阅。",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			DetectIntent(s)
		}
	}
}
