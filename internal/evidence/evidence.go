// Package evidence turns what is kept of a customer (daily aggregates and
// ticket excerpts) into signals: the concrete events behind a risk score,
// in words a support agent can repeat on the phone ("asked to cancel",
// "visited the cancel page", "no product activity since 3 Nov"). It is the
// one place where these sentences are made, for stored customers and for
// customers scored with inline events alike, in English, Traditional Chinese
// or Simplified Chinese (sentences.go holds the three side by side).
package evidence

import (
	"cmp"
	"slices"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// Kind is the kind of a signal.
type Kind string

// Signal kinds.
const (
	ChurnIntentTicket Kind = "churn_intent_ticket" // a ticket expressing churn intent (signals.DetectIntent)
	NegativeTicket    Kind = "negative_ticket"     // a ticket with negative sentiment and no churn intent
	RiskPageVisit     Kind = "risk_page_visit"     // visits to a risk page (cancel, downgrade, refund, ...)
	UsageStopped      Kind = "usage_stopped"       // no product activity since a day
)

// Signal is one concrete event behind a score.
type Signal struct {
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Bounds of Build.
const (
	// MaxSignals is how many signals Build returns at most.
	MaxSignals = 8
	// maxPerTicketKind keeps tickets of one kind from crowding out the rest.
	maxPerTicketKind = 3
	// StoppedAfterDays is how many silent days make usage_stopped.
	StoppedAfterDays = 7
	// TicketDays and VisitDays are how far back tickets and risk-page
	// visits are shown: the windows of the features that count them
	// (features.IntentTickets90d, features.VisitFeature's 30 days).
	TicketDays = 90
	VisitDays  = 30
	// reasonExcerpt is the length of the excerpt quoted in a driver's reason.
	reasonExcerpt = 60
)

// strength ranks the signals: lower is shown first, newest first within a rank.
const (
	rankIntent = iota
	rankStrongPage
	rankStopped
	rankNegative
	rankOtherPage
	rankWeakPage
)

// pageRank ranks each risk-page category (pageNames in sentences.go names it).
var pageRank = [signals.NumCategories]int{
	signals.CatCancel: rankStrongPage, signals.CatDowngrade: rankStrongPage, signals.CatRefund: rankStrongPage,
	signals.CatCompetitor: rankOtherPage, signals.CatExport: rankOtherPage,
	signals.CatBilling: rankWeakPage, signals.CatPricing: rankWeakPage,
}

// Build returns the signals of a customer as of the day end (the first day
// not visible, signals.EndDay of the as-of time), from its daily aggregates
// h and its ticket excerpts notes within the lookback window [end-lookback,
// end): the ticket excerpts (churn intent, else negative) of the last
// TicketDays days, and the intent or negative tickets counted by h that
// have no excerpt; per risk-page category its visits of the last VisitDays
// days; and the day usage stopped when the customer has been silent for
// StoppedAfterDays days or more. Strongest first (churn intent, cancel /
// downgrade / refund pages, usage stopped, negative tickets, other pages),
// newest first within each; at most MaxSignals. Their texts are in language
// l (a ticket's own words are quoted as written). It never returns nil.
func Build(h signals.History, notes []signals.Excerpt, end int32, lookback int, l i18n.Lang) []Signal {
	type ranked struct {
		Signal
		rank int
	}
	var all []ranked
	add := func(rank int, k Kind, at time.Time, text string) {
		all = append(all, ranked{Signal{Kind: k, At: at, Text: text}, rank})
	}
	from := end - int32(lookback)
	ticketFrom, visitFrom := max(from, end-TicketDays), max(from, end-VisitDays)

	// Tickets with an excerpt, and how many of each kind each day has.
	type counts struct{ intent, negative int32 }
	kept := map[int32]counts{}
	for i := range notes {
		x := &notes[i]
		d := signals.DayNumber(x.At)
		if d < ticketFrom || d >= end {
			continue
		}
		c := kept[d]
		if len(x.Intents) > 0 {
			c.intent++
			add(rankIntent, ChurnIntentTicket, x.At, ticketText(l, x))
		} else if x.Negative {
			add(rankNegative, NegativeTicket, x.At, ticketText(l, x))
		}
		if x.Negative {
			c.negative++
		}
		kept[d] = c
	}

	var visits, lastVisit [signals.NumCategories]int32
	lastActive := int32(-1 << 31)
	for _, d := range h.Window(from, end) {
		if d.UsageEvents > 0 || d.Usage > 0 {
			lastActive = d.Day
		}
		if d.Day >= ticketFrom {
			// Tickets the aggregates count but no excerpt tells of (older
			// than the excerpts kept, or imported without text).
			c := kept[d.Day]
			at := signals.DayStart(d.Day)
			if n := d.IntentTickets - c.intent; n > 0 {
				add(rankIntent, ChurnIntentTicket, at, say(l, plural(n, "counted.intent"), n))
			}
			if n := d.NegTickets - c.negative - max(d.IntentTickets-c.intent, 0); n > 0 {
				add(rankNegative, NegativeTicket, at, say(l, plural(n, "counted.negative"), n))
			}
		}
		if d.Day >= visitFrom {
			for c, n := range d.Risk {
				if n > 0 {
					visits[c] += n
					lastVisit[c] = d.Day
				}
			}
		}
	}
	for c := range visits {
		if visits[c] == 0 {
			continue
		}
		text := say(l, "visit.once", pageNames[c])
		if visits[c] > 1 {
			text = say(l, "visit.times", pageNames[c], visits[c], end-visitFrom)
		}
		add(pageRank[c], RiskPageVisit, signals.DayStart(lastVisit[c]), text)
	}
	if lastActive >= from && end-1-lastActive >= StoppedAfterDays {
		stopped := lastActive + 1
		add(rankStopped, UsageStopped, signals.DayStart(stopped),
			say(l, "stopped", day(signals.DayStart(stopped), end), end-stopped))
	}

	slices.SortStableFunc(all, func(a, b ranked) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return b.At.Compare(a.At)
	})
	out := make([]Signal, 0, min(len(all), MaxSignals))
	perKind := map[Kind]int{}
	for _, s := range all {
		if len(out) == MaxSignals {
			break
		}
		if s.Kind == ChurnIntentTicket || s.Kind == NegativeTicket {
			if perKind[s.Kind] == maxPerTicketKind {
				continue
			}
			perKind[s.Kind]++
		}
		out = append(out, s.Signal)
	}
	return out
}

// Explain makes the reason of the churn-intent driver concrete when an
// excerpt of a churn-intent ticket of the last TicketDays days (before the
// day end) is kept: "asked to cancel on 12 Nov: 'we want to cancel…'", in
// language l. The newest such ticket is quoted. Other drivers are left as
// they are.
func Explain(drivers []model.Driver, notes []signals.Excerpt, end int32, l i18n.Lang) {
	var newest *signals.Excerpt
	for i := range notes {
		x := &notes[i]
		if d := signals.DayNumber(x.At); len(x.Intents) > 0 && d >= end-TicketDays && d < end && (newest == nil || x.At.After(newest.At)) {
			newest = x
		}
	}
	if newest == nil {
		return
	}
	for i := range drivers {
		if drivers[i].Feature != features.IntentTickets90d {
			continue
		}
		r := say(l, "explain.on", intentPhrase(l, newest.Intents), day(newest.At, end))
		if newest.Text != "" {
			r = say(l, "explain.quote", intentPhrase(l, newest.Intents), day(newest.At, end), signals.Cut(newest.Text, reasonExcerpt))
		}
		if v := drivers[i].Value; v != nil && *v > 1 {
			r += say(l, "explain.count", int(*v), TicketDays)
		}
		drivers[i].Reason = r
	}
}

// ticketText is the sentence of a ticket excerpt in language l.
func ticketText(l i18n.Lang, x *signals.Excerpt) string {
	var s string
	if len(x.Intents) > 0 {
		s = intentPhrase(l, x.Intents)
	} else {
		s = say(l, "ticket.negative", x.Sentiment)
	}
	if x.Text == "" {
		return say(l, "ticket.noText", s)
	}
	return say(l, "ticket.quote", s, x.Text)
}

// intentWords names the sentence of each intent: what a customer asked for.
var intentWords = map[signals.Intent]string{
	signals.IntentCancel:     "intent.cancel",
	signals.IntentRefund:     "intent.refund",
	signals.IntentCompetitor: "intent.competitor",
	signals.IntentPrice:      "intent.price",
	signals.IntentDowngrade:  "intent.downgrade",
}

// intentPhrase joins the words of the intents in language l: "asked to
// cancel and asked for a refund".
func intentPhrase(l i18n.Lang, in []signals.Intent) string {
	phrase := ""
	for _, x := range in {
		key, ok := intentWords[x]
		if !ok {
			continue
		}
		if phrase == "" {
			phrase = say(l, key)
		} else {
			phrase = say(l, "intent.and", phrase, say(l, key))
		}
	}
	if phrase == "" {
		return say(l, "intent.other")
	}
	return phrase
}

// Date formats t as "12 Nov", with the year when it is not the year of the
// day end ("12 Nov 2025").
func Date(t time.Time, end int32) string {
	return day(t, end).In(i18n.En)
}

// day is t's day as Date names it, to be written in any language.
func day(t time.Time, end int32) i18n.Day {
	return i18n.DayOf(t, t.UTC().Year() != signals.DayStart(end-1).Year())
}

// plural is key for one (key + "One") or key for several.
func plural(n int32, key string) string {
	if n == 1 {
		return key + "One"
	}
	return key
}
