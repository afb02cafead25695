package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/rediserr"
)

// Redis is the Store shared by API replicas, on a Redis node or a Redis
// Cluster. Key layout, every key under one hash tag so that one script can
// touch any of them on a cluster (P is the prefix):
//
//	P{wh}:subs        hash: subscription ID -> subscription (JSON)
//	P{wh}:q           stream of due deliveries (field "id"), consumer group "dispatch"
//	P{wh}:delayed     sorted set: delivery ID by due time (Unix ms), retries not yet due
//	P{wh}:d:<id>      hash per delivery: "json" (Delivery), "status", "sub",
//	                  "claim" (the stream entry currently carrying it, "" when none)
//	P{wh}:idx:<sub>   sorted set: a subscription's delivery IDs by CreatedAt (Unix ms),
//	                  trimmed to the newest MaxDeliveriesKept
//	P{wh}:cust:<cust> sorted set: a customer's delivery IDs (all subscriptions) by
//	                  CreatedAt (Unix ms), trimmed to the newest MaxCustomerDeliveries
//
// A delivery record also keeps its customer ("cust"), so that dropping the
// record takes it off the customer's index.
//
// A pending delivery is carried by exactly one stream entry, or sits in the
// delayed set. Claim moves due retries into the stream (a script), takes over
// entries idle longer than the claim timeout (XAUTOCLAIM) and reads new ones
// (XREADGROUP). Complete, Retry and Fail acknowledge and delete the entry in
// the same script that records the outcome, and do nothing when the entry is
// no longer the delivery's current one.
type Redis struct {
	c      redis.UniversalClient
	p      string // prefix + "{wh}:"
	stream string
	delay  string
	subs   string

	groupMu sync.Mutex
	group   bool // consumer group known to exist
}

const redisGroup = "dispatch"

// NewRedis returns a store on client with every key under prefix
// (for example "churn:"). It does not contact Redis.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	p := prefix + "{wh}:"
	return &Redis{c: client, p: p, stream: p + "q", delay: p + "delayed", subs: p + "subs"}
}

var _ Store = (*Redis)(nil)

func (r *Redis) rec(id string) string { return r.p + "d:" + id }

// redisErr returns err, the error of a go-redis call, wrapping ErrUnavailable
// too when it means that Redis cannot serve right now (rediserr.Unavailable:
// connection trouble, a timeout, a transient server state), so that the API
// answers 503 with Retry-After. A cancellation by the caller, redis.Nil and
// other errors (a script bug) are returned as they are.
func redisErr(ctx context.Context, err error) error {
	if err == nil || (errors.Is(err, context.Canceled) && ctx.Err() != nil) || !rediserr.Unavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// PutSubscription creates or replaces s; it fails on a Redis error.
func (r *Redis) PutSubscription(ctx context.Context, s Subscription) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode subscription %q: %w", s.ID, err)
	}
	if err := r.c.HSet(ctx, r.subs, s.ID, b).Err(); err != nil {
		return fmt.Errorf("put subscription %q: %w", s.ID, redisErr(ctx, err))
	}
	return nil
}

// Subscriptions returns every subscription sorted by CreatedAt then ID; it
// fails on a Redis error or a stored value that does not decode.
func (r *Redis) Subscriptions(ctx context.Context) ([]Subscription, error) {
	m, err := r.c.HGetAll(ctx, r.subs).Result()
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", redisErr(ctx, err))
	}
	out := make([]Subscription, 0, len(m))
	for id, v := range m {
		var s Subscription
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return nil, fmt.Errorf("decode subscription %q: %w", id, err)
		}
		out = append(out, s)
	}
	sortSubscriptions(out)
	return out, nil
}

// GetSubscription returns a subscription, or an error wrapping ErrNotFound,
// or a Redis error.
func (r *Redis) GetSubscription(ctx context.Context, id string) (Subscription, error) {
	v, err := r.c.HGet(ctx, r.subs, id).Result()
	if errors.Is(err, redis.Nil) {
		return Subscription{}, fmt.Errorf("subscription %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("get subscription %q: %w", id, redisErr(ctx, err))
	}
	var s Subscription
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return Subscription{}, fmt.Errorf("decode subscription %q: %w", id, err)
	}
	return s, nil
}

