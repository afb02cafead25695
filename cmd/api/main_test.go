package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/synth"
)

// TestMain lets a test start this test binary as the real api command (see
// startAPI): with CHURN_API_TEST_MAIN=1 it runs main instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("CHURN_API_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestRunServesAndShutsDown starts the real server through run, talks to it
// over TCP, then cancels the context as SIGTERM would.
func TestRunServesAndShutsDown(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	dataDir := t.TempDir()
	if _, err := synth.Generate(dataDir, synth.Config{Customers: 20, Days: 30, End: time.Now().UTC(), Seed: 1}); err != nil {
		t.Fatal(err)
	}
	go func() {
		done <- run(ctx, []string{"--load", dataDir}, env(map[string]string{"CHURN_ADDR": addr, "CHURN_MODELS_DIR": t.TempDir()}), &stdout, &stderr)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("readyz without a model: %d, want 503", resp.StatusCode)
	}
	resp, err = http.Post(base+"/v1/events", "application/json", strings.NewReader(`{"events":[{"type":"usage","customer_id":"a","timestamp":"2026-01-01T00:00:00Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || !strings.Contains(string(body), `"accepted":1`) {
		t.Errorf("events: %d %s", resp.StatusCode, body)
	}
	// --load put the generated customers into the store.
	resp, err = http.Get(base + "/v1/customers/c000007")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"customer_id":"c000007"`) || !strings.Contains(string(body), `"plan":`) {
		t.Errorf("loaded customer: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(stderr.String(), "authentication is off") || !strings.Contains(stdout.String(), "listening on http://"+addr) {
		t.Errorf("logs:\n%s\n%s", stdout.String(), stderr.String())
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		msg  string
	}{
		{"public address without keys", []string{"--addr", "0.0.0.0:0"}, nil, "loopback only"},
		{"bad address", []string{"--addr", "nonsense"}, nil, "--addr"},
		{"bad redis url", nil, map[string]string{"REDIS_URL": "mysql://127.0.0.1:6379"}, "redis"},
		{"short key", nil, map[string]string{"CHURN_API_KEYS": "admin:secret"}, "at least 16"},
		{"unknown role", nil, map[string]string{"CHURN_API_KEYS": "root:0123456789abcdefxyz"}, "not read, write or admin"},
		{"unknown flag", []string{"--bogus"}, nil, "flag provided but not defined"},
		{"bad keep-text switch", nil, map[string]string{"CHURN_KEEP_TICKET_TEXT": "maybe"}, "CHURN_KEEP_TICKET_TEXT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), c.args, env(c.env), &out, &errb)
			if err == nil || !strings.Contains(err.Error()+errb.String(), c.msg) {
				t.Fatalf("err %v, stderr %q; want an error containing %q", err, errb.String(), c.msg)
			}
			if _, ok := err.(usageError); !ok {
				t.Errorf("error %T is not a usage error (exit 2)", err)
			}
		})
	}
}
