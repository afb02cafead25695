package rediserr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/redistest"
)

// replyError is a Redis error reply as go-redis returns it.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

func TestUnavailable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"redis.Nil", redis.Nil, false},
		{"wrapped redis.Nil", fmt.Errorf("get: %w", redis.Nil), false},
		{"wrong type", replyError("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{"script error", replyError("ERR user_script:1: Script attempted to access nonexistent global variable"), false},
		{"timeout", context.DeadlineExceeded, true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}, true},
		{"closed pool", redis.ErrClosed, true},
		{"loading", replyError("LOADING Redis is loading the dataset in memory"), true},
		{"cluster down", replyError("CLUSTERDOWN The cluster is down"), true},
		{"read only replica", replyError("READONLY You can't write against a read only replica."), true},
		{"busy script", replyError("BUSY Redis is busy running a script."), true},
		{"moved", replyError("MOVED 3999 127.0.0.1:6381"), true},
		{"max clients", replyError("ERR max number of clients reached"), true},
		{"wrapped timeout", fmt.Errorf("list: %w", context.DeadlineExceeded), true},
		{"out of memory", replyError("OOM command not allowed when used memory > 'maxmemory'."), true},
		{"script out of memory (Redis 7)", replyError("OOM command not allowed when used memory > 'maxmemory'. script: 78df229a, on @user_script:1."), true},
		{"script out of memory (Redis 6)", replyError("ERR Error running script (call to f_78df229a): @user_script:1: -OOM command not allowed when used memory > 'maxmemory'. "), true},
		{"script read only (Redis 6)", replyError("ERR Error running script (call to f_78df229a): @user_script:1: -READONLY You can't write against a read only replica."), true},
		{"script wrong type (Redis 6)", replyError("ERR Error running script (call to f_78df229a): @user_script:1: -WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{"transaction discarded", replyError("EXECABORT Transaction discarded because of previous errors."), true},
		{"wrapped transaction discarded", fmt.Errorf("snapshot: %w", replyError("EXECABORT Transaction discarded because of previous errors.")), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Unavailable(c.err); got != c.want {
				t.Errorf("Unavailable(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

// TestUnavailableRealRedis classifies the errors of a real server: a wrong
// type is a bug, a stopped server an outage.
func TestUnavailableRealRedis(t *testing.T) {
	srv := redistest.Start(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.DialTimeout, opt.MaxRetries = 300*time.Millisecond, -1
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.HGet(ctx, "k", "f").Err(); err == nil || Unavailable(err) {
		t.Errorf("HGET on a string: %v, unavailable %v; want a plain error", err, Unavailable(err))
	}
	// Out of memory: writes, scripts that write and every transaction are
	// refused (an outage); reads still run.
	srv.OutOfMemory()
	for name, err := range map[string]error{
		"SET":                        c.Set(ctx, "k2", "v", 0).Err(),
		"a script that writes":       c.Eval(ctx, "redis.call('GET', KEYS[1]); return redis.call('SET', KEYS[1], 'w')", []string{"k"}).Err(),
		"a transaction of one read":  txGet(ctx, c, "k"),
		"a pipeline write":           pipeSet(ctx, c, "k3"),
		"a script's pcall returning": c.Eval(ctx, "return redis.pcall('SET', KEYS[1], 'w')", []string{"k"}).Err(),
	} {
		if err == nil || !Unavailable(err) {
			t.Errorf("%s out of memory: %v, unavailable %v; want an outage", name, err, Unavailable(err))
		}
	}
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Errorf("GET out of memory: %q, %v; want the value", v, err)
	}
	if err := c.Eval(ctx, "return redis.call('NOSUCHCOMMAND')", nil).Err(); err == nil || Unavailable(err) {
		t.Errorf("a script's bug out of memory: %v, unavailable %v; want a plain error", err, Unavailable(err))
	}
	srv.SetMaxMemory(0)
	if err := txGet(ctx, c, "k"); err != nil {
		t.Errorf("a transaction with memory again: %v", err)
	}
	srv.Stop()
	if err := c.Get(ctx, "k").Err(); err == nil || !Unavailable(err) {
		t.Errorf("GET with the server stopped: %v, unavailable %v; want an outage", err, Unavailable(err))
	}
}

// txGet reads key in a MULTI/EXEC transaction and returns its error.
func txGet(ctx context.Context, c *redis.Client, key string) error {
	_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, key)
		return nil
	})
	return err
}

// pipeSet writes key in a pipeline and returns its error.
func pipeSet(ctx context.Context, c *redis.Client, key string) error {
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, key, "v", 0)
		return nil
	})
	return err
}