// deleteScript removes subscription ARGV[2] (KEYS[1] the subscriptions hash)
// with its index and its finished delivery records, and takes its deliveries
// off their customers' indexes. It returns 0 when the subscription does not
// exist.
var deleteScript = redis.NewScript(`
local p, sub = ARGV[1], ARGV[2]
if redis.call('HDEL', KEYS[1], sub) == 0 then return 0 end
local idx = p .. 'idx:' .. sub
for _, id in ipairs(redis.call('ZRANGE', idx, 0, -1)) do
  local rec = p .. 'd:' .. id
  local v = redis.call('HMGET', rec, 'status', 'cust')
  if v[2] then redis.call('ZREM', p .. 'cust:' .. v[2], id) end
  if v[1] ~= 'pending' then redis.call('DEL', rec) end
end
redis.call('DEL', idx)
return 1
`)

// DeleteSubscription removes a subscription and its finished deliveries, or
// returns an error wrapping ErrNotFound, or a Redis error.
func (r *Redis) DeleteSubscription(ctx context.Context, id string) error {
	n, err := deleteScript.Run(ctx, r.c, []string{r.subs}, r.p, id).Int()
	if err != nil {
		return fmt.Errorf("delete subscription %q: %w", id, redisErr(ctx, err))
	}
	if n == 0 {
		return fmt.Errorf("subscription %q: %w", id, ErrNotFound)
	}
	return nil
}

// DisableSubscription marks a subscription disabled (an optimistic
// transaction on the subscriptions hash), or returns an error wrapping
// ErrNotFound, or a Redis error.
func (r *Redis) DisableSubscription(ctx context.Context, id, reason string) error {
	for range 10 {
		ran := false // the transaction ran: its Redis errors are classified inside
		err := r.c.Watch(ctx, func(tx *redis.Tx) error {
			ran = true
			v, err := tx.HGet(ctx, r.subs, id).Result()
			if errors.Is(err, redis.Nil) {
				return fmt.Errorf("subscription %q: %w", id, ErrNotFound)
			}
			if err != nil {
				return redisErr(ctx, err)
			}
			var s Subscription
			if err := json.Unmarshal([]byte(v), &s); err != nil {
				return fmt.Errorf("decode subscription %q: %w", id, err)
			}
			s.Disabled, s.DisabledReason = true, reason
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, r.subs, id, b)
				return nil
			})
			return redisErr(ctx, err)
		}, r.subs)
		if !ran { // WATCH itself failed
			err = redisErr(ctx, err)
		}
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("disable subscription %q: %w", id, err)
		}
		return err
	}
	return fmt.Errorf("disable subscription %q: too much contention", id)
}

// enqueueScript stores new deliveries and adds each to the stream (KEYS[1]).
// ARGV: prefix, kept per subscription, kept per customer, then per delivery:
// id, subscription, JSON, CreatedAt (Unix ms), customer. Known IDs are
// skipped.
var enqueueScript = redis.NewScript(`
local p, keep, ckeep = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 5 do
  local id, sub, js, score, cust = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]
  local rec = p .. 'd:' .. id
  if redis.call('EXISTS', rec) == 0 then
    local e = redis.call('XADD', KEYS[1], '*', 'id', id)
    redis.call('HSET', rec, 'json', js, 'status', 'pending', 'sub', sub, 'claim', e, 'cust', cust)
    local idx = p .. 'idx:' .. sub
    redis.call('ZADD', idx, score, id)
    local n = redis.call('ZCARD', idx)
    if n > keep then
      for _, old in ipairs(redis.call('ZRANGE', idx, 0, n - keep - 1)) do
        local orec = p .. 'd:' .. old
        local v = redis.call('HMGET', orec, 'status', 'cust')
        if v[1] ~= 'pending' then
          if v[2] then redis.call('ZREM', p .. 'cust:' .. v[2], old) end
          redis.call('DEL', orec)
        end
        redis.call('ZREM', idx, old)
      end
    end
    local cidx = p .. 'cust:' .. cust
    redis.call('ZADD', cidx, score, id)
    redis.call('ZREMRANGEBYRANK', cidx, 0, -(ckeep + 1))
  end
end
return 0
`)

// enqueueBatch bounds the deliveries per script call.
const enqueueBatch = 200

