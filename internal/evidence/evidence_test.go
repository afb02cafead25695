package evidence

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

func TestBuild(t *testing.T) {
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	end := signals.EndDay(now) // 23 Nov: 22 Nov is the last day visible
	day := func(k int32) int32 { return end - 1 - k }
	at := func(k int32) time.Time { return signals.DayStart(day(k)).Add(9 * time.Hour) }
	usage := func(k int32) signals.Day { return signals.Day{Day: day(k), Usage: 5, UsageEvents: 1} }
	visit := func(k int32, c signals.Category, n int32) signals.Day {
		d := signals.Day{Day: day(k), PageViews: n}
		d.Risk[c] = n
		return d
	}
	tickets := func(k, n, neg, intent int32) signals.Day {
		return signals.Day{Day: day(k), Tickets: n, NegTickets: neg, IntentTickets: intent}
	}
	hist := func(days ...signals.Day) signals.History {
		var h signals.History
		for _, d := range days {
			h.Add(d)
		}
		return h
	}
	cancelRefund := []signals.Intent{signals.IntentCancel, signals.IntentRefund}
	demoText := "This is terrible, I want to cancel and get a refund."
	type sig struct {
		kind Kind
		k    int32 // days before the last visible day
		text string
		at   time.Time // the ticket's time for an excerpt; zero: the start of day k
	}
	for _, c := range []struct {
		name  string
		h     signals.History
		notes []signals.Excerpt
		want  []sig
	}{
		{name: "nothing", want: []sig{}},
		{name: "calm customer", h: hist(usage(0), usage(1), usage(3), visit(2, signals.CatPricing, 1)),
			want: []sig{{RiskPageVisit, 2, "visited the pricing page", time.Time{}}}},
		{name: "the demo: intent ticket and cancel visit today, usage until 20 days ago",
			h:     hist(usage(20), usage(25), tickets(0, 1, 1, 1), visit(0, signals.CatCancel, 1)),
			notes: []signals.Excerpt{{At: at(0), Text: demoText, Intents: cancelRefund, Negative: true, Sentiment: -0.74}},
			want: []sig{
				{ChurnIntentTicket, 0, `asked to cancel and asked for a refund: "` + demoText + `"`, at(0)},
				{RiskPageVisit, 0, "visited the cancel page", time.Time{}},
				{UsageStopped, 19, "no product activity since 3 Nov (20 days)", time.Time{}},
			}},
		{name: "text not kept",
			h:     hist(tickets(3, 2, 2, 1), usage(0)),
			notes: []signals.Excerpt{{At: at(3), Intents: []signals.Intent{signals.IntentCompetitor}, Negative: true, Sentiment: -0.3}, {At: at(3).Add(time.Hour), Negative: true, Sentiment: -0.5}},
			want: []sig{
				{ChurnIntentTicket, 3, "mentioned moving to a competitor (ticket text not kept)", at(3)},
				{NegativeTicket, 3, "negative ticket (sentiment -0.50) (ticket text not kept)", at(3).Add(time.Hour)},
			}},
		{name: "counted tickets without excerpts (imported, or beyond the excerpts kept)",
			h: hist(tickets(10, 3, 2, 1), tickets(40, 2, 0, 2), tickets(95, 1, 1, 1), usage(0)),
			want: []sig{
				{ChurnIntentTicket, 10, "a support ticket with churn intent (no excerpt kept)", time.Time{}},
				{ChurnIntentTicket, 40, "2 support tickets with churn intent (no excerpt kept)", time.Time{}},
				{NegativeTicket, 10, "a negative support ticket (no excerpt kept)", time.Time{}},
			}},
		{name: "an excerpt and its count are one ticket",
			h:     hist(tickets(1, 1, 1, 1), usage(0)),
			notes: []signals.Excerpt{{At: at(1), Text: "cancel my subscription", Intents: []signals.Intent{signals.IntentCancel}, Negative: true}},
			want:  []sig{{ChurnIntentTicket, 1, `asked to cancel: "cancel my subscription"`, at(1)}}},
		{name: "visits counted per category over 30 days, strong pages first",
			h: hist(visit(1, signals.CatCancel, 1), visit(5, signals.CatCancel, 2), visit(29, signals.CatDowngrade, 1), visit(30, signals.CatRefund, 4),
				visit(0, signals.CatBilling, 1), visit(3, signals.CatCompetitor, 1), visit(4, signals.CatExport, 2), usage(0)),
			want: []sig{
				{RiskPageVisit, 1, "visited the cancel page 3 times in 30 days", time.Time{}},
				{RiskPageVisit, 29, "visited the downgrade page", time.Time{}},
				{RiskPageVisit, 3, "visited a competitor comparison page", time.Time{}},
				{RiskPageVisit, 4, "visited the data export page 2 times in 30 days", time.Time{}},
				{RiskPageVisit, 0, "visited the billing page", time.Time{}},
			}},
		{name: "six silent days are not a stop, seven are",
			h:    hist(usage(6)),
			want: []sig{}},
		{name: "seven silent days", h: hist(usage(7)),
			want: []sig{{UsageStopped, 6, "no product activity since 16 Nov (7 days)", time.Time{}}}},
		{name: "no usage in the window: no day it stopped", h: hist(visit(0, signals.CatCancel, 1)),
			want: []sig{{RiskPageVisit, 0, "visited the cancel page", time.Time{}}}},
		{name: "at most three tickets of a kind and eight in all, newest first",
			h: hist(usage(0), visit(0, signals.CatCancel, 1), visit(0, signals.CatDowngrade, 1), visit(0, signals.CatRefund, 1),
				visit(0, signals.CatCompetitor, 1), visit(0, signals.CatPricing, 1)),
			notes: []signals.Excerpt{
				{At: at(5), Text: "t5", Intents: []signals.Intent{signals.IntentCancel}}, {At: at(1), Text: "t1", Intents: []signals.Intent{signals.IntentCancel}},
				{At: at(4), Text: "t4", Intents: []signals.Intent{signals.IntentCancel}}, {At: at(2), Text: "t2", Intents: []signals.Intent{signals.IntentCancel}},
				{At: at(3), Text: "n3", Negative: true, Sentiment: -0.9},
			},
			want: []sig{
				{ChurnIntentTicket, 1, `asked to cancel: "t1"`, at(1)}, {ChurnIntentTicket, 2, `asked to cancel: "t2"`, at(2)}, {ChurnIntentTicket, 4, `asked to cancel: "t4"`, at(4)},
				{RiskPageVisit, 0, "visited the cancel page", time.Time{}}, {RiskPageVisit, 0, "visited the downgrade page", time.Time{}}, {RiskPageVisit, 0, "visited the refund page", time.Time{}},
				{NegativeTicket, 3, `negative ticket (sentiment -0.90): "n3"`, at(3)},
				{RiskPageVisit, 0, "visited a competitor comparison page", time.Time{}},
			}},
		{name: "excerpts outside the window are left out",
			h:     hist(usage(0)),
			notes: []signals.Excerpt{{At: at(-1), Text: "tomorrow", Intents: []signals.Intent{signals.IntentCancel}}, {At: at(90), Text: "too old", Intents: []signals.Intent{signals.IntentCancel}}},
			want:  []sig{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Build(c.h, c.notes, end, 120, i18n.En)
			if got == nil {
				t.Fatal("nil signals")
			}
			want := make([]Signal, len(c.want))
			for i, w := range c.want {
				want[i] = Signal{Kind: w.kind, At: signals.DayStart(day(w.k)), Text: w.text}
				if !w.at.IsZero() {
					want[i].At = w.at
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got\n%s\nwant\n%s", show(got), show(want))
			}
		})
	}
}

func show(s []Signal) string {
	var b strings.Builder
	for _, x := range s {
		b.WriteString("  " + string(x.Kind) + " " + x.At.Format(time.RFC3339) + " " + x.Text + "\n")
	}
	return b.String()
}

func TestExplain(t *testing.T) {
	end := signals.DayNumber(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	one, two := 1.0, 2.0
	generic := "1 churn-intent ticket in the last 90 days"
	long := "Hello, we want to cancel our subscription at the end of this month because the team moved to another tool."
	nov12 := time.Date(2026, 11, 12, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		value *float64
		notes []signals.Excerpt
		want  string
	}{
		{"no excerpt: reason unchanged", &one, nil, generic},
		{"newest intent excerpt quoted and cut", &one, []signals.Excerpt{
			{At: nov12.AddDate(0, 0, -3), Text: "older", Intents: []signals.Intent{signals.IntentPrice}},
			{At: nov12, Text: long, Intents: []signals.Intent{signals.IntentCancel, signals.IntentCompetitor}},
			{At: nov12.AddDate(0, 0, 1), Text: "negative only, newer", Negative: true},
		}, "asked to cancel and mentioned moving to a competitor on 12 Nov: 'Hello, we want to cancel our subscription at the end of thi…'"},
		{"text not kept", &two, []signals.Excerpt{{At: nov12, Intents: []signals.Intent{signals.IntentRefund}}},
			"asked for a refund on 12 Nov (2 tickets with churn intent in 90 days)"},
		{"two months ago", &one, []signals.Excerpt{{At: nov12.AddDate(0, -2, 0), Text: "cancel please", Intents: []signals.Intent{signals.IntentCancel}}},
			"asked to cancel on 12 Sep: 'cancel please'"},
		{"older than 90 days: unchanged", &one, []signals.Excerpt{{At: nov12.AddDate(0, -4, 0), Text: "x", Intents: []signals.Intent{signals.IntentCancel}}}, generic},
	} {
		t.Run(c.name, func(t *testing.T) {
			drivers := []model.Driver{
				{Feature: features.DaysSinceActive, Reason: "no product activity for 19 days"},
				{Feature: features.IntentTickets90d, Value: c.value, Reason: generic},
			}
			Explain(drivers, c.notes, end, i18n.En)
			if drivers[1].Reason != c.want {
				t.Fatalf("reason %q, want %q", drivers[1].Reason, c.want)
			}
			if drivers[0].Reason != "no product activity for 19 days" {
				t.Fatalf("other driver changed: %q", drivers[0].Reason)
			}
		})
	}
	if got := Date(time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC), end); got != "30 Dec 2025" {
		t.Fatalf("date of another year: %q", got)
	}
}
