package api

import (
	"context"
	"testing"

	"github.com/churnrisk/churn/internal/signals"
)

// TestStoresAgree loads the same customers and events into every store and
// checks that the risk endpoint gives bit-identical feature vectors and
// scores on all of them.
func TestStoresAgree(t *testing.T) {
	const n = 60
	scores := map[string][]float64{}
	vectors := map[string][][]float64{}
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			a := newTestAPIStore(t, kind, true)
			a.loadGenerated(t, n)
			now := a.clock.Now()
			var events []any
			for i := 0; i < n; i += 3 {
				id := testData.Customers[i].ID
				events = append(events,
					ev("ticket", id, now.Add(-2e9), map[string]any{"text": "Terrible support, I want a refund.", "event_id": "t"}),
					ev("usage", id, now.Add(-3e9), map[string]any{"quantity": 2.5, "event_id": "u"}))
			}
			if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != 202 {
				t.Fatalf("events: %d %v", code, body)
			}
			ctx := context.Background()
			for i := 0; i < n; i++ {
				id := testData.Customers[i].ID
				code, body, _ := a.do("GET", "/v1/customers/"+id+"/risk", nil)
				if code != 200 {
					t.Fatalf("risk %s: %d %v", id, code, body)
				}
				scores[kind] = append(scores[kind], body["score"].(float64))
				snap, err := a.store.Snapshot(ctx, id)
				c := snap.Cached
				if err != nil || c == nil || c.Day != signals.DayNumber(now) {
					t.Fatalf("snapshot %s: %+v %v", id, c, err)
				}
				vectors[kind] = append(vectors[kind], c.Vector)
			}
		})
	}
	ref := scores["mem"]
	for _, kind := range storeKinds[1:] {
		got := scores[kind]
		if got == nil {
			continue // skipped: no Redis here
		}
		for i := range ref {
			if got[i] != ref[i] {
				t.Errorf("%s: customer %d scores %v, embedded store %v", kind, i, got[i], ref[i])
			}
			for j := range vectors["mem"][i] {
				x, y := vectors["mem"][i][j], vectors[kind][i][j]
				if x != y && !(x != x && y != y) {
					t.Errorf("%s: customer %d feature %d is %v, embedded store %v", kind, i, j, y, x)
				}
			}
		}
	}
}
