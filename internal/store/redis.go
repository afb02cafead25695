package store

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/rediserr"
	"github.com/churnrisk/churn/internal/signals"
)

// Redis is the store shared by every API replica: a single Redis node or a
// Redis Cluster, reached through redis.UniversalClient.
//
// Key layout (DESIGN.md section 7), with the default prefix "churn:":
//
//	churn:{c:<id>}:p           profile (JSON); an id-only stub for customers known from events or scores
//	churn:{c:<id>}:d           daily aggregates: hash, field = day number, value = encoded signals.Day,
//	                           plus field "lo" = lowest day stored; expires RetentionDays+2 days after the last write
//	churn:{c:<id>}:t           ticket excerpts: sorted set, score = time (ms), member = excerpt (JSON);
//	                           the newest MaxExcerpts of the retention window, expiring like :d
//	churn:{c:<id>}:f           hash: "v" = cached feature vector (binary), "s" = last score (JSON)
//	churn:{c:<id>}:e:<event>   dedupe marker of one event id, expires after DedupeTTL; "1", or the
//	                           token of the idempotent request that wrote it (AddEventsOnce)
//	churn:{c:<id>}:i:<token>:<n>  dedupe marker of event n (its index in the batch) of the idempotent
//	                           request <token>, for an event without event_id; holds the token, expires like :e:
//	churn:{i:<request>}        hash: the record of an idempotent request (fingerprint "fp",
//	                           outcome "acc" and "dup" once done), expires after DedupeTTL
//	churn:{i:<request>}:lease  the attempt holding the request's lease (its owner), expires after LeaseTTL
//	churn:{c:<id>}:h           hash: field = day number, value = the last score stored that day;
//	                           the DailyScoreDays days up to the latest score's day (see recordDaily)
//	churn:at-risk              sorted set of flagged customers, member = id, score = -risk
//	                           (so that ascending order is highest risk first, ties by id ascending)
//	churn:at-risk:<level>:<sort>  the other lists, one per tier and order (high:score is churn:at-risk),
//	                           member = id, score = the order's key (sortKey: the negated value)
//
// Every key of one customer carries the hash tag {c:<id>}, so it lives on one
// cluster slot and can be updated by one script. A Redis hash tag ends at the
// first "}", so inside the tag the id is escaped: "%" becomes "%25" and "}"
// becomes "%7D" (an injective mapping; all other bytes are kept, so keys stay
// readable). The prefix may not contain "{" or "}".
//
// Every method bounds its Redis calls with Timeout. Network errors, timeouts
// and Redis states such as LOADING or CLUSTERDOWN are returned wrapping
// ErrUnavailable; the client reconnects by itself when Redis is back.
// Commands are never retried by the client: a retried script could count a
// batch twice.
type Redis struct {
	c         redis.UniversalClient
	prefix    string
	atRiskKey string
	retention int32
	daysTTL   time.Duration
	dedupeTTL time.Duration
	timeout   time.Duration
	now       func() time.Time
	// metricsV2 is set once the churn-figure aggregate is known to be in
	// its integer format (migrateMetrics).
	metricsV2 atomic.Bool
}

