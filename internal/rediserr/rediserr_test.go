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
	srv.Stop()
	if err := c.Get(ctx, "k").Err(); err == nil || !Unavailable(err) {
		t.Errorf("GET with the server stopped: %v, unavailable %v; want an outage", err, Unavailable(err))
	}
}
