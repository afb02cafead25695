package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
)

// The churn metrics in Redis. Each customer's metrics state (lifetimes and
// MRR history) is `{c:<t>}:m`; its share of the ledger's running sums
// (metrics.Share) is kept in the `:f` hash (fields sc, rv while counted,
// as decimals: the score and the revenue at risk in currency units;
// `left` once the customer has churned). The global aggregate lives under
// one hash tag, `{m}`, so that one script updates it atomically, in exact
// integers (metrics.Cents for money, metrics.Micros for scores, counts):
// `{m}:v2:flows` (field "<month>:<name>"), `{m}:v2:cohorts`
// ("<cohort>:<age>"), `{m}:v2:sums` (scores, revenue; v = 2 marks the
// format) and `{m}:v2:predicted` ("<month>": the sum of scores as it was
// when the month's first score changed). The float format of earlier
// versions (`{m}:flows` and so on, kept with HINCRBYFLOAT) is converted
// once by migrateMetrics.
//
// The rules are metrics': a write reads the customer's share (and metrics
// state), the rule decides the change, the sums it will touch are read and
// checked against metrics.MaxSum (checkLedger: a refused write writes
// nothing), and setShareScript writes the decided share only if the share
// read is still the stored one (compare and set); otherwise nothing is
// written and the write reads and decides again, after a jittered backoff,
// until its deadline (then ErrConflict). Then metricsApply adds the change
// to the global aggregate, checking every sum before its first write. A
// customer change and the aggregate change are two steps (they live on
// different slots of a cluster): a crash between them, or another write
// that took a sum to its bound in between, leaves the aggregate off by
// that customer's change until it changes again.

// errContended is returned (wrapped) when a customer changed under every
// attempt of a write until its deadline.
var errContended = fmt.Errorf("%w: the customer changed under every attempt; retry", ErrConflict)

// contended waits before the next attempt of a compare and set that lost
// to another write: a jittered exponential backoff (1 ms doubling up to
// 50 ms). It returns an error wrapping ErrConflict, at once, when the
// context's deadline leaves less than the wait plus half the store's
// timeout (the time the write needs once it wins).
func (r *Redis) contended(ctx context.Context, op string, attempt int) error {
	d := min(time.Millisecond<<min(attempt, 6), 50*time.Millisecond)
	d = d/2 + rand.N(d/2+1)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+r.timeout/2 {
		return fmt.Errorf("%s: %w", op, errContended)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, errContended)
	case <-t.C:
		return nil
	}
}

// metricsApply adds a ledger change and a change of the flows to the global
// aggregate. KEYS: sums, predicted, flows, cohorts. ARGV: month, snapshot
// (1: fix the month's predicted churn at the score sum first, unless it has
// one), score delta, revenue delta, then field/delta pairs ("f|<field>" or
// "c|<field>"); every delta an integer. It checks every sum before its
// first write, with metrics.AddSum's test (the same float64 arithmetic):
// a stored value that is not an integer is an ECORRUPT error, a sum that
// would leave MaxSum an ERANGE error, and then nothing is written.
var metricsApply = redis.NewScript(`
local t = {{KEYS[1], 'scores', ARGV[3]}, {KEYS[1], 'revenue', ARGV[4]}}
for i = 5, #ARGV, 2 do
  local key = KEYS[3]
  if string.sub(ARGV[i], 1, 1) == 'c' then key = KEYS[4] end
  t[#t + 1] = {key, string.sub(ARGV[i], 3), ARGV[i + 1]}
end
for _, x in ipairs(t) do
  local cur = redis.call('HGET', x[1], x[2]) or '0'
  if not string.match(cur, '^%-?%d+$') then
    return redis.error_reply('ECORRUPT ' .. x[1] .. ' ' .. x[2] .. ' holds ' .. cur .. ', not an integer')
  end
  if math.abs(tonumber(cur) + tonumber(x[3])) > ` + maxSumLua + ` then
    return redis.error_reply('ERANGE ' .. x[2] .. ': ' .. cur .. ' + ' .. x[3])
  end
end
if ARGV[2] == '1' then
  redis.call('HSETNX', KEYS[2], ARGV[1], redis.call('HGET', KEYS[1], 'scores') or '0')
end
for _, x in ipairs(t) do
  if x[3] ~= '0' and redis.call('HINCRBY', x[1], x[2], x[3]) == 0 then redis.call('HDEL', x[1], x[2]) end
end
return 1
`)

