package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrUnsafeURL reports a webhook URL that is malformed, not http(s), or whose
// host is (or resolves to) an address the service refuses to call.
var ErrUnsafeURL = errors.New("unsafe webhook URL")

var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	reserved4   = netip.MustParsePrefix("240.0.0.0/4") // includes 255.255.255.255
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	metadata    = map[netip.Addr]bool{
		netip.MustParseAddr("169.254.169.254"): true, // AWS, GCP, Azure, OpenStack
		netip.MustParseAddr("fd00:ec2::254"):   true, // AWS IPv6
		netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
	}
)

// unsafeReason says in plain words why addr must not be called, or returns ""
// when it is a public unicast address.
func unsafeReason(addr netip.Addr) string {
	addr = addr.WithZone("").Unmap()
	if nat64.Contains(addr) { // judge the IPv4 address embedded by NAT64
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:16]))
	}
	switch {
	case !addr.IsValid():
		return "is not a valid IP address"
	case metadata[addr]:
		return "is a cloud metadata address"
	case addr.IsUnspecified(), thisNetwork.Contains(addr):
		return "is an unspecified address"
	case addr.IsLoopback():
		return "is a loopback address"
	case addr.IsPrivate():
		return "is a private address"
	case addr.IsLinkLocalUnicast():
		return "is a link-local address"
	case addr.IsMulticast():
		return "is a multicast address"
	case cgnat.Contains(addr):
		return "is a carrier-grade NAT address"
	case reserved4.Contains(addr):
		return "is a reserved or broadcast address"
	}
	return ""
}

// isLocalhostName reports names that always mean this machine (RFC 6761).
func isLocalhostName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// parseURL checks the shape of a webhook URL. Its errors wrap ErrUnsafeURL and
// never repeat credentials or query values.
func parseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%w: URL is empty", ErrUnsafeURL)
	}
	u, err := url.Parse(raw)
	if err != nil { // url.Error repeats the raw URL: do not wrap it
		return nil, fmt.Errorf("%w: not a valid URL", ErrUnsafeURL)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return nil, fmt.Errorf("%w: scheme missing, want http or https", ErrUnsafeURL)
	default:
		return nil, fmt.Errorf("%w: scheme %q not allowed, want http or https", ErrUnsafeURL, u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: host missing in %s", ErrUnsafeURL, RedactURL(raw))
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%w: fragment not allowed in %s", ErrUnsafeURL, RedactURL(raw))
	}
	return u, nil
}

// CheckURL validates a webhook URL at registration: it must parse, use http
// or https, name a host and carry no fragment (credentials are allowed). Unless
// allowPrivate is set, the host (an IP literal, or every address it resolves
// to through resolver, net.DefaultResolver when nil) must be public: loopback,
// private, link-local, unspecified, multicast, carrier-grade NAT, reserved and
// cloud metadata addresses are refused, as are "localhost" names and hosts
// that do not resolve. With allowPrivate no lookup is made. Every error wraps
// ErrUnsafeURL, says why in plain words and shows the URL only redacted.
func CheckURL(ctx context.Context, raw string, allowPrivate bool, resolver *net.Resolver) error {
	u, err := parseURL(raw)
	if err != nil {
		return err
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if why := unsafeReason(addr); why != "" {
			return fmt.Errorf("%w: %s %s", ErrUnsafeURL, host, why)
		}
		return nil
	}
	if isLocalhostName(host) {
		return fmt.Errorf("%w: %s is a loopback name", ErrUnsafeURL, host)
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("%w: host %s does not resolve", ErrUnsafeURL, host)
	}
	for _, a := range addrs {
		if why := unsafeReason(a); why != "" {
			return fmt.Errorf("%w: host %s resolves to %s, which %s", ErrUnsafeURL, host, a.WithZone(""), why)
		}
	}
	return nil
}

// RedactURL returns raw without its user information, fragment and query
// values (query keys are kept, values become "xxxxx"), for logs and errors.
// A string that does not parse as a URL becomes "[invalid URL]".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[invalid URL]"
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		for k, vs := range q {
			for i := range vs {
				vs[i] = "xxxxx"
			}
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	if u.Opaque != "" {
		u.Opaque = "xxxxx"
	}
	return u.String()
}

// SafeTransport returns an HTTP transport for webhook deliveries. Unless
// allowPrivate is set, its dialer checks the address actually connected to,
// after DNS resolution, and refuses unsafe ones (the rules of CheckURL) with an
// error wrapping ErrUnsafeURL, which defeats DNS rebinding. It ignores proxy
// settings from the environment and has connect, TLS handshake, response
// header and idle timeouts.
func SafeTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refuseUnsafe
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// refuseUnsafe is a net.Dialer Control function that refuses to connect to
// unsafe addresses.
func refuseUnsafe(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check address %s", ErrUnsafeURL, address)
	}
	if why := unsafeReason(ap.Addr()); why != "" {
		return fmt.Errorf("%w: refusing to connect to %s, which %s", ErrUnsafeURL, ap.Addr(), why)
	}
	return nil
}
