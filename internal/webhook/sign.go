// Package webhook sends signed alerts to customer CRMs: Standard Webhooks
// signatures, URL safety checks against server-side request forgery, single
// delivery attempts with retry classification, and the retry schedule.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

const (
	secretPrefix   = "whsec_"
	secretBytes    = 24
	messagePrefix  = "msg_"
	messageIDBytes = 16 // 128 bits, 26 base32 characters
)

// ErrBadSecret reports a signing secret that is not "whsec_" followed by a
// non-empty standard base64 key. Errors wrapping it never contain the secret.
var ErrBadSecret = errors.New("malformed webhook secret")

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a fresh signing secret: "whsec_" followed by the standard
// base64 encoding of 24 bytes from crypto/rand. It returns an error only if
// the system random source fails.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// NewMessageID returns a unique message id, "msg_" followed by 26 lowercase
// base32 characters (128 random bits), safe in URLs and headers.
func NewMessageID() string {
	b := make([]byte, messageIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return messagePrefix + strings.ToLower(idEncoding.EncodeToString(b))
}

// secretKey decodes the HMAC key of a "whsec_" secret.
func secretKey(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: missing %q prefix", ErrBadSecret, secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: key is not valid base64", ErrBadSecret)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: empty key", ErrBadSecret)
	}
	return key, nil
}

// Sign returns the Standard Webhooks signature "v1,<base64 HMAC-SHA256>" of
// "msgID.<unix seconds of ts>.body", keyed with the base64-decoded part of
// secret after "whsec_". It returns an error wrapping ErrBadSecret when the
// secret is malformed.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, ts.Unix(), 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Headers returns the request headers of one delivery: webhook-id,
// webhook-timestamp (unix seconds), webhook-signature and
// Content-Type: application/json. It returns an error wrapping ErrBadSecret
// when the secret is malformed.
func Headers(secret, msgID string, ts time.Time, body []byte) (http.Header, error) {
	sig, err := Sign(secret, msgID, ts, body)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 4)
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	h.Set("Content-Type", "application/json")
	return h, nil
}