// RedisOptions configures NewRedis.
type RedisOptions struct {
	// URL is a redis:// or rediss:// URL of a single node; ignored when
	// ClusterAddrs is set.
	URL string
	// ClusterAddrs are seed nodes (host:port) of a Redis Cluster.
	ClusterAddrs []string
	// Prefix is the key namespace; "" means "churn:". It may not contain "{" or "}".
	Prefix string
	// RetentionDays is how many days of aggregates are kept; 0 means DefaultRetentionDays.
	RetentionDays int
	// DedupeTTL is how long an event id is remembered; 0 means DefaultDedupeTTL.
	DedupeTTL time.Duration
	// Timeout bounds each call to Redis on request paths; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

//go:embed redis_add.lua
var addSource string

var addScript = redis.NewScript(addSource)

// NewRedis returns a Redis store. It does not contact Redis, so it succeeds
// while Redis is down (Ping tells whether it is reachable); it returns an
// error for a malformed URL, a missing address or a bad prefix.
func NewRedis(_ context.Context, o RedisOptions) (*Redis, error) {
	if o.Prefix == "" {
		o.Prefix = "churn:"
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("redis prefix %q: must not contain { or }", o.Prefix)
	}
	if o.RetentionDays <= 0 {
		o.RetentionDays = DefaultRetentionDays
	}
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = DefaultDedupeTTL
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	u := &redis.UniversalOptions{
		ContextTimeoutEnabled: true,
		DialTimeout:           o.Timeout,
		ReadTimeout:           o.Timeout,
		WriteTimeout:          o.Timeout,
		PoolTimeout:           o.Timeout,
		MaxRetries:            -1, // a retried script could apply a batch twice
		DialerRetries:         1,
	}
	if len(o.ClusterAddrs) > 0 {
		for _, a := range o.ClusterAddrs {
			if strings.TrimSpace(a) == "" {
				return nil, errors.New("redis cluster: empty address")
			}
		}
		u.Addrs = slices.Clone(o.ClusterAddrs)
		u.IsClusterMode = true
	} else {
		if o.URL == "" {
			return nil, errors.New("redis: no URL and no cluster addresses")
		}
		p, err := redis.ParseURL(o.URL)
		if err != nil {
			return nil, fmt.Errorf("redis URL: %w", err)
		}
		u.Addrs = []string{p.Addr}
		u.DB = p.DB
		u.Username = p.Username
		u.Password = p.Password
		u.TLSConfig = p.TLSConfig
		u.Protocol = p.Protocol
		u.ClientName = p.ClientName
	}
	return &Redis{
		c:         redis.NewUniversalClient(u),
		prefix:    o.Prefix,
		atRiskKey: o.Prefix + "at-risk",
		retention: int32(o.RetentionDays),
		daysTTL:   time.Duration(o.RetentionDays+2) * 24 * time.Hour,
		dedupeTTL: o.DedupeTTL,
		timeout:   o.Timeout,
		now:       o.Now,
	}, nil
}

// SetRedisLogger sends go-redis's own log lines (failed dials during an
// outage and the like, one per attempt) to l at level Debug instead of the
// standard logger. It affects every Redis client of the process.
func SetRedisLogger(l *slog.Logger) { redis.SetLogger(slogAdapter{l}) }

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	a.l.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

var tagEscaper = strings.NewReplacer("%", "%25", "}", "%7D")

// custKey returns the key prefix of one customer: "<prefix>{c:<escaped id>}:".
func (r *Redis) custKey(id string) string {
	if strings.ContainsAny(id, "%}") {
		id = tagEscaper.Replace(id)
	}
	return r.prefix + "{c:" + id + "}:"
}

// Close closes the connections. It returns the client's error, if any.
func (r *Redis) Close() error { return r.c.Close() }

// writeProbe is the script Ping runs. It touches no key, but, declared with
// a shebang and without the no-writes flag, it is a write for Redis 7: Redis
// refuses to run it whenever it would refuse a write (OOM past maxmemory,
// READONLY on a replica, MISCONF after a failed save, NOREPLICAS), and
// otherwise it costs one round trip and writes nothing.
var writeProbe = redis.NewScript("#!lua\nreturn 1")

// Ping reports whether Redis answers and would accept a write now (every
// master, for a cluster: the store reads and writes only on masters, so a
// replica is not checked): it runs writeProbe. It returns an error wrapping
// ErrUnavailable when Redis does not answer, and one wrapping both
// ErrUnavailable and ErrWritesRefused when Redis answers that it cannot take
// a write. Redis before 7 does not know scripts with a shebang and answers
// with a compile error: then only reachability is checked, as a PING would.
func (r *Redis) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	probe := func(ctx context.Context, c redis.Scripter) error {
		err := writeProbe.Run(ctx, c, nil).Err()
		var re redis.Error
		if errors.As(err, &re) && !rediserr.Unavailable(err) {
			return nil // Redis answered, but not to a Redis 7 script
		}
		return err
	}
	var err error
	if cc, ok := r.c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return probe(ctx, c) })
	} else {
		err = probe(ctx, r.c)
	}
	var re redis.Error
	if errors.As(err, &re) && rediserr.Unavailable(err) {
		return fmt.Errorf("redis write probe: %w: %w: %v", ErrUnavailable, ErrWritesRefused, err)
	}
	return r.fail(ctx, "ping", err)
}

// fail maps a go-redis error to the package's errors: nil stays nil, a
// cancellation by the caller stays context.Canceled, connection trouble and
// transient Redis states wrap ErrUnavailable, anything else (a bug: wrong
// type, script error) is returned as a plain error. redis.Nil must be handled
// by the caller before.
func (r *Redis) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
		return fmt.Errorf("redis %s: %w", op, context.Canceled)
	}
	if rediserr.Unavailable(err) {
		return fmt.Errorf("redis %s: %w: %v", op, ErrUnavailable, err)
	}
	return fmt.Errorf("redis %s: %v", op, err)
}

func (r *Redis) stub(id string) string {
	b, _ := json.Marshal(features.Profile{ID: id})
	return string(b)
}

// PutCustomer creates or replaces a customer's profile and drops its cached
// feature vector. It returns an error wrapping ErrUnavailable when Redis
// cannot be reached.
func (r *Redis) PutCustomer(ctx context.Context, p features.Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode profile %q: %w", p.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.putCustomerMetrics(ctx, p, b)
}

// GetCustomer returns a customer's profile; a customer known only from its
// events has a profile holding just its id. It returns ErrNotFound for an
// unknown customer and an error wrapping ErrUnavailable when Redis cannot be
// reached.
func (r *Redis) GetCustomer(ctx context.Context, id string) (features.Profile, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	b, err := r.c.Get(ctx, r.custKey(id)+"p").Bytes()
	if errors.Is(err, redis.Nil) {
		return features.Profile{}, ErrNotFound
	}
	if err != nil {
		return features.Profile{}, r.fail(ctx, "get customer", err)
	}
	return decodeProfile(id, b)
}

func decodeProfile(id string, b []byte) (features.Profile, error) {
	var p features.Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return features.Profile{}, fmt.Errorf("decode profile %q: %w", id, err)
	}
	return p, nil
}

