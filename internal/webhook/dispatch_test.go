package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/redistest"
)

// testSchedule makes four attempts within about 150 ms.
var testSchedule = Schedule{0, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond}

// storeKind makes a fresh, empty Store for one test.
type storeKind struct {
	name string
	new  func(t *testing.T) Store
}

func redisStore(t *testing.T, c redis.UniversalClient, url string, cluster []string) Store {
	t.Helper()
	prefix := redistest.Prefix(t)
	redistest.Cleanup(t, url, cluster, prefix)
	t.Cleanup(func() { c.Close() })
	return NewRedis(c, prefix)
}

var storeKinds = []storeKind{
	{"mem", func(t *testing.T) Store { return NewMem() }},
	{"redis", func(t *testing.T) Store {
		url := redistest.URL(t)
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		return redisStore(t, redis.NewClient(opt), url, nil)
	}},
	{"cluster", func(t *testing.T) Store {
		addrs := redistest.ClusterAddrs(t)
		return redisStore(t, redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs}), "", addrs)
	}},
}

// call is one request a receiver saw.
type call struct {
	id, ts, sig string
	body        []byte
	at          time.Time
}

// receiver is a fake CRM on loopback; respond decides the answer to the
// n-th call (0-based).
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	calls   []call
	respond func(n int, w http.ResponseWriter)
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter)) *receiver {
	r := &receiver{respond: respond}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(req.Body)
		r.mu.Lock()
		n := len(r.calls)
		r.calls = append(r.calls, call{req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"),
			req.Header.Get("webhook-signature"), buf.Bytes(), time.Now()})
		respond := r.respond
		r.mu.Unlock()
		if respond == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		respond(n, w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

func (r *receiver) setRespond(f func(n int, w http.ResponseWriter)) {
	r.mu.Lock()
	r.respond = f
	r.mu.Unlock()
}

func status(code int) func(int, http.ResponseWriter) {
	return func(_ int, w http.ResponseWriter) { w.WriteHeader(code) }
}

func addSub(t *testing.T, s Store, url string) Subscription {
	t.Helper()
	sub, err := NewSubscription(url, []EventType{EventAtRisk}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSubscription(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	return sub
}

func newDelivery(sub Subscription, customer string, created time.Time) Delivery {
	return Delivery{
		ID: NewMessageID(), SubscriptionID: sub.ID, Type: EventAtRisk, CustomerID: customer,
		Payload:   json.RawMessage(fmt.Sprintf(`{"type":"customer.at_risk","data":{"customer_id":%q}}`, customer)),
		CreatedAt: created.UTC(), UpdatedAt: created.UTC(),
	}
}

func enqueue(t *testing.T, s Store, ds ...Delivery) {
	t.Helper()
	if err := s.Enqueue(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
}

// counter collects Metrics events.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) inc(e string) { c.mu.Lock(); c.n[e]++; c.mu.Unlock() }
func (c *counter) get(e string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[e]
}

// settle waits until outcome e has been counted want times: the dispatcher
// counts an outcome after the store recorded it, so a test that saw the
// stored status must wait for the count too.
func (c *counter) settle(t *testing.T, e string, want int) {
	t.Helper()
	waitFor(t, 5*time.Second, fmt.Sprintf("%d %q outcomes counted", want, e), func() bool { return c.get(e) >= want })
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// startDispatcher runs a dispatcher until the end of the test (it waits for
// Run to return).
func startDispatcher(t *testing.T, s Store, consumer string, claimTimeout time.Duration) (*counter, *logBuffer) {
	t.Helper()
	c := &counter{n: map[string]int{}}
	logs := &logBuffer{}
	d := &Dispatcher{
		Store: s, Client: &http.Client{}, Schedule: testSchedule, Timeout: 2 * time.Second,
		ClaimTimeout: claimTimeout, Consumer: consumer, Poll: 10 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(logs, nil)), Metrics: c.inc,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return c, logs
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitStatus waits until delivery id of sub has status, and returns it.
func waitStatus(t *testing.T, s Store, sub, id string, want DeliveryStatus) Delivery {
	t.Helper()
	var got Delivery
	waitFor(t, 10*time.Second, "delivery "+id+" "+string(want), func() bool {
		ds, err := s.Deliveries(context.Background(), sub, MaxDeliveriesKept)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.ID == id {
				got = d
				return d.Status == want
			}
		}
		return false
	})
	return got
}

func TestDispatch(t *testing.T) {
	scenarios := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"delivered once", testDeliveredOnce},
		{"retried until delivered with one webhook-id", testRetriedUntilDelivered},
		{"exhausted then redelivered", testExhaustedRedelivered},
		{"410 disables the subscription", testGoneDisables},
		{"deleted subscription cancels", testDeletedCancels},
		{"two dispatchers share 200 deliveries", testTwoDispatchers},
		{"crashed consumer taken over", testCrashedTakenOver},
		{"Retry-After honoured", testRetryAfter},
		{"deliveries newest first", testDeliveriesOrder},
		{"subscriptions", testSubscriptions},
		{"deliveries of a customer", testCustomerDeliveries},
	}
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					sc.run(t, k.new(t))
				})
			}
		})
	}
}

