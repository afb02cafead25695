package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/churnrisk/churn/internal/signals"
)

// Fair use of the CPU. Scoring a request costs CPU in proportion to what it
// carries: reading support text dominates (about 0.4 ms of one core per KiB
// on the 2-core development machine), then events (about 8 µs each) and
// customers (about 15 µs each). A request's cost in units (cost.units) is
// about the milliseconds of one core it takes there; each client (API key,
// or client address without keys) has a token bucket of units per route
// (Policy) for POST /v1/score and POST /v1/events, and large requests share
// a few CPU slots (Limits.HeavySlots) so that lookups keep a core.

// Policy is a token bucket of cost units: Rate units a second, up to Burst
// saved. A negative Rate turns the limit off; the zero Policy of a Limits
// means the default.
type Policy struct {
	Rate  float64
	Burst int
}

// Off reports whether the policy limits nothing.
func (p Policy) Off() bool { return p.Rate < 0 }

// String is the policy as ParsePolicy reads it.
func (p Policy) String() string {
	if p.Off() {
		return "off"
	}
	return strconv.FormatFloat(p.Rate, 'f', -1, 64) + "/s," + strconv.Itoa(p.Burst)
}

// ParsePolicy reads "RATE/s,BURST" (cost units a second, and the most that
// can be saved up; e.g. "200/s,2500") or "off". It returns an error saying
// what was expected.
func ParsePolicy(s string) (Policy, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return Policy{Rate: -1}, nil
	}
	r, b, ok := strings.Cut(s, ",")
	rs, perSecond := strings.CutSuffix(strings.TrimSpace(r), "/s")
	rt, err1 := strconv.ParseFloat(rs, 64)
	burst, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || !perSecond || err1 != nil || err2 != nil || !(rt > 0) || math.IsInf(rt, 0) || burst < 1 {
		return Policy{}, fmt.Errorf("%q: want RATE/s,BURST in cost units (e.g. 200/s,2500) or off", s)
	}
	return Policy{Rate: rt, Burst: burst}, nil
}

// Limits bound the scoring work of each client (DESIGN.md section 6: past
// a client's fair share the answer is 429).
type Limits struct {
	// Score and Events are the per-client buckets of POST /v1/score and
	// POST /v1/events (CHURN_SCORE_LIMIT, CHURN_EVENTS_LIMIT).
	Score, Events Policy
	// MaxTextBytes bounds the support text of one request (CHURN_MAX_TEXT_BYTES).
	MaxTextBytes int
	// HeavySlots is how many requests with a body over heavyBytes may be
	// worked on at once (CHURN_HEAVY_SLOTS); the others wait up to
	// HeavyWait (CHURN_HEAVY_WAIT), then get 503 with Retry-After.
	HeavySlots int
	HeavyWait  time.Duration
}

// DefaultLimits are the limits of an unset configuration (docs/api.md,
// "Fair use", says why each).
func DefaultLimits() Limits {
	return Limits{
		Score:        Policy{Rate: 200, Burst: 2500},
		Events:       Policy{Rate: 2000, Burst: 10000},
		MaxTextBytes: 4 << 20,
		HeavySlots:   max(1, runtime.GOMAXPROCS(0)-1),
		HeavyWait:    5 * time.Second,
	}
}

// orDefault fills the zero fields of l from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.Score == (Policy{}) {
		l.Score = d.Score
	}
	if l.Events == (Policy{}) {
		l.Events = d.Events
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = d.MaxTextBytes
	}
	if l.HeavySlots <= 0 {
		l.HeavySlots = d.HeavySlots
	}
	if l.HeavyWait <= 0 {
		l.HeavyWait = d.HeavyWait
	}
	return l
}

// Units of the cost of a request: one for the request, one per started
// hundred customers and events, one per started 2 KiB of support text.
const (
	itemsPerUnit = 100
	textPerUnit  = 2 << 10
	// heavyBytes is the body size from which a request needs a heavy slot:
	// as support text, about 0.1 s of one core.
	heavyBytes = 256 << 10
)

// cost is what a request carries that costs CPU to score.
type cost struct{ items, textBytes int }

