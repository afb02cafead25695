package webhook

import (
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Defaults of the Dispatcher's zero fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultClaimTimeout = time.Minute
	DefaultPoll         = 200 * time.Millisecond
	DefaultWorkers      = 8
)

// Dispatcher sends the queued deliveries of a Store: it claims due ones,
// sends each (several at once), and records the outcome. Run one per
// process; several processes on one Redis share the work.
type Dispatcher struct {
	Store    Store
	Client   *http.Client  // nil: one that refuses private destinations (see Send)
	Schedule Schedule      // nil: DefaultSchedule()
	Timeout  time.Duration // per call; 0 means DefaultTimeout
	// ClaimTimeout is how long a claimed delivery may stay unfinished before
	// another consumer takes it over; 0 means DefaultClaimTimeout. It must
	// exceed Timeout, or slow receivers get deliveries twice.
	ClaimTimeout time.Duration
	Consumer     string // unique per process; it also seeds the retry jitter
	Log          *slog.Logger
	Now          func() time.Time // nil: time.Now
	Poll         time.Duration    // idle poll; 0 means DefaultPoll
	Workers      int              // deliveries sent at once; 0 means DefaultWorkers
	// MaxBackoff is the longest wait between claims while the store fails
	// (the wait doubles from Poll); 0 means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// Metrics, when set, is called once per outcome: "sent", "failed",
	// "retried", "disabled" (a subscription disabled by a 410).
	Metrics func(event string)

	rngMu sync.Mutex
	rng   *rand.Rand
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) count(event string) {
	if d.Metrics != nil {
		d.Metrics(event)
	}
}

func orDefault(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// Run sends deliveries until ctx ends (call it once per Dispatcher), then waits for the attempts in
// flight to finish (each bounded by Timeout) and returns. Store errors are
// logged once and retried with a backoff from Poll up to MaxBackoff, the
// recovery logged once; a delivery whose outcome could not be
// recorded stays claimed and is taken over after ClaimTimeout.
func (d *Dispatcher) Run(ctx context.Context) {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if d.Schedule == nil {
		d.Schedule = DefaultSchedule()
	}
	h := fnv.New64a()
	h.Write([]byte(d.Consumer))
	seed := h.Sum64()
	d.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	workers := d.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	poll := orDefault(d.Poll, DefaultPoll)
	claimTimeout := orDefault(d.ClaimTimeout, DefaultClaimTimeout)
	down := outage{poll: poll, max: max(orDefault(d.MaxBackoff, DefaultMaxBackoff), poll)}

	slots := make(chan struct{}, workers)
	done := make(chan struct{}, workers) // a worker finished: claim again at once
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		free := workers - len(slots)
		var batch []Delivery
		if free > 0 {
			var err error
			batch, err = d.Store.Claim(ctx, d.Consumer, free, claimTimeout)
			switch {
			case err != nil && ctx.Err() == nil:
				// The store is failing: wait out the backoff, not for a worker.
				select {
				case <-ctx.Done():
				case <-time.After(down.fail(log, time.Now(), d.Consumer, err)):
				}
				continue
			case err == nil:
				down.ok(log, time.Now(), d.Consumer)
			}
		}
		for _, del := range batch {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// In-flight attempts finish after ctx ends, bounded by the timeout.
				d.attempt(context.WithoutCancel(ctx), log, del)
				<-slots
				select {
				case done <- struct{}{}:
				default:
				}
			}()
		}
		if len(batch) > 0 && len(batch) == free {
			continue // there may be more due: claim again when a worker frees up
		}
		select {
		case <-ctx.Done():
		case <-done:
		case <-time.After(poll):
		}
	}
}

// attempt sends one claimed delivery and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, log *slog.Logger, del Delivery) {
	timeout := orDefault(d.Timeout, DefaultTimeout)
	log = log.With("delivery", del.ID, "subscription", del.SubscriptionID, "type", del.Type)
	sub, err := d.Store.GetSubscription(ctx, del.SubscriptionID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		log.Error("webhook subscription lookup", "err", err)
		return // stays claimed; taken over after the claim timeout
	}
	if err != nil || sub.Disabled {
		del.Status, del.UpdatedAt = StatusCancelled, d.now().UTC()
		if err := d.Store.Complete(ctx, del); err != nil {
			log.Error("webhook cancel", "err", err)
			return
		}
		log.Info("webhook delivery cancelled", "reason", cancelReason(err, sub))
		return
	}
	now := d.now()
	res := Send(ctx, d.Client, sub.URL, sub.Secret, del.ID, now, del.Payload, timeout)
	del.Attempts++
	del.LastStatus = res.Status
	del.LastError = ""
	if res.Err != nil {
		del.LastError = res.Err.Error()
	}
	del.UpdatedAt = d.now().UTC()
	del.NextAttempt = time.Time{}
	log = log.With("url", RedactURL(sub.URL), "attempt", del.Attempts, "status", res.Status, "duration", res.Duration)

	var outcome string
	switch {
	case res.Err == nil:
		err, outcome = d.Store.Complete(ctx, del), "sent"
	case res.Status == http.StatusGone:
		if err := d.Store.DisableSubscription(ctx, sub.ID, "receiver answered 410 Gone"); err != nil && !errors.Is(err, ErrNotFound) {
			log.Error("webhook disable subscription", "err", err)
			return // stays claimed; retried after the claim timeout
		}
		d.count("disabled")
		log.Warn("webhook subscription disabled: receiver answered 410 Gone")
		err, outcome = d.Store.Fail(ctx, del), "failed"
	case res.Retryable:
		d.rngMu.Lock()
		delay, ok := d.Schedule.Next(del.Attempts, res.RetryAfter, d.rng)
		d.rngMu.Unlock()
		if ok {
			at := d.now().Add(delay)
			del.NextAttempt = at.UTC()
			err, outcome = d.Store.Retry(ctx, del, at), "retried"
		} else {
			err, outcome = d.Store.Fail(ctx, del), "failed"
		}
	default:
		err, outcome = d.Store.Fail(ctx, del), "failed"
	}
	if err != nil {
		log.Error("webhook record outcome", "outcome", outcome, "err", err)
		return
	}
	d.count(outcome)
	switch outcome {
	case "sent":
		log.Info("webhook delivered")
	case "retried":
		log.Warn("webhook attempt failed, will retry", "next_attempt", del.NextAttempt, "err", res.Err)
	default:
		log.Warn("webhook delivery failed", "err", res.Err)
	}
}

func cancelReason(err error, sub Subscription) string {
	if err != nil {
		return "subscription deleted"
	}
	return "subscription disabled: " + sub.DisabledReason
}
