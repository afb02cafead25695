// Package features turns a customer's profile and daily signal aggregates into
// the named feature vector the model sees. Training and serving both call
// Schema.Vector, so there is no train/serve skew: only the source of the
// aggregates differs (files or the store).
//
// Point in time: Vector(p, h, asOf) reads only the days d < signals.EndDay(asOf),
// so for a midnight as-of nothing dated on or after it reaches a feature.
package features

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

// Behavioural feature names, stable identifiers used by explanations, the API
// and model metadata. Their order is the order in the vector.
const (
	Usage7d             = "usage_7d"
	Usage30d            = "usage_30d"
	UsagePrev30d        = "usage_prev_30d"
	UsageDrop30d        = "usage_drop_30d"
	UsageDrop7d         = "usage_drop_7d"
	DaysSinceActive     = "days_since_last_activity"
	ActiveDays30d       = "active_days_30d"
	UsageTrend          = "usage_trend"
	Tickets30d          = "tickets_30d"
	Tickets90d          = "tickets_90d"
	SentimentMean90d    = "ticket_sentiment_mean_90d"
	SentimentMin90d     = "ticket_sentiment_min_90d"
	NegativeTickets90d  = "negative_tickets_90d"
	DaysSinceNegTicket  = "days_since_negative_ticket"
	IntentTickets90d    = "churn_intent_tickets_90d"
	RiskVisitDays30d    = "risk_visit_days_30d"
	PageViews30d        = "page_views_30d"
	TenureDays          = "tenure_days"
	MRR                 = "mrr"
	visitPrefix         = "visits_"
	visitSuffix         = "_30d"
	planPrefix          = "plan_"
	attrPrefix          = "attr_"
	dateSuffix          = "_days_before" // a date attribute: days before the as-of
	otherLevel          = "other"
	defaultMinLevelRows = 10
)

// VisitFeature returns the feature name of the 30-day visit count of a risk-page category.
func VisitFeature(c signals.Category) string { return visitPrefix + c.String() + visitSuffix }

// BehaviourNames returns the names of the behavioural features in vector order.
func BehaviourNames() []string {
	names := []string{Usage7d, Usage30d, UsagePrev30d, UsageDrop30d, UsageDrop7d, DaysSinceActive, ActiveDays30d, UsageTrend,
		Tickets30d, Tickets90d, SentimentMean90d, SentimentMin90d, NegativeTickets90d, DaysSinceNegTicket, IntentTickets90d}
	for c := signals.Category(0); c < signals.NumCategories; c++ {
		names = append(names, VisitFeature(c))
	}
	return append(names, RiskVisitDays30d, PageViews30d)
}

// Attribute describes one account attribute column.
type Attribute struct {
	Name string `json:"name"`
	// Numeric attributes give one feature; categorical ones one per kept level
	// plus an "other" feature for rare and unseen levels.
	Numeric bool     `json:"numeric"`
	Levels  []string `json:"levels,omitempty"`
	// Date attributes give one feature: the days from the date to the as-of
	// (missing when the date is not before the as-of).
	Date bool `json:"date,omitempty"`
}

// Schema describes the feature vector. It is built once from the training
// data and saved with the model; scoring uses the saved schema.
type Schema struct {
	LookbackDays int         `json:"lookback_days"`
	Behaviour    bool        `json:"behaviour"`
	Tenure       bool        `json:"tenure"`
	MRR          bool        `json:"mrr"`
	Plan         *Attribute  `json:"plan,omitempty"`
	Attributes   []Attribute `json:"attributes,omitempty"`
	Names        []string    `json:"names"`
	// Masked features always read as missing, so no learner can use them
	// (the leakage guard masks features it cannot remove from the schema).
	Masked []string `json:"masked,omitempty"`
	// DateColumns are the attribute columns NewSchema left out because
	// their values are mostly dates (SchemaOptions.DateAttributes keeps them).
	DateColumns []string `json:"-"`

	index  map[string]int
	masked []int
}

