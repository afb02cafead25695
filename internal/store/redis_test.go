package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/rediserr"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/signals"
)

// Tests run against real Redis servers, never a mock, given by redistest:
// the shared single node, the test Redis Cluster and private redis-server
// processes that a test kills and restarts. When one cannot be had the test
// skips, unless CI is set: then it fails, so that CI never passes without
// having run them.

func init() { SetRedisLogger(slog.New(slog.DiscardHandler)) }

// singleOptions returns options for the shared single node, or skips (fails
// under CI) when it does not answer.
func singleOptions(t testing.TB) RedisOptions {
	t.Helper()
	return RedisOptions{URL: redistest.URL(t), Timeout: 2 * time.Second}
}

// clusterOptions returns options for the test cluster, starting it if
// needed, or skips (fails under CI) when there is none.
func clusterOptions(t testing.TB) RedisOptions {
	t.Helper()
	return RedisOptions{ClusterAddrs: redistest.ClusterAddrs(t), Timeout: 2 * time.Second}
}

// openRedis returns a store on a prefix of its own; its keys are deleted at
// the end of the test.
func openRedis(t testing.TB, o RedisOptions) *Redis {
	t.Helper()
	o.Prefix = redistest.Prefix(t)
	redistest.Cleanup(t, o.URL, o.ClusterAddrs, o.Prefix)
	r, err := NewRedis(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRedisContract(t *testing.T) {
	o := singleOptions(t)
	runContract(t, func(t *testing.T, now func() time.Time) contractStore {
		o.Now = now
		return openRedis(t, o)
	})
}

func TestRedisClusterContract(t *testing.T) {
	o := clusterOptions(t)
	runContract(t, func(t *testing.T, now func() time.Time) contractStore {
		o.Now = now
		return openRedis(t, o)
	})
}

// TestRedisClusterSlots checks that every key of one customer maps to one
// cluster slot, for ids that try to break the hash tag, and that the
// escaping inside the tag keeps distinct ids apart.
func TestRedisClusterSlots(t *testing.T) {
	o := clusterOptions(t)
	r := openRedis(t, o)
	cc, ok := r.c.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("cluster options gave a %T", r.c)
	}
	ctx := context.Background()
	ids := []string{"42", "a}b", "}", "{", "{c:x}", "x}:p", "%7D", "a%7Db", "日本}", "a b{}{}"}
	bases := map[string]string{}
	slots := map[int64]bool{}
	for _, id := range ids {
		base := r.custKey(id)
		if prev, dup := bases[base]; dup {
			t.Fatalf("ids %q and %q share the key prefix %q", prev, id, base)
		}
		bases[base] = id
		var slot int64 = -1
		for _, k := range []string{base + "p", base + "d", base + "f", base + "t", base + "e:evt}{1", base + "e:"} {
			s, err := cc.ClusterKeySlot(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			if slot >= 0 && s != slot {
				t.Fatalf("id %q: key %q is on slot %d, other keys on %d", id, k, s, slot)
			}
			slot = s
		}
		slots[slot] = true
	}
	if len(slots) < 3 {
		t.Fatalf("%d ids spread over only %d slots: the tag does not depend on the id", len(ids), len(slots))
	}
	// And the whole path works for such ids on the cluster.
	for _, id := range ids {
		if _, _, err := r.AddEvents(ctx, []Event{{CustomerID: id, EventID: "x", Day: signals.Day{Day: signals.DayNumber(time.Now()), Usage: 1}}}); err != nil {
			t.Fatalf("add events for %q: %v", id, err)
		}
		if p, err := r.GetCustomer(ctx, id); err != nil || p.ID != id {
			t.Fatalf("customer %q: %+v, %v", id, p, err)
		}
	}
}

// TestRedisSameAsMem feeds the same seeded random events to Mem and Redis
// and checks that the histories are identical to the last bit.
func TestRedisSameAsMem(t *testing.T) {
	o := singleOptions(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	o.Now = func() time.Time { return now }
	r := openRedis(t, o)
	m := NewMem(MemOptions{Now: o.Now})
	ctx := context.Background()
	today := signals.DayNumber(now)
	rng := rand.New(rand.NewPCG(7, 11))
	for b := 0; b < 20; b++ {
		batch := randomBatch(rng, 300, 15, today, fmt.Sprintf("b%d", b%15)) // later batches repeat ids: duplicates
		ra, rd, err := r.AddEvents(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		ma, md, _ := m.AddEvents(ctx, batch)
		if ra != ma || rd != md {
			t.Fatalf("batch %d: redis %d accepted %d duplicates, mem %d %d", b, ra, rd, ma, md)
		}
	}
	imp := []CustomerData{{Profile: features.Profile{ID: "cust3", Plan: "x"}, History: signals.History{
		{Day: today - 3, Usage: 0.1, UsageEvents: 1, Tickets: 1, SentimentSum: -0.3, SentimentMin: -0.3},
		{Day: today - 1, Usage: 1e-9, PageViews: 2},
	}}}
	if err := r.Import(ctx, imp); err != nil {
		t.Fatal(err)
	}
	m.Import(ctx, imp)
	for c := 0; c < 15; c++ {
		id := fmt.Sprintf("cust%d", c)
		rh, err := r.History(ctx, id, today-200, today+2)
		if err != nil {
			t.Fatal(err)
		}
		mh, _ := m.History(ctx, id, today-200, today+2)
		if len(rh) != len(mh) || len(rh) == 0 {
			t.Fatalf("%s: redis %d days, mem %d", id, len(rh), len(mh))
		}
		for i := range rh {
			if !sameDay(rh[i], mh[i]) {
				t.Fatalf("%s day %d:\nredis %+v\nmem   %+v", id, i, rh[i], mh[i])
			}
		}
	}
}

func sameDay(a, b signals.Day) bool {
	eq := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) || (x == 0 && y == 0) }
	return a.Day == b.Day && eq(a.Usage, b.Usage) && a.UsageEvents == b.UsageEvents && a.Tickets == b.Tickets &&
		a.NegTickets == b.NegTickets && a.IntentTickets == b.IntentTickets && eq(a.SentimentSum, b.SentimentSum) &&
		(a.Tickets == 0 || eq(a.SentimentMin, b.SentimentMin)) && a.PageViews == b.PageViews && a.Risk == b.Risk
}

// randomBatch returns n events over the given number of customers, mostly
// today, of the three types, with ids prefixed by idPrefix.
func randomBatch(rng *rand.Rand, n, customers int, today int32, idPrefix string) []Event {
	ev := make([]Event, n)
	for i := range ev {
		d := signals.Day{Day: today - int32(rng.IntN(3))}
		if rng.IntN(50) == 0 {
			d.Day = today - 130 - int32(rng.IntN(100)) // beyond the retention
		}
		switch rng.IntN(3) {
		case 0:
			d.Usage, d.UsageEvents = math.Round(rng.Float64()*1000)/100, 1
		case 1:
			s := rng.Float64()*2 - 1
			d.Tickets, d.SentimentSum, d.SentimentMin = 1, s, s
			if s < signals.NegativeSentiment {
				d.NegTickets = 1
			}
			if rng.IntN(4) == 0 {
				d.IntentTickets = 1
				d.Risk[rng.IntN(signals.NumCategories)] = 1
			}
		default:
			d.PageViews = 1
			if rng.IntN(5) == 0 {
				d.Risk[rng.IntN(signals.NumCategories)] = 1
			}
		}
		ev[i] = Event{CustomerID: fmt.Sprintf("cust%d", rng.IntN(customers)), Day: d}
		if rng.IntN(10) != 0 {
			ev[i].EventID = fmt.Sprintf("%s-%d", idPrefix, i)
		}
	}
	return ev
}

func TestDayEncoding(t *testing.T) {
	tenth := 0.1 // a variable: constant arithmetic would be exact
	cases := []struct {
		name string
		d    signals.Day
		want string
	}{
		{"empty", signals.Day{}, "\x90"},
		{"usage", signals.Day{Usage: 3, UsageEvents: 1}, "\x92\x03\x01"},
		{"negative int", signals.Day{Usage: -3}, "\x91\xd2\xff\xff\xff\xfd"},
		{"float", signals.Day{Usage: 0.5}, "\x91\xcb\x3f\xe0\x00\x00\x00\x00\x00\x00"},
		{"ticket", signals.Day{Tickets: 2, NegTickets: 1, SentimentSum: -0.25, SentimentMin: -0.5}, ""},
		{"risk", signals.Day{PageViews: 1, Risk: [signals.NumCategories]int32{3, 0, 0, 0, 0, 0, 400}}, ""},
		{"precision", signals.Day{Usage: tenth + 2*tenth, SentimentSum: 1e-300, UsageEvents: 1 << 20}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ok := appendDay(nil, &c.d)
			if !ok || (c.want != "" && string(b) != c.want) {
				t.Fatalf("encoded %q (%v), want %q", b, ok, c.want)
			}
			got, err := decodeDay(string(b))
			if err != nil || !sameDay(got, c.d) {
				t.Fatalf("decoded %+v, %v", got, err)
			}
		})
	}
	if _, ok := appendDay(nil, &signals.Day{Usage: math.NaN()}); ok {
		t.Error("NaN usage encoded")
	}
	// What Redis's cmsgpack writes: float32, uint16, int8, int16, an empty map.
	redisForms := []struct {
		in   string
		want signals.Day
	}{
		{"\x93\xca\x3f\xc0\x00\x00\xcd\x01\x00\xd0\xfe", signals.Day{Usage: 1.5, UsageEvents: 256, Tickets: -2}},
		{"\x92\xe0\xd1\x80\x00", signals.Day{Usage: -32, UsageEvents: -32768}},
		{"\x80", signals.Day{}},
	}
	for _, c := range redisForms {
		if got, err := decodeDay(c.in); err != nil || !sameDay(got, c.want) {
			t.Errorf("decodeDay(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "x", "\x91", "\x91\xcb\x00", "\x9f" + strings.Repeat("\x01", 15) + "\x01", "\x91\xc0", "\x91\x01\x01", "\xdc\x00"} {
		if _, err := decodeDay(bad); err == nil {
			t.Errorf("decodeDay(%q) accepted", bad)
		}
	}
}

func TestCachedEncoding(t *testing.T) {
	in := Cached{Day: -3, ModelVersion: "gbt-2026", Vector: []float64{0, math.NaN(), math.Inf(-1), -0.0, 1e308}}
	out, err := decodeCached(string(encodeCached(&in)))
	if err != nil || out.Day != -3 || out.ModelVersion != "gbt-2026" || len(out.Vector) != 5 {
		t.Fatalf("%+v, %v", out, err)
	}
	for i := range in.Vector {
		if math.Float64bits(in.Vector[i]) != math.Float64bits(out.Vector[i]) {
			t.Errorf("vector[%d] = %v, want %v", i, out.Vector[i], in.Vector[i])
		}
	}
	for _, bad := range []string{"", "abc", string(encodeCached(&in)[:7]), string(encodeCached(&in)) + "x"} {
		if _, err := decodeCached(bad); err == nil {
			t.Errorf("decodeCached(%q) accepted", bad)
		}
	}
}

func TestNewRedisOptions(t *testing.T) {
	cases := []struct {
		name string
		o    RedisOptions
		ok   bool
	}{
		{"url", RedisOptions{URL: "redis://127.0.0.1:1/0"}, true},
		{"tls url", RedisOptions{URL: "rediss://user:pw@127.0.0.1:1/2"}, true},
		{"cluster", RedisOptions{ClusterAddrs: []string{"127.0.0.1:1", "127.0.0.1:2"}}, true},
		{"bad scheme", RedisOptions{URL: "http://127.0.0.1:6379"}, false},
		{"bad db", RedisOptions{URL: "redis://127.0.0.1:6379/x"}, false},
		{"nothing", RedisOptions{}, false},
		{"empty cluster addr", RedisOptions{ClusterAddrs: []string{""}}, false},
		{"prefix with a brace", RedisOptions{URL: "redis://127.0.0.1:1", Prefix: "a{b"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewRedis(context.Background(), c.o)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if r != nil {
				r.Close()
			}
		})
	}
}

// TestRedisDownAtStart: a store made while nothing listens works as a value,
// fails fast with ErrUnavailable and never leaks redis.Nil.
func TestRedisDownAtStart(t *testing.T) {
	r, err := NewRedis(context.Background(), RedisOptions{URL: "redis://" + redistest.FreeAddr(t) + "/0", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkUnavailable(t, r, time.Second)
}

// checkUnavailable calls every method and expects ErrUnavailable within limit.
func checkUnavailable(t *testing.T, r *Redis, limit time.Duration) {
	t.Helper()
	ctx := context.Background()
	calls := map[string]func() error{
		"ping":         func() error { return r.Ping(ctx) },
		"get customer": func() error { _, err := r.GetCustomer(ctx, "x"); return err },
		"put customer": func() error { return r.PutCustomer(ctx, features.Profile{ID: "x"}) },
		"add events": func() error {
			_, _, err := r.AddEvents(ctx, []Event{{CustomerID: "x", EventID: "down", Day: signals.Day{Day: 1, Usage: 1}}})
			return err
		},
		"history":   func() error { _, err := r.History(ctx, "x", 0, 10); return err },
		"snapshot":  func() error { _, err := r.Snapshot(ctx, "x"); return err },
		"put score": func() error { return r.PutScore(ctx, "x", Cached{Score: Score{Score: 0.5, Flagged: true}}) },
		"get score": func() error { _, err := r.GetScore(ctx, "x"); return err },
		"at-risk":   func() error { _, err := r.AtRisk(ctx, AtRiskQuery{}); return err },
		"import":    func() error { return r.Import(ctx, []CustomerData{{Profile: features.Profile{ID: "x"}}}) },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if el := time.Since(start); el > limit {
			t.Errorf("%s took %v while Redis is down, limit %v", name, el, limit)
		}
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s while Redis is down: %v, want ErrUnavailable", name, err)
		}
		if errors.Is(err, redis.Nil) {
			t.Errorf("%s leaked redis.Nil", name)
		}
	}
}

// TestRedisOutage stops a real redis-server (SIGKILL: the append-only file
// with appendfsync always must hold every acknowledged write) while batches
// are being written, checks that every call then fails fast with
// ErrUnavailable, restarts the server on the same port and directory, checks
// that the same client recovers by itself within seconds, that no
// acknowledged event was lost, and that re-sending the unacknowledged batches
// (same event ids) makes the totals exact.
func TestRedisOutage(t *testing.T) {
	// Start before the -short check: under CI a missing redis-server fails
	// the test even with -short.
	srv := redistest.Start(t)
	if testing.Short() {
		t.Skip("kills and restarts redis-server")
	}
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	today := signals.DayNumber(now)
	r, err := NewRedis(context.Background(), RedisOptions{URL: srv.URL(), Timeout: 300 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()

	const perBatch, customers = 20, 5
	batch := func(k int) []Event {
		ev := make([]Event, perBatch)
		for j := range ev {
			ev[j] = Event{CustomerID: fmt.Sprintf("o%d", j%customers), EventID: fmt.Sprintf("b%d-%d", k, j), Day: signals.Day{Day: today, Usage: 1, UsageEvents: 1}}
		}
		return ev
	}
	// A writer sends batches until the server is gone; acked[k] records
	// which were acknowledged.
	var mu sync.Mutex
	acked := map[int]bool{}
	sent := 0
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			acc, _, err := r.AddEvents(ctx, batch(k))
			mu.Lock()
			sent = k + 1
			if err == nil {
				if acc != perBatch {
					t.Errorf("batch %d: %d accepted", k, acc)
				}
				acked[k] = true
			} else if !errors.Is(err, ErrUnavailable) {
				t.Errorf("batch %d: %v, want ErrUnavailable", k, err)
			}
			mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	srv.Kill()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	<-done
	mu.Lock()
	nAcked, nSent := len(acked), sent
	mu.Unlock()
	if nAcked < 10 {
		t.Fatalf("only %d batches acknowledged before the stop", nAcked)
	}
	if nAcked == nSent {
		t.Fatalf("all %d batches acknowledged although the server was killed", nSent)
	}

	checkUnavailable(t, r, 700*time.Millisecond)

	srv.Restart()
	start := time.Now()
	for r.Ping(ctx) != nil {
		if time.Since(start) > 5*time.Second {
			t.Fatal("the client did not recover within 5s of Redis returning")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("recovered %v after the restart; %d of %d batches acknowledged", time.Since(start).Round(time.Millisecond), nAcked, nSent)

	total := func() float64 {
		var sum float64
		for c := 0; c < customers; c++ {
			h, err := r.History(ctx, fmt.Sprintf("o%d", c), today, today+1)
			if err != nil {
				t.Fatalf("history after recovery: %v", err)
			}
			for _, d := range h {
				sum += d.Usage
			}
		}
		return sum
	}
	if got := total(); got < float64(nAcked*perBatch) || got > float64(nSent*perBatch) {
		t.Fatalf("usage %v after restart: %d acknowledged events, %d sent", got, nAcked*perBatch, nSent*perBatch)
	}
	// Re-sending everything not acknowledged (what a client does on 503)
	// and the acknowledged ones too (a lost 202) gives exact totals.
	for k := 0; k < nSent; k++ {
		acc, dup, err := r.AddEvents(ctx, batch(k))
		if err != nil {
			t.Fatalf("re-send %d: %v", k, err)
		}
		if acked[k] && (acc != 0 || dup != perBatch) {
			t.Fatalf("acknowledged batch %d re-sent: %d accepted, %d duplicates", k, acc, dup)
		}
	}
	if got := total(); got != float64(nSent*perBatch) {
		t.Fatalf("usage %v after re-sending, want %d", got, nSent*perBatch)
	}
}

// BenchmarkAddEventsRedis measures ingestion into the single node with
// realistic batches: 1,000 events over 200 customers, 90% with event ids,
// several batches in flight (as from concurrent API requests).
func BenchmarkAddEventsRedis(b *testing.B) {
	o := singleOptions(b)
	r := openRedis(b, o)
	benchAdd(b, r)
}

// BenchmarkAddEventsRedisCluster is the same against the 3-master cluster.
func BenchmarkAddEventsRedisCluster(b *testing.B) {
	o := clusterOptions(b)
	r := openRedis(b, o)
	benchAdd(b, r)
}

func benchAdd(b *testing.B, r *Redis) {
	const size, customers = 1000, 200
	today := signals.DayNumber(time.Now())
	rng := rand.New(rand.NewPCG(1, 2))
	templates := make([][]Event, 16)
	for i := range templates {
		templates[i] = randomBatch(rng, size, customers, today, "")
	}
	var seq atomic.Int64
	ctx := context.Background()
	b.SetParallelism(2)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		batch := make([]Event, size)
		for pb.Next() {
			k := seq.Add(1)
			copy(batch, templates[k%int64(len(templates))])
			for i := range batch {
				if batch[i].EventID != "" {
					batch[i].EventID = strconv.FormatInt(k, 36) + "-" + strconv.Itoa(i)
				}
			}
			if _, _, err := r.AddEvents(ctx, batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "events/s")
}

// TestRedisKeyLayout checks the keys and TTLs of section 7 on a single node.
func TestRedisKeyLayout(t *testing.T) {
	o := singleOptions(t)
	o.DedupeTTL = time.Hour
	o.RetentionDays = 30
	r := openRedis(t, o)
	ctx := context.Background()
	today := signals.DayNumber(time.Now())
	id := "acme}{:x"
	if _, _, err := r.AddEvents(ctx, []Event{{CustomerID: id, EventID: "evt:1", Day: signals.Day{Day: today, Usage: 2, UsageEvents: 1}},
		{CustomerID: id, Day: signals.Day{Day: today, Tickets: 1, NegTickets: 1}, Excerpt: &signals.Excerpt{At: time.Now().UTC(), Negative: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.PutScore(ctx, id, Cached{Day: today, ModelVersion: "v", Vector: []float64{1}, Score: Score{Score: 0.9, Flagged: true}}); err != nil {
		t.Fatal(err)
	}
	base := r.prefix + "{c:acme%7D{:x}:"
	ttl := func(k string) time.Duration {
		d, err := r.c.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		key    string
		minTTL time.Duration // -1: no TTL
		maxTTL time.Duration
	}{
		{base + "p", -1, -1},
		{base + "f", -1, -1},
		{base + "d", 31 * 24 * time.Hour, 32 * 24 * time.Hour},
		{base + "t", 31 * 24 * time.Hour, 32 * 24 * time.Hour},
		{base + "e:evt:1", 59 * time.Minute, time.Hour},
		{r.prefix + "at-risk", -1, -1},
	}
	for _, c := range cases {
		got := ttl(c.key)
		if got == -2*time.Nanosecond || got == -2*time.Millisecond {
			t.Errorf("key %q missing", c.key)
			continue
		}
		if c.minTTL < 0 {
			if got >= 0 {
				t.Errorf("key %q has a TTL %v, want none", c.key, got)
			}
		} else if got < c.minTTL || got > c.maxTTL {
			t.Errorf("key %q TTL %v, want in [%v, %v]", c.key, got, c.minTTL, c.maxTTL)
		}
	}
	if m, _ := r.c.ZScore(ctx, r.prefix+"at-risk", id).Result(); m != -0.9 {
		t.Errorf("at-risk score %v, want -0.9", m)
	}
	if lo, _ := r.c.HGet(ctx, base+"d", "lo").Result(); lo != strconv.Itoa(int(today)) {
		t.Errorf("lo = %q, want %d", lo, today)
	}
}

// TestRedisRetentionMoves: when the clock moves on, the next write drops the
// days that fell out of the window, like Mem.
func TestRedisRetentionMoves(t *testing.T) {
	o := singleOptions(t)
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	o.Now = func() time.Time { return now }
	o.RetentionDays = 10
	r := openRedis(t, o)
	m := NewMem(MemOptions{Now: o.Now, RetentionDays: 10})
	ctx := context.Background()
	day0 := signals.DayNumber(now)
	add := func(d int32) {
		t.Helper()
		ev := []Event{{CustomerID: "k", Day: signals.Day{Day: d, Usage: 1, UsageEvents: 1}}}
		if _, _, err := r.AddEvents(ctx, ev); err != nil {
			t.Fatal(err)
		}
		m.AddEvents(ctx, ev)
	}
	for d := day0 - 9; d <= day0; d++ {
		add(d)
	}
	now = now.AddDate(0, 0, 5) // days day0-9 .. day0-6 fall out
	add(day0 + 5)
	h, err := r.History(ctx, "k", 0, day0+10)
	if err != nil {
		t.Fatal(err)
	}
	mh, _ := m.History(ctx, "k", 0, day0+10)
	if len(h) != 7 || h[0].Day != day0-5 || len(mh) != len(h) || mh[0].Day != h[0].Day {
		t.Fatalf("redis %d days from %d, mem %d days; want 7 from %d", len(h), h[0].Day, len(mh), day0-5)
	}
	if lo, _ := r.c.HGet(ctx, r.custKey("k")+"d", "lo").Result(); lo != strconv.Itoa(int(day0-5)) {
		t.Fatalf("lo = %q after pruning, want %d", lo, day0-5)
	}
}

// TestRedisAtRiskTies pages through many tied scores with a changing list:
// no customer twice, order kept, and the pages end.
func TestRedisAtRiskTies(t *testing.T) {
	o := singleOptions(t)
	r := openRedis(t, o)
	ctx := context.Background()
	put := func(id string, s float64, flagged bool) {
		t.Helper()
		if err := r.PutScore(ctx, id, Cached{Score: Score{Score: s, Flagged: flagged}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 30; i++ {
		put(fmt.Sprintf("t%02d", i), 0.75, true)
	}
	put("top", 0.99, true)
	seen := map[string]bool{}
	var order []string
	q := AtRiskQuery{Limit: 4}
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		page, err := r.AtRisk(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if seen[it.CustomerID] {
				t.Fatalf("%s listed twice", it.CustomerID)
			}
			seen[it.CustomerID] = true
			order = append(order, it.CustomerID)
		}
		if pages == 1 {
			put("t00", 0.2, false) // already listed: leaves
			put("t29", 0.1, false) // not yet listed: leaves
			put("new", 0.5, true)  // lower than every tie: comes at the end
			put("t05", 0.75, true) // the cursor item itself is rewritten
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if order[0] != "top" || order[1] != "t00" || order[len(order)-1] != "new" || seen["t29"] || len(order) != 31 {
		t.Fatalf("listed %d: %v", len(order), order)
	}
	for i := 2; i < len(order)-1; i++ {
		if order[i] <= order[i-1] {
			t.Fatalf("ties out of id order at %d: %v", i, order)
		}
	}
}

// TestRedisNoScript: after SCRIPT FLUSH (a restarted or new node) the first
// batch falls back from EVALSHA to EVAL and is applied exactly once.
func TestRedisNoScript(t *testing.T) {
	srv := redistest.Start(t)
	r, err := NewRedis(context.Background(), RedisOptions{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	today := signals.DayNumber(time.Now())
	for i := 0; i < 2; i++ {
		if err := r.c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		acc, dup, err := r.AddEvents(ctx, []Event{
			{CustomerID: "n1", EventID: fmt.Sprint(i), Day: signals.Day{Day: today, Usage: 1}},
			{CustomerID: "n2", Day: signals.Day{Day: today, Usage: 1}},
		})
		if err != nil || acc != 2 || dup != 0 {
			t.Fatalf("round %d: %d accepted, %d duplicates, %v", i, acc, dup, err)
		}
	}
	for _, id := range []string{"n1", "n2"} {
		h, err := r.History(ctx, id, today, today+1)
		if err != nil || len(h) != 1 || h[0].Usage != 2 {
			t.Fatalf("%s: %+v, %v", id, h, err)
		}
	}
}

// TestRedisNoScriptLedger: after SCRIPT FLUSH, the ledger's scripts (the
// compare and set, the global sums) fall back to EVAL and apply each write
// exactly once, whether run alone or in a pipeline.
func TestRedisNoScriptLedger(t *testing.T) {
	srv := redistest.Start(t)
	now := time.Date(2026, 5, 10, 9, 0, 0, 0, time.UTC)
	r, err := NewRedis(context.Background(), RedisOptions{URL: srv.URL(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	mrr := 100.0
	end := now.Add(-time.Hour)
	steps := []func() error{
		func() error {
			return r.PutScore(ctx, "n1", Cached{Score: Score{Score: 0.5, Flagged: true, MRR: &mrr, AsOf: now}})
		},
		func() error { return r.PutScore(ctx, "n2", Cached{Score: Score{Score: 0.25, AsOf: now}}) },
		func() error { return r.PutCustomer(ctx, features.Profile{ID: "n2", ChurnedAt: &end}) },
		func() error {
			return r.Import(ctx, []CustomerData{{Profile: features.Profile{ID: "n3", MRR: &mrr}}, {Profile: features.Profile{ID: "n1", MRR: &mrr}}})
		},
		func() error { return r.PutScore(ctx, "n3", Cached{Score: Score{Score: 0.125, AsOf: now}}) },
	}
	for i, step := range steps {
		if err := r.c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	now = now.AddDate(0, 1, 0)
	st, err := r.ChurnMetrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Predicted[metrics.MonthOf(now)] != 0.625 || st.RevenueAtRisk != 50 || st.Aggregate.Flows[metrics.MonthOf(end)].Churned != 1 {
		t.Fatalf("score sum %v, revenue at risk %v, flows %v; want 0.625, 50 and one churn",
			st.Predicted[metrics.MonthOf(now)], st.RevenueAtRisk, st.Aggregate.Flows)
	}
}

type replyErr string

func (e replyErr) Error() string { return string(e) }
func (replyErr) RedisError()     {}

func TestUnavailable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{context.DeadlineExceeded, true},
		{redis.ErrClosed, true},
		{replyErr("LOADING Redis is loading the dataset in memory"), true},
		{replyErr("CLUSTERDOWN The cluster is down"), true},
		{replyErr("TRYAGAIN Multiple keys request during rehashing of slot"), true},
		{replyErr("MOVED 3999 127.0.0.1:6381"), true},
		{replyErr("BUSY Redis is busy running a script"), true},
		{replyErr("ERR max number of clients reached"), true},
		{fmt.Errorf("pipeline: %w", replyErr("READONLY You can't write against a read only replica.")), true},
		{replyErr("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{replyErr("ERR user_script:1: Script attempted to access a non local key"), false},
		{replyErr("NOSCRIPT No matching script"), false},
	}
	for _, c := range cases {
		if got := rediserr.Unavailable(c.err); got != c.want {
			t.Errorf("rediserr.Unavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	r := &Redis{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.fail(ctx, "x", context.Canceled); !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Errorf("cancelled by the caller: %v", err)
	}
	if err := r.fail(context.Background(), "x", redis.Nil); errors.Is(err, redis.Nil) {
		t.Errorf("redis.Nil leaked: %v", err)
	}
}

// BenchmarkAtRiskRedis measures a page of 25 of the at-risk list on the
// single node holding 10,000 listed customers (a third flagged, the rest in
// the watch tier, each with a score a week before), for each order and
// level, and the cost of storing one score.
func BenchmarkAtRiskRedis(b *testing.B) {
	r := openRedis(b, singleOptions(b))
	ctx := context.Background()
	now := time.Now().UTC()
	const n = 10000
	put := func(i int, asOf time.Time, v float64) error {
		level := model.RiskMedium
		if i%3 == 0 {
			level = "high"
		}
		mrr := float64(10 + i%500)
		sc := Score{Score: v, RiskLevel: level, Flagged: level == "high", ModelVersion: "v", AsOf: asOf, MRR: &mrr, Name: fmt.Sprintf("Account %d", i)}
		return r.PutScore(ctx, fmt.Sprintf("c%06d", i), Cached{ModelVersion: "v", Score: sc})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				base := 0.3 + float64(i%600)/1000
				if err := put(i, now.AddDate(0, 0, -7), base-0.05*float64(i%3)); err != nil {
					errs <- err
					return
				}
				if err := put(i, now, base); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	for _, o := range Sorts {
		for _, l := range []Level{LevelAny, LevelHigh} {
			b.Run(fmt.Sprintf("sort=%s/level=%s", o, cmp.Or(string(l), "both")), func(b *testing.B) {
				for b.Loop() {
					page, err := r.AtRisk(ctx, AtRiskQuery{Sort: o, Level: l, Limit: 25})
					if err != nil || len(page.Items) != 25 {
						b.Fatalf("%d items, %v", len(page.Items), err)
					}
				}
			})
		}
	}
	b.Run("put score", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := put(i%n, now, 0.5); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
