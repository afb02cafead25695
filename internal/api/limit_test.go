package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Keys of the fair-use tests.
const (
	keyA = "read-key-aaaaaaaaaaaa"
	keyB = "read-key-bbbbbbbbbbbb"
	keyW = "write-key-wwwwwwwwwww"
)

// limitedAPI starts the API with the test model, the keys above (none
// when noKeys) and the given limits.
func limitedAPI(t *testing.T, l Limits, noKeys bool) *testAPI {
	t.Helper()
	base := newTestAPI(t, false)
	return base.sibling(t, func(c *Config) {
		c.Limits = l
		if !noKeys {
			k, err := ParseKeys("read:" + keyA + ",read:" + keyB + ",write:" + keyW)
			if err != nil {
				t.Fatal(err)
			}
			c.Keys = k
		}
	})
}

// answer is one HTTP answer of the fair-use tests.
type answer struct {
	code   int
	header http.Header
	body   map[string]any
}

// send sends body (JSON) with key (none when "") and returns the answer.
func send(t *testing.T, a *testAPI, method, path, key string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, a.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return answer{resp.StatusCode, resp.Header, out}
}

// ticketsBody is a POST /v1/score of customers, each with textLen bytes of
// support text in tickets of at most 20,000 bytes (the contract's bound on
// one ticket), dated a few days before the test clock.
func ticketsBody(customers, textLen int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"customers":[`)
	for i := range customers {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"customer_id":"c%d","events":[`, i)
		for k, left := 0, textLen; left > 0; k, left = k+1, left-20000 {
			if k > 0 {
				b.WriteByte(',')
			}
			n := min(left, 20000)
			fmt.Fprintf(&b, `{"type":"ticket","timestamp":"2026-06-28","text":%q}`, strings.Repeat("slow support ", n/13+1)[:n])
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

var rateLimitRE = regexp.MustCompile(`^"([a-z]+)";r=(\d+);t=(\d+)$`)

// rateLimit parses the RateLimit field of h: policy, remaining, reset.
func rateLimit(t *testing.T, h http.Header) (string, int, int) {
	t.Helper()
	m := rateLimitRE.FindStringSubmatch(h.Get("RateLimit"))
	if m == nil {
		t.Fatalf("RateLimit %q: want \"policy\";r=N;t=N", h.Get("RateLimit"))
	}
	r, _ := strconv.Atoi(m[2])
	reset, _ := strconv.Atoi(m[3])
	return m[1], r, reset
}

// between fails unless lo <= v <= hi.
func between(t *testing.T, what string, v, lo, hi int) {
	t.Helper()
	if v < lo || v > hi {
		t.Errorf("%s = %d, want %d..%d", what, v, lo, hi)
	}
}

// check429 checks a refusal past a bucket: 429 problem+json naming the
// policy, Retry-After in [lo, hi] and RateLimit r=0 with t = Retry-After.
func check429(t *testing.T, got answer, policy string, lo, hi int) {
	t.Helper()
	if got.code != http.StatusTooManyRequests {
		t.Fatalf("status %d (%v), want 429", got.code, got.body)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if got.body["status"] != float64(429) || !strings.Contains(fmt.Sprint(got.body["detail"]), `"`+policy+`"`) {
		t.Errorf("body %v: want a 429 problem naming the policy", got.body)
	}
	retry, err := strconv.Atoi(got.header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q: want delay-seconds", got.header.Get("Retry-After"))
	}
	between(t, "Retry-After", retry, lo, hi)
	p, r, reset := rateLimit(t, got.header)
	if p != policy || r != 0 || reset != retry {
		t.Errorf("RateLimit %q: want %q;r=0;t=%d (the Retry-After)", got.header.Get("RateLimit"), policy, retry)
	}
	if got.header.Get("RateLimit-Policy") == "" {
		t.Error("no RateLimit-Policy")
	}
}

// TestFairUseScore: a read key past its bucket of POST /v1/score gets 429
// with Retry-After and the RateLimit fields of the limits configured,
// while another key's bucket and every key's lookups are untouched.
func TestFairUseScore(t *testing.T) {
	// 40,000 bytes of text in two tickets: 1 + 1 + 20 = 22 units a request.
	a := limitedAPI(t, Limits{Score: Policy{Rate: 0.01, Burst: 30}}, false)
	body := ticketsBody(1, 40000)

	first := send(t, a, http.MethodPost, "/v1/score", keyA, body)
	if first.code != http.StatusOK {
		t.Fatalf("first: %d %v", first.code, first.body)
	}
	if got := first.header.Get("RateLimit-Policy"); got != `"score";q=30;w=3000` {
		t.Errorf("RateLimit-Policy %q, want \"score\";q=30;w=3000", got)
	}
	p, r, reset := rateLimit(t, first.header)
	if p != "score" || r != 8 {
		t.Errorf("after one request: %q r=%d, want score r=8", p, r)
	}
	between(t, "t (seconds until full)", reset, 2100, 2200)

	// 8 units left: served, and the bucket is 14 units in debt.
	if second := send(t, a, http.MethodPost, "/v1/score", keyA, body); second.code != http.StatusOK {
		t.Fatalf("second: %d %v", second.code, second.body)
	} else if _, r, _ := rateLimit(t, second.header); r != 0 {
		t.Errorf("second: r=%d, want 0", r)
	}
	// 15 units to one: 1,500 s at 0.01 a second.
	check429(t, send(t, a, http.MethodPost, "/v1/score", keyA, body), "score", 1400, 1500)

	// Another key has its own bucket.
	other := send(t, a, http.MethodPost, "/v1/score", keyB, body)
	if other.code != http.StatusOK {
		t.Fatalf("key B: %d %v", other.code, other.body)
	}
	if _, r, _ := rateLimit(t, other.header); r != 8 {
		t.Errorf("key B: r=%d, want 8 (a bucket of its own)", r)
	}
	// Lookups are not charged: the limited key still reads.
	if got := send(t, a, http.MethodGet, "/v1/model", keyA, nil); got.code != http.StatusOK {
		t.Errorf("GET /v1/model with the limited key: %d", got.code)
	}
}

// TestFairUseEvents: POST /v1/events has a bucket of its own per key.
func TestFairUseEvents(t *testing.T) {
	a := limitedAPI(t, Limits{Events: Policy{Rate: 0.01, Burst: 5}}, false)
	body := []byte(`{"events":[{"type":"usage","customer_id":"e1","timestamp":"2026-06-30"},{"type":"usage","customer_id":"e1","timestamp":"2026-06-30"}]}`)
	for i, want := range []int{3, 1, 0} { // 2 units each; the third runs on the last unit
		got := send(t, a, http.MethodPost, "/v1/events", keyW, body)
		if got.code != http.StatusAccepted {
			t.Fatalf("batch %d: %d %v", i+1, got.code, got.body)
		}
		if p, r, _ := rateLimit(t, got.header); p != "events" || r != want {
			t.Errorf("batch %d: %s r=%d, want events r=%d", i+1, p, r, want)
		}
	}
	check429(t, send(t, a, http.MethodPost, "/v1/events", keyW, body), "events", 190, 200)
	// The score bucket of the same server is untouched by the events one.
	if got := send(t, a, http.MethodPost, "/v1/score", keyW, ticketsBody(1, 10)); got.code != http.StatusOK {
		t.Errorf("POST /v1/score: %d %v", got.code, got.body)
	}
}

// TestFairUseWithoutKeys: without API keys the bucket is the client
// address's.
func TestFairUseWithoutKeys(t *testing.T) {
	a := limitedAPI(t, Limits{Score: Policy{Rate: 0.01, Burst: 4}}, true)
	body := ticketsBody(1, 10) // 1 + 1 + 1 = 3 units
	for i := range 2 {
		if got := send(t, a, http.MethodPost, "/v1/score", "", body); got.code != http.StatusOK {
			t.Fatalf("request %d: %d %v", i+1, got.code, got.body)
		}
	}
	check429(t, send(t, a, http.MethodPost, "/v1/score", "", body), "score", 290, 300)
}

// TestFairUseOff: "off" limits nothing and sends no RateLimit fields.
func TestFairUseOff(t *testing.T) {
	a := limitedAPI(t, Limits{Score: Policy{Rate: -1}}, false)
	for range 3 {
		got := send(t, a, http.MethodPost, "/v1/score", keyA, ticketsBody(1, 40000))
		if got.code != http.StatusOK || got.header.Get("RateLimit") != "" {
			t.Fatalf("%d, RateLimit %q", got.code, got.header.Get("RateLimit"))
		}
	}
}

// TestTextCap: the support text of one request is bounded; the answer is
// 422 naming the event whose text passes the limit, and the limit.
func TestTextCap(t *testing.T) {
	a := limitedAPI(t, Limits{MaxTextBytes: 1000}, false)
	got := send(t, a, http.MethodPost, "/v1/score", keyA, ticketsBody(2, 600))
	if got.code != http.StatusUnprocessableEntity {
		t.Fatalf("score: %d %v", got.code, got.body)
	}
	checkField(t, got.body, "customers[1].events[0].text", "1000 bytes")

	ev := `{"type":"ticket","customer_id":"t1","timestamp":"2026-06-30","text":"` + strings.Repeat("x", 600) + `"}`
	got = send(t, a, http.MethodPost, "/v1/events", keyW, []byte(`{"events":[`+ev+`,`+ev+`]}`))
	if got.code != http.StatusUnprocessableEntity {
		t.Fatalf("events: %d %v", got.code, got.body)
	}
	checkField(t, got.body, "events[1].text", "CHURN_MAX_TEXT_BYTES")
	// Within the limit, the same requests are served.
	if got := send(t, a, http.MethodPost, "/v1/score", keyA, ticketsBody(1, 1000)); got.code != http.StatusOK {
		t.Errorf("score at the limit: %d %v", got.code, got.body)
	}
}

// checkField fails unless the problem body names field (and only it) with
// a message containing msg.
func checkField(t *testing.T, body map[string]any, field, msg string) {
	t.Helper()
	errs, _ := body["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors %v: want one, for %s", body["errors"], field)
	}
	e, _ := errs[0].(map[string]any)
	if e["field"] != field || !strings.Contains(fmt.Sprint(e["message"]), msg) {
		t.Errorf("error %v: want field %s saying %q", e, field, msg)
	}
}

// TestHeavyBusy: a large request that finds every heavy slot taken for
// HeavyWait gets 503 with Retry-After, and is not charged.
func TestHeavyBusy(t *testing.T) {
	a := limitedAPI(t, Limits{Score: Policy{Rate: 0.01, Burst: 1000}, HeavySlots: 1, HeavyWait: 50 * time.Millisecond}, false)
	body := ticketsBody(1, 500000) // 1 + 1 + 245 = 247 units: heavy
	a.srv.limit.heavy <- struct{}{}
	got := send(t, a, http.MethodPost, "/v1/score", keyA, body)
	<-a.srv.limit.heavy
	if got.code != http.StatusServiceUnavailable || got.header.Get("Retry-After") == "" {
		t.Fatalf("with the slot taken: %d (Retry-After %q), want 503 with Retry-After", got.code, got.header.Get("Retry-After"))
	}
	got = send(t, a, http.MethodPost, "/v1/score", keyA, body)
	if got.code != http.StatusOK {
		t.Fatalf("with the slot free: %d %v", got.code, got.body)
	}
	if _, r, _ := rateLimit(t, got.header); r != 753 {
		t.Errorf("r=%d, want 753: one charge of 247 (none for the refused request)", r)
	}
}

// TestRunLowPanics: a panic in work run at low priority reaches the caller.
func TestRunLowPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want boom", r)
		}
	}()
	ran := false
	runLow(func() { ran = true })
	if !ran {
		t.Error("runLow did not run its work")
	}
	runLow(func() { panic("boom") })
	t.Error("runLow returned after a panic")
}

