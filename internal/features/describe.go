package features

import (
	"math"
	"strconv"
	"strings"

	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/signals"
)

// Describe returns a sentence a support agent can repeat on the phone for the
// feature name of the vector x (a vector of this schema): the fact and its
// direction, e.g. "usage fell from 582 to 120 a month" or "no product
// activity for 19 days". A sentence reads the neighbouring features it needs
// (the 30-day usage beside the 30 days before it), so it is meaningful at any
// value: nothing "fell 0%", no percentage above 100, never "NaN". A missing
// value says what is not known; an unknown name or a short vector gives a
// plain "name is value" sentence rather than a panic. The sentence is in
// English; DescribeIn writes it in another language.
func (s *Schema) Describe(name string, x []float64) string {
	return s.DescribeIn(i18n.En, name, x)
}

// DescribeIn is Describe in language l ("近 30 天用量為 120" in
// Traditional Chinese). Translate turns Describe's English sentence into
// the same one.
func (s *Schema) DescribeIn(l i18n.Lang, name string, x []float64) string {
	return sentences.Text(l, s.describe(name, x))
}

// describe chooses the sentence of Describe and its arguments.
func (s *Schema) describe(name string, x []float64) i18n.Message {
	v := s.at(x, name)
	if math.IsNaN(v) {
		return notKnown(name, s)
	}
	switch name {
	case Usage7d:
		return usageWeek(v, s.usualWeek(x))
	case Usage30d:
		return usageMonth(v, s.at(x, UsagePrev30d))
	case UsagePrev30d:
		return usageBefore(v, s.at(x, Usage30d))
	case UsageDrop30d:
		return usageDrop30(v, s.at(x, Usage30d), s.at(x, UsagePrev30d))
	case UsageDrop7d:
		return usageDrop7(v, s.at(x, Usage7d), s.usualWeek(x))
	case DaysSinceActive:
		lb := float64(s.lookback())
		switch t := s.at(x, TenureDays); {
		case t < 1 && v >= t:
			return msg("act.newNone")
		case t < lb && v >= t:
			return msg("act.sinceSignup", math.Floor(t))
		case v >= lb:
			return msg("act.lookback", s.lookback())
		case v < 1:
			return msg("act.lastDay")
		}
		return msg("act.for", v)
	case ActiveDays30d:
		switch v = clamp(v, 0, 30); {
		case v == 0:
			return msg("ad.none")
		case v >= 30:
			return msg("ad.all")
		}
		return msg("ad.some", v)
	case UsageTrend:
		return s.trend(v, s.at(x, Usage30d), s.at(x, UsagePrev30d))
	case Tickets30d:
		return tickets30(v, s.at(x, Tickets90d))
	case Tickets90d:
		return tickets90(v, s.at(x, Tickets30d))
	case SentimentMean90d:
		if t := s.at(x, Tickets90d); t == 0 {
			return msg("sent.none")
		}
		return msg("sent.mean", tone(v), clamp(v, -1, 1))
	case SentimentMin90d:
		if t := s.at(x, Tickets90d); t == 0 {
			return msg("sent.none")
		}
		if v > -0.05 {
			return msg("sent.minCalm", clamp(v, -1, 1))
		}
		return msg("sent.min", tone(v), clamp(v, -1, 1))
	case NegativeTickets90d:
		return negativeTickets(v, s.at(x, Tickets90d))
	case DaysSinceNegTicket:
		switch {
		case v >= float64(s.lookback()):
			return msg("dneg.none", s.lookback())
		case v < 1:
			return msg("dneg.lastDay")
		}
		return msg("dneg.ago", v)
	case IntentTickets90d:
		v = math.Max(0, v)
		if v == 0 {
			return msg("intent.none")
		}
		return msg("intent.count", v)
	case RiskVisitDays30d:
		switch v = clamp(v, 0, 30); {
		case v == 0:
			return msg("rv.none")
		case v >= 30:
			return msg("rv.all")
		}
		return msg("rv.some", v)
	case PageViews30d:
		return pageViews(v, s.riskVisits(x))
	case TenureDays:
		return tenure(v)
	case MRR:
		switch {
		case v == 0:
			return msg("mrr.zero")
		case v < 0:
			return msg("mrr.negative", v)
		}
		return msg("mrr.pays", v)
	}
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		if name == VisitFeature(c) {
			if v = math.Max(0, v); v == 0 {
				return msg("visit.none", pageNames[c])
			}
			return msg("visit.count", v, pageNames[c])
		}
	}
	if a, start, k, ok := s.categorical(name); ok {
		return categorySentence(a, x, start, k, v)
	}
	if col, ok := strings.CutSuffix(name, dateSuffix); ok && strings.HasPrefix(col, attrPrefix) {
		return msg("attr.ago", humanName(col), math.Floor(v))
	}
	return msg("attr.is", humanName(name), v)
}