// AddEvents stores a batch of events in one round trip: one script call per
// customer, all in one pipeline. An event whose id was already stored for the
// same customer (or appears earlier in the batch) is a duplicate and changes
// nothing. Events older than the retention window are accepted but not kept.
// The cached feature vectors of the customers concerned are dropped.
//
// It returns an error wrapping ErrUnavailable when Redis cannot be reached;
// then some customers of the batch may have been written (retrying the batch
// is safe for events with ids) and the counts cover only those.
func (r *Redis) AddEvents(ctx context.Context, events []Event) (accepted, duplicates int, err error) {
	return r.addEvents(ctx, "", events)
}

// addEvents stores a batch; token names the idempotent request the batch
// belongs to ("" for none; see AddEventsOnce).
func (r *Redis) addEvents(ctx context.Context, token string, events []Event) (accepted, duplicates int, err error) {
	if len(events) == 0 {
		return 0, 0, nil
	}
	// Group by customer, keeping the batch order within each customer.
	idx := make(map[string]int, 16)
	var groups [][]int
	for i := range events {
		g, ok := idx[events[i].CustomerID]
		if !ok {
			g = len(groups)
			idx[events[i].CustomerID] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	calls := make([]scriptCall, len(groups))
	var buf []byte
	for g, members := range groups {
		id := events[members[0]].CustomerID
		c := r.newCall(id, len(members))
		c.args[6] = token
		for _, i := range members {
			e := &events[i]
			var ok bool
			if buf, ok = appendDay(buf[:0], &e.Day); !ok {
				return 0, 0, fmt.Errorf("event of customer %q: a value is not finite", id)
			}
			flag := "1"
			switch {
			case e.EventID != "":
				c.keys = append(c.keys, c.base+"e:"+e.EventID)
			case token != "":
				c.keys = append(c.keys, c.base+"i:"+derivedID(token, i))
			default:
				flag = "0"
			}
			c.args = append(c.args, int64(e.Day.Day), flag, string(buf))
			if err := c.addExcerpt(e.Excerpt); err != nil {
				return 0, 0, fmt.Errorf("event of customer %q: %w", id, err)
			}
		}
		calls[g] = c
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.runAdd(ctx, "add events", calls)
}

// scriptCall is one call of the add script for one customer.
type scriptCall struct {
	base string // the customer's key prefix
	keys []string
	args []any
}

func (r *Redis) newCall(id string, n int) scriptCall {
	base := r.custKey(id)
	keys := make([]string, 4, 4+n)
	keys[0], keys[1], keys[2], keys[3] = base+"d", base+"f", base+"p", base+"t"
	args := make([]any, 7, 7+5*n)
	oldest := signals.DayNumber(r.now()) - r.retention
	args[0] = int64(oldest)
	args[1] = r.daysTTL.Milliseconds()
	args[2] = r.dedupeTTL.Milliseconds()
	args[3] = r.stub(id)
	args[4] = int64(MaxExcerpts)
	args[5] = signals.DayStart(oldest).UnixMilli()
	args[6] = "" // no idempotent request
	return scriptCall{base: base, keys: keys, args: args}
}

// addExcerpt appends the excerpt arguments of the event just appended
// (empty ones for nil).
func (c *scriptCall) addExcerpt(x *signals.Excerpt) error {
	if x == nil {
		c.args = append(c.args, "", "")
		return nil
	}
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Errorf("encode excerpt: %w", err)
	}
	c.args = append(c.args, x.At.UnixMilli(), string(b))
	return nil
}

// runAdd runs the calls in one pipeline with EVALSHA, then once more with
// EVAL for those a node did not know the script of (NOSCRIPT: not run).
func (r *Redis) runAdd(ctx context.Context, op string, calls []scriptCall) (accepted, duplicates int, err error) {
	cmds := make([]*redis.Cmd, len(calls))
	pipe := r.c.Pipeline()
	for i, c := range calls {
		cmds[i] = pipe.EvalSha(ctx, addScript.Hash(), c.keys, c.args...)
	}
	_, err = pipe.Exec(ctx)
	var retry []int
	if err != nil {
		for i, cmd := range cmds {
			if e := cmd.Err(); e != nil && redis.HasErrorPrefix(e, "NOSCRIPT") {
				retry = append(retry, i)
			}
		}
		if len(retry) > 0 {
			pipe := r.c.Pipeline()
			for _, i := range retry {
				cmds[i] = pipe.Eval(ctx, addSource, calls[i].keys, calls[i].args...)
			}
			_, err = pipe.Exec(ctx)
		}
	}
	var first error
	for _, cmd := range cmds {
		vals, e := cmd.Int64Slice()
		if e == nil && len(vals) == 2 {
			accepted += int(vals[0])
			duplicates += int(vals[1])
		} else if first == nil {
			first = e
			if first == nil {
				first = fmt.Errorf("unexpected script reply %v", vals)
			}
		}
	}
	if first == nil && err != nil && !errors.Is(err, redis.Nil) {
		first = err
	}
	return accepted, duplicates, r.fail(ctx, op, first)
}

// History returns the customer's daily aggregates with from <= day < to,
// sorted by day. It returns ErrNotFound for an unknown customer and an error
// wrapping ErrUnavailable when Redis cannot be reached.
func (r *Redis) History(ctx context.Context, id string, from, to int32) (signals.History, error) {
	h, _, err := r.evidence(ctx, "history", id, from, to, false)
	return h, err
}

// decodeHistory decodes the days from <= day < to of a daily aggregates hash.
func decodeHistory(id string, all map[string]string, from, to int32) (signals.History, error) {
	var h signals.History
	for field, v := range all {
		day, err := strconv.ParseInt(field, 10, 32)
		if err != nil || int32(day) < from || int32(day) >= to {
			continue // "lo" and days outside the window
		}
		d, err := decodeDay(v)
		if err != nil {
			return nil, fmt.Errorf("history of %q, day %d: %w", id, day, err)
		}
		d.Day = int32(day)
		h = append(h, d)
	}
	slices.SortFunc(h, func(a, b signals.Day) int { return int(a.Day) - int(b.Day) })
	return h, nil
}

// Evidence returns, in one round trip, the customer's daily aggregates with
// from <= day < to (as History does) and its kept ticket excerpts dated on
// those days, newest first. It returns ErrNotFound for an unknown customer
// and an error wrapping ErrUnavailable when Redis cannot be reached.
func (r *Redis) Evidence(ctx context.Context, id string, from, to int32) (signals.History, []signals.Excerpt, error) {
	return r.evidence(ctx, "evidence", id, from, to, true)
}

// evidence reads the daily aggregates with from <= day < to and, when
// excerpts is set, the kept ticket excerpts of those days, in one round trip;
// op names the call in errors.
func (r *Redis) evidence(ctx context.Context, op, id string, from, to int32, excerpts bool) (signals.History, []signals.Excerpt, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	k := r.custKey(id)
	pipe := r.c.Pipeline()
	exists := pipe.Exists(ctx, k+"p")
	days := pipe.HGetAll(ctx, k+"d")
	var notes *redis.StringSliceCmd
	if excerpts {
		notes = pipe.ZRevRangeByScore(ctx, k+"t", &redis.ZRangeBy{
			Max: "(" + strconv.FormatInt(signals.DayStart(to).UnixMilli(), 10),
			Min: strconv.FormatInt(signals.DayStart(from).UnixMilli(), 10),
		})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, r.fail(ctx, op, err)
	}
	if exists.Val() == 0 {
		return nil, nil, ErrNotFound
	}
	h, err := decodeHistory(id, days.Val(), from, to)
	if err != nil || notes == nil {
		return h, nil, err
	}
	out := make([]signals.Excerpt, 0, len(notes.Val()))
	for _, v := range notes.Val() {
		var x signals.Excerpt
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			return nil, nil, fmt.Errorf("excerpt of %q: %w", id, err)
		}
		out = append(out, x)
	}
	return h, out, nil
}

// Snapshot returns a customer's profile, its cached feature vector (nil
// when there is none, or when it was computed from data of an older
// generation) and the generation of its data, in one round trip. It
// returns ErrNotFound for an unknown customer and an error wrapping
// ErrUnavailable when Redis cannot be reached.
func (r *Redis) Snapshot(ctx context.Context, id string) (Snap, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	k := r.custKey(id)
	pipe := r.c.TxPipeline()
	pc := pipe.Get(ctx, k+"p")
	fc := pipe.HMGet(ctx, k+"f", "v", "s", "g", "vg")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Snap{}, r.fail(ctx, "snapshot", err)
	}
	b, err := pc.Bytes()
	if errors.Is(err, redis.Nil) {
		return Snap{}, ErrNotFound
	}
	if err != nil {
		return Snap{}, r.fail(ctx, "snapshot", err)
	}
	p, err := decodeProfile(id, b)
	if err != nil {
		return Snap{}, err
	}
	snap := Snap{Profile: p}
	vals := fc.Val()
	if len(vals) != 4 {
		return snap, nil
	}
	g, _ := vals[2].(string)
	vg, _ := vals[3].(string)
	snap.Gen = parseGen(g)
	v, ok1 := vals[0].(string)
	s, ok2 := vals[1].(string)
	if !ok1 || !ok2 || parseGen(vg) != snap.Gen {
		return snap, nil // no vector, or one of data that changed since
	}
	c, err := decodeCached(v)
	if err != nil {
		return Snap{}, fmt.Errorf("cached vector of %q: %w", id, err)
	}
	if err := json.Unmarshal([]byte(s), &c.Score); err != nil {
		return Snap{}, fmt.Errorf("score of %q: %w", id, err)
	}
	c.Gen = snap.Gen
	snap.Cached = &c
	return snap, nil
}

