package webhook

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// loopbackClient may call the httptest receivers on 127.0.0.1.
func loopbackClient() *http.Client {
	return &http.Client{Transport: SafeTransport(true)}
}

func mustSecret(t *testing.T) string {
	t.Helper()
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendClassification(t *testing.T) {
	date := time.Now().Add(120 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		wantErr    error // nil for success
		retryable  bool
		retryAfter [2]time.Duration // inclusive bounds
	}{
		{name: "200", status: 200},
		{name: "204", status: 204},
		{name: "301 not followed", status: 301, header: map[string]string{"Location": "/elsewhere"}, wantErr: ErrStatus},
		{name: "400", status: 400, wantErr: ErrStatus},
		{name: "404", status: 404, wantErr: ErrStatus},
		{name: "408", status: 408, wantErr: ErrStatus, retryable: true},
		{name: "410", status: 410, wantErr: ErrGone},
		{name: "425", status: 425, wantErr: ErrStatus, retryable: true},
		{name: "429 no Retry-After", status: 429, wantErr: ErrStatus, retryable: true},
		{name: "429 seconds", status: 429, header: map[string]string{"Retry-After": "30"}, wantErr: ErrStatus, retryable: true, retryAfter: [2]time.Duration{30 * time.Second, 30 * time.Second}},
		{name: "429 date", status: 429, header: map[string]string{"Retry-After": date}, wantErr: ErrStatus, retryable: true, retryAfter: [2]time.Duration{115 * time.Second, 120 * time.Second}},
		{name: "429 huge", status: 429, header: map[string]string{"Retry-After": "99999999999"}, wantErr: ErrStatus, retryable: true, retryAfter: [2]time.Duration{24 * time.Hour, 24 * time.Hour}},
		{name: "429 garbage", status: 429, header: map[string]string{"Retry-After": "soon"}, wantErr: ErrStatus, retryable: true},
		{name: "500", status: 500, wantErr: ErrStatus, retryable: true},
		{name: "500 ignores Retry-After", status: 500, header: map[string]string{"Retry-After": "30"}, wantErr: ErrStatus, retryable: true},
		{name: "503 seconds", status: 503, header: map[string]string{"Retry-After": "7"}, wantErr: ErrStatus, retryable: true, retryAfter: [2]time.Duration{7 * time.Second, 7 * time.Second}},
		{name: "503 past date", status: 503, header: map[string]string{"Retry-After": "Mon, 02 Jan 2006 15:04:05 GMT"}, wantErr: ErrStatus, retryable: true},
	}
	secret := mustSecret(t)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits, elsewhere atomic.Int32
			var (
				mu        sync.Mutex
				verifyErr error
				gotID     string
			)
			mux := http.NewServeMux()
			mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) })
			mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				verifyErr = wh.Verify(body, r.Header)
				gotID = r.Header.Get("webhook-id")
				mu.Unlock()
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()

			id := NewMessageID()
			res := Send(context.Background(), loopbackClient(), srv.URL+"/hook", secret, id, time.Now(), []byte(`{"type":"customer.at_risk"}`), 5*time.Second)

			if hits.Load() != 1 {
				t.Fatalf("receiver hit %d times, want 1", hits.Load())
			}
			mu.Lock()
			defer mu.Unlock()
			if verifyErr != nil {
				t.Fatalf("receiver could not verify the signature: %v", verifyErr)
			}
			if gotID != id {
				t.Fatalf("webhook-id = %q, want %q", gotID, id)
			}
			if elsewhere.Load() != 0 {
				t.Fatal("redirect was followed")
			}
			if res.Status != tt.status {
				t.Errorf("Status = %d, want %d", res.Status, tt.status)
			}
			if tt.wantErr == nil && res.Err != nil {
				t.Errorf("Err = %v, want nil", res.Err)
			}
			if tt.wantErr != nil && !errors.Is(res.Err, tt.wantErr) {
				t.Errorf("Err = %v, want %v", res.Err, tt.wantErr)
			}
			if res.Retryable != tt.retryable {
				t.Errorf("Retryable = %v, want %v", res.Retryable, tt.retryable)
			}
			if res.RetryAfter < tt.retryAfter[0] || res.RetryAfter > tt.retryAfter[1] {
				t.Errorf("RetryAfter = %v, want in %v", res.RetryAfter, tt.retryAfter)
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v, want > 0", res.Duration)
			}
		})
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	res := Send(context.Background(), loopbackClient(), srv.URL, mustSecret(t), NewMessageID(), time.Now(), []byte(`{}`), 100*time.Millisecond)
	if res.Err == nil || !res.Retryable || res.Status != 0 {
		t.Fatalf("Send = %+v, want retryable error without status", res)
	}
	if !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("Err = %v, want deadline exceeded", res.Err)
	}
	if res.Duration < 100*time.Millisecond || res.Duration > 3*time.Second {
		t.Fatalf("Duration = %v, want about 100ms", res.Duration)
	}
}

