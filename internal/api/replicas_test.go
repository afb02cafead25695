package api

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
)

// TestTwoReplicasShareState runs two API servers, each with its own Redis
// client on the same keys: events posted to one change the score the other
// serves at once, and a batch retried on the other replica is not counted
// twice.
func TestTwoReplicasShareState(t *testing.T) {
	for _, kind := range []string{"redis", "cluster"} {
		t.Run(kind, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
			o := store.RedisOptions{Prefix: redistest.Prefix(t), Now: clk.Now, Timeout: testStoreTimeout}
			if kind == "cluster" {
				o.ClusterAddrs = redistest.ClusterAddrs(t)
			} else {
				o.URL = redistest.URL(t)
			}
			redistest.Cleanup(t, o.URL, o.ClusterAddrs, o.Prefix)
			var replicas [2]*testAPI
			for i := range replicas {
				st, err := store.NewRedis(context.Background(), o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				srv := New(Config{Store: st, ModelsDir: trainedModels(t), Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
				if _, err := srv.App().Models().Load(); err != nil {
					t.Fatal(err)
				}
				hs := httptest.NewServer(srv.Handler())
				t.Cleanup(hs.Close)
				replicas[i] = &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}
			}
			a, b := replicas[0], replicas[1]
			id := testData.Customers[3].ID
			if code, body, _ := a.do("PUT", "/v1/customers/"+id, map[string]any{"plan": "growth", "mrr": 200, "signup_at": "2025-01-01"}); code != 200 {
				t.Fatalf("put on a: %d %v", code, body)
			}
			if code, body, _ := b.do("GET", "/v1/customers/"+id, nil); code != 200 || body["plan"] != "growth" {
				t.Fatalf("get on b: %d %v", code, body)
			}
			_, before, _ := b.do("GET", "/v1/customers/"+id+"/risk", nil)
			now := clk.Now()
			batch := map[string]any{"events": []any{
				ev("page_view", id, now.Add(-time.Hour), map[string]any{"path": "/account/cancel", "event_id": "x1"}),
				ev("page_view", id, now.Add(-time.Hour), map[string]any{"path": "/account/cancel", "event_id": "x2"}),
				ev("ticket", id, now.Add(-time.Hour), map[string]any{"text": "I want a refund and to cancel now", "event_id": "x3"}),
			}}
			if code, body, _ := a.do("POST", "/v1/events", batch); code != 202 || body["accepted"] != 3.0 {
				t.Fatalf("post on a: %d %v", code, body)
			}
			// The retry lands on the other replica: all duplicates.
			if code, body, _ := b.do("POST", "/v1/events", batch); code != 202 || body["accepted"] != 0.0 || body["duplicates"] != 3.0 {
				t.Fatalf("retry on b: %d %v", code, body)
			}
			_, after, _ := b.do("GET", "/v1/customers/"+id+"/risk", nil)
			if !(after["score"].(float64) > before["score"].(float64)) {
				t.Errorf("b's score did not follow a's events: %v -> %v", before["score"], after["score"])
			}
			_, fromA, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
			if fromA["score"] != after["score"] {
				t.Errorf("replicas disagree: a %v, b %v", fromA["score"], after["score"])
			}
			day := int32(now.Unix() / 86400)
			h, err := a.store.History(context.Background(), id, day, day+1)
			if err != nil || len(h) != 1 || h[0].Risk[0] != 2 || h[0].Tickets != 1 {
				t.Errorf("history after a batch posted twice: %+v, %v", h, err)
			}
		})
	}
}
