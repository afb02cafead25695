package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
)

// The churn metrics in Redis. Each customer's metrics state (lifetimes and
// MRR history) is `{c:<t>}:m`; its share of the ledger's running sums
// (metrics.Share) is kept in the `:f` hash (fields sc, rv while counted;
// `left` once the customer has churned). The global aggregate lives under
// one hash tag, `{m}`, so that one script updates it atomically:
// `{m}:flows` (field "<month>:<name>"), `{m}:cohorts` ("<cohort>:<age>"),
// `{m}:sums` (scores, revenue) and `{m}:predicted` ("<month>": the sum of
// scores as it was when the month's first score changed).
//
// The rules are metrics': a write reads the customer's share (and metrics
// state), the rule decides the change, and setShareScript writes the
// decided share only if the share read is still the stored one (compare and
// set); otherwise nothing is written and the write reads and decides again.
// Then metricsApply adds the change to the global aggregate. A customer
// change and the aggregate change are two steps (they live on different
// slots of a cluster): a crash between them leaves the aggregate off by that
// customer until it changes again.

// shareAttempts bounds the compare-and-set attempts of one write.
const shareAttempts = 20

// errContended is returned (wrapped) when a customer changed under every
// attempt of a write; the caller may retry later.
var errContended = fmt.Errorf("%w: the customer changed under every attempt", ErrUnavailable)

// metricsApply adds a ledger change and a change of the flows to the global
// aggregate. KEYS: sums, predicted, flows, cohorts. ARGV: month, snapshot
// (1: fix the month's predicted churn at the score sum first, unless it has
// one), score delta, revenue delta, then field/delta pairs ("f|<field>" or
// "c|<field>").
var metricsApply = redis.NewScript(`
if ARGV[2] == '1' then
  redis.call('HSETNX', KEYS[2], ARGV[1], redis.call('HGET', KEYS[1], 'scores') or '0')
end
if tonumber(ARGV[3]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'scores', ARGV[3]) end
if tonumber(ARGV[4]) ~= 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'revenue', ARGV[4]) end
for i = 5, #ARGV, 2 do
  local key = KEYS[3]
  if string.sub(ARGV[i], 1, 1) == 'c' then key = KEYS[4] end
  local field = string.sub(ARGV[i], 3)
  local v = redis.call('HINCRBYFLOAT', key, field, ARGV[i + 1])
  if math.abs(tonumber(v)) < 1e-9 then redis.call('HDEL', key, field) end
end
return 1
`)

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
		s.Counted, s.Score, s.Revenue = true, parseFloat(f[0]), parseFloat(f[1])
	}
	return s, f
}