// maxSumLua is metrics.MaxSum written for Lua.
var maxSumLua = strconv.FormatFloat(metrics.MaxSum, 'f', -1, 64)

// migrateScript converts the float aggregate of earlier versions into the
// integer one, once. KEYS: the old sums, predicted, flows, cohorts, then
// the new ones. When the new sums hold the format mark (v) it does
// nothing and returns 0; else it adds every old value, rounded to whole
// units (cents for money, millionths for scores and predicted churn, counts
// as they are), to the new keys, deletes the old ones and sets the mark.
// An old value that is not a number or whose units are 2^53 or more (the
// figures of the MRR corruption of issue 16) is dropped. It returns
// 1 + the number dropped.
var migrateScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[5], 'v') == 1 then return 0 end
local dropped = 0
local function move(src, dst, scaleOf)
  local all = redis.call('HGETALL', src)
  for i = 1, #all, 2 do
    local x = tonumber(all[i + 1])
    local scale = scaleOf(all[i])
    if x == nil or x ~= x or math.abs(x * scale) >= 2^53 then
      dropped = dropped + 1
    else
      x = x * scale
      if x >= 0 then x = math.floor(x + 0.5) else x = -math.floor(-x + 0.5) end
      if x ~= 0 then redis.call('HINCRBY', dst, all[i], string.format('%.0f', x)) end
    end
  end
  redis.call('DEL', src)
end
local function money(f)
  if string.sub(f, -4) == '_mrr' and string.sub(f, -12) ~= ':missing_mrr' then return 100 end
  return 1
end
move(KEYS[1], KEYS[5], function(f) if f == 'scores' then return 1000000 end return 100 end)
move(KEYS[2], KEYS[6], function(f) return 1000000 end)
move(KEYS[3], KEYS[7], money)
move(KEYS[4], KEYS[8], function(f) return 1 end)
redis.call('HSET', KEYS[5], 'v', '2')
return 1 + dropped
`)

// migrateMetrics converts the aggregate of an earlier version (floats, in
// currency units) to the integer format, once per store: every use of the
// aggregate calls it first. It returns an error wrapping ErrUnavailable
// when Redis cannot be reached.
func (r *Redis) migrateMetrics(ctx context.Context) error {
	if r.metricsV2.Load() {
		return nil
	}
	old := r.prefix + "{m}:"
	keys := append([]string{old + "sums", old + "predicted", old + "flows", old + "cohorts"}, r.metricsKeys()...)
	if err := migrateScript.Run(ctx, r.c, keys).Err(); err != nil {
		return r.fail(ctx, "migrate churn figures", err)
	}
	r.metricsV2.Store(true)
	return nil
}

// setShareScript writes a customer's share of the ledger, decided from the
// share read, if that share is still the stored one. KEYS: the :f hash,
// then (for a profile) the :m metrics state and the :p profile. ARGV: sc,
// rv, left as read ("" = absent); sc, rv, left to write ("" = delete);
// with :m, the metrics state as read ("" = absent), the one to write and
// the profile; then field/value pairs of :f to write alongside ("" =
// delete). It returns 1 when written, 0 (writing nothing) when the share or
// the metrics state is no longer the one read.
var setShareScript = redis.NewScript(`
local cur = redis.call('HMGET', KEYS[1], 'sc', 'rv', 'left')
for i = 1, 3 do
  if (cur[i] or '') ~= ARGV[i] then return 0 end
end
local n = 7
if #KEYS > 1 then
  if (redis.call('GET', KEYS[2]) or '') ~= ARGV[7] then return 0 end
  redis.call('SET', KEYS[2], ARGV[8])
  redis.call('SET', KEYS[3], ARGV[9])
  redis.call('HINCRBY', KEYS[1], 'g', 1)
  n = 10
