package store

import (
	"context"
	"strings"
	"time"
)

// Config is the store configuration of the environment (DESIGN.md section 5):
// REDIS_URL, REDIS_CLUSTER_ADDRS and CHURN_REDIS_PREFIX.
type Config struct {
	URL          string
	ClusterAddrs []string
	Prefix       string
}

// ConfigFromEnv reads the store configuration from getenv.
func ConfigFromEnv(getenv func(string) string) Config {
	c := Config{URL: strings.TrimSpace(getenv("REDIS_URL")), Prefix: getenv("CHURN_REDIS_PREFIX")}
	for _, a := range strings.Split(getenv("REDIS_CLUSTER_ADDRS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.ClusterAddrs = append(c.ClusterAddrs, a)
		}
	}
	if c.Prefix == "" {
		c.Prefix = "churn:"
	}
	return c
}

// Redis reports whether a Redis store is configured.
func (c Config) Redis() bool { return c.URL != "" || len(c.ClusterAddrs) > 0 }

// Describe names the configured store for logs, without credentials.
func (c Config) Describe() string {
	switch {
	case len(c.ClusterAddrs) > 0:
		return "redis cluster " + strings.Join(c.ClusterAddrs, ",")
	case c.URL != "":
		u := c.URL
		if at := strings.LastIndex(u, "@"); at >= 0 {
			if scheme := strings.Index(u, "://"); scheme >= 0 && scheme < at {
				u = u[:scheme+3] + "***@" + u[at+1:]
			}
		}
		return "redis " + u
	}
	return "embedded"
}

// OpenRedis connects the configured Redis store.
func (c Config) OpenRedis(ctx context.Context, retentionDays int, now func() time.Time) (*Redis, error) {
	return NewRedis(ctx, RedisOptions{URL: c.URL, ClusterAddrs: c.ClusterAddrs, Prefix: c.Prefix, RetentionDays: retentionDays, Now: now})
}
