package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/cases"
)

// Cases in Redis (DESIGN.md section 7), with the default prefix "churn:":
//
//	churn:{c:<id>}:k         hash of the customer's cases: field = case id, value = the case (JSON),
//	                         plus field "open" = the id of the customer's open case
//	churn:cases:index        hash: case id -> customer id
//	churn:cases:score        sorted set of case ids, score = -(score at the opening)
//	churn:cases:revenue_at_risk  the same by revenue at risk at the opening
//	churn:cases:pending      sorted set of the case ids without an outcome, score = horizon end (unix seconds)
//
// A case is written with its customer's other keys (one slot, one script);
// the global index and lists are written before it and may name a case that
// was never opened (a lost race, a crash in between): readers skip those.

// openField is the field of a customer's case hash that names its open case.
const openField = "open"

func (r *Redis) casesKey(customer string) string { return r.custKey(customer) + "k" }
func (r *Redis) caseIndexKey() string            { return r.prefix + "cases:index" }
func (r *Redis) caseListKey(o Sort) string       { return r.prefix + "cases:" + string(o) }
func (r *Redis) casePendingKey() string          { return r.prefix + "cases:pending" }

// openCaseScript stores a case as its customer's open case unless the
// customer has one (KEYS[1] the customer's case hash; ARGV[1] the case id,
// ARGV[2] the case, ARGV[3] "1" when the case is still open). It returns 1
// when it stored the case, 0 when it did not.
var openCaseScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'open') == 1 or redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'open', ARGV[1]) end
return 1
`)

// OpenCase stores c as its customer's open case unless the customer has an
// open case already (one not closed and without an outcome); it says
// whether c was opened. Opening the same case twice opens it once.
func (r *Redis) OpenCase(ctx context.Context, c cases.Case) (bool, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return false, fmt.Errorf("encode case %s: %w", c.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.indexCase(ctx, &c); err != nil {
		return false, r.fail(ctx, "open case", err)
	}
	open := "0"
	if !caseDone(&c) {
		open = "1"
	}
	n, err := openCaseScript.Run(ctx, r.c, []string{r.casesKey(c.CustomerID)}, c.ID, b, open).Int64()
	if err != nil {
		return false, r.fail(ctx, "open case", err)
	}
	if n == 0 {
		r.unindexCase(ctx, &c)
	}
	return n == 1, nil
}

// unindexCase takes a case that was not opened out of the global index and
// lists, unless a replica opened the same case (its body exists). A failure
// leaves entries that readers skip.
func (r *Redis) unindexCase(ctx context.Context, c *cases.Case) {
	if exists, err := r.c.HExists(ctx, r.casesKey(c.CustomerID), c.ID).Result(); err != nil || exists {
		return
	}
	pipe := r.c.Pipeline()
	pipe.HDel(ctx, r.caseIndexKey(), c.ID)
	for _, o := range CaseSorts {
		pipe.ZRem(ctx, r.caseListKey(o), c.ID)
	}
	pipe.ZRem(ctx, r.casePendingKey(), c.ID)
	pipe.Exec(ctx)
}

// indexCase writes a case's entries in the global index and lists.
func (r *Redis) indexCase(ctx context.Context, c *cases.Case) error {
	pipe := r.c.Pipeline()
	pipe.HSet(ctx, r.caseIndexKey(), c.ID, c.CustomerID)
	for _, o := range CaseSorts {
		pipe.ZAdd(ctx, r.caseListKey(o), redis.Z{Score: caseKey(o, c), Member: c.ID})
	}
	if c.Outcome == cases.OutcomeNone {
		pipe.ZAdd(ctx, r.casePendingKey(), redis.Z{Score: float64(c.HorizonEnds.Unix()), Member: c.ID})
	}
	_, err := pipe.Exec(ctx)
	return err
}

// GetCase returns a case, or ErrNotFound.
func (r *Redis) GetCase(ctx context.Context, id string) (cases.Case, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	c, _, err := r.readCase(ctx, id)
	return c, err
}

// readCase reads a case and its stored bytes.
func (r *Redis) readCase(ctx context.Context, id string) (cases.Case, string, error) {
	customer, err := r.c.HGet(ctx, r.caseIndexKey(), id).Result()
	if errors.Is(err, redis.Nil) {
		return cases.Case{}, "", ErrNotFound
	}
	if err != nil {
		return cases.Case{}, "", r.fail(ctx, "get case", err)
	}
	raw, err := r.c.HGet(ctx, r.casesKey(customer), id).Result()
	if errors.Is(err, redis.Nil) {
		return cases.Case{}, "", ErrNotFound
	}
	if err != nil {
		return cases.Case{}, "", r.fail(ctx, "get case", err)
	}
	var c cases.Case
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return cases.Case{}, "", fmt.Errorf("case %s: %w", id, err)
	}
	return c, raw, nil
}

// updateCaseScript replaces a case if it is still as read (KEYS[1] the
// customer's case hash; ARGV[1] the id, ARGV[2] the case as read, ARGV[3]
// the new case, ARGV[4] "1" when the new case is done). It returns 1 when
// it replaced it, 0 when the case changed in between.
var updateCaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' and redis.call('HGET', KEYS[1], 'open') == ARGV[1] then redis.call('HDEL', KEYS[1], 'open') end
return 1
`)