// parseGen reads a generation field ("" = 0).
func parseGen(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// scoreReadFields are the :f fields PutScore reads: the share, then the
// previous score.
var scoreReadFields = []string{"sc", "rv", "left", "s"}

// PutScore stores a customer's cached feature vector with its score, keeps
// the score as its day's daily score, and puts the customer on the at-risk
// lists of its tier when flagged or in the watch tier (off them otherwise).
// It takes three round trips: a read of the customer's ledger share, its
// daily scores and the global sums it changes (checked as checkLedger
// does), a compare and set of the vector, the score and the share the
// ledger rule decided (read and decided again, after a backoff, when the
// share changed in between), then the lists and the global sums. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached,
// one wrapping ErrConflict when other writes of the customer won every
// attempt until the deadline, and one wrapping metrics.ErrRange for a
// score that is not finite or a sum out of range (then the ledger share,
// the vector and the score are not written).
func (r *Redis) PutScore(ctx context.Context, id string, c Cached) error {
	score, rev, err := scoreUnits(id, &c.Score)
	if err != nil {
		return err
	}
	s, err := json.Marshal(c.Score)
	if err != nil {
		return fmt.Errorf("encode score of %q: %w", id, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	k := r.custKey(id)
	day := scoreDay(&c.Score)
	now := r.now()
	if err := r.migrateMetrics(ctx); err != nil {
		return err
	}
	pipe := r.c.Pipeline()
	cur := pipe.HMGet(ctx, k+"f", scoreReadFields...) // HMGET answers nil, not redis.Nil
	dailyCmd := pipe.HGetAll(ctx, k+"h")
	sums := pipe.HMGet(ctx, r.metricsKeys()[0], sumFields...)
	genCmd := pipe.HMGet(ctx, k+"f", "g")
	if _, err := pipe.Exec(ctx); err != nil {
		return r.fail(ctx, "put score", err)
	}
	if c.Gen == GenCurrent {
		g, _ := genCmd.Val()[0].(string)
		c.Gen = parseGen(g)
	}
	vals := cur.Val()
	var u ledgerUpdate
	var ch metrics.Change
	op := fmt.Sprintf("put score of %q", id)
	for attempt := 0; ; attempt++ {
		share, read := readShare(vals)
		ch = share.Scored(score, rev, now)
		u = ledgerUpdate{}
		u.add(ch)
		// The sums as first read: the aggregate script checks them again.
		if err := checkSums(op, sums.Val(), &u); err != nil {
			return err
		}
		ok, err := r.setShare(ctx, &shareWrite{base: k, read: read, next: ch.Next, fields: []any{"v", encodeCached(&c), "vg", strconv.FormatInt(c.Gen, 10), "s", s}})
		if err != nil {
			return r.fail(ctx, "put score", err)
		}
		if ok {
			break
		}
		if err := r.contended(ctx, op, attempt+1); err != nil {
			return err
		}
		if vals, err = r.c.HMGet(ctx, k+"f", scoreReadFields...).Result(); err != nil {
			return r.fail(ctx, "put score", err)
		}
	}
	dayField, dayScore := strconv.Itoa(int(day)), fmtFloat(c.Score.Score)
	dv := dailyCmd.Val()
	if dv == nil {
		dv = map[string]string{}
	}
	dv[dayField] = dayScore // written below, with the lists
	daily, err := parseDaily(dv)
	if err != nil {
		return fmt.Errorf("daily scores of %q: %w", id, err)
	}
	var stale []string
	for _, d := range daily {
		if d.day < keptFrom(day) {
			stale = append(stale, strconv.Itoa(int(d.day)))
		}
	}
	ago := weekAgo(daily, day)
	l, listed := tier(&c.Score)
	listed = listed && !ch.Next.Left
	// A customer neither listed now nor before (most of them) has no list
	// entry to touch; one listed now is added to its tier's lists and taken
	// off the other tier's.
	wasListed := true // an old score that cannot be read may be on any list
	if len(vals) == len(scoreReadFields) {
		var prev Score
		switch b := vals[len(scoreReadFields)-1].(type) {
		case nil:
			wasListed = false
		case string:
			if json.Unmarshal([]byte(b), &prev) == nil {
				_, wasListed = tier(&prev)
			}
		}
	}
	pipe = r.c.Pipeline()
	pipe.SetNX(ctx, k+"p", r.stub(id), 0)
	pipe.HSet(ctx, k+"h", dayField, dayScore)
	if len(stale) > 0 {
		pipe.HDel(ctx, k+"h", stale...)
	}
	for _, lk := range r.listKeys() {
		switch {
		case listed && lk.level == l:
			pipe.ZAdd(ctx, lk.key, redis.Z{Score: sortKey(lk.sort, &c.Score, ago), Member: id})
		case listed || wasListed:
			pipe.ZRem(ctx, lk.key, id)
		}
	}
	return r.applyLedger(ctx, "put score", pipe, &u)
}

// GetScore returns a customer's latest score. It returns ErrNotFound when
// there is none and an error wrapping ErrUnavailable when Redis cannot be
// reached.
func (r *Redis) GetScore(ctx context.Context, id string) (Score, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	b, err := r.c.HGet(ctx, r.custKey(id)+"f", "s").Bytes()
	if errors.Is(err, redis.Nil) {
		return Score{}, ErrNotFound
	}
	if err != nil {
		return Score{}, r.fail(ctx, "get score", err)
	}
	var s Score
	if err := json.Unmarshal(b, &s); err != nil {
		return Score{}, fmt.Errorf("score of %q: %w", id, err)
	}
	return s, nil
}

// listKey is one at-risk list: a tier in an order, and its sorted set.
type listKey struct {
	level Level
	sort  Sort
	key   string
}

// listKeys are the sorted sets of the at-risk lists, one per tier and order.
func (r *Redis) listKeys() []listKey {
	out := make([]listKey, 0, len(Levels)*len(Sorts))
	for _, l := range Levels {
		for _, o := range Sorts {
			out = append(out, listKey{l, o, r.listKey(l, o)})
		}
	}
	return out
}

// listKey is the sorted set of tier l in order o.
func (r *Redis) listKey(l Level, o Sort) string {
	if l == LevelHigh && o == SortScore {
		return r.atRiskKey
	}
	return r.atRiskKey + ":" + string(l) + ":" + string(o)
}

// parseDaily reads a customer's daily scores hash.
func parseDaily(h map[string]string) ([]dailyScore, error) {
	out := make([]dailyScore, 0, len(h))
	for f, v := range h {
		d, err := strconv.ParseInt(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("day %q", f)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("score %q of day %d", v, d)
		}
		out = append(out, dailyScore{int32(d), x})
	}
	return out, nil
}

// AtRisk returns a page of the at-risk list: the customers of q's tiers in
// q's order, largest first, ties by customer id (q.MinScore applies to the
// score order). Listing both tiers merges their sorted sets, reading at
// most Limit+1 entries of each. It returns an error wrapping ErrBadCursor
// for a cursor it did not issue for that order and one wrapping
// ErrUnavailable when Redis cannot be reached.
func (r *Redis) AtRisk(ctx context.Context, q AtRiskQuery) (AtRiskPage, error) {
	if !q.valid() {
		return AtRiskPage{}, fmt.Errorf("at-risk query: level %q, sort %q, min score %v", q.Level, q.Sort, q.MinScore)
	}
	o := q.order()
	var ck float64
	var cid string
	lo, hi := "-inf", "+inf"
	if q.Cursor != "" {
		var err error
		if ck, cid, err = decodeCursor(o, q.Cursor); err != nil {
			return AtRiskPage{}, err
		}
		lo = strconv.FormatFloat(ck, 'g', -1, 64) // inclusive: ties are filtered below
	}
	if o == SortScore {
		hi = strconv.FormatFloat(-q.MinScore, 'g', -1, 64)
	}
	n := q.limit()
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var zs []redis.Z
	for _, l := range q.levels() {
		got, err := r.rangeAfter(ctx, r.listKey(l, o), lo, hi, q.Cursor != "", ck, cid, n+1)
		if err != nil {
			return AtRiskPage{}, err
		}
		zs = append(zs, got...)
	}
	slices.SortFunc(zs, func(a, b redis.Z) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Member.(string), b.Member.(string))
	})
	var page AtRiskPage
	if len(zs) > n {
		last := zs[n-1]
		page.Next = encodeCursor(o, last.Score, last.Member.(string))
		zs = zs[:n]
	}
	if len(zs) == 0 {
		return page, nil
	}
	pipe := r.c.Pipeline()
	cmds := make([]*redis.StringCmd, len(zs))
	days := make([]*redis.MapStringStringCmd, len(zs))
	for i, z := range zs {
		k := r.custKey(z.Member.(string))
		cmds[i] = pipe.HGet(ctx, k+"f", "s")
		days[i] = pipe.HGetAll(ctx, k+"h")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return AtRiskPage{}, r.fail(ctx, "at-risk scores", err)
	}
	page.Items = make([]AtRiskItem, 0, len(zs))
	for i, z := range zs {
		b, err := cmds[i].Bytes()
		if err != nil {
			continue // removed since: skip it
		}
		id := z.Member.(string)
		var s Score
		if err := json.Unmarshal(b, &s); err != nil {
			return AtRiskPage{}, fmt.Errorf("score of %q: %w", id, err)
		}
		daily, err := parseDaily(days[i].Val())
		if err != nil {
			return AtRiskPage{}, fmt.Errorf("daily scores of %q: %w", id, err)
		}
		page.Items = append(page.Items, AtRiskItem{CustomerID: id, Score: s, ScoreWeekAgo: weekAgo(daily, scoreDay(&s)),
			Cursor: encodeCursor(o, z.Score, id)})
	}
	return page, nil
}

// rangeAfter reads up to count entries of a list's sorted set with keys in
// [lo, hi], skipping (when cursor) the entries not after the cursor item
// (ck, cid): those tied with it come first and are skipped page by page.
func (r *Redis) rangeAfter(ctx context.Context, key, lo, hi string, cursor bool, ck float64, cid string, count int) ([]redis.Z, error) {
	var zs []redis.Z
	for offset := int64(0); len(zs) < count; {
		got, err := r.c.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: key, Start: lo, Stop: hi, ByScore: true, Offset: offset, Count: int64(count)}).Result()
		if err != nil {
			return nil, r.fail(ctx, "at-risk", err)
		}
		for _, z := range got {
			id, _ := z.Member.(string)
			if !cursor || after(z.Score, id, ck, cid) {
				zs = append(zs, z)
			}
		}
		if len(got) < count {
			break
		}
		offset += int64(count)
	}
	return zs[:min(len(zs), count)], nil
}

