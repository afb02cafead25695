package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The records of idempotent requests in Redis (idempotency.go): a hash
// <prefix>{i:<request>} and a lease <prefix>{i:<request>}:lease, on one slot.

// claimScript applies ClaimRequest atomically.
//
// KEYS[1] record, KEYS[2] lease; ARGV[1] fingerprint, ARGV[2] owner,
// ARGV[3] lease (ms), ARGV[4] how long the record is kept (ms).
var claimScript = redis.NewScript(`
local fp = redis.call('HGET', KEYS[1], 'fp')
if fp and fp ~= ARGV[1] then return {'mismatch'} end
if fp then
	local o = redis.call('HMGET', KEYS[1], 'acc', 'dup')
	if o[1] then return {'done', tonumber(o[1]), tonumber(o[2])} end
end
if not redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX') then
	return {'busy', redis.call('PTTL', KEYS[2])}
end
if not fp then
	redis.call('HSET', KEYS[1], 'fp', ARGV[1])
	redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return {'granted'}
`)

// finishScript applies FinishRequest: the first outcome stays.
//
// KEYS[1] record, KEYS[2] lease; ARGV[1] fingerprint, ARGV[2] owner,
// ARGV[3] accepted, ARGV[4] duplicates, ARGV[5] how long the record is kept (ms).
var finishScript = redis.NewScript(`
local fp = redis.call('HGET', KEYS[1], 'fp')
if fp and fp ~= ARGV[1] then return 0 end
if not redis.call('HGET', KEYS[1], 'acc') then
	redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'acc', ARGV[3], 'dup', ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1
`)

// releaseScript ends a lease if its owner still holds it.
//
// KEYS[1] lease; ARGV[1] owner.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// requestKeys are the record and lease keys of request id.
func (r *Redis) requestKeys(id string) []string {
	k := r.prefix + "{i:" + tagEscaper.Replace(id) + "}"
	return []string{k, k + ":lease"}
}

// LeaseTTL is how long an attempt of an idempotent request holds its lease:
// the three calls it makes after claiming (the events, possibly sent twice
// for a node that lost the script, and the outcome) each bounded by Timeout,
// plus a second for the work between them. A lease that runs out while its
// attempt still runs only lets a second attempt run beside it, which the
// events' markers make harmless.
func (r *Redis) LeaseTTL() time.Duration { return 3*r.timeout + time.Second }

// ClaimRequest looks up the record of request id (a digest of the caller's
// scope and Idempotency-Key) and, unless it is done, bound to another
// fingerprint or leased to another attempt, creates it for fingerprint
// (kept for DedupeTTL) and gives owner the lease for LeaseTTL. It returns an
// error wrapping ErrUnavailable when Redis cannot be reached.
func (r *Redis) ClaimRequest(ctx context.Context, id, fingerprint, owner string) (RequestState, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, err := claimScript.Run(ctx, r.c, r.requestKeys(id), fingerprint, owner,
		r.LeaseTTL().Milliseconds(), r.dedupeTTL.Milliseconds()).Slice()
	if err != nil {
		return RequestState{}, r.fail(ctx, "claim request", err)
	}
	state, _ := v[0].(string)
	num := func(i int) int64 {
		if i < len(v) {
			n, _ := v[i].(int64)
			return n
		}
		return 0
	}
	switch state {
	case "granted":
		return RequestState{Claim: ClaimGranted}, nil
	case "done":
		return RequestState{Claim: ClaimDone, Outcome: Outcome{Accepted: int(num(1)), Duplicates: int(num(2))}}, nil
	case "busy":
		return RequestState{Claim: ClaimBusy, RetryAfter: time.Duration(max(num(1), 1)) * time.Millisecond}, nil
	case "mismatch":
		return RequestState{Claim: ClaimMismatch}, nil
	}
	return RequestState{}, fmt.Errorf("claim request: unexpected reply %v", v)
}

// FinishRequest records the outcome of request id, bound to fingerprint,
// unless an outcome is recorded already (the first one stays), keeps the
// record for DedupeTTL from now and ends owner's lease. It returns an error
// wrapping ErrUnavailable when Redis cannot be reached.
func (r *Redis) FinishRequest(ctx context.Context, id, fingerprint, owner string, o Outcome) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	err := finishScript.Run(ctx, r.c, r.requestKeys(id), fingerprint, owner, o.Accepted, o.Duplicates, r.dedupeTTL.Milliseconds()).Err()
	return r.fail(ctx, "finish request", err)
}

// ReleaseRequest ends owner's lease on request id (an attempt that failed),
// keeping the record bound to its fingerprint. It returns an error wrapping
// ErrUnavailable when Redis cannot be reached.
func (r *Redis) ReleaseRequest(ctx context.Context, id, owner string) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	err := releaseScript.Run(ctx, r.c, r.requestKeys(id)[1:], owner).Err()
	return r.fail(ctx, "release request", err)
}

// AddEventsOnce stores the events of an idempotent request, named by token
// (a hex digest), in one round trip as AddEvents does, except that every
// event gets a dedupe marker holding the token: its event_id, or an id
// derived from the token and its index in events. An event whose marker
// already holds the token was stored by an earlier attempt of the same
// request: it counts as accepted and is not stored again. A marker holding
// anything else is a duplicate, as in AddEvents.
//
// It returns an error wrapping ErrUnavailable when Redis cannot be reached;
// some customers of the batch may then have been written, or may still be
// (a command a frozen Redis runs when it wakes up): calling it again with the
// same token and events stores each event once whatever the order.
func (r *Redis) AddEventsOnce(ctx context.Context, token string, events []Event) (accepted, duplicates int, err error) {
	if token == "" {
		return 0, 0, fmt.Errorf("add events once: empty token")
	}
	return r.addEvents(ctx, token, events)
}