end
local names = {'sc', 'rv', 'left'}
local set, del = {}, {}
for i = 1, 3 do
  if ARGV[3 + i] == '' then del[#del + 1] = names[i] else set[#set + 1] = names[i]; set[#set + 1] = ARGV[3 + i] end
end
for i = n, #ARGV, 2 do
  if ARGV[i + 1] == '' then del[#del + 1] = ARGV[i] else set[#set + 1] = ARGV[i]; set[#set + 1] = ARGV[i + 1] end
end
if #set > 0 then redis.call('HSET', KEYS[1], unpack(set)) end
if #del > 0 then redis.call('HDEL', KEYS[1], unpack(del)) end
return 1
`)

// shareFieldNames are the :f fields of a share, in shareFields order.
var shareFieldNames = []string{"sc", "rv", "left"}

// shareFields are a share as stored: sc, rv, left ("" = absent).
type shareFields [3]string

// readShare reads a share from the values of HMGET sc rv left (nil =
// absent): counted while sc is there and left is not.
func readShare(vals []any) (metrics.Share, shareFields) {
	var f shareFields
	for i := range f {
		if i < len(vals) {
			f[i], _ = vals[i].(string)
		}
	}
	s := metrics.Share{Left: f[2] != ""}
	if f[0] != "" && !s.Left {
		// A field that does not parse counts as 0, as in the sums.
		s.Counted = true
		s.Score, _ = metrics.ParseMicros(f[0])
		s.Revenue, _ = metrics.ParseCents(f[1])
	}
	return s, f
}

// fieldsOf is how share s is stored.
func fieldsOf(s metrics.Share) shareFields {
	var f shareFields
	if s.Counted {
		f[0], f[1] = s.Score.String(), s.Revenue.String()
	}
	if s.Left {
		f[2] = "1"
	}
	return f
}

// shareWrite is one compare-and-set of a customer's share.
type shareWrite struct {
	base string // the customer's key prefix
	read shareFields
	next metrics.Share
	// profile is set for a profile write: the metrics state as read ("" =
	// absent) and to write, and the profile to write.
	profile      bool
	readM, nextM []byte
	profileJSON  []byte
	fields       []any // field/value pairs of :f to write alongside ("" = delete)
}

func (w *shareWrite) keys() []string {
	if w.profile {
		return []string{w.base + "f", w.base + "m", w.base + "p"}
	}
	return []string{w.base + "f"}
}

func (w *shareWrite) args() []any {
	next := fieldsOf(w.next)
	args := make([]any, 0, 9+len(w.fields))
	for _, v := range w.read {
		args = append(args, v)
	}
	for _, v := range next {
		args = append(args, v)
	}
	if w.profile {
		args = append(args, w.readM, w.nextM, w.profileJSON)
	}
	return append(args, w.fields...)
}

// setShare runs one compare-and-set; it reports false when the share (or
// the metrics state) changed since it was read, and returns go-redis's
// error as it is.
func (r *Redis) setShare(ctx context.Context, w *shareWrite) (bool, error) {
	n, err := setShareScript.Run(ctx, r.c, w.keys(), w.args()...).Int64()
	return n == 1, err
}

// ledgerUpdate is what one write adds to the global aggregate: the change
// of the flows and the ledger's change (or the sum of several, of one month).
type ledgerUpdate struct {
	flows   metrics.Aggregate
	month   metrics.Month
	freeze  bool
	score   metrics.Micros
	revenue metrics.Cents
}

// add adds a ledger change.
func (u *ledgerUpdate) add(c metrics.Change) {
	u.month = c.Month
	u.freeze = u.freeze || c.Freeze
	u.score += c.Score
	u.revenue += c.Revenue
}

// empty reports whether u changes nothing.
func (u *ledgerUpdate) empty() bool {
	return len(u.flows.Flows) == 0 && len(u.flows.Cohorts) == 0 && !u.freeze && u.score == 0 && u.revenue == 0
}

// deltas lists u's nonzero changes of the flows and cohorts as (hash,
// field, delta): hash 0 is flows, 1 cohorts.
func (u *ledgerUpdate) deltas() []fieldDelta {
	var out []fieldDelta
	for m, f := range u.flows.Flows {
		for i, v := range metrics.FlowFields(f) {
			if v != 0 {
				out = append(out, fieldDelta{0, fmt.Sprintf("%d:%s", m, metrics.FlowFieldNames[i]), v})
			}
		}
	}
	for k, n := range u.flows.Cohorts {
		if n != 0 {
			out = append(out, fieldDelta{1, fmt.Sprintf("%d:%d", k.Cohort, k.Age), n})
		}
	}
	return out
}

// cloneAggregate returns a copy of a (an Add of sums already in range:
// it cannot fail).
func cloneAggregate(a metrics.Aggregate) metrics.Aggregate {
	var out metrics.Aggregate
	_ = out.Add(a, 1)
	return out
}

// fieldDelta is one change of a field of the aggregate.
type fieldDelta struct {
	hash  int // 0: flows, 1: cohorts
	field string
	delta int64
}

// args are metricsApply's arguments; ok is false when there is nothing to
// apply.
func (u *ledgerUpdate) args() (args []any, ok bool) {
	if u.empty() {
		return nil, false
	}
	snap := "0"
	if u.freeze {
		snap = "1"
	}
	args = []any{strconv.Itoa(int(u.month)), snap, strconv.FormatInt(int64(u.score), 10), strconv.FormatInt(int64(u.revenue), 10)}
	for _, d := range u.deltas() {
		args = append(args, [...]string{"f|", "c|"}[d.hash]+d.field, strconv.FormatInt(d.delta, 10))
	}
	return args, true
}

func (r *Redis) metricsKeys() []string {
	base := r.prefix + "{m}:v2:"
	return []string{base + "sums", base + "predicted", base + "flows", base + "cohorts"}
}

// checkLedger reads the sums u would change and checks them with the rule
// metricsApply applies (metrics.AddSum), before anything of a write is
// stored: it returns an error wrapping metrics.ErrRange when a sum would
// leave metrics.MaxSum, an error for a stored value that is not an integer,
// and one wrapping ErrUnavailable when Redis cannot be reached.
func (r *Redis) checkLedger(ctx context.Context, op string, u *ledgerUpdate) error {
	if u.empty() {
		return nil
	}
	if err := r.migrateMetrics(ctx); err != nil {
		return err
	}
	keys := r.metricsKeys()
	ds := u.deltas()
	fields := [2][]string{}
	for _, d := range ds {
		fields[d.hash] = append(fields[d.hash], d.field)
	}
	pipe := r.c.Pipeline()
	sums := pipe.HMGet(ctx, keys[0], sumFields...)
	var cur [2]*redis.SliceCmd
	for h, fs := range fields {
		if len(fs) > 0 {
			cur[h] = pipe.HMGet(ctx, keys[2+h], fs...)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return r.fail(ctx, op, err)
	}
	if err := checkSums(op, sums.Val(), u); err != nil {
		return err
	}
	next := [2]int{}
	for _, d := range ds {
		v := cur[d.hash].Val()[next[d.hash]]
		next[d.hash]++
		if err := checkSum(op, d.field, v, d.delta); err != nil {
			return err
		}
	}
	return nil
}

// sumFields are the fields of the sums hash that checkSums reads.
var sumFields = []string{"scores", "revenue"}

// checkSums checks u's changes of the running sums against their stored
// values (HMGET sumFields) as checkLedger does.
func checkSums(op string, vals []any, u *ledgerUpdate) error {
	if len(vals) != len(sumFields) {
		return fmt.Errorf("%s: churn figures: %d sums read, want %d", op, len(vals), len(sumFields))
	}
	if err := checkSum(op, "score sum", vals[0], int64(u.score)); err != nil {
		return err
	}
	return checkSum(op, "revenue at risk", vals[1], int64(u.revenue))
}

// checkSum checks that the stored value v of a sum (nil: absent) is an
// integer that d can be added to (metrics.AddSum).
func checkSum(op, name string, v any, d int64) error {
	n, err := storedInt(name, v)
	if err == nil {
		_, err = metrics.AddSum(n, d)
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", op, name, err)
	}
	return nil
}

// storedInt reads an integer field of the aggregate (nil: absent, 0). It
// returns an error for a value that is not an integer.
func storedInt(name string, v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("churn figures: %s holds %q, not an integer", name, s)
	}
	return n, nil
}

// applyLedger runs pipe (other commands of the write, which may be none)
// with u applied to the global aggregate by metricsApply, run again alone
// with EVAL when a node did not know the script (NOSCRIPT: not run). A sum
// the script refuses is an error wrapping metrics.ErrRange.
func (r *Redis) applyLedger(ctx context.Context, op string, pipe redis.Pipeliner, u *ledgerUpdate) error {
	keys := r.metricsKeys()
	args, ok := u.args()
	var apply *redis.Cmd
	if ok {
		if err := r.migrateMetrics(ctx); err != nil {
			return err
		}
		apply = pipe.EvalSha(ctx, metricsApply.Hash(), keys, args...)
	}
	if pipe.Len() == 0 {
		return nil
	}
	cmds, err := pipe.Exec(ctx)
	if err == nil {
		return nil
	}
	for _, c := range cmds {
		e := c.Err()
		if apply != nil && c == redis.Cmder(apply) && redis.HasErrorPrefix(e, "NOSCRIPT") {
			e = metricsApply.Eval(ctx, r.c, keys, args...).Err()
		}
		switch {
		case e == nil || errors.Is(e, redis.Nil):
		case redis.HasErrorPrefix(e, "ERANGE"):
			return fmt.Errorf("%s: churn figures: %w: %s", op, metrics.ErrRange, strings.TrimPrefix(e.Error(), "ERANGE "))
		case redis.HasErrorPrefix(e, "ECORRUPT"):
			return fmt.Errorf("%s: churn figures: %s", op, strings.TrimPrefix(e.Error(), "ECORRUPT "))
		default:
			return r.fail(ctx, op, e)
		}
	}
	return nil
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// metricsState reads a customer's metrics state from its JSON (empty: none).
func metricsState(b []byte) (metrics.Customer, error) {
	var c metrics.Customer
	if len(b) == 0 {
		return c, nil
	}
	err := json.Unmarshal(b, &c)
	return c, err
}

// putCustomerMetrics replaces the profile, updates the metrics state and
// applies the ledger rule's change of the new profile in one compare and
// set on the customer's keys (read and decided again when the customer
// changed in between), then takes a customer who left off the at-risk
// lists and applies the change to the global aggregate. Everything is
// decided and checked before the first write: an MRR or a sum out of the
// range of the figures returns an error wrapping metrics.ErrRange and
// stores nothing.
func (r *Redis) putCustomerMetrics(ctx context.Context, p features.Profile, body []byte) error {
	k := r.custKey(p.ID)
	now := r.now()
	var u ledgerUpdate
	left := false
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := r.contended(ctx, fmt.Sprintf("put customer %q", p.ID), attempt); err != nil {
				return err
			}
		}
		pipe := r.c.Pipeline()
		mc := pipe.Get(ctx, k+"m")
		fc := pipe.HMGet(ctx, k+"f", shareFieldNames...)
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return r.fail(ctx, "put customer", err)
		}
		oldB, _ := mc.Bytes() // redis.Nil: no state yet
		w, diff, ch, err := profileWrite(k, &p, body, oldB, fc.Val(), nil, now)
		if err != nil {
			return err
		}
		u = ledgerUpdate{flows: diff}
		u.add(ch)
		if err := r.checkLedger(ctx, fmt.Sprintf("put customer %q", p.ID), &u); err != nil {
			return err
		}
		ok, err := r.setShare(ctx, w)
		if err != nil {
			return r.fail(ctx, "put customer", err)
		}
		if ok {
			left = ch.Next.Left
			break
		}
	}
	pipe := r.c.Pipeline()
	if left {
		for _, lk := range r.listKeys() {
			pipe.ZRem(ctx, lk.key, p.ID)
		}
	}
	return r.applyLedger(ctx, "put customer", pipe, &u)
}

// profileWrite decides the write of profile p (JSON body) of the customer
// of key prefix base, given its metrics state and share as read: the
// metrics state is updated (or replaced by set, when not nil) and the
// ledger rule gives the share's change. It returns the compare and set to
// run, the change of the customer's flows and the ledger change, or an
// error (wrapping metrics.ErrRange for an MRR out of range).
func profileWrite(base string, p *features.Profile, body, oldB []byte, share []any, set *metrics.Customer, now time.Time) (*shareWrite, metrics.Aggregate, metrics.Change, error) {
	old, err := metricsState(oldB)
	if err != nil {
		return nil, metrics.Aggregate{}, metrics.Change{}, fmt.Errorf("metrics state of %q: %w", p.ID, err)
	}
	next := metrics.Update(old, *p, now)
	if set != nil {
		next = *set
	}
	diff, err := metrics.Aggregate{}.Diff(next, old)
	if err != nil {
		return nil, metrics.Aggregate{}, metrics.Change{}, fmt.Errorf("churn figures of %q: %w", p.ID, err)
	}
	nb, err := json.Marshal(next)
	if err != nil {
		return nil, metrics.Aggregate{}, metrics.Change{}, fmt.Errorf("metrics state of %q: %w", p.ID, err)
	}
	s, read := readShare(share)
	ch := s.Profiled(p, now)
	w := &shareWrite{base: base, read: read, next: ch.Next, profile: true, readM: oldB, nextM: nb, profileJSON: body,
		fields: []any{"v", ""}}
	return w, diff, ch, nil
}

// RecordPredicted sets the predicted churn of months that have none yet
// (HSETNX: a month's first value stays, as when scoring fixes it). It
// returns an error wrapping metrics.ErrRange for a value that is not
// finite or out of range (recording nothing), and one wrapping
// ErrUnavailable when Redis cannot be reached.
func (r *Redis) RecordPredicted(ctx context.Context, predicted map[metrics.Month]float64) error {
	if len(predicted) == 0 {
		return nil
	}
	u, err := metrics.PredictedMicros(predicted)
	if err != nil {
		return err
	}
	if err := r.migrateMetrics(ctx); err != nil {
		return err
	}
	key := r.metricsKeys()[1]
	pipe := r.c.Pipeline()
	for month, v := range u {
		pipe.HSetNX(ctx, key, strconv.Itoa(int(month)), strconv.FormatInt(int64(v), 10))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return r.fail(ctx, "record predicted churn", err)
	}
	return nil
}

// ChurnMetrics returns the state the churn metrics are computed from, in one
// round trip (two the first time, when it converts an aggregate of an
// earlier version). It returns an error wrapping ErrUnavailable when Redis
// cannot be reached, and an error for a stored value that is not an
// integer.
func (r *Redis) ChurnMetrics(ctx context.Context) (ChurnState, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.migrateMetrics(ctx); err != nil {
		return ChurnState{}, err
	}
	keys := r.metricsKeys()
	pipe := r.c.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.HGetAll(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return ChurnState{}, r.fail(ctx, "churn metrics", err)
	}
	sums, pred, flows, cohorts := cmds[0].Val(), cmds[1].Val(), cmds[2].Val(), cmds[3].Val()
	var l metrics.Ledger
	field := func(m map[string]string, k string) any {
		if v, ok := m[k]; ok {
			return v
		}
		return nil
	}
	scores, err := storedInt("score sum", field(sums, "scores"))
	if err != nil {
		return ChurnState{}, err
	}
	revenue, err := storedInt("revenue at risk", field(sums, "revenue"))
	if err != nil {
		return ChurnState{}, err
	}
	l.Scores, l.Revenue = metrics.Micros(scores), metrics.Cents(revenue)
	var out ChurnState
	out.Aggregate.Flows = map[metrics.Month]metrics.Flow{}
	for field, v := range flows {
		ms, name, ok := strings.Cut(field, ":")
		m, err := strconv.Atoi(ms)
		if !ok || err != nil {
			continue
		}
		n, err := storedInt(field, v)
		if err != nil {
			return ChurnState{}, err
		}
		f := out.Aggregate.Flows[metrics.Month(m)]
		metrics.SetFlowField(&f, name, n)
		out.Aggregate.Flows[metrics.Month(m)] = f
	}
	for m, f := range out.Aggregate.Flows {
		if f == (metrics.Flow{}) {
			delete(out.Aggregate.Flows, m)
		}
	}
	out.Aggregate.Cohorts = map[metrics.CohortKey]int64{}
	for field, v := range cohorts {
		cs, as, ok := strings.Cut(field, ":")
		c, err1 := strconv.Atoi(cs)
		a, err2 := strconv.Atoi(as)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		n, err := storedInt(field, v)
		if err != nil {
			return ChurnState{}, err
		}
		if n != 0 {
			out.Aggregate.Cohorts[metrics.CohortKey{Cohort: metrics.Month(c), Age: a}] = n
		}
	}
	for ms, v := range pred {
		m, err := strconv.Atoi(ms)
		if err != nil {
			continue
		}
		n, err := storedInt("predicted churn of "+ms, v)
		if err != nil {
			return ChurnState{}, err
		}
		l.Record(map[metrics.Month]metrics.Micros{metrics.Month(m): metrics.Micros(n)})
	}
	out.RevenueAtRisk = l.Revenue.Float()
	out.Predicted = l.PredictedAt(metrics.MonthOf(r.now()))
	return out, nil
}
