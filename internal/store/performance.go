package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/metrics"
)

// memPerformance is the embedded store's monthly score snapshots.
type memPerformance struct {
	mu      sync.Mutex
	claimed map[metrics.Month]time.Time
	metas   map[metrics.Month]metrics.Snapshot
	scores  map[metrics.Month]map[string]metrics.MonthScore
}

// ClaimMonth claims the taking of month's snapshot for ttl: it returns
// false when the month has a snapshot or another taker holds the claim.
func (s *Mem) ClaimMonth(ctx context.Context, m metrics.Month, ttl time.Duration) (bool, error) {
	p := &s.perf
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.metas[m]; ok {
		return false, nil
	}
	now := s.now()
	if until, ok := p.claimed[m]; ok && now.Before(until) {
		return false, nil
	}
	if p.claimed == nil {
		p.claimed = map[metrics.Month]time.Time{}
	}
	p.claimed[m] = now.Add(ttl)
	return true, nil
}

// PutMonthScores stores a month's snapshot: the scores, then its meta,
// which makes it visible; the months past metrics.SnapshotMonths are
// dropped, oldest first.
func (s *Mem) PutMonthScores(ctx context.Context, meta metrics.Snapshot, scores map[string]metrics.MonthScore) error {
	p := &s.perf
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.metas == nil {
		p.metas, p.scores = map[metrics.Month]metrics.Snapshot{}, map[metrics.Month]map[string]metrics.MonthScore{}
	}
	p.scores[meta.Month] = maps.Clone(scores)
	meta.Customers = len(scores)
	p.metas[meta.Month] = meta
	months := slices.Sorted(maps.Keys(p.metas))
	for len(months) > metrics.SnapshotMonths {
		delete(p.metas, months[0])
		delete(p.scores, months[0])
		months = months[1:]
	}
	return nil
}

// MonthMetas returns the metas of the stored snapshots, oldest first.
func (s *Mem) MonthMetas(ctx context.Context) ([]metrics.Snapshot, error) {
	p := &s.perf
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]metrics.Snapshot, 0, len(p.metas))
	for _, m := range slices.Sorted(maps.Keys(p.metas)) {
		out = append(out, p.metas[m])
	}
	return out, nil
}

// MonthScores returns a month's snapshot, or ErrNotFound.
func (s *Mem) MonthScores(ctx context.Context, m metrics.Month) (map[string]metrics.MonthScore, error) {
	p := &s.perf
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.metas[m]; !ok {
		return nil, ErrNotFound
	}
	return maps.Clone(p.scores[m]), nil
}

// Monthly snapshots in Redis, with the default prefix "churn:":
//
//	churn:perf:months        hash: month (YYYY-MM) -> meta (JSON), written last: a month is visible once complete
//	churn:perf:claim:<month> the claim of the month's taker (SET NX with a TTL)
//	churn:perf:<month>       hash: customer id -> "score flagged" (flagged 1 or 0)

func (r *Redis) perfKey(m metrics.Month) string { return r.prefix + "perf:" + m.String() }

// ClaimMonth claims the taking of month's snapshot for ttl: it returns
// false when the month has a snapshot or another taker holds the claim.
func (r *Redis) ClaimMonth(ctx context.Context, m metrics.Month, ttl time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	has, err := r.c.HExists(ctx, r.prefix+"perf:months", m.String()).Result()
	if err != nil {
		return false, r.fail(ctx, "claim month", err)
	}
	if has {
		return false, nil
	}
	ok, err := r.c.SetNX(ctx, r.prefix+"perf:claim:"+m.String(), "1", ttl).Result()
	return ok, r.fail(ctx, "claim month", err)
}

// PutMonthScores stores a month's snapshot in chunks, then its meta, which
// makes it visible; the months past metrics.SnapshotMonths are dropped,
// oldest first.
func (r *Redis) PutMonthScores(ctx context.Context, meta metrics.Snapshot, scores map[string]metrics.MonthScore) error {
	key := r.perfKey(meta.Month)
	ids := slices.Sorted(maps.Keys(scores))
	for start := 0; start < len(ids); start += importChunk * 5 {
		part := ids[start:min(start+importChunk*5, len(ids))]
		vals := make([]any, 0, 2*len(part))
		for _, id := range part {
			e := scores[id]
			f := "0"
			if e.Flagged {
				f = "1"
			}
			vals = append(vals, id, fmtFloat(e.Score)+" "+f)
		}
		cctx, cancel := context.WithTimeout(ctx, r.timeout)
		err := r.c.HSet(cctx, key, vals...).Err()
		cancel()
		if err != nil {
			return r.fail(ctx, "month scores", err)
		}
	}
	meta.Customers = len(scores)
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.c.HSet(ctx, r.prefix+"perf:months", meta.Month.String(), b).Err(); err != nil {
		return r.fail(ctx, "month scores", err)
	}
	months, err := r.c.HKeys(ctx, r.prefix+"perf:months").Result()
	if err != nil {
		return r.fail(ctx, "month scores", err)
	}
	slices.Sort(months) // YYYY-MM sorts by time
	for len(months) > metrics.SnapshotMonths {
		m, _ := metrics.ParseMonth(months[0])
		pipe := r.c.Pipeline()
		pipe.HDel(ctx, r.prefix+"perf:months", months[0])
		pipe.Unlink(ctx, r.perfKey(m))
		if _, err := pipe.Exec(ctx); err != nil {
			return r.fail(ctx, "month scores", err)
		}
		months = months[1:]
	}
	return nil
}

// MonthMetas returns the metas of the stored snapshots, oldest first.
func (r *Redis) MonthMetas(ctx context.Context) ([]metrics.Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	all, err := r.c.HGetAll(ctx, r.prefix+"perf:months").Result()
	if err != nil {
		return nil, r.fail(ctx, "month metas", err)
	}
	out := make([]metrics.Snapshot, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		var m metrics.Snapshot
		if err := json.Unmarshal([]byte(all[k]), &m); err != nil {
			return nil, fmt.Errorf("snapshot meta of %s: %w", k, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// MonthScores returns a month's snapshot, or ErrNotFound.
func (r *Redis) MonthScores(ctx context.Context, m metrics.Month) (map[string]metrics.MonthScore, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*r.timeout)
	defer cancel()
	has, err := r.c.HExists(ctx, r.prefix+"perf:months", m.String()).Result()
	if err != nil {
		return nil, r.fail(ctx, "month scores", err)
	}
	if !has {
		return nil, ErrNotFound
	}
	out := map[string]metrics.MonthScore{}
	var cursor uint64
	for {
		kv, next, err := r.c.HScan(ctx, r.perfKey(m), cursor, "", 1000).Result()
		if err != nil {
			return nil, r.fail(ctx, "month scores", err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			sc, fl, ok := strings.Cut(kv[i+1], " ")
			v, err := strconv.ParseFloat(sc, 64)
			if !ok || err != nil {
				return nil, fmt.Errorf("month %s, customer %q: bad entry %q", m, kv[i], kv[i+1])
			}
			out[kv[i]] = metrics.MonthScore{Score: v, Flagged: fl == "1"}
		}
		if cursor = next; cursor == 0 {
			return out, nil
		}
	}
}