func testDeliveredOnce(t *testing.T, s Store) {
	rc := newReceiver(t, nil)
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	m, _ := startDispatcher(t, s, "a", time.Minute)
	got := waitStatus(t, s, sub.ID, del.ID, StatusDelivered)
	time.Sleep(100 * time.Millisecond)
	calls := rc.snapshot()
	if len(calls) != 1 {
		t.Fatalf("receiver saw %d calls, want 1", len(calls))
	}
	if calls[0].id != del.ID || string(calls[0].body) != string(del.Payload) {
		t.Errorf("call = id %q body %s, want %q %s", calls[0].id, calls[0].body, del.ID, del.Payload)
	}
	if !strings.HasPrefix(calls[0].sig, "v1,") || calls[0].ts == "" {
		t.Errorf("signature headers = %q %q", calls[0].sig, calls[0].ts)
	}
	if got.Attempts != 1 || got.LastStatus != 200 || got.LastError != "" {
		t.Errorf("delivery = attempts %d last status %d error %q, want 1 200 \"\"", got.Attempts, got.LastStatus, got.LastError)
	}
	m.settle(t, "sent", 1)
	if m.get("sent") != 1 {
		t.Errorf("sent = %d, want 1", m.get("sent"))
	}
}

func testRetriedUntilDelivered(t *testing.T, s Store) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n < 3 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	m, _ := startDispatcher(t, s, "a", time.Minute)
	got := waitStatus(t, s, sub.ID, del.ID, StatusDelivered)
	time.Sleep(100 * time.Millisecond)
	calls := rc.snapshot()
	if len(calls) != 4 {
		t.Fatalf("receiver saw %d calls, want 4", len(calls))
	}
	for i, c := range calls {
		if c.id != del.ID {
			t.Errorf("call %d webhook-id = %q, want %q", i, c.id, del.ID)
		}
	}
	if got.Attempts != 4 || got.LastStatus != http.StatusNoContent {
		t.Errorf("delivery = attempts %d last status %d, want 4 204", got.Attempts, got.LastStatus)
	}
	ds, err := s.Deliveries(context.Background(), sub.ID, 10)
	if err != nil || len(ds) != 1 || ds[0].Status != StatusDelivered {
		t.Errorf("Deliveries = %+v, %v; want one delivered", ds, err)
	}
	m.settle(t, "sent", 1)
	if m.get("retried") != 3 || m.get("sent") != 1 || m.get("failed") != 0 {
		t.Errorf("metrics = %v, want retried 3 sent 1", m.n)
	}
}