// importChunk is how many customers one Import pipeline carries.
const importChunk = 200

// Import loads customers in bulk, pipelined: profiles are replaced, history
// days merged like AddEvents (without dedupe), cached vectors dropped. Each
// chunk of customers takes a read of their metrics states and ledger
// shares, a pipeline of compare and sets of what the rules decided (read
// and decided again for the customers that changed in between), a pipeline
// of the at-risk lists and the global sums, and one of the history. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached;
// the chunks written before stay written.
func (r *Redis) Import(ctx context.Context, customers []CustomerData) error {
	now := r.now()
	for start := 0; start < len(customers); start += importChunk {
		part := customers[start:min(start+importChunk, len(customers))]
		cctx, cancel := context.WithTimeout(ctx, 20*r.timeout)
		err := r.importChunk(cctx, part, now)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// importChunk imports one chunk of customers.
func (r *Redis) importChunk(ctx context.Context, part []CustomerData, now time.Time) error {
	profiles := make([][]byte, len(part))
	calls := make([]scriptCall, len(part))
	var buf []byte
	for i := range part {
		p := &part[i].Profile
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode profile %q: %w", p.ID, err)
		}
		profiles[i] = b
		c := r.newCall(p.ID, len(part[i].History))
		for j := range part[i].History {
			d := &part[i].History[j]
			var ok bool
			if buf, ok = appendDay(buf[:0], d); !ok {
				return fmt.Errorf("history of %q, day %d: a value is not finite", p.ID, d.Day)
			}
			c.args = append(c.args, int64(d.Day), "0", string(buf), "", "")
		}
		for j := range part[i].Excerpts {
			x := &part[i].Excerpts[j]
			c.args = append(c.args, int64(signals.DayNumber(x.At)), "0", "")
			if err := c.addExcerpt(x); err != nil {
				return fmt.Errorf("excerpt of %q: %w", p.ID, err)
			}
		}
		calls[i] = c
	}
	// The profiles, metrics states and ledger shares.
	var u ledgerUpdate
	var left []string
	pending := make([]int, len(part))
	for i := range pending {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt > 0 {
			if err := r.contended(ctx, fmt.Sprintf("import %q", part[pending[0]].Profile.ID), attempt); err != nil {
				return err
			}
		}
		read := r.c.Pipeline()
		states := make([]*redis.StringCmd, len(pending))
		shares := make([]*redis.SliceCmd, len(pending))
		for j, i := range pending {
			states[j] = read.Get(ctx, calls[i].base+"m")
			shares[j] = read.HMGet(ctx, calls[i].base+"f", shareFieldNames...)
		}
		if _, err := read.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return r.fail(ctx, "import", err)
		}
		writes := make([]*shareWrite, len(pending))
		diffs := make([]metrics.Aggregate, len(pending))
		changes := make([]metrics.Change, len(pending))
		// The sums are checked with every pending change, before any write.
		check := ledgerUpdate{flows: cloneAggregate(u.flows), score: u.score, revenue: u.revenue}
		cas := r.c.Pipeline()
		cmds := make([]*redis.Cmd, len(pending))
		for j, i := range pending {
			oldB, _ := states[j].Bytes() // redis.Nil: no state yet
			var err error
			writes[j], diffs[j], changes[j], err = profileWrite(calls[i].base, &part[i].Profile, profiles[i], oldB, shares[j].Val(), part[i].Metrics, now)
			if err == nil {
				err = check.flows.Add(diffs[j], 1)
			}
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			check.add(changes[j])
			cmds[j] = cas.EvalSha(ctx, setShareScript.Hash(), writes[j].keys(), writes[j].args()...)
		}
		if err := r.checkLedger(ctx, "import", &check); err != nil {
			return err
		}
		_, _ = cas.Exec(ctx) // each command's error is checked below
		var again []int
		for j, i := range pending {
			n, err := cmds[j].Int64()
			if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
				n, err = setShareScript.Run(ctx, r.c, writes[j].keys(), writes[j].args()...).Int64()
			}
			switch {
			case err != nil:
				return r.fail(ctx, "import", err)
			case n == 1:
				if err := u.flows.Add(diffs[j], 1); err != nil {
					return fmt.Errorf("import: %w", err) // checked above: not reached
				}
				u.add(changes[j])
				if changes[j].Next.Left {
					left = append(left, part[i].Profile.ID)
				}
			default:
				again = append(again, i)
			}
		}
		pending = again
	}
	// The lists and the global sums, then the history and excerpts.
	pipe := r.c.Pipeline()
	for _, id := range left {
		for _, lk := range r.listKeys() {
			pipe.ZRem(ctx, lk.key, id)
		}
	}
	if err := r.applyLedger(ctx, "import", pipe, &u); err != nil {
		return err
	}
	_, _, err := r.runAdd(ctx, "import", calls)
	return err
}

