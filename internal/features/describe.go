package features

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/churnrisk/churn/internal/signals"
)

// Describe returns a sentence a support agent can repeat on the phone for the
// feature name of the vector x (a vector of this schema): the fact and its
// direction, e.g. "usage fell from 582 to 120 a month" or "no product
// activity for 19 days". A sentence reads the neighbouring features it needs
// (the 30-day usage beside the 30 days before it), so it is meaningful at any
// value: nothing "fell 0%", no percentage above 100, never "NaN". A missing
// value says what is not known; an unknown name or a short vector gives a
// plain "name is value" sentence rather than a panic.
func (s *Schema) Describe(name string, x []float64) string {
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
			return "no product activity yet: signed up less than a day ago"
		case t < lb && v >= t:
			return "no product activity since signing up " + count(math.Floor(t), "day", "days") + " ago"
		case v >= lb:
			return fmt.Sprintf("no product activity in the last %d days", s.lookback())
		case v < 1:
			return "used the product in the last day"
		}
		return "no product activity for " + count(v, "day", "days")
	case ActiveDays30d:
		switch v = clamp(v, 0, 30); {
		case v == 0:
			return "did not use the product on any of the last 30 days"
		case v >= 30:
			return "used the product every day of the last 30"
		}
		return fmt.Sprintf("used the product on %s of the last 30 days", num(v))
	case UsageTrend:
		return s.trend(v, s.at(x, Usage30d), s.at(x, UsagePrev30d))
	case Tickets30d:
		return tickets30(v, s.at(x, Tickets90d))
	case Tickets90d:
		return tickets90(v, s.at(x, Tickets30d))
	case SentimentMean90d:
		if t := s.at(x, Tickets90d); t == 0 {
			return "no support tickets in the last 90 days to judge their tone"
		}
		return fmt.Sprintf("support tickets in the last 90 days were %s on average (tone %s, from -1 angry to +1 happy)", tone(v), signedTone(v))
	case SentimentMin90d:
		if t := s.at(x, Tickets90d); t == 0 {
			return "no support tickets in the last 90 days to judge their tone"
		}
		if v > -0.05 {
			return fmt.Sprintf("no unhappy support ticket in the last 90 days (lowest tone %s, from -1 angry to +1 happy)", signedTone(v))
		}
		return fmt.Sprintf("the unhappiest support ticket in the last 90 days was %s (tone %s, from -1 angry to +1 happy)", tone(v), signedTone(v))
	case NegativeTickets90d:
		return negativeTickets(v, s.at(x, Tickets90d))
	case DaysSinceNegTicket:
		switch {
		case v >= float64(s.lookback()):
			return fmt.Sprintf("no unhappy support ticket in the last %d days", s.lookback())
		case v < 1:
			return "an unhappy support ticket in the last day"
		}
		return fmt.Sprintf("last unhappy support ticket %s ago", count(v, "day", "days"))
	case IntentTickets90d:
		v = math.Max(0, v)
		if v == 0 {
			return "no support ticket in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product"
		}
		return count(v, "support ticket", "support tickets") +
			" in the last 90 days asked to cancel, downgrade or get a refund, or spoke of switching to another product or of the price"
	case RiskVisitDays30d:
		switch v = clamp(v, 0, 30); {
		case v == 0:
			return "no visits to risk pages (cancel, pricing, refund...) in the last 30 days"
		case v >= 30:
			return "visited risk pages (cancel, pricing, refund...) every day of the last 30"
		}
		return fmt.Sprintf("visited risk pages (cancel, pricing, refund...) on %s of the last 30 days", num(v))
	case PageViews30d:
		return pageViews(v, s.riskVisits(x))
	case TenureDays:
		return tenure(v)
	case MRR:
		switch {
		case v == 0:
			return "pays nothing a month (a free or unpaid account)"
		case v < 0:
			return fmt.Sprintf("monthly revenue is negative (%s)", money(v))
		}
		return fmt.Sprintf("pays %s a month", money(v))
	}
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		if name == VisitFeature(c) {
			return count(math.Max(0, v), "visit", "visits") + " to the " + pageNames[c] + " in the last 30 days"
		}
	}
	if a, start, k, ok := s.categorical(name); ok {
		return categorySentence(a, x, start, k, v)
	}
	if col, ok := strings.CutSuffix(name, dateSuffix); ok && strings.HasPrefix(col, attrPrefix) {
		return fmt.Sprintf("%s was %s ago", humanName(col), count(math.Floor(v), "day", "days"))
	}
	return fmt.Sprintf("%s is %s", humanName(name), num(v))
}

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
func notKnown(name string, s *Schema) string {
	what := map[string]string{
		Usage7d: "usage in the last 7 days", Usage30d: "usage in the last 30 days", UsagePrev30d: "usage in the 30 days before the last 30",
		UsageDrop30d: "the change in usage against the previous 30 days", UsageDrop7d: "the change in usage this week",
		DaysSinceActive: "the last product activity", ActiveDays30d: "how many of the last 30 days the product was used",
		UsageTrend: "the usage trend", Tickets30d: "the number of support tickets in the last 30 days",
		Tickets90d: "the number of support tickets in the last 90 days", SentimentMean90d: "the tone of the support tickets",
		SentimentMin90d: "the tone of the unhappiest support ticket", NegativeTickets90d: "the number of unhappy support tickets",
		DaysSinceNegTicket: "the last unhappy support ticket", IntentTickets90d: "whether support tickets asked to cancel",
		RiskVisitDays30d: "visits to risk pages", PageViews30d: "the number of page views", TenureDays: "the signup date", MRR: "the monthly revenue",
	}[name]
	if what == "" {
		for c := signals.Category(0); c < signals.NumCategories; c++ {
			if name == VisitFeature(c) {
				what = "visits to the " + pageNames[c]
			}
		}
	}
	if what == "" {
		if a, _, _, ok := s.categorical(name); ok {
			what = a.Name
		} else {
			what = humanName(name)
		}
	}
	return what + " is not known"
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

func usageWeek(u7, week float64) string {
	u7 = math.Max(0, u7)
	switch {
	case math.IsNaN(week) && u7 == 0:
		return "no usage in the last 7 days"
	case math.IsNaN(week):
		return fmt.Sprintf("usage of %s in the last 7 days", num(u7))
	case u7 == 0 && week == 0:
		return "no usage in the last 7 days, nor in the 3 weeks before"
	case u7 == 0:
		return fmt.Sprintf("no usage in the last 7 days, against about %s in a usual week", num(round(week)))
	case week == 0:
		return fmt.Sprintf("usage of %s in the last 7 days, after none in the 3 weeks before", num(u7))
	}
	switch compare(u7, week) {
	case -1:
		return fmt.Sprintf("usage of %s in the last 7 days, down from about %s in a usual week", num(u7), num(round(week)))
	case 1:
		return fmt.Sprintf("usage of %s in the last 7 days, up from about %s in a usual week", num(u7), num(round(week)))
	}
	return fmt.Sprintf("usage of %s in the last 7 days, about the same as a usual week", num(u7))
}

func usageMonth(u30, prev float64) string {
	u30 = math.Max(0, u30)
	switch {
	case math.IsNaN(prev) && u30 == 0:
		return "no usage in the last 30 days"
	case math.IsNaN(prev):
		return fmt.Sprintf("usage of %s in the last 30 days", num(u30))
	}
	prev = math.Max(0, prev)
	switch {
	case u30 == 0 && prev == 0:
		return "no usage in the last 30 days, nor in the 30 before"
	case u30 == 0:
		return fmt.Sprintf("usage stopped: none in the last 30 days, against %s in the 30 before", num(prev))
	case prev == 0:
		return fmt.Sprintf("usage started: %s in the last 30 days, after none in the 30 before", num(u30))
	}
	switch compare(u30, prev) {
	case -1:
		return fmt.Sprintf("usage fell from %s to %s a month", num(prev), num(u30))
	case 1:
		return fmt.Sprintf("usage rose from %s to %s a month", num(prev), num(u30))
	}
	return fmt.Sprintf("usage steady at about %s a month", num(u30))
}

func usageBefore(prev, u30 float64) string {
	prev = math.Max(0, prev)
	switch {
	case math.IsNaN(u30) && prev == 0:
		return "no usage in the 30 days before the last 30"
	case math.IsNaN(u30):
		return fmt.Sprintf("usage of %s in the 30 days before the last 30", num(prev))
	}
	u30 = math.Max(0, u30)
	switch {
	case prev == 0 && u30 == 0:
		return "no usage in the 30 days before the last 30, nor since"
	case prev == 0:
		return fmt.Sprintf("no usage in the 30 days before the last 30, then %s since", num(u30))
	case u30 == 0:
		return fmt.Sprintf("usage of %s in the 30 days before the last 30, then none since", num(prev))
	}
	switch compare(u30, prev) {
	case -1:
		return fmt.Sprintf("usage was %s in the 30 days before the last 30, then fell to %s", num(prev), num(u30))
	case 1:
		return fmt.Sprintf("usage was %s in the 30 days before the last 30, then rose to %s", num(prev), num(u30))
	}
	return fmt.Sprintf("usage steady at about %s a month over the last 60 days", num(prev))
}

// dropPct turns a relative fall in (0, 1) into a whole percentage in
// [1, 99]: a fall that rounds to 0% or 100% is neither none nor all.
func dropPct(d float64) float64 { return clamp(math.Round(d*100), 1, 99) }

func usageDrop30(d, u30, prev float64) string {
	d = clamp(d, -1, 1)
	known := !math.IsNaN(u30) && !math.IsNaN(prev)
	u30, prev = math.Max(0, u30), math.Max(0, prev)
	from := ""
	if known {
		from = fmt.Sprintf(" (from %s to %s a month)", num(prev), num(u30))
	}
	switch {
	case known && u30 == 0 && prev == 0:
		return "no usage in the last 30 days, nor in the 30 before"
	case d >= 1 && known:
		return fmt.Sprintf("usage stopped: none in the last 30 days, against %s in the 30 before", num(prev))
	case d >= 1:
		return "usage stopped: none in the last 30 days, after usage in the 30 before"
	case math.Round(d*100) == 0:
		return "usage about the same as the previous 30 days" + from
	case d > 0:
		return fmt.Sprintf("usage fell %.0f%% against the previous 30 days%s", dropPct(d), from)
	case known && prev == 0:
		return fmt.Sprintf("usage started: %s in the last 30 days, after none in the 30 before", num(u30))
	case d <= -1:
		return "usage more than doubled against the previous 30 days" + from
	}
	return fmt.Sprintf("usage rose %.0f%% against the previous 30 days%s", dropPct(-d), from)
}

func usageDrop7(d, u7, week float64) string {
	d = clamp(d, -1, 1)
	known := !math.IsNaN(u7) && !math.IsNaN(week)
	u7 = math.Max(0, u7)
	switch {
	case known && u7 == 0 && week == 0:
		return "no usage this week, nor in the 3 weeks before"
	case d >= 1 && known:
		return fmt.Sprintf("no usage this week, against about %s in a usual week", num(round(week)))
	case d >= 1:
		return "no usage this week, after usage in the weeks before"
	case math.Round(d*100) == 0:
		return "usage this week about the same as its usual week"
	case d > 0:
		return fmt.Sprintf("usage this week is %.0f%% below its usual week", dropPct(d))
	case known && week == 0:
		return fmt.Sprintf("usage of %s this week, after none in the 3 weeks before", num(u7))
	case d <= -1:
		return "usage this week is more than double its usual week"
	}
	return fmt.Sprintf("usage this week is %.0f%% above its usual week", dropPct(-d))
}

// trend puts the usage trend in words. v is the fitted line's change per 30
// days over the mean daily usage of the lookback (features.behaviour), so
// the line goes from (1 - k) to (1 + k) times the mean with
// k = v * (lookback - 1) / 60.
func (s *Schema) trend(v, u30, prev float64) string {
	n := s.lookback()
	over := fmt.Sprintf("over the last %d days", n)
	if v == 0 && u30 == 0 && prev == 0 {
		return fmt.Sprintf("no usage in the last %d days", n)
	}
	k := clamp(v, -5, 5) * float64(n-1) / 60
	r := math.Inf(1) // the line's end over its start
	if k < 1 {
		r = math.Max(0, (1+k)/(1-k))
	}
	switch {
	case r >= 0.9 && r <= 1.1:
		return "usage roughly steady " + over
	case r <= 0.15:
		return "usage has been falling steeply " + over
	case r < 0.9:
		if fall := 1 - r; fall < 0.45 || fall >= 0.55 {
			return fmt.Sprintf("usage has fallen by about %.0f%% %s", math.Round(fall*10)*10, over)
		}
		return "usage roughly halved " + over
	case r < 1.9:
		return fmt.Sprintf("usage has risen by about %.0f%% %s", math.Round((r-1)*10)*10, over)
	case r < 2.5:
		return "usage roughly doubled " + over
	case r < 3.5:
		return "usage roughly tripled " + over
	}
	return "usage has been rising steeply " + over
}

func tickets30(t30, t90 float64) string {
	t30 = math.Max(0, t30)
	before := t90 - t30
	switch {
	case math.IsNaN(before) || before < 0:
		return count(t30, "support ticket", "support tickets") + " in the last 30 days"
	case t30 == 0 && before == 0:
		return "no support tickets in the last 90 days"
	case t30 == 0:
		return fmt.Sprintf("no support tickets in the last 30 days, after %s in the 60 days before", num(before))
	case before == 0:
		return count(t30, "support ticket", "support tickets") + " in the last 30 days, none in the 60 days before"
	}
	return fmt.Sprintf("%s in the last 30 days, against %s in the 60 days before", count(t30, "support ticket", "support tickets"), num(before))
}

func tickets90(t90, t30 float64) string {
	t90 = math.Max(0, t90)
	switch {
	case t90 == 0:
		return "no support tickets in the last 90 days"
	case math.IsNaN(t30) || t30 < 0 || t30 > t90:
		return count(t90, "support ticket", "support tickets") + " in the last 90 days"
	case t30 == 0:
		return count(t90, "support ticket", "support tickets") + " in the last 90 days, none of them in the last 30"
	case t30 == t90 && t90 == 1:
		return "1 support ticket in the last 90 days, within the last 30"
	case t30 == t90:
		return count(t90, "support ticket", "support tickets") + " in the last 90 days, all within the last 30"
	}
	return fmt.Sprintf("%s in the last 90 days, %s of them in the last 30", count(t90, "support ticket", "support tickets"), num(t30))
}

func negativeTickets(neg, t90 float64) string {
	neg = math.Max(0, neg)
	switch {
	case neg == 0:
		return "no unhappy support tickets in the last 90 days"
	case math.IsNaN(t90) || t90 < neg:
		return count(neg, "unhappy support ticket", "unhappy support tickets") + " in the last 90 days"
	case neg == 1 && t90 == 1:
		return "the only support ticket in the last 90 days was unhappy"
	case neg == t90:
		return fmt.Sprintf("all %s support tickets in the last 90 days were unhappy", num(t90))
	}
	verb := "were"
	if neg == 1 {
		verb = "was"
	}
	return fmt.Sprintf("%s of %s support tickets in the last 90 days %s unhappy", num(neg), num(t90), verb)
}

func pageViews(v, risk float64) string {
	v = math.Max(0, v)
	switch {
	case v == 0:
		return "no page views in the last 30 days"
	case math.IsNaN(risk) || risk > v:
		return count(v, "page view", "page views") + " in the last 30 days"
	case risk == 0:
		return count(v, "page view", "page views") + " in the last 30 days, none on risk pages (cancel, pricing, refund...)"
	case risk == v && v == 1:
		return "1 page view in the last 30 days, on a risk page (cancel, pricing, refund...)"
	case risk == v:
		return count(v, "page view", "page views") + " in the last 30 days, all on risk pages (cancel, pricing, refund...)"
	}
	return fmt.Sprintf("%s in the last 30 days, %s on risk pages (cancel, pricing, refund...)", count(v, "page view", "page views"), num(risk))
}

func tenure(days float64) string {
	days = math.Max(0, days)
	switch {
	case days < 1:
		return "new customer: signed up less than a day ago"
	case days < 60:
		return "new customer: signed up " + count(math.Floor(days), "day", "days") + " ago"
	case days < 730:
		return fmt.Sprintf("customer for about %s months", num(math.Round(days/30.44)))
	}
	return fmt.Sprintf("customer for about %s years", num(math.Round(days/365.25)))
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

func signedTone(v float64) string { return fmt.Sprintf("%+.2f", clamp(v, -1, 1)) }

// categorySentence describes the one-hot feature k of the block of a
// starting at start: the level the customer has, against this one.
func categorySentence(a *Attribute, x []float64, start, k int, v float64) string {
	n := len(a.Levels) + 1
	if v > 0 {
		return fmt.Sprintf("%s is %s", a.Name, levelName(a, k))
	}
	if start+n <= len(x) {
		for j := range n {
			if x[start+j] > 0 {
				return fmt.Sprintf("%s is %s, not %s", a.Name, levelName(a, j), levelName(a, k))
			}
		}
		return a.Name + " is not known"
	}
	return fmt.Sprintf("%s is not %s", a.Name, levelName(a, k))
}

func levelName(a *Attribute, j int) string {
	if j >= len(a.Levels) {
		return "a rare or new value"
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

// count is "no days", "1 day" or "19 days".
func count(v float64, one, many string) string {
	switch {
	case v == 0:
		return "no " + many
	case v == 1:
		return "1 " + one
	}
	return num(v) + " " + many
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
