// Package redistest gives tests real Redis servers: the shared single node
// (REDIS_URL, default 127.0.0.1:6379), the test cluster
// (REDIS_CLUSTER_ADDRS, or one started by scripts/redis-cluster.sh) and
// private redis-server processes that a test can stop and restart. When no
// Redis can be had, tests skip, except under CI (the CI environment variable
// set), where they fail: CI must never pass by skipping.
package redistest

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// unavailable skips the test, or fails it under CI.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("Redis needed under CI: %s", msg)
	}
	t.Skipf("no Redis: %s (start redis-server, or set REDIS_URL / REDIS_CLUSTER_ADDRS)", msg)
}

// ping sends PING over a raw connection and reports whether PONG came back.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// URL returns the URL of the shared single Redis node, skipping (or failing
// under CI) when it does not answer.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	addr := strings.TrimPrefix(strings.TrimPrefix(u, "redis://"), "rediss://")
	if i := strings.IndexAny(addr, "/?"); i >= 0 {
		addr = addr[:i]
	}
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		addr = addr[i+1:]
	}
	if err := ping(addr); err != nil {
		unavailable(t, "%s: %v", u, err)
	}
	return u
}

// repoRoot finds the repository root (the directory holding go.mod).
func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("no caller information")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found")
		}
		dir = parent
	}
}

// ClusterAddrs returns the seed addresses of the test Redis Cluster: those of
// REDIS_CLUSTER_ADDRS, or of a cluster started with scripts/redis-cluster.sh
// when redis-server is installed. It skips (or fails under CI) otherwise.
func ClusterAddrs(t testing.TB) []string {
	t.Helper()
	v := os.Getenv("REDIS_CLUSTER_ADDRS")
	if v == "" {
		if _, err := exec.LookPath("redis-server"); err != nil {
			unavailable(t, "redis-server is not installed, so no cluster can be started")
		}
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(root, "scripts", "redis-cluster.sh")
		if out, err := exec.Command(script, "start").CombinedOutput(); err != nil {
			unavailable(t, "%s start: %v\n%s", script, err, out)
		}
		out, err := exec.Command(script, "addrs").Output()
		if err != nil {
			t.Fatalf("%s addrs: %v", script, err)
		}
		v = strings.TrimSpace(string(out))
	}
	addrs := strings.Split(v, ",")
	for _, a := range addrs {
		if err := ping(a); err != nil {
			unavailable(t, "cluster node %s: %v", a, err)
		}
	}
	return addrs
}

// Server is a private redis-server process with append-only persistence
// (fsync on every write), so that acknowledged writes survive Stop and Start.
type Server struct {
	t    testing.TB
	Addr string
	dir  string
	cmd  *exec.Cmd
}

// Start runs a private redis-server on a free loopback port. It skips (or
// fails under CI) when redis-server is not installed. The server is stopped
// at the end of the test.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, "redis-server is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{t: t, Addr: addr, dir: t.TempDir()}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// Restart starts the server again (after Stop) on the same port and data directory.
func (s *Server) Restart() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	s.cmd = exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ping(s.Addr) != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redis-server on %s did not come up:\n%s", s.Addr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop shuts the server down (SIGTERM: it flushes the append-only file) and
// waits for it to exit.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// WaitDown waits until the server no longer answers.
func (s *Server) WaitDown(ctx context.Context) error {
	for ping(s.Addr) == nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// Prefix returns a key prefix unique to this test run, so tests sharing a
// Redis never see each other's keys.
func Prefix(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("test:%x:", b)
}

// Cleanup deletes every key under prefix at the end of the test, on every
// master of a cluster or on the single node.
func Cleanup(t testing.TB, url string, clusterAddrs []string, prefix string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		del := func(ctx context.Context, c *redis.Client) error {
			iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val())
			}
			return iter.Err()
		}
		if len(clusterAddrs) > 0 {
			c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs})
			defer c.Close()
			_ = c.ForEachMaster(ctx, del)
			return
		}
		opt, err := redis.ParseURL(url)
		if err != nil {
			return
		}
		c := redis.NewClient(opt)
		defer c.Close()
		_ = del(ctx, c)
	})
}