func testExhaustedRedelivered(t *testing.T, s Store) {
	ctx := context.Background()
	rc := newReceiver(t, status(http.StatusBadGateway))
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	m, _ := startDispatcher(t, s, "a", time.Minute)
	got := waitStatus(t, s, sub.ID, del.ID, StatusFailed)
	if got.Attempts != len(testSchedule) || got.LastStatus != http.StatusBadGateway || got.LastError == "" {
		t.Errorf("failed delivery = attempts %d status %d error %q, want %d 502 and an error",
			got.Attempts, got.LastStatus, got.LastError, len(testSchedule))
	}
	if n := len(rc.snapshot()); n != len(testSchedule) {
		t.Errorf("receiver saw %d calls, want %d", n, len(testSchedule))
	}
	m.settle(t, "failed", 1)
	if m.get("failed") != 1 || m.get("retried") != len(testSchedule)-1 {
		t.Errorf("metrics = %v", m.n)
	}
	for _, c := range []struct{ sub, id string }{{sub.ID, "msg_nope"}, {"wh_other", del.ID}} {
		if err := s.Redeliver(ctx, c.sub, c.id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Redeliver(%q, %q) = %v, want ErrNotFound", c.sub, c.id, err)
		}
	}
	rc.setRespond(status(http.StatusOK))
	if err := s.Redeliver(ctx, sub.ID, del.ID); err != nil {
		t.Fatal(err)
	}
	got = waitStatus(t, s, sub.ID, del.ID, StatusDelivered)
	if got.Attempts != 1 || got.LastStatus != 200 {
		t.Errorf("redelivered = attempts %d status %d, want 1 200", got.Attempts, got.LastStatus)
	}
	if calls := rc.snapshot(); len(calls) != len(testSchedule)+1 || calls[len(calls)-1].id != del.ID {
		t.Errorf("receiver saw %d calls, want %d, the last with the same webhook-id", len(calls), len(testSchedule)+1)
	}
}