// Enqueue stores deliveries as pending and due now, skipping known IDs. It
// fails on a Redis error; a failed call may have stored a prefix of ds in
// batches of 200 (enqueueing them again is safe).
func (r *Redis) Enqueue(ctx context.Context, ds []Delivery) error {
	for len(ds) > 0 {
		n := min(len(ds), enqueueBatch)
		args := []any{r.p, MaxDeliveriesKept, MaxCustomerDeliveries}
		for _, d := range ds[:n] {
			d.Status, d.claim = StatusPending, ""
			b, err := json.Marshal(d)
			if err != nil {
				return fmt.Errorf("encode delivery %q: %w", d.ID, err)
			}
			args = append(args, d.ID, d.SubscriptionID, b, d.CreatedAt.UnixMilli(), d.CustomerID)
		}
		if err := enqueueScript.Run(ctx, r.c, []string{r.stream}, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("enqueue %d deliveries: %w", n, redisErr(ctx, err))
		}
		ds = ds[n:]
	}
	return nil
}

// promoteScript moves up to ARGV[3] deliveries due by ARGV[2] (Unix ms) from
// the delayed set (KEYS[1]) into the stream (KEYS[2]).
var promoteScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local rec = ARGV[1] .. 'd:' .. id
  if redis.call('HGET', rec, 'status') == 'pending' then
    redis.call('HSET', rec, 'claim', redis.call('XADD', KEYS[2], '*', 'id', id))
  end
end
return #ids
`)

// ensureGroup creates the stream and its consumer group once.
func (r *Redis) ensureGroup(ctx context.Context, force bool) error {
	r.groupMu.Lock()
	defer r.groupMu.Unlock()
	if r.group && !force {
		return nil
	}
	err := r.c.XGroupCreateMkStream(ctx, r.stream, redisGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group: %w", redisErr(ctx, err))
	}
	r.group = true
	return nil
}

// isNoGroup reports the error of a stream or group that no longer exists,
// however it was wrapped.
func isNoGroup(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "NOGROUP")
}

// Claim moves due retries into the stream, takes over entries held longer
// than claimTimeout, reads new ones, and returns up to max deliveries held by
// consumer. It fails on a Redis error (what it claimed before the error is
// claimed again by someone after claimTimeout).
func (r *Redis) Claim(ctx context.Context, consumer string, max int, claimTimeout time.Duration) ([]Delivery, error) {
	if max <= 0 {
		return nil, nil
	}
	if err := r.ensureGroup(ctx, false); err != nil {
		return nil, err
	}
	if err := promoteScript.Run(ctx, r.c, []string{r.delay, r.stream}, r.p, time.Now().UnixMilli(), max).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("promote due retries: %w", redisErr(ctx, err))
	}
	msgs, err := r.read(ctx, consumer, max, claimTimeout)
	if isNoGroup(err) { // the stream was deleted under us
		if err := r.ensureGroup(ctx, true); err != nil {
			return nil, err
		}
		msgs, err = r.read(ctx, consumer, max, claimTimeout)
	}
	if err != nil {
		return nil, err
	}
	return r.load(ctx, msgs)
}

// read returns up to max entries for consumer: first those idle longer than
// claimTimeout, then new ones.
func (r *Redis) read(ctx context.Context, consumer string, max int, claimTimeout time.Duration) ([]redis.XMessage, error) {
	msgs, _, err := r.c.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: r.stream, Group: redisGroup, Consumer: consumer,
		MinIdle: claimTimeout, Start: "0-0", Count: int64(max),
	}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("claim stale deliveries: %w", redisErr(ctx, err))
	}
	if len(msgs) >= max {
		return msgs[:max], nil
	}
	res, err := r.c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: redisGroup, Consumer: consumer, Streams: []string{r.stream, ">"},
		Count: int64(max - len(msgs)), Block: -1,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return msgs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", redisErr(ctx, err))
	}
	for _, s := range res {
		msgs = append(msgs, s.Messages...)
	}
	return msgs, nil
}

// load reads the records of claimed entries. Entries that no longer carry a
// pending delivery (left over by a consumer that was taken over) are
// acknowledged and deleted.
func (r *Redis) load(ctx context.Context, msgs []redis.XMessage) ([]Delivery, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.SliceCmd, len(msgs))
	_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range msgs {
			id, _ := m.Values["id"].(string)
			cmds[i] = p.HMGet(ctx, r.rec(id), "json", "status", "claim")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load claimed deliveries: %w", redisErr(ctx, err))
	}
	var out []Delivery
	var stale []string
	for i, m := range msgs {
		v := cmds[i].Val()
		js, _ := v[0].(string)
		status, _ := v[1].(string)
		claim, _ := v[2].(string)
		if DeliveryStatus(status) != StatusPending || claim != m.ID {
			stale = append(stale, m.ID)
			continue
		}
		var d Delivery
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return nil, fmt.Errorf("decode delivery in entry %s: %w", m.ID, err)
		}
		d.claim = m.ID
		out = append(out, d)
	}
	if len(stale) > 0 {
		if _, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.XAck(ctx, r.stream, redisGroup, stale...)
			p.XDel(ctx, r.stream, stale...)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("drop stale entries: %w", redisErr(ctx, err))
		}
	}
	return out, nil
}

// finishScript records the outcome of a claimed delivery. KEYS: stream,
// delayed set, subscriptions hash. ARGV: prefix, group, delivery ID, claimed
// entry, subscription, status, JSON, due time (Unix ms, for pending). It
// returns 0 when the claim is no longer current (nothing changes but the
// entry's acknowledgement), 1 otherwise.
var finishScript = redis.NewScript(`
local p, group, id, entry, sub, status, js = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local rec = p .. 'd:' .. id
local cur = redis.call('HGET', rec, 'claim')
redis.call('XACK', KEYS[1], group, entry)
redis.call('XDEL', KEYS[1], entry)
if cur ~= entry or redis.call('HGET', rec, 'status') ~= 'pending' then return 0 end
if status == 'pending' then
  redis.call('HSET', rec, 'json', js, 'claim', '')
  redis.call('ZADD', KEYS[2], ARGV[8], id)
  return 1
