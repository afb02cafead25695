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
// MRR history) is `{c:<t>}:m`; its score's share of the running sums is
// kept in the `:f` hash (fields sc, rv; `left` once the customer has
// churned). The global aggregate lives under one hash tag, `{m}`, so that one
// script updates it atomically: `{m}:flows` (field "<month>:<name>"),
// `{m}:cohorts` ("<cohort>:<age>"), `{m}:sums` (scores, revenue) and
// `{m}:predicted` ("<month>": the sum of scores as it was when the month's
// first score changed). A customer change and the aggregate change are two
// steps (they live on different slots of a cluster): a crash between them
// leaves the aggregate off by that customer until it changes again.

// metricsApply adds deltas to the global aggregate. KEYS: sums, predicted,
// flows, cohorts. ARGV: month, snapshot (1: fix the month's predicted churn
// first), score delta, revenue delta, then field/delta pairs ("f|<field>" or
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

// putScore stores the cached vector and score and returns the customer's
// previous share of the running sums, or left = true for a churned customer
// (whose score is no longer counted). KEYS: the :f hash. ARGV: v, s, score,
// revenue.
var putScoreScript = redis.NewScript(`
local old = redis.call('HMGET', KEYS[1], 'sc', 'rv', 'left')
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2])
if old[3] then return {'0', '0', 1} end
redis.call('HSET', KEYS[1], 'sc', ARGV[3], 'rv', ARGV[4])
return {old[1] or '0', old[2] or '0', 0}
`)

func (r *Redis) metricsKeys() []string {
	base := r.prefix + "{m}:"
	return []string{base + "sums", base + "predicted", base + "flows", base + "cohorts"}
}

// applyMetrics runs metricsApply with an aggregate change and score deltas.
func (r *Redis) applyMetrics(ctx context.Context, d metrics.Aggregate, snapshot bool, dScore, dRevenue float64, now time.Time) error {
	if len(d.Flows) == 0 && len(d.Cohorts) == 0 && !snapshot && dScore == 0 && dRevenue == 0 {
		return nil
	}
	snap := "0"
	if snapshot {
		snap = "1"
	}
	args := []any{strconv.Itoa(int(metrics.MonthOf(now))), snap, fmtFloat(dScore), fmtFloat(dRevenue)}
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
	err := metricsApply.Run(ctx, r.c, r.metricsKeys(), args...).Err()
	return r.fail(ctx, "update churn metrics", err)
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

// putCustomerMetrics replaces the profile and updates the metrics state in
// one optimistic transaction on the customer's keys, then applies the change
// to the global aggregate.
func (r *Redis) putCustomerMetrics(ctx context.Context, p features.Profile, body []byte) error {
	k := r.custKey(p.ID)
	now := r.now()
	var diff metrics.Aggregate
	var dScore, dRevenue float64
	var left bool
	txf := func(tx *redis.Tx) error {
		oldB, err := tx.Get(ctx, k+"m").Bytes()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		old, err := metricsState(oldB)
		if err != nil {
			return fmt.Errorf("metrics state of %q: %w", p.ID, err)
		}
		f, err := tx.HMGet(ctx, k+"f", "sc", "rv", "left").Result()
		if err != nil {
			return err
		}
		next := metrics.Update(old, p, now)
		nb, err := json.Marshal(next)
		if err != nil {
			return err
		}
		diff = metrics.Aggregate{}.Diff(next, old)
		left = !p.ActiveAt(now)
		wasCounted := f[0] != nil && f[2] == nil
		dScore, dRevenue = 0, 0
		if left && wasCounted {
			dScore, dRevenue = -parseFloat(f[0]), -parseFloat(f[1])
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.Set(ctx, k+"p", body, 0)
			pipe.HDel(ctx, k+"f", "v")
			pipe.Set(ctx, k+"m", nb, 0)
			if left {
				pipe.HSet(ctx, k+"f", "left", "1")
				pipe.HDel(ctx, k+"f", "sc", "rv")
			} else {
				pipe.HDel(ctx, k+"f", "left")
			}
			return nil
		})
		return err
	}
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = r.c.Watch(ctx, txf, k+"m"); !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	if err != nil {
		return r.fail(ctx, "put customer", err)
	}
	if left {
		pipe := r.c.Pipeline()
		for _, lk := range r.listKeys() {
			pipe.ZRem(ctx, lk.key, p.ID)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return r.fail(ctx, "put customer", err)
		}
	}
	return r.applyMetrics(ctx, diff, dScore != 0 || dRevenue != 0, dScore, dRevenue, now)
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
	out := ChurnState{Predicted: map[metrics.Month]float64{}, RevenueAtRisk: q6(parseFloat(sums["revenue"]))}
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
	for ms, v := range pred {
		if m, err := strconv.Atoi(ms); err == nil {
			out.Predicted[metrics.Month(m)] = q6(parseFloat(v))
		}
	}
	if month := metrics.MonthOf(r.now()); true {
		if _, ok := out.Predicted[month]; !ok {
			out.Predicted[month] = q6(parseFloat(sums["scores"]))
		}
	}
	return out, nil
}