// appendDay appends the script's encoding of d (without its day number): a
// MessagePack array of the fields in dayFields order, trailing zeros left
// out, integral values as integers and others as float64. It reports false
// when a value is not finite.
func appendDay(b []byte, d *signals.Day) ([]byte, bool) {
	v := dayFields(d)
	n := len(v)
	for n > 0 && v[n-1] == 0 {
		n--
	}
	b = append(b, 0x90|byte(n)) // fixarray: n <= 15
	for _, x := range v[:n] {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return b, false
		case x == math.Trunc(x) && x >= 0 && x < 128:
			b = append(b, byte(x)) // positive fixint
		case x == math.Trunc(x) && math.Abs(x) < 1<<31:
			b = append(b, 0xd2) // int32
			b = binary.BigEndian.AppendUint32(b, uint32(int32(x)))
		default:
			b = append(b, 0xcb) // float64
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(x))
		}
	}
	return b, true
}

const dayFieldCount = 8 + signals.NumCategories

func dayFields(d *signals.Day) [dayFieldCount]float64 {
	v := [dayFieldCount]float64{d.Usage, float64(d.UsageEvents), float64(d.Tickets), float64(d.NegTickets),
		float64(d.IntentTickets), d.SentimentSum, d.SentimentMin, float64(d.PageViews)}
	for i, x := range d.Risk {
		v[8+i] = float64(x)
	}
	return v
}