// fieldsOf is how share s is stored.
func fieldsOf(s metrics.Share) shareFields {
	var f shareFields
	if s.Counted {
		f[0], f[1] = fmtFloat(s.Score), fmtFloat(s.Revenue)
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
	flows          metrics.Aggregate
	month          metrics.Month
	freeze         bool
	score, revenue float64
}

// add adds a ledger change.
func (u *ledgerUpdate) add(c metrics.Change) {
	u.month = c.Month
	u.freeze = u.freeze || c.Freeze
	u.score += c.Score
	u.revenue += c.Revenue
}

// args are metricsApply's arguments; ok is false when there is nothing to
// apply.
func (u *ledgerUpdate) args() (args []any, ok bool) {
	d := u.flows
	if len(d.Flows) == 0 && len(d.Cohorts) == 0 && !u.freeze && u.score == 0 && u.revenue == 0 {
		return nil, false
	}
	snap := "0"
	if u.freeze {
		snap = "1"
	}
	args = []any{strconv.Itoa(int(u.month)), snap, fmtFloat(u.score), fmtFloat(u.revenue)}
	for m, f := range d.Flows {
		for _, kv := range flowFields(f) {
			if kv.v != 0 {
				args = append(args, fmt.Sprintf("f|%d:%s", m, kv.k), fmtFloat(kv.v))
			}
		}
	}
	for k, n := range d.Cohorts {
		args = append(args, fmt.Sprintf("c|%d:%d", k.Cohort, k.Age), strconv.FormatInt(n, 10))
	}
	return args, true
}

func (r *Redis) metricsKeys() []string {
	base := r.prefix + "{m}:"
	return []string{base + "sums", base + "predicted", base + "flows", base + "cohorts"}
}

// applyLedger runs pipe (other commands of the write, which may be none)
// with u applied to the global aggregate by metricsApply, run again alone
// with EVAL when a node did not know the script (NOSCRIPT: not run).
func (r *Redis) applyLedger(ctx context.Context, op string, pipe redis.Pipeliner, u *ledgerUpdate) error {
	keys := r.metricsKeys()
	args, ok := u.args()
	var apply *redis.Cmd
	if ok {
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
		switch {
		case e == nil || errors.Is(e, redis.Nil):
		case apply != nil && c == redis.Cmder(apply) && redis.HasErrorPrefix(e, "NOSCRIPT"):
			if err := metricsApply.Eval(ctx, r.c, keys, args...).Err(); err != nil {
				return r.fail(ctx, op, err)
			}
		default:
			return r.fail(ctx, op, e)
		}
	}
	return nil
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

type fieldValue struct {
	k string
	v float64
}

func flowFields(f metrics.Flow) []fieldValue {
	return []fieldValue{
		{"new", float64(f.New)}, {"reactivated", float64(f.Reactivated)}, {"churned", float64(f.Churned)},
		{"churned_joiners", float64(f.ChurnedJoiners)}, {"missing_mrr", float64(f.MissingMRR)},
		{"new_mrr", f.NewMRR}, {"reactivation_mrr", f.ReactivationMRR}, {"churned_mrr", f.ChurnedMRR},
		{"expansion_mrr", f.ExpansionMRR}, {"contraction_mrr", f.ContractionMRR},
	}
}

func setFlowField(f *metrics.Flow, name string, v float64) {
	n := int64(math.Round(v))
	switch name {
	case "new":
		f.New = n
	case "reactivated":
		f.Reactivated = n
	case "churned":
		f.Churned = n
	case "churned_joiners":
		f.ChurnedJoiners = n
	case "missing_mrr":
		f.MissingMRR = n
	case "new_mrr":
		f.NewMRR = q6(v)
	case "reactivation_mrr":
		f.ReactivationMRR = q6(v)
	case "churned_mrr":
		f.ChurnedMRR = q6(v)
	case "expansion_mrr":
		f.ExpansionMRR = q6(v)
	case "contraction_mrr":
		f.ContractionMRR = q6(v)
	}
}

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
// lists and applies the change to the global aggregate.
func (r *Redis) putCustomerMetrics(ctx context.Context, p features.Profile, body []byte) error {
	k := r.custKey(p.ID)
	now := r.now()
	var u ledgerUpdate
	left := false
	for attempt := 0; ; attempt++ {
		if attempt == shareAttempts {
			return fmt.Errorf("put customer %q: %w", p.ID, errContended)
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
		ok, err := r.setShare(ctx, w)
		if err != nil {
			return r.fail(ctx, "put customer", err)
		}
		if ok {
			u.flows = diff
			u.add(ch)
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
// run, the change of the customer's flows and the ledger change.
func profileWrite(base string, p *features.Profile, body, oldB []byte, share []any, set *metrics.Customer, now time.Time) (*shareWrite, metrics.Aggregate, metrics.Change, error) {
	old, err := metricsState(oldB)
	if err != nil {
		return nil, metrics.Aggregate{}, metrics.Change{}, fmt.Errorf("metrics state of %q: %w", p.ID, err)
	}
	next := metrics.Update(old, *p, now)
	if set != nil {
		next = *set
	}
	nb, err := json.Marshal(next)
	if err != nil {
		return nil, metrics.Aggregate{}, metrics.Change{}, fmt.Errorf("metrics state of %q: %w", p.ID, err)
	}
	s, read := readShare(share)
	ch := s.Profiled(p, now)
	w := &shareWrite{base: base, read: read, next: ch.Next, profile: true, readM: oldB, nextM: nb, profileJSON: body,
		fields: []any{"v", ""}}
	return w, metrics.Aggregate{}.Diff(next, old), ch, nil
}

func parseFloat(v any) float64 {
	s, _ := v.(string)
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// RecordPredicted sets the predicted churn of months that have none yet
// (HSETNX: a month's first value stays, as when scoring fixes it).
func (r *Redis) RecordPredicted(ctx context.Context, predicted map[metrics.Month]float64) error {
	if len(predicted) == 0 {
		return nil
	}
	key := r.metricsKeys()[1]
	pipe := r.c.Pipeline()
	for month, v := range predicted {
		pipe.HSetNX(ctx, key, strconv.Itoa(int(month)), strconv.FormatFloat(q6(v), 'g', -1, 64))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return r.fail(ctx, "record predicted churn", err)
	}
	return nil
}

// ChurnMetrics returns the state the churn metrics are computed from, in one
// round trip. It returns an error wrapping ErrUnavailable when Redis cannot
// be reached.
func (r *Redis) ChurnMetrics(ctx context.Context) (ChurnState, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
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
	out := ChurnState{RevenueAtRisk: q6(parseFloat(sums["revenue"]))}
	out.Aggregate.Flows = map[metrics.Month]metrics.Flow{}
	for field, v := range flows {
		ms, name, ok := strings.Cut(field, ":")
		m, err := strconv.Atoi(ms)
		if !ok || err != nil {
			continue
		}
		f := out.Aggregate.Flows[metrics.Month(m)]
		setFlowField(&f, name, parseFloat(v))
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
		if n := int64(math.Round(parseFloat(v))); ok && err1 == nil && err2 == nil && n != 0 {
			out.Aggregate.Cohorts[metrics.CohortKey{Cohort: metrics.Month(c), Age: a}] = n
		}
	}
	l := metrics.Ledger{Scores: q6(parseFloat(sums["scores"])), Revenue: out.RevenueAtRisk, Predicted: map[metrics.Month]float64{}}
	for ms, v := range pred {
		if m, err := strconv.Atoi(ms); err == nil {
			l.Predicted[metrics.Month(m)] = q6(parseFloat(v))
		}
	}
	out.Predicted = l.PredictedAt(metrics.MonthOf(r.now()))
	return out, nil
}
