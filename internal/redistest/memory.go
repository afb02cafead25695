package redistest

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// config runs CONFIG SET name value pairs on the server, failing the test
// when Redis refuses.
func (s *Server) config(pairs ...string) {
	s.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	args := []any{"CONFIG", "SET"}
	for _, p := range pairs {
		args = append(args, p)
	}
	if err := c.Do(ctx, args...).Err(); err != nil {
		s.t.Fatalf("redis %s: CONFIG SET %v: %v", s.Addr, pairs, err)
	}
}

// UsedMemory returns the bytes the server uses (used_memory of INFO
// memory), failing the test when it cannot be read.
func (s *Server) UsedMemory() int64 {
	s.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := c.Info(ctx, "memory").Result()
	if err != nil {
		s.t.Fatalf("redis %s: INFO memory: %v", s.Addr, err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				s.t.Fatalf("redis %s: used_memory %q: %v", s.Addr, v, err)
			}
			return n
		}
	}
	s.t.Fatalf("redis %s: no used_memory in INFO memory", s.Addr)
	return 0
}

// SetMaxMemory sets the server's memory limit at runtime (CONFIG SET
// maxmemory) with the policy noeviction, so that past the limit every
// command that may grow the data is refused with an OOM error instead of
// evicting keys; 0 removes the limit. It fails the test when Redis refuses.
func (s *Server) SetMaxMemory(bytes int64) {
	s.t.Helper()
	s.config("maxmemory-policy", "noeviction", "maxmemory", strconv.FormatInt(bytes, 10))
}

// OutOfMemory sets the memory limit to half of what the server uses now
// (the data stays, nothing is evicted): from then on Redis refuses writes
// with OOM until SetMaxMemory raises the limit.
func (s *Server) OutOfMemory() {
	s.t.Helper()
	s.SetMaxMemory(max(s.UsedMemory()/2, 1))
}