// decodeDay parses the script's encoding of a day's aggregates: what
// appendDay writes and what Redis's cmsgpack writes (any MessagePack integer
// or float; an empty table may come as an empty map).
func decodeDay(s string) (signals.Day, error) {
	var v [dayFieldCount]float64
	if s == "" {
		return signals.Day{}, errors.New("empty")
	}
	n, rest := 0, s[1:]
	switch h := s[0]; {
	case h&0xf0 == 0x90:
		n = int(h & 0x0f)
	case h == 0x80: // empty map: an empty Lua table
	case h == 0xdc && len(rest) >= 2:
		n, rest = int(binary.BigEndian.Uint16([]byte(rest[:2]))), rest[2:]
	default:
		return signals.Day{}, fmt.Errorf("not an array (0x%02x)", h)
	}
	if n > dayFieldCount {
		return signals.Day{}, fmt.Errorf("%d fields", n)
	}
	for i := 0; i < n; i++ {
		x, r, err := mpNumber(rest)
		if err != nil {
			return signals.Day{}, fmt.Errorf("field %d: %w", i+1, err)
		}
		v[i], rest = x, r
	}
	if rest != "" {
		return signals.Day{}, errors.New("trailing bytes")
	}
	d := signals.Day{
		Usage:         v[0],
		UsageEvents:   int32(v[1]),
		Tickets:       int32(v[2]),
		NegTickets:    int32(v[3]),
		IntentTickets: int32(v[4]),
		SentimentSum:  v[5],
		SentimentMin:  v[6],
		PageViews:     int32(v[7]),
	}
	for i := range d.Risk {
		d.Risk[i] = int32(v[8+i])
	}
	return d, nil
}