func TestSendConnectionRefusedRedacts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	secret := mustSecret(t)
	raw := "http://alice:hunter2@" + addr + "/hook?token=tok3n"
	res := Send(context.Background(), loopbackClient(), raw, secret, NewMessageID(), time.Now(), []byte(`{}`), 2*time.Second)
	if res.Err == nil || !res.Retryable || res.Status != 0 {
		t.Fatalf("Send = %+v, want retryable error without status", res)
	}
	if !strings.Contains(res.Err.Error(), "refused") {
		t.Errorf("Err = %q, want it to say connection refused", res.Err)
	}
	for _, leak := range []string{"hunter2", "tok3n", "alice", secret, secret[6:]} {
		if strings.Contains(res.Err.Error(), leak) {
			t.Errorf("Err %q leaks %q", res.Err, leak)
		}
	}
}

func TestSendRefusesUnsafeDestination(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()

	for name, client := range map[string]*http.Client{
		"safe transport": {Transport: SafeTransport(false)},
		"nil client":     nil,
	} {
		t.Run(name, func(t *testing.T) {
			res := Send(context.Background(), client, srv.URL, mustSecret(t), NewMessageID(), time.Now(), nil, 2*time.Second)
			if !errors.Is(res.Err, ErrUnsafeURL) || res.Retryable {
				t.Fatalf("Send = %+v, want non-retryable ErrUnsafeURL", res)
			}
		})
	}
	if hits.Load() != 0 {
		t.Fatalf("receiver hit %d times, want 0", hits.Load())
	}
}

func TestSendInputErrors(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	tests := []struct {
		name, url, secret string
		want              error
	}{
		{"bad secret", srv.URL, "whsec_%%%", ErrBadSecret},
		{"bad scheme", "ftp://127.0.0.1/", mustSecret(t), ErrUnsafeURL},
		{"bad url", "http://user:hunter2@[::1", mustSecret(t), ErrUnsafeURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Send(context.Background(), loopbackClient(), tt.url, tt.secret, "msg_1", time.Now(), nil, time.Second)
			if !errors.Is(res.Err, tt.want) || res.Retryable {
				t.Fatalf("Send = %+v, want non-retryable %v", res, tt.want)
			}
			if strings.Contains(res.Err.Error(), "hunter2") || strings.Contains(res.Err.Error(), "%%%") {
				t.Fatalf("Err %q leaks a credential", res.Err)
			}
		})
	}
	if hits.Load() != 0 {
		t.Fatalf("receiver hit %d times, want 0", hits.Load())
	}
}

// TestSendDrainsBody checks that responses are read to the end so that the
// connection is reused, and that a huge response does not stall Send.
func TestSendDrainsBody(t *testing.T) {
	var (
		mu       sync.Mutex
		newConns int
		written  atomic.Int64
	)
	big := strings.Repeat("x", 32<<10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/huge" {
			for range 1 << 10 { // 64 MiB if nobody stops reading
				if _, err := io.WriteString(w, big); err != nil {
					return
				}
			}
			return
		}
		n, err := io.WriteString(w, big)
		if err == nil {
			written.Add(int64(n))
		}
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			newConns++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()

	client := loopbackClient()
	secret := mustSecret(t)
	for i := range 5 {
		res := Send(context.Background(), client, srv.URL, secret, NewMessageID(), time.Now(), []byte(`{}`), 5*time.Second)
		if res.Err != nil || res.Status != 200 {
			t.Fatalf("attempt %d: %+v", i, res)
		}
	}
	mu.Lock()
	got := newConns
	mu.Unlock()
	if got != 1 {
		t.Errorf("5 sends opened %d connections, want 1 (bodies drained, connection reused)", got)
	}
	if w := written.Load(); w != 5*int64(len(big)) {
		t.Errorf("handlers wrote %d bytes, want %d", w, 5*len(big))
	}

	start := time.Now()
	res := Send(context.Background(), client, srv.URL+"/huge", secret, NewMessageID(), time.Now(), []byte(`{}`), 5*time.Second)
	if res.Err != nil || res.Status != 200 {
		t.Fatalf("huge response: %+v", res)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("huge response took %v; Send should read at most 64 KiB", d)
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "30", "-5", "Mon, 02 Jan 2006 15:04:05 GMT", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v, out of [0, %v]", v, d, maxRetryAfter)
		}
	})
}
