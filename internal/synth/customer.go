package synth

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Tuning of the story. Rates are per customer per day.
const (
	burnIn = 120 // days the hidden state runs before the window, without events

	meanReversion = 0.06 // pull of health towards its baseline per day
	healthNoise   = 0.13 // daily random-walk step
	// pull of the baseline towards the customer's founding baseline per day:
	// lasting shocks fade over months, so churn risk comes in episodes
	// rather than being a fixed trait that empties the base of weak accounts.
	baselineReversion = 0.005

	pOutage   = 1.0 / 350 // bad outage experience: sharp temporary drop
	pPriceUp  = 1.0 / 900 // price increase: MRR up, baseline down
	pChampion = 1.0 / 700 // champion leaves: baseline and team usage down
	pGoodNews = 1.0 / 450 // new champion, useful release: baseline up

	decisionRate = 0.0014 // hazard of deciding to leave at health 0
	hazardSlope  = 1.8    // hazard multiplies by e^slope per unit of health lost
	// hazard of a decision made outside the product (budget cut,
	// acquisition, a switch decided elsewhere), whatever the health: usage
	// barely moves and the notice is often the only sign
	externalRate = 0.0003
	pSaved       = 0.2 // share of leave decisions that are reversed

	// Notice: most leavers tell the business, in the few days to weeks
	// before they go, that they are leaving (a ticket asking to cancel, for
	// a refund, saying they will not renew or are switching) and open the
	// cancel page; the rest leave silently.
	pNotice       = 0.85 // a leaver gives notice
	pNoticeTicket = 0.85 // its notice includes an intent ticket
	pNoticeVisit  = 0.8  // its notice includes a cancel-page visit
	maxNoticeLead = 21   // notice comes 1..21 days before the churn day
	pSavedNotice  = 0.5  // a saved customer had asked to cancel first
	pSteady       = 0.3  // a leaver who decided (budget, switch) keeps using the product until it goes
)

// plan is a subscription tier with its seat and MRR ranges and how it moves
// churn hazard and baseline health.
type plan struct {
	name               string
	weight             float64
	minSeats, maxSeats int
	perSeat            float64
	minMRR, maxMRR     float64
	hazard, mood       float64
}

var plans = []plan{
	{"starter", 0.45, 1, 5, 19, 29, 99, 1.4, -0.15},
	{"growth", 0.30, 5, 25, 18, 100, 499, 1.0, 0},
	{"business", 0.18, 20, 100, 16, 500, 1999, 0.75, 0.1},
	{"enterprise", 0.07, 80, 1000, 14, 2000, 12000, 0.55, 0.2},
}

// level is a weighted categorical value with its effect on churn hazard.
type level struct {
	name           string
	weight, hazard float64
}

var industries = []level{
	{"software", 0.25, 0.95}, {"ecommerce", 0.18, 1.1}, {"fintech", 0.1, 0.85},
	{"healthcare", 0.09, 0.9}, {"education", 0.1, 1.25}, {"media", 0.1, 1.15},
	{"manufacturing", 0.08, 0.9}, {"agency", 0.1, 1.2},
}

var regions = []level{
	{"na", 0.4, 1}, {"emea", 0.3, 0.95}, {"apac", 0.22, 1.05}, {"latam", 0.08, 1.15},
}

// Risk-page categories, in the order of the signals package.
const (
	pageCancel = iota
	pageDowngrade
	pagePricing
	pageBilling
	pageRefund
	pageExport
	pageCompetitor
	numPages
)

var riskPaths = [numPages][]string{
	pageCancel:     {"/account/cancel", "/account/cancel", "/account/cancel?step=confirm"},
	pageDowngrade:  {"/billing/downgrade", "/billing/downgrade?to=starter"},
	pagePricing:    {"/pricing", "/pricing", "/pricing?ref=nav", "/pricing#enterprise"},
	pageBilling:    {"/billing/invoices", "/billing/invoices", "/billing/invoices?page=2"},
	pageRefund:     {"/legal/refund-policy"},
	pageExport:     {"/settings/export", "/settings/export?format=csv"},
	pageCompetitor: {"/compare/competitor-x", "/compare/competitor-x?utm_source=google"},
}