// TestFairUseFlood is the flood benchmark's check without timing: one key
// floods POST /v1/score from three connections while another scores and
// looks up; the flooding key gets 429s with the fields, the other none.
func TestFairUseFlood(t *testing.T) {
	a := limitedAPI(t, Limits{Score: Policy{Rate: 1, Burst: 100}}, false)
	flood := ticketsBody(1, 100000) // 1 + 1 + 49 = 51 units
	var mu sync.Mutex
	var served, refused int
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for range 10 {
				got := send(t, a, http.MethodPost, "/v1/score", keyA, flood)
				mu.Lock()
				switch got.code {
				case http.StatusOK:
					served++
				case http.StatusTooManyRequests:
					refused++
					check429(t, got, "score", 1, 200)
				default:
					t.Errorf("flood: %d %v", got.code, got.body)
				}
				mu.Unlock()
			}
		})
	}
	small := ticketsBody(1, 10)
	for i := range 20 {
		if got := send(t, a, http.MethodPost, "/v1/score", keyB, small); got.code != http.StatusOK {
			t.Errorf("other key, score %d: %d %v", i, got.code, got.body)
		}
		if got := send(t, a, http.MethodGet, "/v1/model", keyB, nil); got.code != http.StatusOK {
			t.Errorf("other key, lookup %d: %d", i, got.code)
		}
	}
	wg.Wait()
	if refused == 0 || served > 10 {
		t.Errorf("flood: %d served, %d refused; want most refused", served, refused)
	}
}