// mpNumber decodes one MessagePack number at the start of s.
func mpNumber(s string) (float64, string, error) {
	if s == "" {
		return 0, s, errors.New("truncated")
	}
	h := s[0]
	switch {
	case h <= 0x7f:
		return float64(h), s[1:], nil
	case h >= 0xe0:
		return float64(int8(h)), s[1:], nil
	}
	var size int
	switch h {
	case 0xcc, 0xd0:
		size = 1
	case 0xcd, 0xd1:
		size = 2
	case 0xca, 0xce, 0xd2:
		size = 4
	case 0xcb, 0xcf, 0xd3:
		size = 8
	default:
		return 0, s, fmt.Errorf("not a number (0x%02x)", h)
	}
	if len(s) < 1+size {
		return 0, s, errors.New("truncated")
	}
	var u uint64
	for i := 1; i <= size; i++ {
		u = u<<8 | uint64(s[i])
	}
	var x float64
	switch h {
	case 0xca:
		x = float64(math.Float32frombits(uint32(u)))
	case 0xcb:
		x = math.Float64frombits(u)
	case 0xcc, 0xcd, 0xce, 0xcf:
		x = float64(u)
	case 0xd0:
		x = float64(int8(u))
	case 0xd1:
		x = float64(int16(u))
	case 0xd2:
		x = float64(int32(u))
	case 0xd3:
		x = float64(int64(u))
	}
	return x, s[1+size:], nil
}

// encodeCached encodes the vector part of c: day (int32), model version
// (uint16 length + bytes), then the vector as IEEE 754 bits, all little
// endian; NaN survives bit for bit.
func encodeCached(c *Cached) []byte {
	mv := c.ModelVersion
	if len(mv) > math.MaxUint16 {
		mv = mv[:math.MaxUint16]
	}
	b := make([]byte, 0, 6+len(mv)+8*len(c.Vector))
	b = binary.LittleEndian.AppendUint32(b, uint32(c.Day))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(mv)))
	b = append(b, mv...)
	for _, x := range c.Vector {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// decodeCached reverses encodeCached (the score is stored apart).
func decodeCached(s string) (Cached, error) {
	b := []byte(s)
	if len(b) < 6 {
		return Cached{}, errors.New("truncated")
	}
	var c Cached
	c.Day = int32(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint16(b[4:]))
	b = b[6:]
	if len(b) < n || (len(b)-n)%8 != 0 {
		return Cached{}, errors.New("truncated")
	}
	c.ModelVersion = string(b[:n])
	b = b[n:]
	c.Vector = make([]float64, len(b)/8)
	for i := range c.Vector {
		c.Vector[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return c, nil
}