// units is the cost in units, about the milliseconds of one core it takes
// on the development machine.
func (w cost) units() int {
	return 1 + (w.items+itemsPerUnit-1)/itemsPerUnit + (w.textBytes+textPerUnit-1)/textPerUnit
}

// addEvents counts events into w and reports the first event whose text
// takes the request past maxText, under prefix[k].text (once per request).
func (w *cost) addEvents(events []signals.Event, prefix string, maxText int, errs *fieldErrors) {
	w.items += len(events)
	for k := range events {
		before := w.textBytes
		w.textBytes += len(events[k].Text)
		if before <= maxText && w.textBytes > maxText {
			errs.add(fmt.Sprintf("%s[%d].text", prefix, k), "the request's support text passes its limit of %d bytes (CHURN_MAX_TEXT_BYTES): send fewer or shorter tickets per request", maxText)
		}
	}
}

// bucketCap bounds the buckets kept per policy; past it, full (idle) ones are dropped.
const bucketCap = 10000

// buckets are the token buckets of one policy, one per client.
type buckets struct {
	name   string
	policy Policy
	mu     sync.Mutex
	m      map[string]*rate.Limiter
}

func newBuckets(name string, p Policy) *buckets {
	if p.Off() {
		return nil
	}
	return &buckets{name: name, policy: p, m: map[string]*rate.Limiter{}}
}

// get returns the bucket of a client, new (full) on its first request.
func (b *buckets) get(client string) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l, ok := b.m[client]; ok {
		return l
	}
	if len(b.m) >= bucketCap {
		now := time.Now()
		for k, l := range b.m {
			if l.TokensAt(now) >= float64(b.policy.Burst) {
				delete(b.m, k)
			}
		}
	}
	l := rate.NewLimiter(rate.Limit(b.policy.Rate), b.policy.Burst)
	b.m[client] = l
	return l
}

// seconds is d in whole seconds, rounded up, at least 1 (delay-seconds).
func seconds(d float64) int { return max(1, int(math.Ceil(d))) }

// setHeaders sets RateLimit-Policy and RateLimit (draft-ietf-httpapi-
// ratelimit-headers: quota q units a window of w seconds; r units left, t
// seconds until the bucket is full again) for a bucket holding tokens.
func (b *buckets) setHeaders(c *gin.Context, tokens float64, reset int) {
	p := b.policy
	c.Header("RateLimit-Policy", fmt.Sprintf("%q;q=%d;w=%d", b.name, p.Burst, seconds(float64(p.Burst)/p.Rate)))
	c.Header("RateLimit", fmt.Sprintf("%q;r=%d;t=%d", b.name, max(0, int(math.Floor(tokens))), reset))
}

// limiter is the fair-use state of a Server.
type limiter struct {
	limits  Limits
	score   *buckets // nil when off
	events  *buckets // nil when off
	heavy   chan struct{}
	refused *prometheus.CounterVec
}

func newLimiter(l Limits, reg prometheus.Registerer) *limiter {
	l = l.orDefault()
	lim := &limiter{limits: l, score: newBuckets("score", l.Score), events: newBuckets("events", l.Events),
		heavy: make(chan struct{}, l.HeavySlots),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "churn_fair_use_refused_total",
			Help: "Requests refused for fair use: 429 past a client's bucket (reason rate), 503 while the heavy slots stayed busy (reason busy)."},
			[]string{"policy", "reason"})}
	reg.MustRegister(lim.refused)
	return lim
}

// client is what a request's bucket is keyed by: its API key, or its
// address when the server runs without keys.
func client(c *gin.Context) string {
	if i, ok := c.Get(keyIndexKey); ok {
		return "key:" + strconv.Itoa(i.(int))
	}
	return "addr:" + c.ClientIP()
}

// chargeKey is where fairUse leaves the request's bucket for charge.
const chargeKey = "fair_use_bucket"

