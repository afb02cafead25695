package signals

import (
	"bufio"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
)

// labelled is one line of a labelled test file.
type labelled struct {
	line  int
	label string
	text  string
}

// readLabelled reads "label<TAB>text" lines, skipping blank lines and
// '#' comments.
func readLabelled(t *testing.T, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok || strings.Contains(text, "\t") {
			t.Fatalf("%s:%d: want label<TAB>text", path, n)
		}
		out = append(out, labelled{line: n, label: label, text: text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func signLabel(score float64) string {
	switch {
	case score > 0.05:
		return "pos"
	case score < -0.05:
		return "neg"
	}
	return "neu"
}

// accuracy scores every labelled text with a and returns the share whose
// sign (neu = |score| < 0.05) matches the label, logging the misses.
func accuracy(t *testing.T, a SentimentAnalyzer, path string) float64 {
	t.Helper()
	rows := readLabelled(t, path)
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", path)
	}
	right := 0
	for _, r := range rows {
		switch r.label {
		case "pos", "neg", "neu":
		default:
			t.Fatalf("%s:%d: bad label %q", path, r.line, r.label)
		}
		s := a.Analyze(r.text).Score
		if signLabel(s) == r.label {
			right++
		} else {
			t.Logf("%s:%d: want %s, got %+.3f: %s", path, r.line, r.label, s, r.text)
		}
	}
	acc := float64(right) / float64(len(rows))
	t.Logf("%s: sign accuracy %d/%d = %.3f", path, right, len(rows), acc)
	return acc
}

func TestSentimentAccuracy(t *testing.T) {
	tests := []struct {
		name  string
		a     SentimentAnalyzer
		path  string
		min   int // rows at least
		floor float64
	}{
		{"zh dev", NewChineseAnalyzer(), "testdata/zh_sentiment.tsv", 40, 0.95},
		{"zh holdout", NewChineseAnalyzer(), "testdata/zh_sentiment_holdout.tsv", 20, 0.75},
		{"en", NewEnglishAnalyzer(), "testdata/en_sentiment.tsv", 20, 0.80},
		{"default on zh", DefaultAnalyzer(), "testdata/zh_sentiment.tsv", 40, 0.95},
		{"default on en", DefaultAnalyzer(), "testdata/en_sentiment.tsv", 20, 0.80},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := len(readLabelled(t, tc.path)); n < tc.min {
				t.Fatalf("%s: %d rows, want at least %d", tc.path, n, tc.min)
			}
			if acc := accuracy(t, tc.a, tc.path); acc < tc.floor {
				t.Errorf("accuracy %.3f below floor %.2f", acc, tc.floor)
			}
		})
	}
}

func TestChineseRules(t *testing.T) {
	zh := NewChineseAnalyzer()
	score := func(s string) float64 { return zh.Analyze(s).Score }
	tests := []struct {
		text string
		want string // pos, neg, neu
	}{
		{"你们的客服太差了，我非常生气！", "neg"},
		{"不好用", "neg"},
		{"好用", "pos"},
		{"不错", "pos"},
		{"不好", "neg"},
		{"好慢", "neg"},
		{"没问题", "pos"},
		{"问题还是没解决", "neg"},
		{"请问怎么导出数据？", "neu"},
		{"麻烦确认一下账单", "neu"},
		{"我的信用卡被拒了吗？", "neu"},
		{"以前很卡，但是现在很流畅", "pos"},
		{"以前很流畅，但是现在很卡", "neg"},
		{"", "neu"},
		{"   ", "neu"},
	}
	for _, tc := range tests {
		if got := signLabel(score(tc.text)); got != tc.want {
			t.Errorf("%q: got %s (%+.3f), want %s", tc.text, got, score(tc.text), tc.want)
		}
	}
	// Intensifiers strengthen, negators weaken and flip, "!" emphasises.
	ordered := []struct{ weaker, stronger string }{
		{"好", "很好"},
		{"很好", "非常好"},
		{"差", "非常差"},
		{"差", "差！"},
		{"不太好", "不好"},
	}
	for _, o := range ordered {
		if w, s := math.Abs(score(o.weaker)), math.Abs(score(o.stronger)); !(w < s) {
			t.Errorf("|%q| = %.3f should be below |%q| = %.3f", o.weaker, w, o.stronger, s)
		}
	}
	if got := zh.Analyze("很好").Lang; got != "zh" {
		t.Errorf("Lang = %q, want zh", got)
	}
}

