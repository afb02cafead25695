package api

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
)

// TestRedisOutOfMemory sets Redis's maxmemory below the data it holds
// (policy noeviction): every route that writes answers 503 with
// Retry-After, reads and deletes are still served, /readyz fails; a PUT
// refused leaves no half-written customer. Then the limit is raised: the
// API is ready again by itself and every route works.
func TestRedisOutOfMemory(t *testing.T) {
	srv := redistest.Start(t)
	const prefix = "oom:"
	a, st, hooks := privateRedisAPI(t, srv, prefix, testStoreTimeout)
	clk := a.clock
	ctx := context.Background()

	// Some data: customers with events, a subscription with a failed delivery.
	for i := range 20 {
		id := fmt.Sprintf("o%d", i)
		if code, body, _ := a.do("PUT", "/v1/customers/"+id, map[string]any{"plan": "growth", "mrr": 100 + i}); code != 200 {
			t.Fatalf("put %s: %d %v", id, code, body)
		}
		events := []any{ev("usage", id, clk.Now().Add(-time.Hour), map[string]any{"quantity": 3})}
		if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
			t.Fatalf("events of %s: %d %v", id, code, body)
		}
	}
	sub, delivery := failedDelivery(t, a, hooks, "o1")
	if code, body, _ := a.do("GET", "/readyz", nil); code != 200 {
		t.Fatalf("/readyz before: %d %v", code, body)
	}
	rc := st.Client()
	keys := func(id string) map[string]string { // the profile and the metrics state
		out := map[string]string{}
		for _, k := range []string{"p", "m"} {
			v, err := rc.Get(ctx, prefix+"{c:"+id+"}:"+k).Result()
			if err == nil {
				out[k] = v
			}
		}
		return out
	}
	before := keys("o1")
	if len(before) != 2 {
		t.Fatalf("o1 stored as %v, want a profile and a metrics state", before)
	}
	time.Sleep(readyFor) // /readyz's cached answer expires

	srv.OutOfMemory()
	for _, c := range storeRoutes("o1", "fresh", sub, delivery, clk.Now()) {
		want := c.ok
		if c.need == writesStore {
			want = 503
		}
		checkRoute(t, a, "out of memory", c, want)
	}
	if code, body, hdr := a.do("GET", "/readyz", nil); code != 503 || hdr.Get("Retry-After") == "" || storeCheck(body) != "refusing writes" {
		t.Errorf("out of memory: /readyz = %d %v (Retry-After %q), want 503, store refusing writes", code, body, hdr.Get("Retry-After"))
	}
	// The refused PUTs wrote nothing: no profile without its metrics state.
	if got := keys("fresh"); len(got) != 0 {
		t.Errorf("a refused PUT of a new customer left %v", got)
	}
	if got := keys("o1"); got["p"] != before["p"] || got["m"] != before["m"] {
		t.Errorf("a refused PUT of o1 changed it:\n got %v\nwant %v", got, before)
	}

	srv.SetMaxMemory(0)
	waitReady(t, a)
	sub, delivery = failedDelivery(t, a, hooks, "o1")
	for _, c := range storeRoutes("o1", "fresh", sub, delivery, clk.Now()) {
		checkRoute(t, a, "after recovery", c, c.ok)
	}
	if got := keys("fresh"); len(got) != 2 {
		t.Errorf("fresh stored as %v after recovery, want a profile and a metrics state", got)
	}
}
