package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrGone reports a receiver that answered 410 Gone: the caller should
// disable the subscription instead of retrying.
var ErrGone = errors.New("webhook receiver is gone")

// ErrStatus reports a receiver that answered with a status other than 2xx.
var ErrStatus = errors.New("webhook receiver refused the delivery")

const (
	maxDrain      = 64 << 10
	maxRetryAfter = 24 * time.Hour
	userAgent     = "churn-webhook/1"
)

// Result describes one delivery attempt.
type Result struct {
	// Status is the HTTP status code, 0 when no response was received.
	Status int
	// RetryAfter is the receiver's Retry-After on 429 and 503 (seconds or
	// HTTP date, capped at 24 h), 0 when absent or not applicable.
	RetryAfter time.Duration
	// Err is nil exactly when the receiver answered 2xx. It wraps ErrGone on
	// 410, ErrStatus on other statuses, ErrUnsafeURL when the destination was
	// refused, ErrBadSecret for a malformed secret. It never contains the
	// secret, URL credentials or query values.
	Err error
	// Retryable reports whether a later attempt may succeed: network errors,
	// timeouts, 408, 425, 429 and 5xx.
	Retryable bool
	// Duration is the time the attempt took.
	Duration time.Duration
}

// defaultClient is used when Send is given a nil client: it refuses private
// destinations.
var defaultClient = &http.Client{Transport: SafeTransport(false)}

// Send POSTs body to rawURL with the Standard Webhooks headers for secret,
// msgID and ts, bounded by timeout (no bound when timeout <= 0) and ctx. It
// never follows redirects (3xx is a non-retryable failure), drains at most
// 64 KiB of the response body and closes it. A nil client means one with
// SafeTransport(false). Failures are reported in Result.Err, classified by
// Result.Retryable; see Result.
func Send(ctx context.Context, client *http.Client, rawURL, secret, msgID string, ts time.Time, body []byte, timeout time.Duration) Result {
	start := time.Now()
	res := send(ctx, client, rawURL, secret, msgID, ts, body, timeout)
	res.Duration = time.Since(start)
	return res
}

func send(ctx context.Context, client *http.Client, rawURL, secret, msgID string, ts time.Time, body []byte, timeout time.Duration) Result {
	h, err := Headers(secret, msgID, ts, body)
	if err != nil {
		return Result{Err: err}
	}
	if _, err := parseURL(rawURL); err != nil {
		return Result{Err: err}
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil { // its error repeats the URL: do not wrap it
		return Result{Err: fmt.Errorf("%w: cannot build request for %s", ErrUnsafeURL, RedactURL(rawURL))}
	}
	req.Header = h
	req.Header.Set("User-Agent", userAgent)

	if client == nil {
		client = defaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // url.Error repeats the URL: keep only the cause
			err = ue.Err
		}
		return Result{
			Err:       fmt.Errorf("POST %s: %w", RedactURL(rawURL), err),
			Retryable: !errors.Is(err, ErrUnsafeURL),
		}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		_ = resp.Body.Close()
	}()
	return classify(resp, time.Now())
}

// classify turns a response status into a Result.
func classify(resp *http.Response, now time.Time) Result {
	code := resp.StatusCode
	res := Result{Status: code}
	switch {
	case code >= 200 && code < 300:
		return res
	case code == http.StatusGone:
		res.Err = fmt.Errorf("%w: status 410", ErrGone)
		return res
	case code >= 300 && code < 400:
		res.Err = fmt.Errorf("%w: status %d (redirects are not followed)", ErrStatus, code)
		return res
	}
	res.Err = fmt.Errorf("%w: status %d", ErrStatus, code)
	res.Retryable = code == http.StatusRequestTimeout || code == http.StatusTooEarly ||
		code == http.StatusTooManyRequests || code >= 500
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	}
	return res
}

// parseRetryAfter reads a Retry-After value, either delay seconds or an HTTP
// date, relative to now. It returns 0 for an absent, malformed or past value
// and caps the delay at maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}