// SchemaOptions controls NewSchema.
type SchemaOptions struct {
	// Behaviour includes the usage, support and page-visit families (time mode).
	Behaviour    bool
	LookbackDays int
	// MinLevelRows pools categorical levels seen in fewer rows into "other";
	// 0 means the default (10).
	MinLevelRows int
	// DateAttributes are attribute columns read as dates: each becomes the
	// number of days from its date to the as-of. Other attribute columns
	// whose values are mostly dates are left out (see Schema.DateColumns).
	DateAttributes []string
}

// dateShare is the share of an attribute's values that must parse as dates
// for the column to count as a date column.
const dateShare = 0.8

// NewSchema derives the schema from the training profiles: an attribute is
// numeric when every non-missing value parses as a number, a date column when
// at least 80% of its values parse as dates (left out unless named in
// DateAttributes), else categorical; levels seen in fewer than MinLevelRows
// profiles are pooled.
func NewSchema(profiles []Profile, opt SchemaOptions) *Schema {
	if opt.MinLevelRows <= 0 {
		opt.MinLevelRows = defaultMinLevelRows
	}
	if opt.LookbackDays <= 0 {
		opt.LookbackDays = 90
	}
	s := &Schema{LookbackDays: opt.LookbackDays, Behaviour: opt.Behaviour}
	plans := map[string]int{}
	attrVals := map[string]map[string]int{}
	numeric := map[string]bool{}
	dates := map[string]int{}
	for i := range profiles {
		p := &profiles[i]
		if p.SignupAt != nil {
			s.Tenure = true
		}
		if p.MRR != nil {
			s.MRR = true
		}
		if p.Plan != "" {
			plans[p.Plan]++
		}
		for k, v := range p.Attributes {
			m := attrVals[k]
			if m == nil {
				m = map[string]int{}
				attrVals[k] = m
				numeric[k] = true
			}
			m[v]++
			if numeric[k] {
				if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
					numeric[k] = false
				}
			}
			if _, ok := ParseDate(v); ok {
				dates[k]++
			}
		}
	}
	if len(plans) > 0 {
		s.Plan = &Attribute{Name: "plan", Levels: keptLevels(plans, opt.MinLevelRows)}
	}
	keys := make([]string, 0, len(attrVals))
	for k := range attrVals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a := Attribute{Name: k, Numeric: numeric[k]}
		total := 0
		for _, n := range attrVals[k] {
			total += n
		}
		switch {
		case slices.Contains(opt.DateAttributes, k):
			a = Attribute{Name: k, Date: true}
		case !a.Numeric && float64(dates[k]) >= dateShare*float64(total):
			s.DateColumns = append(s.DateColumns, k)
			continue
		}
		if !a.Numeric && !a.Date {
			a.Levels = keptLevels(attrVals[k], opt.MinLevelRows)
		}
		s.Attributes = append(s.Attributes, a)
	}
	s.buildNames()
	return s
}

