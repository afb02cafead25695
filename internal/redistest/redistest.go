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
	"syscall"
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
// (fsync on every write), so that acknowledged writes survive Stop or Kill
// and Restart.
type Server struct {
	t    testing.TB
	Addr string // host:port on loopback
	dir  string
	cmd  *exec.Cmd
}

// FreeAddr returns a loopback address (host:port) on which nothing listens:
// a port the kernel handed out and that was released again at once. It fails
// the test when no port can be had.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Start runs a private redis-server on a free loopback port. It skips (or
// fails under CI) when redis-server is not installed, and fails the test when
// the server does not come up. The server is stopped at the end of the test.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, "redis-server is not installed")
	}
	s := &Server{t: t, Addr: FreeAddr(t), dir: t.TempDir()}
	t.Cleanup(s.Stop)
	s.Restart()
	return s
}

// Restart starts the server again, after Stop or Kill, on the same port and
// data directory, and waits until it answers PING (with the append-only file
// loaded). It fails the test when the server does not come up within 10
// seconds. The server must not be running.
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

// Stop shuts the server down gracefully (SIGTERM: it flushes the
// append-only file) and waits for it to exit, killing it after 10 seconds.
// It does nothing when the server is not running.
func (s *Server) Stop() { s.end(syscall.SIGTERM, 10*time.Second) }

// Kill ends the server abruptly (SIGKILL, as a crash or a power cut would:
// only what the append-only file already holds survives) and waits for it
// to exit. It does nothing when the server is not running.
func (s *Server) Kill() { s.end(syscall.SIGKILL, 0) }

// end sends sig to the server, waits up to grace for it to exit (then kills
// it) and forgets the process.
func (s *Server) end(sig os.Signal, grace time.Duration) {
	cmd := s.cmd
	if cmd == nil || cmd.Process == nil {
		return
	}
	s.cmd = nil
	_ = cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
	}
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

// globEscape escapes the characters that SCAN MATCH reads as a pattern.
var globEscape = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)

// Cleanup deletes every key under prefix at the end of the test, on every
// master of a cluster (when clusterAddrs is not empty) or on the single node
// at url. A failure to delete them is reported as a test error.
func Cleanup(t testing.TB, url string, clusterAddrs []string, prefix string) {
	t.Cleanup(func() {
		if err := deletePrefix(url, clusterAddrs, prefix); err != nil {
			t.Errorf("deleting the keys under %q: %v", prefix, err)
		}
	})
}

// deletePrefix removes every key under prefix, a SCAN page at a time with
// one pipelined UNLINK per key (the keys of one cluster node span slots).
func deletePrefix(url string, clusterAddrs []string, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pattern := globEscape.Replace(prefix) + "*"
	del := func(ctx context.Context, c *redis.Client) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, pattern, 1000).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
					for _, k := range keys {
						p.Unlink(ctx, k)
					}
					return nil
				}); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	if len(clusterAddrs) > 0 {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs})
		defer c.Close()
		return c.ForEachMaster(ctx, del)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	return del(ctx, c)
}
