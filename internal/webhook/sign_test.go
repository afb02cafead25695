package webhook

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestNewSecret(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two secrets are equal: %s", a)
	}
	enc, ok := strings.CutPrefix(a, "whsec_")
	if !ok {
		t.Fatalf("secret %q lacks whsec_ prefix", a)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatalf("secret key is not base64: %v", err)
	}
	if len(key) != 24 {
		t.Fatalf("key length = %d, want 24", len(key))
	}
	if _, err := standardwebhooks.NewWebhook(a); err != nil {
		t.Fatalf("reference library rejects secret: %v", err)
	}
}

func TestNewMessageID(t *testing.T) {
	re := regexp.MustCompile(`^msg_[a-z2-7]{26}$`)
	seen := make(map[string]bool)
	for range 1000 {
		id := NewMessageID()
		if !re.MatchString(id) {
			t.Fatalf("id %q does not match %s", id, re)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

// TestSignKnownVector checks the example of the Standard Webhooks
// specification.
func TestSignKnownVector(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestSignVerifiedByReference(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		"empty":   {},
		"json":    []byte(`{"type":"customer.at_risk","data":{"customer_id":"c-1","score":0.91}}`),
		"unicode": []byte(`{"name":"Zoë — 東京 🚀"}`),
		"binary":  {0, 1, 2, 0xff, '.', '\n'},
		"large":   []byte(strings.Repeat(`{"x":1},`, 20000)),
	}
	ts := time.Unix(1700000000, 0)
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			id := NewMessageID()
			h, err := Headers(secret, id, ts, body)
			if err != nil {
				t.Fatal(err)
			}
			if err := wh.VerifyIgnoringTimestamp(body, h); err != nil {
				t.Fatalf("reference library rejects signature: %v", err)
			}
			want, err := wh.Sign(id, ts, body)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.Get(HeaderSignature); got != want {
				t.Fatalf("signature %s, reference %s", got, want)
			}
			tampered := append([]byte("x"), body...)
			if err := wh.VerifyIgnoringTimestamp(tampered, h); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
				t.Fatalf("tampered body: err = %v, want no matching signature", err)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Now()
	body := []byte(`{"a":1}`)
	h, err := Headers(secret, "msg_abc", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"webhook-id":        "msg_abc",
		"webhook-timestamp": strconv.FormatInt(ts.Unix(), 10),
		"Content-Type":      "application/json",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if sig := h.Get("webhook-signature"); !strings.HasPrefix(sig, "v1,") {
		t.Errorf("webhook-signature = %q, want v1,...", sig)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(body, h); err != nil { // with the 5-minute tolerance
		t.Fatalf("reference Verify: %v", err)
	}
	other, _ := NewSecret()
	wo, _ := standardwebhooks.NewWebhook(other)
	if err := wo.Verify(body, h); err == nil {
		t.Fatal("signature verifies under another secret")
	}
}

func TestSignBadSecret(t *testing.T) {
	for _, secret := range []string{"", "whsec_", "whsec_!!!not-base64", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "wHsEc_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		t.Run(secret, func(t *testing.T) {
			_, err := Sign(secret, "msg_1", time.Unix(1, 0), nil)
			if !errors.Is(err, ErrBadSecret) {
				t.Fatalf("err = %v, want ErrBadSecret", err)
			}
			if len(secret) > 6 && strings.Contains(err.Error(), secret[6:]) {
				t.Fatalf("error %q repeats the secret", err)
			}
			if h, err := Headers(secret, "msg_1", time.Unix(1, 0), nil); !errors.Is(err, ErrBadSecret) || h != nil {
				t.Fatalf("Headers = %v, %v; want nil, ErrBadSecret", h, err)
			}
		})
	}
}
