package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/metrics"
)

// churnTable reads GET /v1/metrics/churn as raw JSON and as a table.
func churnTable(t *testing.T, a *testAPI) ([]byte, metrics.Table) {
	t.Helper()
	resp, err := http.Get(a.url + "/v1/metrics/churn")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("churn figures: %d %v %s", resp.StatusCode, err, raw)
	}
	var tab metrics.Table
	if err := json.Unmarshal(raw, &tab); err != nil {
		t.Fatalf("churn figures not JSON: %v %s", err, raw)
	}
	return raw, tab
}

// TestHugeMRRRefused (issue 16, defect 1): an MRR above value.MaxAmount is a
// 422 naming mrr and writes nothing, so the churn figures are unchanged to
// the cent; a following PUT of 10 adds exactly 10.
func TestHugeMRRRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		for id, mrr := range map[string]float64{"b1": 123.45, "b2": 99.99, "b3": 0.07} {
			code, body, _ := a.do("PUT", "/v1/customers/"+id, map[string]any{"mrr": mrr, "signup_at": "2026-01-15"})
			if code != 200 {
				t.Fatalf("PUT %s: %d %v", id, code, body)
			}
		}
		// Their background scoring moves revenue_at_risk: let it finish first.
		waitFor(t, "the customers scored", 20*time.Second, func() bool {
			for _, id := range []string{"b1", "b2", "b3"} {
				if _, err := a.store.GetScore(context.Background(), id); err != nil {
					return false
				}
			}
			return true
		})
		before, tab0 := churnTable(t, a)

		for _, huge := range []string{"1e300", "1.7e308", "1e19", "1000000000000.5"} {
			code, body, _ := a.do("PUT", "/v1/customers/x", `{"mrr": `+huge+`, "signup_at": "2026-07-01"}`)
			if code != 422 || strings.Join(fieldsOf(t, body), ",") != "mrr" {
				t.Errorf("PUT mrr %s: %d %v, want 422 naming mrr", huge, code, body)
			}
			if code, _, _ := a.do("GET", "/v1/customers/x", nil); code != 404 {
				t.Errorf("after PUT mrr %s refused: GET x answers %d, want 404 (nothing written)", huge, code)
			}
			// Inline customers of /v1/score share the rule.
			code, body, _ = a.do("POST", "/v1/score", `{"customers": [{"customer_id": "y", "mrr": `+huge+`}]}`)
			if code != 422 || !strings.Contains(strings.Join(fieldsOf(t, body), ","), "mrr") {
				t.Errorf("score with mrr %s: %d %v, want 422 naming its mrr", huge, code, body)
			}
		}
		after, _ := churnTable(t, a)
		if !bytes.Equal(before, after) {
			t.Fatalf("churn figures changed by refused PUTs:\n%s\n%s", before, after)
		}

		if code, body, _ := a.do("PUT", "/v1/customers/x", `{"mrr": 10, "signup_at": "2026-07-01"}`); code != 200 {
			t.Fatalf("PUT mrr 10: %d %v", code, body)
		}
		_, tab1 := churnTable(t, a)
		if len(tab1.Months) != len(tab0.Months) {
			t.Fatalf("%d months, then %d", len(tab0.Months), len(tab1.Months))
		}
		for i, m0 := range tab0.Months {
			m1 := tab1.Months[i]
			dEnd, dNew := m1.MRREnd-m0.MRREnd, m1.NewMRR-m0.NewMRR
			want := 0.0
			if m0.Month == "2026-07" {
				want = 10
			}
			if math.Abs(dEnd-want) > 1e-9 || math.Abs(dNew-want) > 1e-9 {
				t.Errorf("%s: mrr_end %v -> %v, new_mrr %v -> %v; want +%v", m0.Month, m0.MRREnd, m1.MRREnd, m0.NewMRR, m1.NewMRR, want)
			}
			if i > 0 && m0.Month <= "2026-06" && m1.MRRStart != m0.MRRStart {
				t.Errorf("%s: mrr_start %v -> %v", m0.Month, m0.MRRStart, m1.MRRStart)
			}
		}
		if last := tab1.Months[len(tab1.Months)-1]; last.Month != "2026-07" || math.Abs(last.MRREnd-(123.45+99.99+0.07+10)) > 1e-9 {
			t.Errorf("last month %s mrr_end %v, want 233.51", last.Month, last.MRREnd)
		}
	})
}

// TestHugeQuantityRefused (issue 16, defect 2): usage quantities above
// value.MaxAmount are a 422 naming each, nothing is written, and the
// history stays valid JSON.
func TestHugeQuantityRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		if code, body, _ := a.do("PUT", "/v1/customers/q1", map[string]any{"mrr": 50, "signup_at": "2026-01-15"}); code != 200 {
			t.Fatalf("PUT: %d %v", code, body)
		}
		ev := func(q string) string {
			return `{"type": "usage", "customer_id": "q1", "timestamp": "2026-07-01T08:00:00Z", "quantity": ` + q + `}`
		}
		code, body, _ := a.do("POST", "/v1/events", `{"events": [`+ev("5")+`, `+ev("1.7e308")+`, `+ev("1.7e308")+`]}`)
		if code != 422 || strings.Join(fieldsOf(t, body), ",") != "events[1].quantity,events[2].quantity" {
			t.Fatalf("huge quantities: %d %v, want 422 naming events[1].quantity and events[2].quantity", code, body)
		}
		for _, q := range []string{"1000000000000.5", "1e19"} {
			if code, body, _ := a.do("POST", "/v1/events", `{"events": [`+ev(q)+`]}`); code != 422 || strings.Join(fieldsOf(t, body), ",") != "events[0].quantity" {
				t.Errorf("quantity %s: %d %v, want 422 naming events[0].quantity", q, code, body)
			}
		}
		if code, body, _ := a.do("POST", "/v1/events", `{"events": [`+ev("1e12")+`, `+ev("1e12")+`]}`); code != 202 {
			t.Fatalf("quantities at the bound: %d %v, want 202", code, body)
		}

		resp, err := http.Get(a.url + "/v1/customers/q1/history?days=3")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var hist struct {
			Days []map[string]any `json:"days"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(raw, &hist) != nil || len(hist.Days) != 3 {
			t.Fatalf("history: %d %q, want 200 with 3 days of valid JSON", resp.StatusCode, raw)
		}
		if !json.Valid(raw) {
			t.Fatalf("history is not valid JSON: %q", raw)
		}
	})
}