// UpdateCase replaces a case by what fn makes of it (fn decides, the store
// applies), with a compare and set that reads and asks fn again when the
// case changed in between (after a backoff); at its deadline it returns
// an error wrapping ErrConflict. An
// error of fn is returned as it is and changes nothing. A case that fn
// closes or settles is its customer's open case no longer.
func (r *Redis) UpdateCase(ctx context.Context, id string, fn func(cases.Case) (cases.Case, error)) (cases.Case, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*r.timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := r.contended(ctx, "update case "+id, attempt); err != nil {
				return cases.Case{}, err
			}
		}
		c, raw, err := r.readCase(ctx, id)
		if err != nil {
			return cases.Case{}, err
		}
		next, err := fn(c)
		if err != nil {
			return cases.Case{}, err
		}
		if next.ID != c.ID || next.CustomerID != c.CustomerID {
			return cases.Case{}, fmt.Errorf("update case %s: the id and customer may not change", id)
		}
		b, err := json.Marshal(next)
		if err != nil {
			return cases.Case{}, fmt.Errorf("encode case %s: %w", id, err)
		}
		done := "0"
		if caseDone(&next) {
			done = "1"
		}
		n, err := updateCaseScript.Run(ctx, r.c, []string{r.casesKey(c.CustomerID)}, id, raw, b, done).Int64()
		if err != nil {
			return cases.Case{}, r.fail(ctx, "update case", err)
		}
		if n == 1 {
			if next.Outcome != cases.OutcomeNone && c.Outcome == cases.OutcomeNone {
				if err := r.c.ZRem(ctx, r.casePendingKey(), id).Err(); err != nil {
					return next, r.fail(ctx, "update case", err)
				}
			}
			return next, nil
		}
	}
}

// CustomerCases returns a customer's cases, newest first.
func (r *Redis) CustomerCases(ctx context.Context, customer string) ([]cases.Case, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	m, err := r.c.HGetAll(ctx, r.casesKey(customer)).Result()
	if err != nil {
		return nil, r.fail(ctx, "customer cases", err)
	}
	out := make([]cases.Case, 0, len(m))
	for id, raw := range m {
		if id == openField {
			continue
		}
		var c cases.Case
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return nil, fmt.Errorf("case %s: %w", id, err)
		}
		out = append(out, c)
	}
	sortNewestFirst(out)
	return out, nil
}