// TestParsePolicy reads the CHURN_*_LIMIT syntax and refuses the rest.
func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]Policy{"200/s,2500": {200, 2500}, " 0.5/s, 3 ": {0.5, 3}, "off": {-1, 0}, "OFF": {-1, 0}} {
		got, err := ParsePolicy(in)
		if err != nil || got != want {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "200", "200/s", "200,5", "0/s,1", "-1/s,5", "5/s,0", "Inf/s,3", "NaN/s,3", "5/m,10"} {
		if p, err := ParsePolicy(in); err == nil || !strings.Contains(err.Error(), "RATE/s,BURST") {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want an error saying RATE/s,BURST", in, p, err)
		}
	}
}

// TestCostUnits: one unit for the request, one per started 100 customers
// and events, one per started 2 KiB of text.
func TestCostUnits(t *testing.T) {
	for _, c := range []struct {
		w    cost
		want int
	}{{cost{}, 1}, {cost{items: 1}, 2}, {cost{items: 100}, 2}, {cost{items: 101}, 3}, {cost{textBytes: 2048}, 2},
		{cost{textBytes: 2049}, 3}, {cost{items: 1001, textBytes: 4 << 20}, 1 + 11 + 2048}} {
		if got := c.w.units(); got != c.want {
			t.Errorf("%+v: %d units, want %d", c.w, got, c.want)
		}
	}
}

// TestHeavyUnknownLength: a body of unknown length (chunked) takes the
// heavy path: read, then scored in a slot; over the body limit it is 413.
func TestHeavyUnknownLength(t *testing.T) {
	a := limitedAPI(t, Limits{}, false)
	post := func(body io.Reader) int {
		req, err := http.NewRequest(http.MethodPost, a.url+"/v1/score", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+keyA)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(io.NopCloser(bytes.NewReader(ticketsBody(2, 100)))); code != http.StatusOK {
		t.Errorf("chunked score: %d, want 200", code)
	}
	if code := post(io.NopCloser(io.MultiReader(strings.NewReader(`{"customers":[{"plan":"`), strings.NewReader(strings.Repeat("x", scoreBody+1)), strings.NewReader(`"}]}`)))); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: %d, want 413", code)
	}
}