// msg is the sentence key of the catalog with its arguments.
func msg(key string, args ...any) i18n.Message { return i18n.Msg(key, args...) }

// numBehaviour is the length of the behavioural block.
var numBehaviour = len(BehaviourNames())

// pageNames names the risk-page categories for a sentence.
var pageNames = [signals.NumCategories]string{
	signals.CatCancel:     "cancel page",
	signals.CatDowngrade:  "downgrade page",
	signals.CatPricing:    "pricing page",
	signals.CatBilling:    "billing page",
	signals.CatRefund:     "refund policy page",
	signals.CatExport:     "data export page",
	signals.CatCompetitor: "competitor comparison page",
}

// at returns the value of a named feature in x, NaN when the schema has no
// such feature, x is too short, or the value is not finite.
func (s *Schema) at(x []float64, name string) float64 {
	i := s.Index(name)
	if i < 0 || i >= len(x) || math.IsInf(x[i], 0) {
		return math.NaN()
	}
	return x[i]
}

func (s *Schema) lookback() int {
	if s.LookbackDays <= 0 {
		return 90
	}
	return s.LookbackDays
}

// usualWeek is the baseline of usage_drop_7d: the average week of the 23
// days before the last 7 (NaN when the vector lacks the usage windows).
func (s *Schema) usualWeek(x []float64) float64 {
	return math.Max(0, s.at(x, Usage30d)-s.at(x, Usage7d)) / 23 * 7
}

// riskVisits is the sum of the 30-day risk-page visits, NaN without them.
func (s *Schema) riskVisits(x []float64) float64 {
	sum := 0.0
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		sum += s.at(x, VisitFeature(c))
	}
	return sum
}

// notKnown is the sentence of a missing value.
func notKnown(name string, s *Schema) i18n.Message {
	if sentences.Arity("known."+name) == 0 {
		return msg("known." + name)
	}
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		if name == VisitFeature(c) {
			return msg("known.visits", pageNames[c])
		}
	}
	if a, _, _, ok := s.categorical(name); ok {
		return msg("known.attr", a.Name)
	}
	return msg("known.attr", humanName(name))
}

// compare says how recent stands against earlier: -1 lower, 0 about the same
// (within 5%), 1 higher.
func compare(recent, earlier float64) int {
	switch {
	case recent < earlier*0.95:
		return -1
	case recent > earlier*1.05:
		return 1
	}
	return 0
}

func usageWeek(u7, week float64) i18n.Message {
	u7 = math.Max(0, u7)
	switch {
	case math.IsNaN(week) && u7 == 0:
		return msg("u7.none")
	case math.IsNaN(week):
		return msg("u7.of", u7)
	case u7 == 0 && week == 0:
		return msg("u7.noneEver")
	case u7 == 0:
		return msg("u7.noneAgainst", round(week))
	case week == 0:
		return msg("u7.started", u7)
	}
	switch compare(u7, week) {
	case -1:
		return msg("u7.down", u7, round(week))
	case 1:
		return msg("u7.up", u7, round(week))
	}
	return msg("u7.same", u7)
}

func usageMonth(u30, prev float64) i18n.Message {
	u30 = math.Max(0, u30)
	switch {
	case math.IsNaN(prev) && u30 == 0:
		return msg("u30.none")
	case math.IsNaN(prev):
		return msg("u30.of", u30)
	}
	prev = math.Max(0, prev)
	switch {
	case u30 == 0 && prev == 0:
		return msg("u30.noneEver")
	case u30 == 0:
		return msg("u30.stopped", prev)
	case prev == 0:
		return msg("u30.started", u30)
	}
	switch compare(u30, prev) {
	case -1:
		return msg("u30.fell", prev, u30)
	case 1:
		return msg("u30.rose", prev, u30)
	}
	return msg("u30.steady", u30)
}

func usageBefore(prev, u30 float64) i18n.Message {
	prev = math.Max(0, prev)
	switch {
	case math.IsNaN(u30) && prev == 0:
		return msg("prev.none")
	case math.IsNaN(u30):
		return msg("prev.of", prev)
	}
	u30 = math.Max(0, u30)
	switch {
	case prev == 0 && u30 == 0:
		return msg("prev.noneEver")
	case prev == 0:
		return msg("prev.started", u30)
	case u30 == 0:
		return msg("prev.stopped", prev)
	}
	switch compare(u30, prev) {
	case -1:
		return msg("prev.fell", prev, u30)
	case 1:
		return msg("prev.rose", prev, u30)
	}
	return msg("prev.steady", prev)
}

