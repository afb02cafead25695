package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/churnrisk/churn/internal/signals"
)

// textLines runs `train text args` with stdin and returns its JSON lines,
// decoded, and the raw output.
func textLines(t *testing.T, stdin string, args ...string) ([]map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := runText(args, strings.NewReader(stdin), &out, &errb); err != nil {
		t.Fatalf("train text %v: %v (stderr %q)", args, err, errb.String())
	}
	var got []map[string]any
	sc := bufio.NewScanner(&out)
	raw := out.String()
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, m)
	}
	return got, raw
}

func TestTextStdin(t *testing.T) {
	in := "Honestly we might not renew next quarter.\r\n價格太貴了，我們想取消訂閱。\n\n价格太贵了，我们想取消订阅。\nHow do I export all tickets to CSV?"
	got, raw := textLines(t, in)
	want := []struct {
		text, lang, script string
		negative           bool
		intents            []string
	}{
		{"Honestly we might not renew next quarter.", "en", "", true, []string{"cancel"}},
		{"價格太貴了，我們想取消訂閱。", "zh", "hant", true, []string{"cancel", "price"}},
		{"", "", "", false, []string{}},
		{"价格太贵了，我们想取消订阅。", "zh", "hans", true, []string{"cancel", "price"}},
		{"How do I export all tickets to CSV?", "en", "", false, []string{}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want one per input line (%d):\n%s", len(got), len(want), raw)
	}
	for i, w := range want {
		g := got[i]
		var keys []string
		for k := range g {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"intents", "lang", "script", "sentiment", "text"}) {
			t.Errorf("line %d: keys %v", i+1, keys)
		}
		s, _ := g["sentiment"].(float64)
		intents, ok := g["intents"].([]any)
		if !ok {
			t.Errorf("line %d: intents %v, want an array (never null)", i+1, g["intents"])
		}
		var gotIntents []string
		for _, in := range intents {
			gotIntents = append(gotIntents, in.(string))
		}
		if g["text"] != w.text || g["lang"] != w.lang || g["script"] != w.script || (s < signals.NegativeSentiment) != w.negative ||
			!slices.Equal(gotIntents, w.intents) && len(w.intents)+len(gotIntents) > 0 {
			t.Errorf("line %d: got %v, want %+v", i+1, g, w)
		}
	}
	if !strings.Contains(raw, `"intents":[]`) {
		t.Errorf("no empty intents array in:\n%s", raw)
	}
	// The figures are signals.Read's.
	rd := signals.Read(want[1].text)
	if got[1]["sentiment"].(float64) != rd.Sentiment {
		t.Errorf("sentiment %v, signals.Read %v", got[1]["sentiment"], rd.Sentiment)
	}
}

func TestTextCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tickets.csv")
	csv := "\uFEFFcustomer_id, Text ,channel\n" +
		"c1,\"Please downgrade us to the starter plan.\",email\n" +
		"c2,\"We're evaluating HubSpot as a replacement.\nThanks, Ann\",chat\n" +
		"c3,我們準備換成競爭對手的產品，請幫忙註銷帳號。,email\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	got, raw := textLines(t, "ignored\n", "--csv", path, "--column", "text")
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(got), raw)
	}
	wantIntents := [][]any{{"downgrade"}, {"competitor"}, {"cancel", "competitor"}}
	for i, w := range wantIntents {
		if !slices.Equal(got[i]["intents"].([]any), w) {
			t.Errorf("row %d: intents %v, want %v", i+1, got[i]["intents"], w)
		}
	}
	if got[1]["text"] != "We're evaluating HubSpot as a replacement.\nThanks, Ann" || got[2]["script"] != "hant" {
		t.Errorf("rows 2, 3: %v, %v", got[1], got[2])
	}
	// The default column is "text".
	if again, _ := textLines(t, "", "--csv", path); len(again) != 3 {
		t.Errorf("default column: %d lines, want 3", len(again))
	}
}

func TestTextErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tickets.csv")
	if err := os.WriteFile(path, []byte("customer_id,body\nc1,hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ragged := filepath.Join(dir, "ragged.csv")
	if err := os.WriteFile(ragged, []byte("id,text\nc1,hello\nc2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string // in the error message
	}{
		{"missing column", []string{"--csv", path, "--column", "text"}, []string{path, `no column "text"`, "customer_id, body"}},
		{"missing file", []string{"--csv", filepath.Join(dir, "nope.csv")}, []string{"nope.csv"}},
		{"column without csv", []string{"--column", "body"}, []string{"--column needs --csv"}},
		{"ragged row", []string{"--csv", ragged}, []string{ragged, "line 3"}},
		{"positional argument", []string{"tickets.txt"}, []string{`unexpected argument "tickets.txt"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runText(tc.args, strings.NewReader(""), &out, &errb)
			if err == nil {
				t.Fatalf("no error; stdout %q", out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if code := exitCode(err, &errb); code != 2 {
				t.Errorf("exit code %d, want 2 (bad usage or input)", code)
			}
		})
	}
}

// TestTextCommand: `train text` is a command of train, with its help.
func TestTextCommand(t *testing.T) {
	code, out, errs := runCmd(t, "text", "-h")
	if code != 0 || !strings.Contains(out, "usage: train text [flags]") || !strings.Contains(out, "--csv") || errs != "" {
		t.Errorf("train text -h: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "-h"); code != 0 || !strings.Contains(out, "\n  text ") {
		t.Errorf("train -h does not list text:\n%s", out)
	}
}

func BenchmarkText(b *testing.B) {
	var in strings.Builder
	for i := 0; i < 100; i++ {
		in.WriteString("The export keeps failing and support never answers. I want to cancel.\n價格太貴了，我們想取消訂閱。\n导出一直失败，客服也不回复，太失望了。\n")
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := runText(nil, strings.NewReader(in.String()), io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
