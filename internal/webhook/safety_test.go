package webhook

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeResolver returns a resolver that never leaves the process: every DNS
// exchange goes over an in-memory pipe to a tiny server answering from zone
// (name without trailing dot -> addresses); other names get NXDOMAIN.
func fakeResolver(t testing.TB, zone map[string][]string) *net.Resolver {
	t.Helper()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveDNS(server, zone)
			return client, nil
		},
	}
}

// serveDNS answers length-prefixed (TCP framing) DNS queries on c.
func serveDNS(c net.Conn, zone map[string][]string) {
	defer c.Close()
	for {
		var n uint16
		if err := binary.Read(c, binary.BigEndian, &n); err != nil {
			return
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		var p dnsmessage.Parser
		hdr, err := p.Start(buf)
		if err != nil {
			return
		}
		q, err := p.Question()
		if err != nil {
			return
		}
		name := strings.TrimSuffix(q.Name.String(), ".")
		addrs, found := zone[name]
		rh := dnsmessage.Header{ID: hdr.ID, Response: true, Authoritative: true, RecursionDesired: hdr.RecursionDesired, RecursionAvailable: true}
		if !found {
			rh.RCode = dnsmessage.RCodeNameError
		}
		b := dnsmessage.NewBuilder(nil, rh)
		b.EnableCompression()
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		rrh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
		for _, s := range addrs {
			a := netip.MustParseAddr(s)
			switch {
			case a.Is4() && q.Type == dnsmessage.TypeA:
				_ = b.AResource(rrh, dnsmessage.AResource{A: a.As4()})
			case a.Is6() && q.Type == dnsmessage.TypeAAAA:
				_ = b.AAAAResource(rrh, dnsmessage.AAAAResource{AAAA: a.As16()})
			}
		}
		msg, err := b.Finish()
		if err != nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(msg)))
		if _, err := c.Write(append(out, msg...)); err != nil {
			return
		}
	}
}

