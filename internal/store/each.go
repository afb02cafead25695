package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/metrics"
)

// EachCustomer calls fn with the id of every known customer, in id order,
// until fn returns an error (which it returns).
func (m *Mem) EachCustomer(ctx context.Context, fn func(id string) error) error {
	m.mu.RLock()
	ids := make([]string, 0, len(m.customers))
	for id := range m.customers {
		ids = append(ids, id)
	}
	m.mu.RUnlock()
	slices.Sort(ids)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

var tagUnescaper = strings.NewReplacer("%7D", "}", "%25", "%")

// EachCustomer calls fn with the id of every known customer (every profile
// key, found with SCAN on every master of a cluster), one call at a time,
// until fn returns an error. The order is Redis's; a customer added during
// the walk may or may not be seen.
func (r *Redis) EachCustomer(ctx context.Context, fn func(id string) error) error {
	pattern := escapeMatch(r.prefix) + "{c:*}:p"
	// ForEachMaster walks the masters concurrently: fn is called by one at a time.
	var mu sync.Mutex
	walk := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			id, ok := strings.CutPrefix(k, r.prefix+"{c:")
			if !ok {
				continue
			}
			id, ok = strings.CutSuffix(id, "}:p")
			if !ok {
				continue
			}
			mu.Lock()
			err := fn(tagUnescaper.Replace(id))
			mu.Unlock()
			if err != nil {
				return err
			}
		}
		return r.fail(ctx, "scan customers", iter.Err())
	}
	switch c := r.c.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, walk)
	case *redis.Client:
		return walk(ctx, c)
	}
	return nil
}

// escapeMatch escapes the glob characters of SCAN MATCH.
func escapeMatch(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`, "]", `\]`).Replace(s)
}

// CustomerMetrics returns a customer's metrics state (lifetimes and MRR
// history); a customer without one gets the empty state.
func (m *Mem) CustomerMetrics(_ context.Context, id string) (metrics.Customer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := m.customers[id]
	if c == nil {
		return metrics.Customer{}, ErrNotFound
	}
	return c.metrics, nil
}

// CustomerMetrics returns a customer's metrics state (lifetimes and MRR
// history); a customer without one gets the empty state.
func (r *Redis) CustomerMetrics(ctx context.Context, id string) (metrics.Customer, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	b, err := r.c.Get(ctx, r.custKey(id)+"m").Bytes()
	if errors.Is(err, redis.Nil) {
		return metrics.Customer{}, nil
	}
	if err != nil {
		return metrics.Customer{}, r.fail(ctx, "customer metrics", err)
	}
	return metricsState(b)
}