func testGoneDisables(t *testing.T, s Store) {
	ctx := context.Background()
	rc := newReceiver(t, status(http.StatusGone))
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	m, _ := startDispatcher(t, s, "a", time.Minute)
	got := waitStatus(t, s, sub.ID, del.ID, StatusFailed)
	if got.Attempts != 1 || got.LastStatus != http.StatusGone {
		t.Errorf("delivery = attempts %d status %d, want 1 410", got.Attempts, got.LastStatus)
	}
	after, err := s.GetSubscription(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Disabled || after.DisabledReason == "" || after.Secret != sub.Secret || after.URL != sub.URL {
		t.Errorf("subscription after 410 = %+v, want disabled with a reason and otherwise unchanged", after)
	}
	if m.get("disabled") != 1 {
		t.Errorf("disabled = %d, want 1", m.get("disabled"))
	}
	next := newDelivery(sub, "c2", time.Now().Add(time.Second))
	enqueue(t, s, next)
	waitStatus(t, s, sub.ID, next.ID, StatusCancelled)
	if n := len(rc.snapshot()); n != 1 {
		t.Errorf("receiver saw %d calls, want 1 (nothing after the 410)", n)
	}
}

func testDeletedCancels(t *testing.T, s Store) {
	ctx := context.Background()
	rc := newReceiver(t, nil)
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	if err := s.DeleteSubscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscription(ctx, sub.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
	_, logs := startDispatcher(t, s, "a", 50*time.Millisecond)
	waitFor(t, 10*time.Second, "the cancellation", func() bool {
		return strings.Contains(logs.String(), "webhook delivery cancelled")
	})
	time.Sleep(150 * time.Millisecond) // past the claim timeout: nothing is left to claim
	if n := len(rc.snapshot()); n != 0 {
		t.Errorf("receiver saw %d calls, want 0", n)
	}
	if ds, err := s.Claim(ctx, "probe", 10, time.Millisecond); err != nil || len(ds) != 0 {
		t.Errorf("Claim after cancellation = %v, %v; want nothing", ds, err)
	}
	if ds, err := s.Deliveries(ctx, sub.ID, 10); err != nil || len(ds) != 0 {
		t.Errorf("Deliveries of a deleted subscription = %v, %v; want none", ds, err)
	}
	if err := s.Redeliver(ctx, sub.ID, del.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Redeliver = %v, want ErrNotFound", err)
	}
}

func testTwoDispatchers(t *testing.T, s Store) {
	rc := newReceiver(t, nil)
	sub := addSub(t, s, rc.srv.URL)
	base := time.Now()
	ds := make([]Delivery, 200)
	for i := range ds {
		ds[i] = newDelivery(sub, fmt.Sprintf("c%03d", i), base.Add(time.Duration(i)*time.Millisecond))
	}
	ma, _ := startDispatcher(t, s, "replica-a", time.Minute)
	mb, _ := startDispatcher(t, s, "replica-b", time.Minute)
	enqueue(t, s, ds[:100]...)
	enqueue(t, s, ds[100:]...)
	waitFor(t, 20*time.Second, "200 calls", func() bool { return len(rc.snapshot()) >= 200 })
	waitFor(t, 5*time.Second, "200 outcomes counted", func() bool { return ma.get("sent")+mb.get("sent") >= 200 })
	time.Sleep(200 * time.Millisecond) // a duplicate call would arrive by now
	seen := map[string]int{}
	for _, c := range rc.snapshot() {
		seen[c.id]++
	}
	if len(seen) != 200 {
		t.Errorf("receiver saw %d distinct webhook-ids, want 200", len(seen))
	}
	for _, d := range ds {
		if seen[d.ID] != 1 {
			t.Errorf("delivery %s seen %d times, want 1", d.ID, seen[d.ID])
		}
	}
	if a, b := ma.get("sent"), mb.get("sent"); a+b != 200 || a == 0 || b == 0 {
		t.Errorf("sent by a, b = %d, %d; want 200 in all, shared", a, b)
	}
	waitFor(t, 5*time.Second, "200 delivered records", func() bool {
		got, err := s.Deliveries(context.Background(), sub.ID, MaxDeliveriesKept)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range got {
			if d.Status == StatusDelivered && d.Attempts == 1 {
				n++
			}
		}
		return n == 200
	})
}

func testCrashedTakenOver(t *testing.T, s Store) {
	ctx := context.Background()
	rc := newReceiver(t, nil)
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	held, err := s.Claim(ctx, "crashed", 10, time.Minute)
	if err != nil || len(held) != 1 || held[0].ID != del.ID {
		t.Fatalf("Claim = %v, %v; want the delivery", held, err)
	}
	if again, err := s.Claim(ctx, "other", 10, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("second Claim within the timeout = %v, %v; want nothing", again, err)
	}
	const claimTimeout = 300 * time.Millisecond
	start := time.Now()
	startDispatcher(t, s, "survivor", claimTimeout)
	waitStatus(t, s, sub.ID, del.ID, StatusDelivered)
	calls := rc.snapshot()
	if len(calls) != 1 || calls[0].id != del.ID {
		t.Fatalf("receiver saw %d calls, want 1 with the delivery's id", len(calls))
	}
	if waited := calls[0].at.Sub(start); waited < claimTimeout-20*time.Millisecond {
		t.Errorf("taken over after %v, before the claim timeout %v", waited, claimTimeout)
	}
	// The crashed consumer comes back and reports a failure: too late, ignored.
	stale := held[0]
	stale.Attempts, stale.LastStatus = 1, 500
	if err := s.Fail(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(ctx, stale, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := s.Deliveries(ctx, sub.ID, 10)
	if err != nil || len(got) != 1 || got[0].Status != StatusDelivered || got[0].LastStatus != 200 {
		t.Errorf("after the stale Fail: %+v, %v; want delivered with status 200", got, err)
	}
}

func testRetryAfter(t *testing.T, s Store) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	sub := addSub(t, s, rc.srv.URL)
	del := newDelivery(sub, "c1", time.Now())
	enqueue(t, s, del)
	startDispatcher(t, s, "a", time.Minute)
	got := waitStatus(t, s, sub.ID, del.ID, StatusDelivered)
	calls := rc.snapshot()
	if len(calls) != 2 {
		t.Fatalf("receiver saw %d calls, want 2", len(calls))
	}
	if gap := calls[1].at.Sub(calls[0].at); gap < 950*time.Millisecond || gap > 3*time.Second {
		t.Errorf("second attempt %v after the first, want about 1s (Retry-After: 1, schedule 50ms)", gap)
	}
	if got.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", got.Attempts)
	}
}

func testDeliveriesOrder(t *testing.T, s Store) {
	ctx := context.Background()
	sub := addSub(t, s, "http://127.0.0.1:1/hook")
	other := addSub(t, s, "http://127.0.0.1:1/other")
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	d0, d1, d2 := newDelivery(sub, "c0", base), newDelivery(sub, "c1", base.Add(time.Second)), newDelivery(sub, "c2", base.Add(2*time.Second))
	enqueue(t, s, d1, d0, d2, newDelivery(other, "c9", base))
	enqueue(t, s, d1) // same ID again: no second delivery
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{10, []string{d2.ID, d1.ID, d0.ID}},
		{2, []string{d2.ID, d1.ID}},
		{0, nil},
	} {
		got, err := s.Deliveries(ctx, sub.ID, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ID)
			if d.Status != StatusPending || d.Attempts != 0 || d.SubscriptionID != sub.ID || !d.CreatedAt.Equal(base.Add(d.CreatedAt.Sub(base))) {
				t.Errorf("listed %+v, want pending with 0 attempts", d)
			}
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("Deliveries(limit %d) = %v, want %v", tc.limit, ids, tc.want)
		}
	}
	claimed, err := s.Claim(ctx, "t", 10, time.Minute)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("Claim = %d deliveries, %v; want 4 (the duplicate ignored)", len(claimed), err)
	}
	for _, c := range claimed {
		if c.ID != d1.ID {
			continue
		}
		c.Attempts, c.LastStatus, c.LastError = 1, 400, "bad request"
		if err := s.Fail(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Deliveries(ctx, sub.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got[1].ID != d1.ID || got[1].Status != StatusFailed || got[1].Attempts != 1 || got[1].LastStatus != 400 || got[1].LastError != "bad request" {
		t.Errorf("failed delivery listed as %+v", got[1])
	}
	if !bytes.Equal(got[1].Payload, d1.Payload) || got[1].CustomerID != "c1" || got[1].Type != EventAtRisk {
		t.Errorf("payload or fields lost: %+v", got[1])
	}
}

func testSubscriptions(t *testing.T, s Store) {
	ctx := context.Background()
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	score := 0.7
	subs := []Subscription{
		{ID: "wh_b", URL: "https://crm.example/b", Events: []EventType{EventAtRisk}, Secret: "whsec_b", CreatedAt: base},
		{ID: "wh_a", URL: "https://crm.example/a", Events: []EventType{EventAtRisk, EventRiskCleared}, MinScore: &score, Secret: "whsec_a", CreatedAt: base},
		{ID: "wh_0", URL: "https://crm.example/0", Events: []EventType{EventRiskCleared}, Secret: "whsec_0", CreatedAt: base.Add(time.Hour)},
	}
	for _, sub := range subs {
		if err := s.PutSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range got {
		ids = append(ids, g.ID)
	}
	if fmt.Sprint(ids) != "[wh_a wh_b wh_0]" {
		t.Errorf("Subscriptions order = %v, want [wh_a wh_b wh_0]", ids)
	}
	a, err := s.GetSubscription(ctx, "wh_a")
	if err != nil || a.MinScore == nil || *a.MinScore != 0.7 || a.Secret != "whsec_a" || len(a.Events) != 2 || !a.CreatedAt.Equal(base) {
		t.Errorf("GetSubscription = %+v, %v", a, err)
	}
	if err := s.DisableSubscription(ctx, "wh_b", "manual"); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.GetSubscription(ctx, "wh_b"); !b.Disabled || b.DisabledReason != "manual" || b.Wants(EventAtRisk) {
		t.Errorf("disabled subscription = %+v", b)
	}
	for name, err := range map[string]error{
		"get":     func() error { _, err := s.GetSubscription(ctx, "wh_none"); return err }(),
		"delete":  s.DeleteSubscription(ctx, "wh_none"),
		"disable": s.DisableSubscription(ctx, "wh_none", "x"),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a missing subscription = %v, want ErrNotFound", name, err)
		}
	}
	if err := s.DeleteSubscription(ctx, "wh_a"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Subscriptions(ctx); len(got) != 2 {
		t.Errorf("after delete: %d subscriptions, want 2", len(got))
	}
}
