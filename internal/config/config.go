// Package config reads the commands' settings from the environment into
// typed values. An Env collects every problem it meets instead of stopping
// at the first, so that a command reports all of them in one error (Err).
// It is the one home of the settings both commands share: the store's
// (Store: REDIS_URL, REDIS_CLUSTER_ADDRS, CHURN_REDIS_PREFIX).
//
// Problems never quote a secret: a bad REDIS_URL is described without the
// URL, which may hold a password.
package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/store"
)

// The environment variables of the store (DESIGN.md section 5).
const (
	RedisURL          = "REDIS_URL"
	RedisClusterAddrs = "REDIS_CLUSTER_ADDRS"
	RedisPrefix       = "CHURN_REDIS_PREFIX"
	RedisTimeout      = "CHURN_REDIS_TIMEOUT"
)

// Env reads settings through a getenv function (os.Getenv, or a map in
// tests) and collects their problems. It is not safe for concurrent use.
type Env struct {
	getenv   func(string) string
	problems []string
}

// NewEnv returns an Env reading through getenv.
func NewEnv(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// Problemf records a problem, such as a rule between settings
// ("--addr 0.0.0.0:8080: without API keys ...").
func (e *Env) Problemf(format string, args ...any) {
	e.problems = append(e.problems, fmt.Sprintf(format, args...))
}

// Err returns nil when no problem was recorded, and otherwise an *Error
// listing every problem in the order they were found.
func (e *Env) Err() error {
	if len(e.problems) == 0 {
		return nil
	}
	return &Error{Problems: append([]string(nil), e.problems...)}
}

// Error is a configuration with one or more problems.
type Error struct {
	Problems []string // each names its setting, e.g. `CHURN_MODEL_POLL="x": want a duration such as 5s`
}

// Error returns the problems joined by "; ".
func (e *Error) Error() string { return strings.Join(e.Problems, "; ") }

// String returns the value of name, or def when it is unset or empty.
func (e *Env) String(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// Bool returns the value of name read by strconv.ParseBool (true, false, 1,
// 0, ...), or def when it is unset or empty. Another value is a problem
// (and def is returned).
func (e *Env) Bool(name string, def bool) bool {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.Problemf("%s=%q: want true or false", name, v)
		return def
	}
	return b
}

// Duration returns the value of name read by time.ParseDuration ("5s",
// "1m30s"), or def when it is unset or empty. A malformed or negative value
// is a problem (and def is returned).
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		e.Problemf("%s=%q: want a duration such as 5s", name, v)
		return def
	}
	return d
}

// Int returns the value of name as a whole number of at least least, or
// def when it is unset or empty. Another value is a problem (and def is
// returned).
func (e *Env) Int(name string, def, least int) int {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < least {
		e.Problemf("%s=%q: want a whole number of at least %d", name, v, least)
		return def
	}
	return n
}

// Float returns the value of name read by strconv.ParseFloat, or def when
// it is unset or empty. A malformed or non-finite value is a problem (and
// def is returned).
func (e *Env) Float(name string, def float64) float64 {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		e.Problemf("%s=%q: want a number", name, v)
		return def
	}
	return f
}

// Store returns the store configuration: REDIS_URL (a redis:// or rediss://
// URL), REDIS_CLUSTER_ADDRS (comma-separated host:port seed nodes of a
// Redis Cluster), CHURN_REDIS_PREFIX (default store.DefaultPrefix) and
// CHURN_REDIS_TIMEOUT (each call's bound, default 500ms). Both
// a URL and cluster addresses, a bad URL or address and (with Redis) a
// prefix with { or } are problems. With neither set the configuration is the
// embedded store.
func (e *Env) Store() store.Config {
	c := store.Config{URL: strings.TrimSpace(e.getenv(RedisURL)), Prefix: e.String(RedisPrefix, store.DefaultPrefix),
		Timeout: e.Duration(RedisTimeout, store.DefaultTimeout)}
	if c.Timeout == 0 {
		e.Problemf("%s: must be more than 0", RedisTimeout)
	}
	for _, a := range strings.Split(e.getenv(RedisClusterAddrs), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.ClusterAddrs = append(c.ClusterAddrs, a)
			if err := store.CheckClusterAddr(a); err != nil {
				e.Problemf("%s: %v", RedisClusterAddrs, err)
			}
		}
	}
	if c.URL != "" {
		if err := store.CheckURL(c.URL); err != nil {
			e.Problemf("%s: %v", RedisURL, err)
		}
		if len(c.ClusterAddrs) > 0 {
			e.Problemf("%s and %s are both set: set one (a single Redis or a cluster)", RedisURL, RedisClusterAddrs)
		}
	}
	if c.Redis() {
		if err := store.CheckPrefix(c.Prefix); err != nil {
			e.Problemf("%s: %v", RedisPrefix, err)
		}
	}
	return c
}