// dropPct turns a relative fall in (0, 1) into a whole percentage in
// [1, 99]: a fall that rounds to 0% or 100% is neither none nor all.
func dropPct(d float64) float64 { return clamp(math.Round(d*100), 1, 99) }

func usageDrop30(d, u30, prev float64) i18n.Message {
	d = clamp(d, -1, 1)
	known := !math.IsNaN(u30) && !math.IsNaN(prev)
	u30, prev = math.Max(0, u30), math.Max(0, prev)
	// from adds "(from prev to u30 a month)" when both are known.
	from := func(key string, args ...any) i18n.Message {
		if known {
			return msg(key+"From", append(args, prev, u30)...)
		}
		return msg(key, args...)
	}
	switch {
	case known && u30 == 0 && prev == 0:
		return msg("u30.noneEver")
	case d >= 1 && known:
		return msg("u30.stopped", prev)
	case d >= 1:
		return msg("u30.stoppedAfter")
	case math.Round(d*100) == 0:
		return from("d30.same")
	case d > 0:
		return from("d30.fell", dropPct(d))
	case known && prev == 0:
		return msg("u30.started", u30)
	case d <= -1:
		return from("d30.doubled")
	}
	return from("d30.rose", dropPct(-d))
}

func usageDrop7(d, u7, week float64) i18n.Message {
	d = clamp(d, -1, 1)
	known := !math.IsNaN(u7) && !math.IsNaN(week)
	u7 = math.Max(0, u7)
	switch {
	case known && u7 == 0 && week == 0:
		return msg("d7.noneEver")
	case d >= 1 && known:
		return msg("d7.noneAgainst", round(week))
	case d >= 1:
		return msg("d7.stoppedAfter")
	case math.Round(d*100) == 0:
		return msg("d7.same")
	case d > 0:
		return msg("d7.below", dropPct(d))
	case known && week == 0:
		return msg("d7.started", u7)
	case d <= -1:
		return msg("d7.doubled")
	}
	return msg("d7.above", dropPct(-d))
}

// trend puts the usage trend in words. v is the fitted line's change per 30
// days over the mean daily usage of the lookback (features.behaviour), so
// the line goes from (1 - k) to (1 + k) times the mean with
// k = v * (lookback - 1) / 60.
func (s *Schema) trend(v, u30, prev float64) i18n.Message {
	n := s.lookback()
	if v == 0 && u30 == 0 && prev == 0 {
		return msg("tr.none", n)
	}
	k := clamp(v, -5, 5) * float64(n-1) / 60
	r := math.Inf(1) // the line's end over its start
	if k < 1 {
		r = math.Max(0, (1+k)/(1-k))
	}
	switch {
	case r >= 0.9 && r <= 1.1:
		return msg("tr.steady", n)
	case r <= 0.15:
		return msg("tr.falling", n)
	case r < 0.9:
		if fall := 1 - r; fall < 0.45 || fall >= 0.55 {
			return msg("tr.fell", math.Round(fall*10)*10, n)
		}
		return msg("tr.halved", n)
	case r < 1.9:
		return msg("tr.rose", math.Round((r-1)*10)*10, n)
	case r < 2.5:
		return msg("tr.doubled", n)
	case r < 3.5:
		return msg("tr.tripled", n)
	}
	return msg("tr.rising", n)
}

func tickets30(t30, t90 float64) i18n.Message {
	t30 = math.Max(0, t30)
	before := t90 - t30
	switch {
	case math.IsNaN(before) || before < 0:
		return msg("t30.count", t30)
	case t30 == 0 && before == 0:
		return msg("t90.none")
	case t30 == 0:
		return msg("t30.noneAfter", before)
	case before == 0:
		return msg("t30.noneBefore", t30)
	}
	return msg("t30.against", t30, before)
}

func tickets90(t90, t30 float64) i18n.Message {
	t90 = math.Max(0, t90)
	switch {
	case t90 == 0:
		return msg("t90.none")
	case math.IsNaN(t30) || t30 < 0 || t30 > t90:
		return msg("t90.count", t90)
	case t30 == 0:
		return msg("t90.noneRecent", t90)
	case t30 == t90 && t90 == 1:
		return msg("t90.oneRecent")
	case t30 == t90:
		return msg("t90.allRecent", t90)
	}
	return msg("t90.someRecent", t90, t30)
}