end
if redis.call('HEXISTS', KEYS[3], sub) == 0 or not redis.call('ZSCORE', p .. 'idx:' .. sub, id) then
  local cust = redis.call('HGET', rec, 'cust')
  if cust then redis.call('ZREM', p .. 'cust:' .. cust, id) end
  redis.call('DEL', rec)
  return 1
end
redis.call('HSET', rec, 'json', js, 'status', status, 'claim', '')
return 1
`)

// finish runs finishScript for d with status.
func (r *Redis) finish(ctx context.Context, d Delivery, status DeliveryStatus, at time.Time) error {
	if d.claim == "" {
		return fmt.Errorf("delivery %q was not claimed", d.ID)
	}
	entry := d.claim
	d.Status, d.claim = status, ""
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode delivery %q: %w", d.ID, err)
	}
	err = finishScript.Run(ctx, r.c, []string{r.stream, r.delay, r.subs},
		r.p, redisGroup, d.ID, entry, d.SubscriptionID, string(status), b, at.UnixMilli()).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("record delivery %q as %s: %w", d.ID, status, redisErr(ctx, err))
	}
	return nil
}

// Complete records d as delivered (or cancelled, when d.Status says so) and
// acknowledges it. It fails on a Redis error or a delivery that Claim did not
// return.
func (r *Redis) Complete(ctx context.Context, d Delivery) error {
	status := StatusDelivered
	if d.Status == StatusCancelled {
		status = StatusCancelled
	}
	return r.finish(ctx, d, status, time.Time{})
}

// Fail records d as failed and acknowledges it. It fails on a Redis error or
// a delivery that Claim did not return.
func (r *Redis) Fail(ctx context.Context, d Delivery) error {
	return r.finish(ctx, d, StatusFailed, time.Time{})
}

// Retry records d's attempt and moves it to the delayed set, due at at. It
// fails on a Redis error or a delivery that Claim did not return.
func (r *Redis) Retry(ctx context.Context, d Delivery, at time.Time) error {
	d.NextAttempt = at.UTC()
	return r.finish(ctx, d, StatusPending, at)
}

// Deliveries returns up to limit deliveries of a subscription, newest first.
// It fails on a Redis error or a stored record that does not decode.
func (r *Redis) Deliveries(ctx context.Context, subscriptionID string, limit int) ([]Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	ids, err := r.c.ZRevRange(ctx, r.p+"idx:"+subscriptionID, 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %q: %w", subscriptionID, redisErr(ctx, err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StringCmd, len(ids))
	if _, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGet(ctx, r.rec(id), "json")
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("load deliveries of %q: %w", subscriptionID, redisErr(ctx, err))
	}
	out := make([]Delivery, 0, len(ids))
	for i, c := range cmds {
		js, err := c.Result()
		if errors.Is(err, redis.Nil) {
			continue // dropped between the two reads
		}
		if err != nil {
			return nil, fmt.Errorf("load delivery %q: %w", ids[i], redisErr(ctx, err))
		}
		var d Delivery
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return nil, fmt.Errorf("decode delivery %q: %w", ids[i], err)
		}
		out = append(out, d)
	}
	return out, nil
}

// CustomerDeliveries returns up to limit deliveries of a customer across
// subscriptions, newest first, leaving out those whose record is gone and
// those of deleted subscriptions. It fails on a Redis error or a stored
// record that does not decode.
func (r *Redis) CustomerDeliveries(ctx context.Context, customerID string, limit int) ([]Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	ids, err := r.c.ZRevRange(ctx, r.p+"cust:"+customerID, 0, MaxCustomerDeliveries-1).Result()
	if err != nil {
		return nil, fmt.Errorf("list deliveries of customer %q: %w", customerID, redisErr(ctx, err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var subs *redis.StringSliceCmd
	cmds := make([]*redis.StringCmd, len(ids))
	if _, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		subs = p.HKeys(ctx, r.subs)
		for i, id := range ids {
			cmds[i] = p.HGet(ctx, r.rec(id), "json")
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("load deliveries of customer %q: %w", customerID, redisErr(ctx, err))
	}
	if err := subs.Err(); err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", redisErr(ctx, err))
	}
	live := map[string]bool{}
	for _, id := range subs.Val() {
		live[id] = true
	}
	var out []Delivery
	for i, c := range cmds {
		if len(out) == limit {
			break
		}
		js, err := c.Result()
		if errors.Is(err, redis.Nil) {
			continue // dropped since it was listed
		}
		if err != nil {
			return nil, fmt.Errorf("load delivery %q: %w", ids[i], redisErr(ctx, err))
		}
		var d Delivery
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return nil, fmt.Errorf("decode delivery %q: %w", ids[i], err)
		}
		if live[d.SubscriptionID] {
			out = append(out, d)
		}
	}
	return out, nil
}

// redeliverScript makes a finished delivery pending and adds it to the
// stream (KEYS[1]). ARGV: prefix, delivery ID, subscription, new JSON,
// old JSON. It returns -1 when the delivery is not the subscription's, 0 when
// it is pending or changed since it was read, 1 when queued.
var redeliverScript = redis.NewScript(`
local rec = ARGV[1] .. 'd:' .. ARGV[2]
local v = redis.call('HMGET', rec, 'status', 'sub', 'json')
if not v[1] or v[2] ~= ARGV[3] then return -1 end
if v[1] == 'pending' or v[3] ~= ARGV[5] then return 0 end
local e = redis.call('XADD', KEYS[1], '*', 'id', ARGV[2])
redis.call('HSET', rec, 'json', ARGV[4], 'status', 'pending', 'claim', e)
return 1
`)

// Redeliver makes a finished delivery pending and due now. It returns an
// error wrapping ErrNotFound when the delivery is not the subscription's, or
// a Redis error.
func (r *Redis) Redeliver(ctx context.Context, subscriptionID, deliveryID string) error {
	notFound := fmt.Errorf("delivery %q of subscription %q: %w", deliveryID, subscriptionID, ErrNotFound)
	_, err := r.c.ZScore(ctx, r.p+"idx:"+subscriptionID, deliveryID).Result()
	if errors.Is(err, redis.Nil) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("redeliver %q: %w", deliveryID, redisErr(ctx, err))
	}
	old, err := r.c.HGet(ctx, r.rec(deliveryID), "json").Result()
	if errors.Is(err, redis.Nil) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("redeliver %q: %w", deliveryID, redisErr(ctx, err))
	}
	var d Delivery
	if err := json.Unmarshal([]byte(old), &d); err != nil {
		return fmt.Errorf("decode delivery %q: %w", deliveryID, err)
	}
	b, err := json.Marshal(resetForRedelivery(d, time.Now()))
	if err != nil {
		return fmt.Errorf("encode delivery %q: %w", deliveryID, err)
	}
	if err := r.ensureGroup(ctx, false); err != nil {
		return err
	}
	n, err := redeliverScript.Run(ctx, r.c, []string{r.stream}, r.p, deliveryID, subscriptionID, b, old).Int()
	if err != nil {
		return fmt.Errorf("redeliver %q: %w", deliveryID, redisErr(ctx, err))
	}
	if n < 0 {
		return notFound
	}
	return nil
}
