package webhook

import (
	"log/slog"
	"time"
)

// DefaultMaxBackoff is the longest wait between claims, and between log
// lines, while the store keeps failing (Dispatcher.MaxBackoff).
const DefaultMaxBackoff = 30 * time.Second

// outage follows a run of failed claims, so that a store outage (or any
// claim error) is logged once at ERROR when it starts, then at most once per
// backoff (which doubles from the poll interval up to the maximum) while it
// lasts, and once at INFO when a claim succeeds again; the claims back off
// alike.
type outage struct {
	poll, max time.Duration
	since     time.Time     // the first failure of the run; zero: no outage
	failures  int           // failed claims in the run
	wait      time.Duration // the current backoff
	logged    time.Time     // the last log line of the run
}

// fail records a failed claim at now and returns how long to wait before
// the next one.
func (o *outage) fail(log *slog.Logger, now time.Time, consumer string, err error) time.Duration {
	o.failures++
	if o.since.IsZero() {
		o.since, o.wait, o.logged = now, o.poll, now
		log.Error("webhook claim failed: claims back off until the store answers", "consumer", consumer, "err", err,
			"max_backoff", o.max)
		return o.wait
	}
	o.wait = min(2*o.wait, o.max)
	if now.Sub(o.logged) >= o.wait {
		o.logged = now
		log.Warn("webhook claim still failing", "consumer", consumer, "err", err,
			"for", now.Sub(o.since).Round(time.Millisecond), "failed_claims", o.failures, "next_claim_in", o.wait)
	}
	return o.wait
}

// ok records a successful claim at now, logging the recovery once after an
// outage.
func (o *outage) ok(log *slog.Logger, now time.Time, consumer string) {
	if o.since.IsZero() {
		return
	}
	log.Info("webhook claim: the store answers again", "consumer", consumer,
		"outage", now.Sub(o.since).Round(time.Millisecond), "failed_claims", o.failures)
	*o = outage{poll: o.poll, max: o.max}
}
