package store

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// A request sent with an Idempotency-Key (POST /v1/events) is kept as a
// record of its own beside the events it writes, as long as event ids are
// (DedupeTTL):
//
//   - the request's fingerprint (the SHA-256 of its validated body), set by
//     the first attempt before it writes anything, so that the key stays
//     bound to that body even when the attempt fails midway;
//   - a lease held by the attempt in progress (LeaseTTL), so that a second
//     attempt arriving meanwhile is told to wait (ClaimBusy) rather than
//     run beside it;
//   - the first outcome (accepted, duplicates), set when an attempt
//     completes, which every later attempt is answered without writing.
//
// The record does not make the writes exact alone: a batch spans many
// customers (many cluster slots), so an attempt cut off by a timeout may have
// written some customers, or may still write them when a frozen Redis wakes
// up. Exactness comes from the events themselves: AddEventsOnce gives every
// event of the request a dedupe marker (its event_id, or one derived from the
// request's token and the event's place in the batch) holding the token, so
// that however attempts interleave each event is stored once, and each
// attempt that completes counts it as accepted.

// Claim is what ClaimRequest found.
type Claim int

// The answers of ClaimRequest.
const (
	// ClaimGranted: the caller holds the lease and should apply the request.
	ClaimGranted Claim = iota + 1
	// ClaimDone: an earlier attempt completed; Outcome is its answer.
	ClaimDone
	// ClaimBusy: another attempt holds the lease, for RetryAfter more.
	ClaimBusy
	// ClaimMismatch: the key was first used with another fingerprint.
	ClaimMismatch
)

// Outcome is the answer of a completed batch of events.
type Outcome struct {
	Accepted, Duplicates int
}

// RequestState is the answer of ClaimRequest.
type RequestState struct {
	Claim Claim
	// Outcome is the first outcome (ClaimDone).
	Outcome Outcome
	// RetryAfter is how long the lease of the attempt in progress still
	// runs (ClaimBusy).
	RetryAfter time.Duration
}

// derivedID is the dedupe id of the event at index i of a request whose
// token is token and which carries no event_id. Stores keep derived ids apart
// from event ids (a different Redis key, a different map key), so that no
// event_id can collide with one.
func derivedID(token string, i int) string { return token + ":" + strconv.Itoa(i) }

// Mem's side: the records of idempotent requests.

type memRequest struct {
	fingerprint string
	done        bool
	outcome     Outcome
	owner       string    // the attempt holding the lease
	leaseUntil  time.Time // the lease's end
	expires     time.Time // the record's end
}

// memLease is how long an attempt holds its lease on the embedded store:
// its attempts cannot fail midway, so only a concurrent attempt sees it.
const memLease = 30 * time.Second

// ClaimRequest looks up the record of request id (the caller's scope and
// Idempotency-Key) and, unless it is done, bound to another fingerprint or
// leased to another attempt, creates it for fingerprint and gives owner the
// lease. It never fails.
func (m *Mem) ClaimRequest(_ context.Context, id, fingerprint, owner string) (RequestState, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.requests[id]
	if r != nil && !now.Before(r.expires) {
		r = nil
	}
	switch {
	case r == nil:
		if len(m.requests) >= m.nextTrim {
			m.trimRequests(now)
		}
		r = &memRequest{fingerprint: fingerprint, expires: now.Add(m.dedupeTTL)}
		m.requests[id] = r
	case r.fingerprint != fingerprint:
		return RequestState{Claim: ClaimMismatch}, nil
	case r.done:
		return RequestState{Claim: ClaimDone, Outcome: r.outcome}, nil
	case r.owner != "" && now.Before(r.leaseUntil):
		return RequestState{Claim: ClaimBusy, RetryAfter: r.leaseUntil.Sub(now)}, nil
	}
	r.owner, r.leaseUntil = owner, now.Add(memLease)
	return RequestState{Claim: ClaimGranted}, nil
}

// FinishRequest records the outcome of request id, bound to fingerprint,
// and ends owner's lease; the record is kept for DedupeTTL from now. It
// never fails.
func (m *Mem) FinishRequest(_ context.Context, id, fingerprint, owner string, o Outcome) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.requests == nil {
		m.trimRequests(now)
	}
	r := m.requests[id]
	switch {
	case r == nil || !now.Before(r.expires):
		r = &memRequest{fingerprint: fingerprint}
		m.requests[id] = r
	case r.fingerprint != fingerprint:
		return nil // the record expired and another body took the key since
	}
	if !r.done {
		r.done, r.outcome = true, o
	}
	if r.owner == owner {
		r.owner = ""
	}
	r.expires = now.Add(m.dedupeTTL)
	return nil
}

// ReleaseRequest ends owner's lease on request id (an attempt that failed),
// keeping the record bound to its fingerprint. It never fails.
func (m *Mem) ReleaseRequest(_ context.Context, id, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.requests[id]; r != nil && r.owner == owner {
		r.owner = ""
	}
	return nil
}

// AddEventsOnce stores the events of an idempotent request, named by token,
// as AddEvents does, except that every event gets a dedupe marker holding
// the token: its event_id, or an id derived from the token and its index in
// events. An event whose marker already holds the token was stored by an
// earlier attempt of the same request: it counts as accepted and is not
// stored again. A marker holding anything else is a duplicate, as in
// AddEvents.
func (m *Mem) AddEventsOnce(_ context.Context, token string, events []Event) (accepted, duplicates int, err error) {
	if token == "" {
		return 0, 0, errors.New("add events once: empty token")
	}
	a, d := m.addEvents(token, events)
	return a, d, nil
}

// trimRequests drops the expired records of idempotent requests (creating
// the map on first use); it runs when their number doubled since the last
// time, so that its cost stays constant per request.
func (m *Mem) trimRequests(now time.Time) {
	if m.requests == nil {
		m.requests = map[string]*memRequest{}
	}
	for id, r := range m.requests {
		if !now.Before(r.expires) {
			delete(m.requests, id)
		}
	}
	m.nextTrim = max(1024, 2*len(m.requests))
}
