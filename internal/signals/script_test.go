package signals

import (
	"slices"
	"sync"
	"testing"
)

func TestDetectScript(t *testing.T) {
	tests := []struct {
		text string
		want Script
	}{
		{"", ""},
		{"How do I cancel?", ""},
		{"Please contact 張偉 about the refund", ""},
		{"我們準備換成競爭對手的產品", ScriptHant},
		{"我们准备换成竞争对手的产品", ScriptHans},
		{"好了，不用了", ScriptHans}, // characters both scripts share
		{"你哋個 app 成日閃退", ScriptHant},
		{"我的API key無法使用", ScriptHant},
		{"怎么关闭我的账户？", ScriptHans},
		{"帳號\xff註銷", ScriptHant},
	}
	for _, tc := range tests {
		if got := DetectScript(tc.text); got != tc.want {
			t.Errorf("DetectScript(%q) = %q, want %q", tc.text, got, tc.want)
		}
		if got := Read(tc.text).Script; got != tc.want {
			t.Errorf("Read(%q).Script = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestTraditionalReadAsSimplified: a Traditional ticket is read as its
// Simplified twin, and Taiwan and Hong Kong words are in the lexicon.
func TestTraditionalReadAsSimplified(t *testing.T) {
	pairs := [][2]string{
		{"價格太貴了，我們想取消訂閱。", "价格太贵了，我们想取消订阅。"},
		{"客服一直不回覆，太失望了，我們要解約。", "客服一直不回复，太失望了，我们要解约。"},
		{"請幫我註銷帳號。", "请帮我注销帐号。"},
		{"明年不再續約了。", "明年不再续约了。"},
		{"多收的費用請退費。", "多收的费用请退费。"},
		{"請幫我們降級到基本方案。", "请帮我们降级到基本方案。"},
	}
	zh := NewChineseAnalyzer()
	for _, p := range pairs {
		ht, hs := Read(p[0]), Read(p[1])
		if ht.Script != ScriptHant || hs.Script != ScriptHans {
			t.Errorf("%q / %q: scripts %q / %q", p[0], p[1], ht.Script, hs.Script)
		}
		if ht.Sentiment != hs.Sentiment || !slices.Equal(ht.Intents, hs.Intents) || len(ht.Intents) == 0 {
			t.Errorf("%q read as %+v, %q as %+v", p[0], ht, p[1], hs)
		}
		if st, ss := zh.Analyze(p[0]), zh.Analyze(p[1]); st != ss {
			t.Errorf("Chinese analyzer: %q %+v, %q %+v", p[0], st, p[1], ss)
		}
	}
	// 登出 is logging out in Taiwan, not closing an account (OpenCC's
	// Taiwan phrase table would make it 注销).
	if in := DetectIntent("每十分鐘就被登出一次"); in != nil {
		t.Errorf("登出: intents %v", in)
	}
}

func TestReadConcurrent(t *testing.T) {
	texts := []string{"價格太貴了，我們想取消訂閱。", "价格太贵了", "Honestly we might not renew next quarter.", "你哋個 app 成日閃退，真係好煩。", ""}
	want := make([]Reading, len(texts))
	for i, s := range texts {
		want[i] = Read(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 100; n++ {
				i := (n + g) % len(texts)
				got := Read(texts[i])
				if got.Sentiment != want[i].Sentiment || got.Script != want[i].Script || !slices.Equal(got.Intents, want[i].Intents) {
					errs <- texts[i]
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("concurrent reading of %q differs", s)
	}
}

func BenchmarkAnalyzeTraditional(b *testing.B) {
	a := DefaultAnalyzer()
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze("導出一直失敗，客服也不回覆，太失望了，我們考慮取消訂閱。")
	}
}

// BenchmarkSimplify is the cost of the conversion alone (OpenCC t2s) of a
// Traditional ticket.
func BenchmarkSimplify(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		simplify("導出一直失敗，客服也不回覆，太失望了，我們考慮取消訂閱。")
	}
}
