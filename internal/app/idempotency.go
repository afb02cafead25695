package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

// Requests keeps the records of idempotent requests and stores their
// events so that every attempt of one request stores each event once
// (store.Mem and store.Redis: see store/idempotency.go).
type Requests interface {
	ClaimRequest(ctx context.Context, id, fingerprint, owner string) (store.RequestState, error)
	FinishRequest(ctx context.Context, id, fingerprint, owner string, o store.Outcome) error
	ReleaseRequest(ctx context.Context, id, owner string) error
	AddEventsOnce(ctx context.Context, token string, events []store.Event) (accepted, duplicates int, err error)
}

// Request names a batch of events sent with an Idempotency-Key: the caller
// it came from and the key. Keys of different callers never meet.
type Request struct {
	// Scope names the caller: a digest of its API key ("" on a server
	// without authentication, where there is one caller).
	Scope string
	// Key is the Idempotency-Key's value.
	Key string
}

// ErrKeyReused is returned by IngestOnce for a key first used with another
// body; nothing is written.
var ErrKeyReused = errors.New("idempotency key reused with another body")

// BusyError is returned by IngestOnce while another attempt of the same
// request is in progress; nothing is written. Retry after RetryAfter.
type BusyError struct{ RetryAfter time.Duration }

func (e *BusyError) Error() string {
	return fmt.Sprintf("an attempt of the same request is in progress; retry after %s", e.RetryAfter)
}

// IngestOnce stores a batch of validated events sent with an
// Idempotency-Key, so that retrying it is safe whatever happened to earlier
// attempts (the semantics of the IETF httpapi draft "The Idempotency-Key HTTP
// Header Field"):
//
//   - the first attempt binds the key to the batch's fingerprint
//     (Fingerprint) before writing anything, and holds a lease while it runs;
//   - the batch is stored with store.AddEventsOnce: every event carries a
//     dedupe marker named by the request (its event_id, or one derived from
//     the request and its place in the batch), so an event stored by an
//     earlier attempt that was cut off (a timeout, a frozen Redis that ran
//     the command later) is not stored again, and counts as accepted;
//   - the outcome is recorded, and every later attempt gets it without
//     writing anything.
//
// It returns the counts; ErrKeyReused when the key was first used with
// another batch; a *BusyError while another attempt holds the lease; or the
// store's error (the batch may then be partly stored: retrying it with the
// same key is safe).
func (s *Service) IngestOnce(ctx context.Context, req Request, events []signals.Event) (accepted, duplicates int, err error) {
	batch := s.storeBatch(events) // before the lease: the lease covers only store calls
	fp := Fingerprint(events)
	id := requestID(req)
	owner := newOwner()
	st, err := s.st.ClaimRequest(ctx, id, fp, owner)
	if err != nil {
		return 0, 0, err
	}
	switch st.Claim {
	case store.ClaimDone:
		return st.Outcome.Accepted, st.Outcome.Duplicates, nil
	case store.ClaimMismatch:
		return 0, 0, ErrKeyReused
	case store.ClaimBusy:
		return 0, 0, &BusyError{RetryAfter: st.RetryAfter}
	case store.ClaimGranted:
	default:
		return 0, 0, fmt.Errorf("claim request: unknown answer %d", st.Claim)
	}
	// The lease and the outcome are written even when the client has gone.
	bg := context.WithoutCancel(ctx)
	acc, dup, err := s.st.AddEventsOnce(ctx, batchToken(id, fp), batch)
	if err != nil {
		if rerr := s.st.ReleaseRequest(bg, id, owner); rerr != nil {
			s.log.WarnContext(ctx, "idempotent request: the lease could not be released; a retry waits until it runs out", "err", rerr)
		}
		return 0, 0, err
	}
	if acc > 0 {
		s.markBatch(batch)
	}
	// The events are stored: the answer stands even when the outcome
	// cannot be recorded, since a retry would store nothing again and
	// count the same.
	if err := s.st.FinishRequest(bg, id, fp, owner, store.Outcome{Accepted: acc, Duplicates: dup}); err != nil {
		s.log.WarnContext(ctx, "idempotent request: the outcome could not be recorded", "err", err)
	}
	return acc, dup, nil
}

// Fingerprint is the SHA-256 (hex) of a batch of validated events: of each
// event as the store would take it (defaults filled in, the timestamp in
// UTC), in order. Two bodies that differ only in spacing, field order,
// defaults spelled out or left out, or the zone a time is written in have
// the same fingerprint.
func Fingerprint(events []signals.Event) string {
	h := sha256.New()
	for i := range events {
		e := events[i]
		e.Timestamp = e.Timestamp.UTC()
		b, err := json.Marshal(&e)
		if err != nil { // a validated event always encodes; never two alike
			b = fmt.Appendf(nil, "unencodable %d %v", i, err)
		}
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// requestID names the record of a request: a digest of its caller's scope
// and key, so that neither is stored.
func requestID(r Request) string {
	return digest("churn idempotency-key v1", r.Scope, r.Key)
}

// batchToken names one request's batch in the store's dedupe markers:
// another body under the same key (refused while the record lives) would
// still never meet the first one's markers.
func batchToken(id, fingerprint string) string {
	return digest("churn batch v1", id, fingerprint)[:32]
}

// digest is the hex SHA-256 of parts, each length-prefixed so that no two
// lists of parts give the same input.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// newOwner names one attempt (the holder of a request's lease).
func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
