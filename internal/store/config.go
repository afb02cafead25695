package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the namespace of the Redis keys when none is configured.
const DefaultPrefix = "churn:"

// Config says which store a command opens: a Redis store when URL or
// ClusterAddrs is set, the embedded one otherwise. The commands fill it from
// their configuration (DESIGN.md section 5: REDIS_URL, REDIS_CLUSTER_ADDRS
// and CHURN_REDIS_PREFIX); this package reads no environment.
type Config struct {
	URL          string   // redis:// or rediss:// URL of a single Redis; may hold a password
	ClusterAddrs []string // host:port seed nodes of a Redis Cluster
	Prefix       string   // key namespace, e.g. DefaultPrefix
	// Timeout bounds each Redis call (CHURN_REDIS_TIMEOUT); 0 means
	// DefaultTimeout.
	Timeout time.Duration
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
	return NewRedis(ctx, RedisOptions{URL: c.URL, ClusterAddrs: c.ClusterAddrs, Prefix: c.Prefix, Timeout: c.Timeout, RetentionDays: retentionDays, Now: now})
}

// CheckURL returns why a Redis URL cannot be used (not a redis:// or
// rediss:// URL, a bad port or database number, ...), nil when it can. The
// error never holds the URL, which may hold a password.
func CheckURL(u string) error {
	_, err := redis.ParseURL(u)
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("not a URL: %w", ue.Err) // url.Error quotes the whole URL
	}
	return err
}

// CheckClusterAddr returns why a Redis Cluster seed address cannot be used
// (it must be host:port), nil when it can.
func CheckClusterAddr(a string) error {
	host, port, err := net.SplitHostPort(a)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q is not host:port", a)
	}
	return nil
}

// CheckPrefix returns why a key prefix cannot be used (it must not hold { or
// }, which would break the hash tags that keep a customer's keys in one
// cluster slot), nil when it can.
func CheckPrefix(p string) error {
	if strings.ContainsAny(p, "{}") {
		return fmt.Errorf("%q must not contain { or }", p)
	}
	return nil
}