func negativeTickets(neg, t90 float64) i18n.Message {
	neg = math.Max(0, neg)
	switch {
	case neg == 0:
		return msg("neg.none")
	case math.IsNaN(t90) || t90 < neg:
		return msg("neg.count", neg)
	case neg == 1 && t90 == 1:
		return msg("neg.only")
	case neg == t90:
		return msg("neg.all", t90)
	case neg == 1:
		return msg("neg.someOne", neg, t90)
	}
	return msg("neg.some", neg, t90)
}

func pageViews(v, risk float64) i18n.Message {
	v = math.Max(0, v)
	switch {
	case v == 0:
		return msg("pv.none")
	case math.IsNaN(risk) || risk > v:
		return msg("pv.count", v)
	case risk == 0:
		return msg("pv.noneRisk", v)
	case risk == v && v == 1:
		return msg("pv.oneRisk")
	case risk == v:
		return msg("pv.allRisk", v)
	}
	return msg("pv.someRisk", v, risk)
}

func tenure(days float64) i18n.Message {
	days = math.Max(0, days)
	switch {
	case days < 1:
		return msg("tenure.new")
	case days < 60:
		return msg("tenure.days", math.Floor(days))
	case days < 730:
		return msg("tenure.months", math.Round(days/30.44))
	}
	return msg("tenure.years", math.Round(days/365.25))
}

// tone puts a sentiment in [-1, 1] in words (the console's sentimentWord
// uses the same bands).
func tone(v float64) string {
	switch {
	case v <= -0.5:
		return "angry"
	case v < -0.05:
		return "unhappy"
	case v <= 0.05:
		return "neutral"
	case v < 0.5:
		return "satisfied"
	}
	return "happy"
}

// categorySentence describes the one-hot feature k of the block of a
// starting at start: the level the customer has, against this one.
func categorySentence(a *Attribute, x []float64, start, k int, v float64) i18n.Message {
	n := len(a.Levels) + 1
	if v > 0 {
		return msg("cat.is", a.Name, levelName(a, k))
	}
	if start+n <= len(x) {
		for j := range n {
			if x[start+j] > 0 {
				return msg("cat.isNot", a.Name, levelName(a, j), levelName(a, k))
			}
		}
		return msg("known.attr", a.Name)
	}
	return msg("cat.not", a.Name, levelName(a, k))
}

func levelName(a *Attribute, j int) string {
	if j >= len(a.Levels) {
		return rareLevel
	}
	return a.Levels[j]
}

// categorical resolves a one-hot feature name to its attribute, the
// position of its block in the vector and its place in the block.
func (s *Schema) categorical(name string) (a *Attribute, start, k int, ok bool) {
	i := s.Index(name)
	if i < 0 {
		return nil, 0, 0, false
	}
	// Walk the plan and attribute blocks in vector order to find the one
	// holding i (without allocating: drivers are described on every score).
	j := 0
	if s.Behaviour {
		j = numBehaviour
	}
	if s.Tenure {
		j++
	}
	if s.MRR {
		j++
	}
	for b := -1; b < len(s.Attributes); b++ {
		a := s.Plan
		if b >= 0 {
			a = &s.Attributes[b]
		} else if a == nil {
			continue
		}
		if a.Numeric || a.Date {
			j++
			continue
		}
		n := len(a.Levels) + 1
		if i >= j && i < j+n {
			return a, j, i - j, true
		}
		j += n
	}
	return nil, 0, 0, false
}

func humanName(name string) string {
	return strings.ReplaceAll(strings.TrimPrefix(name, attrPrefix), "_", " ")
}

func round(v float64) float64 {
	if v >= 10 {
		return math.Round(v)
	}
	return math.Round(v*10) / 10
}

// num formats a number for a sentence: whole numbers with thousands
// separators (1,234), others with one decimal.
func num(v float64) string {
	if v != math.Trunc(v) || math.Abs(v) >= 1e15 {
		if math.Abs(v) >= 1e15 {
			return strconv.FormatFloat(v, 'g', 3, 64)
		}
		return group(strconv.FormatFloat(v, 'f', 1, 64))
	}
	return group(strconv.FormatFloat(v, 'f', 0, 64))
}

// money formats an amount with two decimals and thousands separators.
func money(v float64) string {
	if math.Abs(v) >= 1e15 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return group(strconv.FormatFloat(v, 'f', 2, 64))
}

// group inserts thousands separators into a formatted decimal number.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if frac != "" {
		frac = "." + frac
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + frac
}