// fairUse refuses a request with 429 before its body is read while its
// client's bucket of b (nil: no limit) holds less than one unit (its
// earlier requests are still being paid for); otherwise it lets the
// handler charge the cost.
func (s *Server) fairUse(b *buckets) gin.HandlerFunc {
	return func(c *gin.Context) {
		if b != nil {
			bo := &bucketOf{b, b.get(client(c))}
			if err := s.limit.admit(c, bo); err != nil {
				s.fail(c, err)
				return
			}
			c.Set(chargeKey, bo)
		}
		c.Next()
	}
}

// heavyWork runs a large request (a body over heavyBytes, or of unknown
// length) in a heavy slot: its body is read first (slow senders hold no
// slot), then it waits up to HeavyWait for a slot (503 without one,
// uncharged) and is decoded and worked on at the lowest CPU priority
// (runLow). It goes after limitBody, whose limit the read honours.
func (s *Server) heavyWork() gin.HandlerFunc {
	return func(c *gin.Context) {
		if n := c.Request.ContentLength; n >= 0 && n <= heavyBytes {
			c.Next()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		c.Request.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		if err != nil { // the handler reports it (413, 400) as it reads
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.limit.limits.HeavyWait)
		defer cancel()
		select {
		case s.limit.heavy <- struct{}{}:
			defer func() { <-s.limit.heavy }()
			runLow(c.Next)
		case <-ctx.Done():
			policy := "none"
			if v, ok := c.Get(chargeKey); ok {
				policy = v.(*bucketOf).b.name
			}
			s.limit.refused.WithLabelValues(policy, "busy").Inc()
			s.fail(c, errBusy)
		}
	}
}

// errReader is a reader that fails with its error (io.EOF when nil).
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err == nil {
		return 0, io.EOF
	}
	return 0, e.err
}

type bucketOf struct {
	b   *buckets
	lim *rate.Limiter
}

// admit returns a 429 problem (with Retry-After and the RateLimit fields
// set on c) while bo holds less than one unit, and nil otherwise.
func (l *limiter) admit(c *gin.Context, bo *bucketOf) error {
	tokens := bo.lim.TokensAt(time.Now())
	if tokens >= 1 {
		return nil
	}
	p := bo.b.policy
	wait := seconds((1 - tokens) / p.Rate)
	bo.b.setHeaders(c, 0, wait)
	c.Header("Retry-After", strconv.Itoa(wait))
	l.refused.WithLabelValues(bo.b.name, "rate").Inc()
	return newProblem(http.StatusTooManyRequests, fmt.Sprintf(
		"past this client's share of scoring work (policy %q: %g cost units a second, up to %d at once); retry after %d s",
		bo.b.name, p.Rate, p.Burst, wait))
}

// errBusy is the answer to a large request that found no heavy slot in time.
var errBusy = newProblem(http.StatusServiceUnavailable, "the server is busy with other large requests; retry shortly, or send smaller ones")

// charge takes the cost of a decoded request from its client's bucket and
// sets the RateLimit headers. The bucket may go below zero: the request is
// served, and the client's next ones are refused until it is paid for
// (admit; also here, for requests that passed fairUse together). It
// returns the 429 problem of such a refusal.
func (s *Server) charge(c *gin.Context, w cost) error {
	v, ok := c.Get(chargeKey)
	if !ok {
		return nil
	}
	bo := v.(*bucketOf)
	if err := s.limit.admit(c, bo); err != nil {
		return err
	}
	now := time.Now()
	bo.lim.ReserveN(now, min(w.units(), bo.b.policy.Burst))
	tokens := bo.lim.TokensAt(now)
	bo.b.setHeaders(c, tokens, seconds((float64(bo.b.policy.Burst)-tokens)/bo.b.policy.Rate))
	return nil
}

// runLow runs fn on an OS thread of its own at the lowest CPU priority
// (lowerThreadPriority) and waits for it, so that a large request uses the
// cores the other requests leave idle instead of taking one from them. The
// thread ends with fn (its goroutine exits locked to it), so the lowered
// priority never returns to the runtime's pool. A panic in fn is raised
// again in the caller, where the recovery middleware answers it.
func runLow(fn func()) {
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		runtime.LockOSThread() // never unlocked: see above
		lowerThreadPriority()
		fn()
	}()
	<-done
	if panicked != nil {
		panic(panicked)
	}
}