// Per-day base visit rates of the risk pages; all but billing rise as health
// falls.
var riskBase = [numPages]float64{0.0003, 0.0005, 0.003, 0.002, 0.0003, 0.001, 0.0003}

// Where a leaving customer goes, by weight.
var leavingPages = [numPages]float64{0.25, 0.13, 0.03, 0.05, 0.12, 0.2, 0.15}

var normalPaths = []string{
	"/dashboard", "/dashboard", "/dashboard", "/dashboard", "/reports", "/alerts",
	"/docs/getting-started", "/docs/api", "/docs/integrations/salesforce", "/docs/sso",
	"/docs/exports", "/settings/team", "/settings/profile", "/integrations", "/",
}

// generator holds what all customers share.
type generator struct {
	cfg Config
	cal *calendar
}

func newGenerator(cfg Config) *generator {
	return &generator{cfg: cfg, cal: newCalendar(cfg)}
}

// customerSeed spreads customer indexes over the second PCG seed word
// (SplitMix64 finaliser), so neighbouring customers get unrelated streams.
func customerSeed(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

// poisson draws a Poisson count with mean lam (Knuth below 30, a rounded
// normal above).
func poisson(rng *rand.Rand, lam float64) int {
	if lam <= 0 {
		return 0
	}
	if lam >= 30 {
		return max(0, int(math.Round(lam+math.Sqrt(lam)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lam), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func choose(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	r := rng.Float64() * total
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

func chooseLevel(rng *rand.Rand, ls []level, weights []float64) level {
	return ls[choose(rng, weights)]
}

func weightsOf[T any](xs []T, w func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = w(x)
	}
	return out
}

var (
	planWeights     = weightsOf(plans, func(p plan) float64 { return p.weight })
	industryWeights = weightsOf(industries, func(l level) float64 { return l.weight })
	regionWeights   = weightsOf(regions, func(l level) float64 { return l.weight })
)

// noDay is a day index that never occurs.
const noDay = math.MinInt32

// departure is a customer's way out: from the decision day start it lasts
// length days and the customer churns at its end, unless saved on day saveAt.
type departure struct {
	active    bool
	external  bool // decided outside the product; usage barely moves
	start     int
	length    int
	saveAt    int
	decay     float64 // how far usage falls by the end (0..1)
	intensity float64 // how loudly the customer leaves (risk pages, tickets)
	// noticeAt is the day the customer says it is leaving (noDay for a
	// silent leaver), with an intent ticket, a cancel-page visit or both.
	noticeAt                  int
	noticeTicket, noticeVisit bool
}

// giveNotice decides whether and when a departure is announced: shortly
// before the churn day, or before the save for a saved customer (the cancel
// request is what the save desk answered).
func (dep *departure) giveNotice(rng *rand.Rand) {
	dep.noticeAt = noDay
	end, p := dep.start+dep.length, pNotice
	if dep.saveAt != noDay {
		end, p = dep.saveAt, pSavedNotice
	}
	if end <= dep.start || rng.Float64() >= p {
		return
	}
	dep.noticeAt = end - 1 - rng.IntN(min(end-dep.start, maxNoticeLead))
	dep.noticeTicket = rng.Float64() < pNoticeTicket
	dep.noticeVisit = !dep.noticeTicket || rng.Float64() < pNoticeVisit
}

// noticeIntents weighs what a leaver's notice ticket asks for.
var noticeIntents = []float64{intentCancel: 0.55, intentRefund: 0.15, intentCompetitor: 0.3}

// customer simulates customer i from burn-in to the end of the window and
// writes its rows through e.
func (g *generator) customer(i int, e *emitter) {
	rng := rand.New(rand.NewPCG(g.cfg.Seed, customerSeed(uint64(i))))
	cal := g.cal
	days := cal.days
	e.id = "c" + pad6(i+1)

	// Account.
	pl := plans[choose(rng, planWeights)]
	seats := pl.minSeats + rng.IntN(pl.maxSeats-pl.minSeats+1)
	if pl.name == "enterprise" {
		seats = min(pl.maxSeats, pl.minSeats+int(math.Exp(uniform(rng, 0, math.Log(float64(pl.maxSeats-pl.minSeats))))))
	}
	mrr := math.Round(min(pl.maxMRR, max(pl.minMRR, float64(seats)*pl.perSeat*uniform(rng, 0.85, 1.25))))
	ind := chooseLevel(rng, industries, industryWeights)
	reg := chooseLevel(rng, regions, regionWeights)
	chinese := false
	switch reg.name {
	case "apac":
		chinese = rng.Float64() < 0.55
	case "emea", "na":
		chinese = rng.Float64() < 0.025
	}
	// Missing attribute values, as in real exports.
	seatsText, indText, regText := strconv.Itoa(seats), ind.name, reg.name
	if rng.Float64() < 0.03 {
		seatsText = ""
	}
	if rng.Float64() < 0.04 {
		indText = ""
	}
	if rng.Float64() < 0.02 {
		regText = ""
	}

	// Signup: a fifth during the window, the rest up to eight years before.
	var signup int
	if rng.Float64() < 0.2 && days > 1 {
		signup = rng.IntN(days)
	} else {
		signup = -1 - min(int(rng.ExpFloat64()*500), 8*365)
	}

	// Hidden state and personality.
	mu0 := 0.6 + pl.mood + 0.45*rng.NormFloat64()
	mu := mu0
	h := mu + 0.5*rng.NormFloat64()
	intensity := math.Exp(0.5*rng.NormFloat64()) * (0.6 + 0.3*math.Sqrt(float64(seats)))
	reportAffinity := uniform(rng, 0.05, 0.4)
	pageAffinity := uniform(rng, 0.15, 0.5)
	ticketAffinity := math.Exp(0.5*rng.NormFloat64()) * (1 + math.Log1p(float64(seats))/3)
	invoiceChecker := rng.Float64() < 0.3
	reportIDs := [3]int{100 + rng.IntN(9900), 100 + rng.IntN(9900), 100 + rng.IntN(9900)}
	shopStart, shopEnd := noDay, noDay
	if rng.Float64() < 0.12 && pl.name != "enterprise" {
		shopStart = rng.IntN(days)
		shopEnd = shopStart + 7 + rng.IntN(22)
	}

	var dep departure
	churn := -1
	lastMRR := mrr // MRR on the last day in the window as a customer
	outageUntil, priceUntil := -1000, -1000
	monthMRR := e.monthMRR[:0]
	for range cal.months {
		monthMRR = append(monthMRR, -1)
	}

	d0 := max(signup, -burnIn)
	for d := d0; d < days; d++ {
		if d > d0 {
			mu += baselineReversion * (mu0 - mu)
			h += meanReversion*(mu-h) + healthNoise*rng.NormFloat64()
		}
		switch u := rng.Float64(); {
		case u < pOutage:
			h -= uniform(rng, 0.6, 1.6)
			outageUntil = d + 3
		case u < pOutage+pPriceUp:
			mrr = math.Round(mrr * uniform(rng, 1.08, 1.2))
			mu -= uniform(rng, 0.3, 0.8)
			h -= uniform(rng, 0.2, 0.6)
			priceUntil = d + 14
		case u < pOutage+pPriceUp+pChampion:
			mu -= uniform(rng, 0.8, 2.0)
			intensity *= uniform(rng, 0.5, 0.85)
		case u < pOutage+pPriceUp+pChampion+pGoodNews:
			mu += uniform(rng, 0.3, 0.9)
		}
		mu = min(2.5, max(-2.5, mu))
		h = min(4, max(-4, h))

		// Leaving.
		tenure := d - signup
		if !dep.active {
			tf := 1.0
			switch {
			case tenure < 90:
				tf = 1.8
			case tenure > 730:
				tf = 0.7
			}
			haz := decisionRate * pl.hazard * ind.hazard * tf * math.Exp(-hazardSlope*h)
			ext := externalRate * pl.hazard
			switch r := rng.Float64(); {
			case r < ext:
				dep = departure{active: true, external: true, start: d, length: 2 + rng.IntN(28), saveAt: noDay,
					decay: uniform(rng, 0, 0.2), intensity: uniform(rng, 0.2, 0.8)}
				dep.giveNotice(rng)
			case r < ext+haz:
				dep = departure{active: true, start: d, length: 14 + rng.IntN(32), saveAt: noDay,
					decay: uniform(rng, 0.4, 0.95), intensity: uniform(rng, 0.3, 1.8)}
				if rng.Float64() < pSteady {
					dep.decay = uniform(rng, 0.05, 0.3)
				}
				if rng.Float64() < pSaved {
					dep.saveAt = d + 1 + int(float64(dep.length)*uniform(rng, 0.3, 0.8))
				}
				dep.giveNotice(rng)
			}
		}
		progress := 0.0
		if dep.active {
			if d == dep.saveAt {
				dep.active = false
				h += 1.2
				mu += 0.6
			} else if d >= dep.start+dep.length && d <= 0 {
				// Only survivors of the burn-in are in the data (everyone
				// is a customer on the first day): an account that would
				// have left before the window starts afresh.
				dep.active = false
				mu = mu0
				h = mu + 0.5*rng.NormFloat64()
			} else if d >= dep.start+dep.length {
				churn = d
				break
			} else {
				progress = float64(d-dep.start+1) / float64(dep.length)
			}
		}
		pos := sigmoid(1.5 * (h - 0.3))
		neg := sigmoid(-1.5 * (h + 0.2))

		// MRR moves.
		switch u := rng.Float64(); {
		case u < 0.0005+0.001*pos:
			mrr = math.Round(mrr * uniform(rng, 1.1, 1.4))
		case u < 0.0015+0.001*pos+0.002*neg:
			mrr = math.Round(mrr * uniform(rng, 0.7, 0.9))
		case dep.active && !dep.external && u < 0.012:
			mrr = math.Round(mrr * uniform(rng, 0.6, 0.9))
		}
		if d == shopEnd && rng.Float64() < 0.4 {
			mrr = math.Round(mrr * uniform(rng, 1.3, 1.9))
			mu += 0.3
		}
		mrr = max(10, mrr)

		if d < 0 {
			continue
		}
		monthMRR[cal.month[d]] = mrr
		lastMRR = mrr

		// Usage.
		onboard := 1.0
		if tenure < 21 {
			onboard = 0.3 + 0.7*float64(tenure)/21
		}
		depMult := 1.0
		if dep.active {
			depMult = 1 - dep.decay*math.Sqrt(progress)
		}
		lam := intensity * sigmoid(1.6*(h+0.2)) * cal.factor[d] * depMult * onboard
		sessions := poisson(rng, lam)
		if sessions > 0 {
			e.usage(d, rng.IntN(12*3600)+7*3600, sessions, "sessions")
			if reports := poisson(rng, lam*reportAffinity); reports > 0 {
				e.usage(d, rng.IntN(12*3600)+7*3600, reports, "reports_run")
			}
			for v := poisson(rng, min(5, pageAffinity*float64(sessions))); v > 0; v-- {
				path := normalPaths[rng.IntN(len(normalPaths))]
				if rng.IntN(4) == 0 {
					path = "/reports/" + strconv.Itoa(reportIDs[rng.IntN(3)])
				}
				e.pageView(d, rng, path)
			}
		}

		// Risk pages.
		var p [numPages]float64
		riskMult := math.Exp(-1.2 * min(h, 1.5))
		for c := range p {
			p[c] = riskBase[c]
			switch c {
			case pageBilling:
			case pagePricing:
				// Pricing is browsed by healthy and growing accounts
				// at least as much as by unhappy ones.
				p[c] *= 0.5 + pos
			default:
				p[c] *= riskMult
			}
		}
		if invoiceChecker && cal.monthDay[d] <= 5 {
			p[pageBilling] += 0.12
		}
		shopping := d >= shopStart && d < shopEnd
		if shopping {
			p[pagePricing] += 0.2
			p[pageCompetitor] += 0.02
			p[pageDowngrade] += 0.01
			p[pageBilling] += 0.01
		}
		if dep.active {
			rate := dep.intensity * (0.02 + 0.25*progress)
			if dep.external {
				rate *= 0.3
			}
			for c := range p {
				p[c] += rate * leavingPages[c]
			}
		}
		if c := pickPage(rng, &p); c >= 0 {
			e.pageView(d, rng, pick(rng, riskPaths[c]))
			if (dep.active || shopping) && rng.Float64() < 0.3 {
				e.pageView(d, rng, pick(rng, riskPaths[c]))
			}
		}

		// Tickets.
		pt := 0.005 * ticketAffinity * (1 + 1.5*neg)
		if d <= outageUntil {
			pt += 0.12
		}
		if d <= priceUntil {
			pt += 0.02
		}
		if shopping {
			pt += 0.015
		}
		if dep.active {
			pt += dep.intensity * 0.04 * (0.5 + progress)
		}
		if rng.Float64() < pt {
			in := ticketIntent(rng, h, pos, neg, &dep, d <= outageUntil, d <= priceUntil, shopping)
			e.ticket(d, rng, in, chinese && rng.Float64() < 0.92, neg)
		}
		if dep.active && d == dep.noticeAt {
			if dep.noticeTicket {
				e.ticket(d, rng, intent(choose(rng, noticeIntents)), chinese && rng.Float64() < 0.92, neg)
			}
			if dep.noticeVisit {
				e.pageView(d, rng, pick(rng, riskPaths[pageCancel]))
			}
		}
	}

	// Revenue history and the customer row.
	for m, v := range monthMRR {
		if v >= 0 {
			e.revenue(cal.months[m], v)
		}
	}
	e.monthMRR = monthMRR
	churnText := ""
	if churn >= 0 {
		churnText = cal.date[churn]
		e.c.sum.Churned++
	}
	e.c.sum.Customers++
	e.customer(cal.start.AddDate(0, 0, signup).Format(time.DateOnly), pl.name, formatMoney(lastMRR), churnText,
		seatsText, indText, regText)
}

// pickPage draws at most one risk-page visit for a day from the per-category
// probabilities p; it returns -1 for none.
func pickPage(rng *rand.Rand, p *[numPages]float64) int {
	r := rng.Float64()
	for c, v := range p {
		if r < v {
			return c
		}
		r -= v
	}
	return -1
}

// ticketIntent chooses what a ticket is about from the customer's situation.
func ticketIntent(rng *rand.Rand, h, pos, neg float64, dep *departure, outage, priceUp, shopping bool) intent {
	switch {
	case dep.active && rng.Float64() < 0.45+0.3*dep.intensity/1.6:
		w := []float64{intentCancel: 0.3, intentRefund: 0.12, intentCompetitor: 0.15,
			intentPrice: 0.15, intentComplaint: 0.18, intentExport: 0.1}
		return intent(choose(rng, w))
	case outage && rng.Float64() < 0.75:
		if rng.Float64() < 0.35+0.4*neg {
			return intentComplaint
		}
		return intentBug
	case priceUp && rng.Float64() < 0.5:
		return intentPrice
	case shopping && rng.Float64() < 0.6:
		return intentUpgrade
	}
	w := []float64{
		intentHowTo:      0.42,
		intentBug:        0.14,
		intentPraise:     0.3 * pos,
		intentComplaint:  0.14 * neg,
		intentPrice:      0.06 * neg,
		intentCancel:     0.025 * neg,
		intentRefund:     0.015 * neg,
		intentCompetitor: 0.03 * neg,
		intentUpgrade:    0.02 * pos,
		intentBilling:    0.08,
		intentExport:     0.01,
	}
	return intent(choose(rng, w))
}

func pad6(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

func formatMoney(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// emitter formats rows of one chunk into its buffers.
type emitter struct {
	cal      *calendar
	c        *chunk
	w        [numFiles]*csv.Writer
	id       string
	rec      [8]string
	stamp    []byte
	monthMRR []float64
}

func newEmitter(cal *calendar, c *chunk) *emitter {
	e := &emitter{cal: cal, c: c, stamp: make([]byte, 0, 24)}
	for i := range e.w {
		e.w[i] = csv.NewWriter(&c.out[i])
	}
	return e
}

// timestamp formats day d plus sec seconds as RFC 3339 UTC.
func (e *emitter) timestamp(d, sec int) string {
	sec = min(max(sec, 0), 86399)
	hh, mm, ss := sec/3600, sec/60%60, sec%60
	b := append(e.stamp[:0], e.cal.date[d]...)
	b = append(b, 'T', byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10),
		':', byte('0'+ss/10), byte('0'+ss%10), 'Z')
	e.stamp = b
	return string(b)
}

func (e *emitter) write(file int, fields ...string) {
	// csv errors surface through Error after Flush, checked per chunk.
	_ = e.w[file].Write(fields)
}

func (e *emitter) usage(d, sec, qty int, metric string) {
	if !e.cal.allows(d, sec) {
		return
	}
	e.rec[0], e.rec[1], e.rec[2], e.rec[3] = e.id, e.timestamp(d, sec), strconv.Itoa(qty), metric
	e.write(fileUsage, e.rec[:4]...)
	e.c.sum.UsageRows++
}

func (e *emitter) pageView(d int, rng *rand.Rand, path string) {
	if rng.IntN(12) == 0 {
		path = "https://app.example.com" + path
		if rng.IntN(2) == 0 && !strings.ContainsAny(path, "?#") {
			path += "?ref=nav"
		}
	}
	sec := 6*3600 + rng.IntN(16*3600)
	if !e.cal.allows(d, sec) {
		return
	}
	e.rec[0], e.rec[1], e.rec[2] = e.id, e.timestamp(d, sec), path
	e.write(filePageViews, e.rec[:3]...)
	e.c.sum.PageViewRows++
}

var channels = []string{"email", "chat", "phone"}

// ticket writes one ticket of intent in; neg (0..1) is how unhappy the
// customer is, which makes the writer curter and more likely to phone.
func (e *emitter) ticket(d int, rng *rand.Rand, in intent, zh bool, neg float64) {
	tone := intentTone[in]
	sour := tone < -0.2 && rng.Float64() < 0.4+0.5*neg
	book := english
	if zh {
		book = chinese
	}
	text := book.ticketText(rng, in, sour, e.cal.monthOf[d])
	ch := channels[choose(rng, []float64{0.5, 0.35, 0.15 + 0.2*neg})]
	sentiment := ""
	if rng.Float64() < 0.02 {
		s := tone + 0.15*rng.NormFloat64()
		sentiment = strconv.FormatFloat(min(1, max(-1, s)), 'f', 2, 64)
	}
	sec := 6*3600 + rng.IntN(17*3600)
	if !e.cal.allows(d, sec) {
		return
	}
	e.rec[0], e.rec[1], e.rec[2], e.rec[3], e.rec[4] = e.id, e.timestamp(d, sec), text, ch, sentiment
	e.write(fileTickets, e.rec[:5]...)
	e.c.sum.TicketRows++
}

func (e *emitter) revenue(month string, mrr float64) {
	e.rec[0], e.rec[1], e.rec[2] = e.id, month, formatMoney(mrr)
	e.write(fileRevenue, e.rec[:3]...)
	e.c.sum.RevenueRows++
}

func (e *emitter) customer(signup, plan, mrr, churned, seats, industry, region string) {
	e.rec = [8]string{e.id, signup, plan, mrr, churned, seats, industry, region}
	e.write(fileCustomers, e.rec[:]...)
}
