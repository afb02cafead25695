package signals

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxExcerpt is the longest excerpt of a ticket's text, in characters,
// the ellipsis of a cut text included.
const MaxExcerpt = 200

// Excerpt is what is kept of one negative or churn-intent support ticket,
// as evidence beside a score: when it was sent, the start of its text, the
// churn intents it expresses and its sentiment.
type Excerpt struct {
	At time.Time `json:"at"`
	// Text is the start of the ticket's text (see Cut); "" when support
	// text may not be kept or the ticket had none.
	Text string `json:"text,omitempty"`
	// Intents are the churn intents of the text (DetectIntent); nil for a
	// ticket that is only negative.
	Intents   []Intent `json:"intents,omitempty"`
	Negative  bool     `json:"negative,omitempty"`
	Sentiment float64  `json:"sentiment"`
}

// Cut returns text with its runs of white space (newlines included) turned
// into single spaces and its invalid UTF-8 replaced, cut on a character
// boundary to at most n characters, the last of which is "…" when the text
// was cut. n < 1 gives "".
func Cut(text string, n int) string {
	if n < 1 {
		return ""
	}
	var b strings.Builder
	runes, space := 0, false
	for _, r := range strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD")) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			if runes == n {
				return cutEnd(b.String())
			}
			b.WriteByte(' ')
			runes++
			space = false
		}
		if runes == n {
			return cutEnd(b.String())
		}
		b.WriteRune(r)
		runes++
	}
	return b.String()
}

// cutEnd replaces the last character of s by an ellipsis (and drops a space
// before it).
func cutEnd(s string) string {
	_, size := utf8.DecodeLastRuneInString(s)
	return strings.TrimRight(s[:len(s)-size], " ") + "…"
}

// Ticket turns one event into its one-event daily aggregate, as Day does,
// and, for a ticket that is negative or expresses churn intent, its
// excerpt: with the text cut to MaxExcerpt characters when keepText is set,
// without text otherwise. ok is false when the event is not such a ticket.
func (a *Aggregator) Ticket(e *Event, keepText bool) (d Day, x Excerpt, ok bool) {
	if e.Type != TypeTicket {
		return a.Day(e), Excerpt{}, false
	}
	d, intents := a.ticket(e)
	if d.NegTickets == 0 && len(intents) == 0 {
		return d, Excerpt{}, false
	}
	x = Excerpt{At: e.Timestamp.UTC(), Intents: intents, Negative: d.NegTickets > 0, Sentiment: d.SentimentSum}
	if keepText {
		x.Text = Cut(e.Text, MaxExcerpt)
	}
	return d, x, true
}

// KeepNewest adds x to kept (newest first) and returns the newest n: the
// one rule by which excerpts are kept, by the embedded store and by a data
// load. An excerpt equal to one kept already is not kept twice. kept is
// modified in place; x's intents are copied.
func KeepNewest(kept []Excerpt, x Excerpt, n int) []Excerpt {
	x.Intents = slices.Clone(x.Intents)
	i := 0
	for ; i < len(kept); i++ {
		k := &kept[i]
		if k.At.Equal(x.At) && k.Text == x.Text && k.Negative == x.Negative && k.Sentiment == x.Sentiment && slices.Equal(k.Intents, x.Intents) {
			return kept
		}
		if k.At.Before(x.At) {
			break
		}
	}
	if i >= n {
		return kept
	}
	kept = slices.Insert(kept, i, x)
	if len(kept) > n {
		kept = kept[:n]
	}
	return kept
}