// Cases returns a page of cases (CaseQuery): it reads the order's list from
// the cursor on, at most caseScan entries, and keeps the cases the filters
// select.
func (r *Redis) Cases(ctx context.Context, q CaseQuery) (CasePage, error) {
	if !q.valid() {
		return CasePage{}, fmt.Errorf("cases: unknown sort %q", q.Sort)
	}
	o := q.order()
	var ck float64
	var cid string
	lo := "-inf"
	if q.Cursor != "" {
		var err error
		if ck, cid, err = decodeCursor(o, q.Cursor); err != nil {
			return CasePage{}, err
		}
		lo = strconv.FormatFloat(ck, 'g', -1, 64)
	}
	ctx, cancel := context.WithTimeout(ctx, 4*r.timeout)
	defer cancel()
	limit := q.limit()
	key := r.caseListKey(o)
	cursor := q.Cursor != ""
	var page CasePage
	for scanned := 0; scanned < caseScan; {
		batch := min(limit, caseScan-scanned)
		zs, err := r.rangeAfter(ctx, key, lo, "+inf", cursor, ck, cid, batch)
		if err != nil || len(zs) == 0 {
			return page, err
		}
		got, err := r.readCases(ctx, zs)
		if err != nil {
			return CasePage{}, err
		}
		for i, z := range zs {
			scanned++
			ck, cid, cursor = z.Score, z.Member.(string), true
			lo = strconv.FormatFloat(ck, 'g', -1, 64)
			if c := got[i]; c != nil && q.match(c) {
				page.Items = append(page.Items, *c)
			}
			if len(page.Items) == limit || scanned == caseScan {
				// A cursor only when the list goes on.
				more, err := r.rangeAfter(ctx, key, lo, "+inf", true, ck, cid, 1)
				if err != nil {
					return CasePage{}, err
				}
				if len(more) > 0 {
					page.Next = encodeCursor(o, ck, cid)
				}
				return page, nil
			}
		}
		if len(zs) < batch {
			return page, nil
		}
	}
	return page, nil
}

// readCases reads the cases of list entries (nil for an entry whose case
// was never opened).
func (r *Redis) readCases(ctx context.Context, zs []redis.Z) ([]*cases.Case, error) {
	ids := make([]string, len(zs))
	for i, z := range zs {
		ids[i] = z.Member.(string)
	}
	customers, err := r.c.HMGet(ctx, r.caseIndexKey(), ids...).Result()
	if err != nil {
		return nil, r.fail(ctx, "cases", err)
	}
	pipe := r.c.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, v := range customers {
		if customer, ok := v.(string); ok {
			cmds[i] = pipe.HGet(ctx, r.casesKey(customer), ids[i])
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, r.fail(ctx, "cases", err)
	}
	out := make([]*cases.Case, len(ids))
	for i, cmd := range cmds {
		if cmd == nil || cmd.Err() != nil {
			continue
		}
		var c cases.Case
		if err := json.Unmarshal([]byte(cmd.Val()), &c); err != nil {
			return nil, fmt.Errorf("case %s: %w", ids[i], err)
		}
		out[i] = &c
	}
	return out, nil
}

// PendingCases calls fn with every case whose outcome is not known yet,
// soonest horizon first, until fn returns an error.
func (r *Redis) PendingCases(ctx context.Context, fn func(c cases.Case) error) error {
	const chunk = 200
	lo := "-inf"
	var ck float64
	var cid string
	for first := true; ; first = false {
		cctx, cancel := context.WithTimeout(ctx, 4*r.timeout)
		zs, err := r.rangeAfter(cctx, r.casePendingKey(), lo, "+inf", !first, ck, cid, chunk)
		var got []*cases.Case
		if err == nil && len(zs) > 0 {
			got, err = r.readCases(cctx, zs)
		}
		cancel()
		if err != nil {
			return err
		}
		for i, z := range zs {
			ck, cid = z.Score, z.Member.(string)
			if c := got[i]; c != nil && c.Outcome == cases.OutcomeNone {
				if err := fn(*c); err != nil {
					return err
				}
			}
		}
		if len(zs) < chunk {
			return nil
		}
		lo = strconv.FormatFloat(ck, 'g', -1, 64)
	}
}
