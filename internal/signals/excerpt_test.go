package signals

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	long := strings.Repeat("a", 250)
	zh := strings.Repeat("取消订阅", 60) // 240 characters, 3 bytes each
	for _, c := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"empty", "", 10, ""},
		{"short kept", "we want to cancel", 200, "we want to cancel"},
		{"white space collapsed", "  we\n\nwant \t to   cancel \n", 200, "we want to cancel"},
		{"exactly n", "abcde", 5, "abcde"},
		{"one over", "abcdef", 5, "abcd…"},
		{"cut before a space drops it", "abc defg", 5, "abc…"},
		{"long", long, 200, strings.Repeat("a", 199) + "…"},
		{"runes, not bytes", zh, 200, zh[:199*3] + "…"},
		{"invalid utf-8", "ab\xffcd", 10, "ab\uFFFDcd"},
		{"n zero", "abc", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Cut(c.in, c.n)
			if got != c.want {
				t.Fatalf("Cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
			}
			if !utf8.ValidString(got) || utf8.RuneCountInString(got) > max(c.n, 0) {
				t.Fatalf("%q: invalid or longer than %d characters", got, c.n)
			}
		})
	}
}

func TestAggregatorTicket(t *testing.T) {
	a := NewAggregator()
	at := time.Date(2026, 11, 12, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	neg, pos := -0.6, 0.5
	for _, c := range []struct {
		name     string
		e        Event
		keep     bool
		ok       bool
		text     string
		intents  []Intent
		negative bool
	}{
		{"intent and negative", Event{Type: TypeTicket, Timestamp: at, Text: "This is terrible, I want to cancel and get a refund."}, true, true,
			"This is terrible, I want to cancel and get a refund.", []Intent{IntentCancel, IntentRefund}, true},
		{"text not kept", Event{Type: TypeTicket, Timestamp: at, Text: "I want to cancel.", Sentiment: &pos}, false, true, "", []Intent{IntentCancel}, false},
		{"negative only", Event{Type: TypeTicket, Timestamp: at, Text: "the export is slow", Sentiment: &neg}, true, true, "the export is slow", nil, true},
		{"calm ticket", Event{Type: TypeTicket, Timestamp: at, Text: "How do I add a user?", Sentiment: &pos}, true, false, "", nil, false},
		{"not a ticket", Event{Type: TypePageView, Timestamp: at, Path: "/cancel"}, true, false, "", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, x, ok := a.Ticket(&c.e, c.keep)
			if d != a.Day(&c.e) {
				t.Fatalf("day %+v, Day gives %+v", d, a.Day(&c.e))
			}
			if ok != c.ok {
				t.Fatalf("ok %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			if x.Text != c.text || !slices.Equal(x.Intents, c.intents) || x.Negative != c.negative || !x.At.Equal(at) || x.At.Location() != time.UTC || x.Sentiment != d.SentimentSum {
				t.Fatalf("excerpt %+v", x)
			}
		})
	}
}

func TestKeepNewest(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	x := func(h int, text string) Excerpt {
		return Excerpt{At: t0.Add(time.Duration(h) * time.Hour), Text: text, Negative: true}
	}
	var kept []Excerpt
	for _, e := range []Excerpt{x(2, "b"), x(5, "e"), x(1, "a"), x(5, "e"), x(4, "d"), x(3, "c"), x(0, "older than the three kept")} {
		kept = KeepNewest(kept, e, 3)
	}
	var got []string
	for _, k := range kept {
		got = append(got, k.Text)
	}
	if !slices.Equal(got, []string{"e", "d", "c"}) {
		t.Fatalf("kept %q, want the newest three, newest first, the repeated one once", got)
	}
	in := []Intent{IntentCancel}
	kept = KeepNewest(nil, Excerpt{At: t0, Intents: in}, 1)
	in[0] = IntentPrice
	if kept[0].Intents[0] != IntentCancel {
		t.Fatal("KeepNewest shares the caller's intents")
	}
}