func TestCheckURL(t *testing.T) {
	res := fakeResolver(t, map[string][]string{
		"crm.example.com":    {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"},
		"rebind.example.com": {"10.0.0.5"},
		"mixed.example.com":  {"93.184.216.34", "::1"},
		"meta.example.com":   {"169.254.169.254"},
	})
	tests := []struct {
		raw          string
		allowPrivate bool
		why          string // "" when the URL must pass
	}{
		{"http://127.0.0.1:6379/", false, "loopback address"},
		{"http://localhost/", false, "loopback name"},
		{"http://api.LOCALHOST./", false, "loopback name"},
		{"http://169.254.169.254/latest/meta-data", false, "cloud metadata"},
		{"http://[::1]/", false, "loopback address"},
		{"http://[::ffff:127.0.0.1]/", false, "loopback address"},
		{"http://10.0.0.1/", false, "private address"},
		{"http://172.16.3.4/", false, "private address"},
		{"http://192.168.1.1/", false, "private address"},
		{"http://[fd12::1]/", false, "private address"},
		{"http://100.64.0.1/", false, "carrier-grade NAT"},
		{"http://169.254.1.1/", false, "link-local"},
		{"http://[fe80::1%25eth0]/", false, "link-local"},
		{"http://0.0.0.0/", false, "unspecified"},
		{"http://[::]/", false, "unspecified"},
		{"http://224.0.0.1/", false, "multicast"},
		{"http://255.255.255.255/", false, "broadcast"},
		{"http://[64:ff9b::a00:1]/", false, "private address"},
		{"ftp://x", false, "scheme"},
		{"javascript:alert(1)", false, "scheme"},
		{"javascript:", false, "scheme"},
		{"", false, "empty"},
		{"//93.184.216.34/", false, "scheme missing"},
		{"http://", false, "host missing"},
		{"http:opaque", false, "host missing"},
		{"http://93.184.216.34/#frag", false, "fragment"},
		{"http://[::1", false, "not a valid URL"},
		{"https://93.184.216.34/", false, ""},
		{"https://user:pw@93.184.216.34:8443/hook?token=abc", false, ""},
		{"http://[2606:4700:4700::1111]/", false, ""},
		{"HTTPS://93.184.216.34/", false, ""},
		{"https://crm.example.com/hooks", false, ""},
		{"https://rebind.example.com/", false, "resolves to 10.0.0.5, which is a private address"},
		{"https://mixed.example.com/", false, "resolves to ::1, which is a loopback address"},
		{"https://meta.example.com/", false, "cloud metadata"},
		{"https://nx.example.com/", false, "does not resolve"},
		{"http://127.0.0.1:6379/", true, ""},
		{"http://localhost:8080/", true, ""},
		{"http://10.0.0.1/", true, ""},
		{"ftp://10.0.0.1/", true, "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := CheckURL(ctx, tt.raw, tt.allowPrivate, res)
			if tt.why == "" {
				if err != nil {
					t.Fatalf("CheckURL(%q) = %v, want nil", tt.raw, err)
				}
				return
			}
			if !errors.Is(err, ErrUnsafeURL) {
				t.Fatalf("CheckURL(%q) = %v, want ErrUnsafeURL", tt.raw, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("CheckURL(%q) = %q, want it to say %q", tt.raw, err, tt.why)
			}
		})
	}
}

func TestCheckURLNeverLeaksCredentials(t *testing.T) {
	for _, raw := range []string{
		"http://user:hunter2@127.0.0.1/?key=hunter2",
		"http://user:hunter2@[::1/?key=hunter2",
		"http://user:hunter2@127.0.0.1/?key=hunter2#x",
		"http://user:hunter2@/?key=hunter2",
	} {
		err := CheckURL(context.Background(), raw, false, fakeResolver(t, nil))
		if err == nil {
			t.Fatalf("CheckURL(%q) = nil, want error", raw)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("CheckURL error %q leaks a credential", err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:pw@crm.example.com/hook?token=abc&x=1#frag", "https://crm.example.com/hook?token=xxxxx&x=xxxxx"},
		{"https://crm.example.com/hook", "https://crm.example.com/hook"},
		{"http://u@10.0.0.1:8080/a/b", "http://10.0.0.1:8080/a/b"},
		{"https://h/?a=1&a=2", "https://h/?a=xxxxx&a=xxxxx"},
		{"http://[::1", "[invalid URL]"},
		{"mailto:someone@example.com", "mailto:xxxxx"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnsafeReason(t *testing.T) {
	tests := []struct {
		addr string
		safe bool
	}{
		{"8.8.8.8", true},
		{"93.184.216.34", true},
		{"2606:4700::1111", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.32.0.1", true},
		{"100.100.100.200", false},
		{"fd00:ec2::254", false},
		{"127.8.9.10", false},
		{"0.1.2.3", false},
		{"ff02::1", false},
		{"ff01::1", false},
		{"fe80::1", false},
		{"::ffff:10.1.2.3", false},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true},
		{"64:ff9b::7f00:1", false},
		{"240.0.0.1", false},
	}
	for _, tt := range tests {
		why := unsafeReason(netip.MustParseAddr(tt.addr))
		if (why == "") != tt.safe {
			t.Errorf("unsafeReason(%s) = %q, want safe=%v", tt.addr, why, tt.safe)
		}
	}
}

func TestSafeTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}))
	defer srv.Close()

	t.Setenv("HTTP_PROXY", "http://203.0.113.1:3128")
	t.Setenv("http_proxy", "http://203.0.113.1:3128")

	refusing := &http.Client{Transport: SafeTransport(false), Timeout: 5 * time.Second}
	_, err := refusing.Get(srv.URL)
	if !errors.Is(err, ErrUnsafeURL) {
		t.Fatalf("GET %s through SafeTransport(false): err = %v, want ErrUnsafeURL", srv.URL, err)
	}
	if !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("error %q does not say loopback", err)
	}

	tr := SafeTransport(true)
	if tr.Proxy != nil {
		t.Fatal("SafeTransport uses a proxy")
	}
	allowing := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	resp, err := allowing.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET through SafeTransport(true): %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "hello" {
		t.Fatalf("got %d %q, want 200 hello", resp.StatusCode, b)
	}
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:6379/", "https://u:p@93.184.216.34/?k=v", "javascript:", "", "http://[::1", "http://x.example/"} {
		f.Add(s)
	}
	res := fakeResolver(f, nil)
	f.Fuzz(func(t *testing.T, raw string) {
		err := CheckURL(context.Background(), raw, false, res)
		if err != nil && !errors.Is(err, ErrUnsafeURL) {
			t.Fatalf("CheckURL(%q) = %v, not wrapping ErrUnsafeURL", raw, err)
		}
		_ = RedactURL(raw)
	})
}