func TestChineseComplaintNotNeutral(t *testing.T) {
	complaints := []string{
		"你们的系统三天两头出问题，严重影响我们的业务，我要投诉！",
		"付了钱功能却用不了，太坑了",
		"客服一直敷衍，到现在也没人管",
	}
	zh := DefaultAnalyzer()
	for _, c := range complaints {
		s := zh.Analyze(c)
		if s.Lang != "zh" || s.Score > -0.3 {
			t.Errorf("%q: got %+v, want a clearly negative zh score (<= -0.3)", c, s)
		}
	}
}

func TestLexiconEntriesParse(t *testing.T) {
	for w, e := range zhDict() {
		if (e.kind == zhWord || e.kind == zhBooster) && e.v == 0 {
			t.Errorf("%q: zero value", w)
		}
	}
	if zhMaxRunes() < 4 {
		t.Errorf("zhMaxRunes = %d", zhMaxRunes())
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ""},
		{" \n\t", ""},
		{"The app is broken", "en"},
		{"系统又崩溃了", "zh"},
		{"我的API key无法使用", "zh"},
		{"Please contact 张伟 about the refund", "en"},
		{"12345 !!!", "en"},
		{"退款 refund", "zh"},
		{"Bonjour, ça ne marche pas", "en"},
	}
	for _, tc := range tests {
		if got := DetectLanguage(tc.text); got != tc.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestDefaultAnalyzerRoutes(t *testing.T) {
	a := DefaultAnalyzer()
	tests := []struct {
		text, lang, sign string
	}{
		{"This is terrible, I hate it", "en", "neg"},
		{"Great support, thanks!", "en", "pos"},
		{"太糟糕了", "zh", "neg"},
		{"非常满意", "zh", "pos"},
		{"", "", "neu"},
		{"bad\nservice\tagain", "en", "neg"},
	}
	for _, tc := range tests {
		s := a.Analyze(tc.text)
		if s.Lang != tc.lang || signLabel(s.Score) != tc.sign {
			t.Errorf("%q: got %+v, want lang %q sign %s", tc.text, s, tc.lang, tc.sign)
		}
	}
}

func TestAnalyzerConcurrent(t *testing.T) {
	a := DefaultAnalyzer()
	texts := []string{"Great, thanks!", "太差了", "How do I export?", "不好用", "I want to cancel, this is awful"}
	want := make([]float64, len(texts))
	for i, s := range texts {
		want[i] = a.Analyze(s).Score
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := DefaultAnalyzer()
			for n := 0; n < 200; n++ {
				i := n % len(texts)
				if got := b.Analyze(texts[i]).Score; got != want[i] {
					errs <- texts[i]
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("concurrent score of %q differs", s)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "great!!!", "不好用", "好慢？？？", "但是", "\xff\xfe", "I am :) not happy 😡", strings.Repeat("太", 100) + "差"} {
		f.Add(s)
	}
	a := DefaultAnalyzer()
	f.Fuzz(func(t *testing.T, s string) {
		for _, an := range []SentimentAnalyzer{a, NewChineseAnalyzer(), NewEnglishAnalyzer()} {
			got := an.Analyze(s).Score
			if math.IsNaN(got) || got < -1 || got > 1 {
				t.Fatalf("Analyze(%q) = %v, want a number in [-1, 1]", s, got)
			}
		}
	})
}

func BenchmarkAnalyzeEnglish(b *testing.B) {
	a := DefaultAnalyzer()
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze("The export keeps failing and support never answers. I want to cancel.")
	}
}

func BenchmarkAnalyzeChinese(b *testing.B) {
	a := DefaultAnalyzer()
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze("导出一直失败，客服也不回复，太失望了，我们考虑取消订阅。")
	}
}