func keptLevels(counts map[string]int, min int) []string {
	var out []string
	for l, n := range counts {
		if n >= min {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// Init rebuilds the derived fields of a schema read from JSON. It returns an
// error when the stored names do not match the description.
func (s *Schema) Init() error {
	stored := s.Names
	s.buildNames()
	if len(stored) != len(s.Names) {
		return fmt.Errorf("feature schema: %d names stored, %d described", len(stored), len(s.Names))
	}
	for i := range stored {
		if stored[i] != s.Names[i] {
			return fmt.Errorf("feature schema: feature %d is %q, described as %q", i, stored[i], s.Names[i])
		}
	}
	return nil
}

func (s *Schema) buildNames() {
	var names []string
	if s.Behaviour {
		names = BehaviourNames()
	}
	if s.Tenure {
		names = append(names, TenureDays)
	}
	if s.MRR {
		names = append(names, MRR)
	}
	if s.Plan != nil {
		for _, l := range s.Plan.Levels {
			names = append(names, planPrefix+Slug(l))
		}
		names = append(names, planPrefix+otherLevel)
	}
	for _, a := range s.Attributes {
		base := attrPrefix + Slug(a.Name)
		if a.Date {
			names = append(names, base+dateSuffix)
			continue
		}
		if a.Numeric {
			names = append(names, base)
			continue
		}
		for _, l := range a.Levels {
			names = append(names, base+"_"+Slug(l))
		}
		names = append(names, base+"_"+otherLevel)
	}
	// Slugs can collide ("A b" and "a_b"): make every name unique.
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if k := seen[n]; k > 0 {
			names[i] = fmt.Sprintf("%s_%d", n, k+1)
		}
		seen[n]++
	}
	s.Names = names
	s.index = make(map[string]int, len(names))
	for i, n := range names {
		s.index[n] = i
	}
	s.masked = s.masked[:0]
	for _, n := range s.Masked {
		if i, ok := s.index[n]; ok {
			s.masked = append(s.masked, i)
		}
	}
}

// Without returns a copy of s without the named attribute columns and with
// the named features masked (they read as missing).
func (s *Schema) Without(attributes, masked []string) *Schema {
	out := *s
	out.Attributes = nil
	for _, a := range s.Attributes {
		if !slices.Contains(attributes, a.Name) {
			out.Attributes = append(out.Attributes, a)
		}
	}
	out.Masked = append(slices.Clone(s.Masked), masked...)
	out.masked = nil
	out.buildNames()
	return &out
}

// AttributeFeatures returns the names of the features of attribute column
// name (its one-hot block, or its one numeric or date feature), in vector
// order; nil when the schema does not hold the column.
func (s *Schema) AttributeFeatures(name string) []string {
	i := len(s.Names)
	for k := len(s.Attributes) - 1; k >= 0; k-- {
		a := &s.Attributes[k]
		n := 1
		if !a.Numeric && !a.Date {
			n = len(a.Levels) + 1
		}
		i -= n
		if a.Name == name {
			return s.Names[i : i+n]
		}
	}
	return nil
}

// ParseDate parses a date attribute value: YYYY-MM-DD (UTC midnight) or an
// RFC 3339 time (a space instead of the T is accepted), the forms of the
// input contract's timestamps. It reports false for anything else.
func ParseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if len(v) == len(time.DateOnly) {
		t, err := time.Parse(time.DateOnly, v)
		return t, err == nil
	}
	if len(v) > 10 && (v[10] == ' ' || v[10] == 't') {
		v = v[:10] + "T" + v[11:]
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err == nil
}

// Len returns the number of features.
func (s *Schema) Len() int { return len(s.Names) }

// Index returns the position of a named feature, or -1.
func (s *Schema) Index(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	return -1
}

// Slug turns a level or column name into a snake_case identifier part.
func Slug(v string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(v)) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127
		if ok {
			b.WriteRune(r)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	out := strings.TrimSuffix(b.String(), "_")
	if out == "" {
		return "blank"
	}
	return out
}

// Vector computes the feature vector of one customer as of asOf into out
// (len(out) must be s.Len(); a shorter out panics, so size it with Len).
// Missing values are NaN. Only days before signals.EndDay(asOf) are read.
func (s *Schema) Vector(p *Profile, h signals.History, asOf time.Time, out []float64) {
	out = out[:len(s.Names)]
	i := 0
	if s.Behaviour {
		i = behaviour(h, signals.EndDay(asOf), s.LookbackDays, out)
	}
	if s.Tenure {
		if p.SignupAt != nil {
			out[i] = math.Max(0, asOf.Sub(*p.SignupAt).Hours()/24)
		} else {
			out[i] = math.NaN()
		}
		i++
	}
	if s.MRR {
		if p.MRR != nil {
			out[i] = *p.MRR
		} else {
			out[i] = math.NaN()
		}
		i++
	}
	if s.Plan != nil {
		i = oneHot(s.Plan, p.Plan, p.Plan != "", out, i)
	}
	for k := range s.Attributes {
		a := &s.Attributes[k]
		v, ok := p.Attributes[a.Name]
		if a.Date {
			// Point in time: a date on or after the as-of is not known yet.
			out[i] = math.NaN()
			if t, isDate := ParseDate(v); ok && isDate && t.Before(asOf) {
				out[i] = asOf.Sub(t).Hours() / 24
			}
			i++
			continue
		}
		if a.Numeric {
			out[i] = math.NaN()
			if ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && !math.IsInf(f, 0) {
					out[i] = f
				}
			}
			i++
			continue
		}
		i = oneHot(a, v, ok, out, i)
	}
	for _, j := range s.masked {
		out[j] = math.NaN()
	}
}

// oneHot writes the one-hot block of a categorical value at out[i:] and
// returns the next position. A missing value is all zeros; a rare or unseen
// level sets "other".
func oneHot(a *Attribute, v string, present bool, out []float64, i int) int {
	n := len(a.Levels) + 1
	block := out[i : i+n]
	for j := range block {
		block[j] = 0
	}
	if present {
		j := sort.SearchStrings(a.Levels, v)
		if j < len(a.Levels) && a.Levels[j] == v {
			block[j] = 1
		} else {
			block[n-1] = 1
		}
	}
	return i + n
}

// behaviour writes the behavioural block and returns the next position.
// end is the first day not visible; lookback bounds every window.
func behaviour(h signals.History, end int32, lookback int, out []float64) int {
	lb := int32(lookback)
	win := func(days int32) int32 { return end - min(days, lb) }
	var u7, u30, uPrev float64
	var active30 int
	var t30, t90, neg90, intent90 int32
	var sSum float64
	sMin := 0.0
	lastActive, lastNeg := int32(math.MinInt32), int32(math.MinInt32)
	var visits [signals.NumCategories]int32
	var riskDays, views30 int32
	// Least-squares slope of daily usage over the lookback window.
	var sx, sy, sxy, sxx float64
	from := end - lb
	for _, d := range h.Window(from, end) {
		if d.UsageEvents > 0 || d.Usage > 0 {
			lastActive = max(lastActive, d.Day)
		}
		x := float64(d.Day - from)
		sy += d.Usage
		sxy += x * d.Usage
		if d.Day >= win(7) {
			u7 += d.Usage
		}
		if d.Day >= win(30) {
			u30 += d.Usage
			if d.Usage > 0 {
				active30++
			}
			t30 += d.Tickets
			views30 += d.PageViews
			any := false
			for c, n := range d.Risk {
				visits[c] += n
				any = any || n > 0
			}
			if any {
				riskDays++
			}
		} else if d.Day >= win(60) {
			uPrev += d.Usage
		}
		if d.Day >= win(90) && d.Tickets > 0 {
			if t90 == 0 || d.SentimentMin < sMin {
				sMin = d.SentimentMin
			}
			t90 += d.Tickets
			neg90 += d.NegTickets
			intent90 += d.IntentTickets
			sSum += d.SentimentSum
			if d.NegTickets > 0 {
				lastNeg = max(lastNeg, d.Day)
			}
		}
	}
	n := float64(lb)
	sx = n * (n - 1) / 2
	sxx = (n - 1) * n * (2*n - 1) / 6
	trend := 0.0
	if mean := sy / n; mean > 0 {
		slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
		trend = clamp(slope*30/mean, -5, 5)
	}
	sinceCap := float64(lookback)
	since := func(d int32) float64 {
		if d == math.MinInt32 {
			return sinceCap
		}
		return math.Min(sinceCap, float64(end-1-d))
	}
	meanSent := 0.0
	if t90 > 0 {
		meanSent = sSum / float64(t90)
	}
	// Baseline week for the 7-day drop: the average week of the 23 days before it.
	base7 := (u30 - u7) / 23 * 7
	out[0], out[1], out[2], out[3], out[4] = u7, u30, uPrev, Drop(u30, uPrev), Drop(u7, base7)
	out[5], out[6], out[7] = since(lastActive), float64(active30), trend
	out[8], out[9], out[10], out[11] = float64(t30), float64(t90), meanSent, sMin
	out[12], out[13], out[14] = float64(neg90), since(lastNeg), float64(intent90)
	i := 15
	for c := range visits {
		out[i] = float64(visits[c])
		i++
	}
	out[i] = float64(riskDays)
	out[i+1] = float64(views30)
	return i + 2
}

// Drop is the relative fall of recent against earlier, in [-1, 1]: 0.64 means
// recent is 64% below earlier; negative values are growth (capped at -1). With
// no earlier activity it is 0 when there is none now either, else -1.
func Drop(recent, earlier float64) float64 {
	if earlier <= 0 {
		if recent > 0 {
			return -1
		}
		return 0
	}
	return clamp(1-recent/earlier, -1, 1)
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
