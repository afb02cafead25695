package api

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/store"
)

// TestRiskSignals posts an intent ticket, a cancel-page visit and usage that
// stopped, then checks the signals of the risk answer (on every store) and
// of POST /v1/score with the same events inline.
func TestRiskSignals(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		a := newTestAPIStore(t, kind, true)
		now := a.clock.Now()
		const text = "This is terrible, I want to cancel and get a refund."
		long := strings.Repeat("We are unhappy with the service. ", 10) // 330 characters, negative, no intent
		events := []map[string]any{
			ev("ticket", "ev1", now.Add(-2*time.Hour), map[string]any{"event_id": "t1", "text": text}),
			ev("ticket", "ev1", now.Add(-50*time.Hour), map[string]any{"event_id": "t2", "text": long, "sentiment": -0.8}),
			ev("page_view", "ev1", now.Add(-time.Hour), map[string]any{"event_id": "p1", "path": "/account/cancel"}),
		}
		for k := 20; k <= 40; k++ {
			events = append(events, ev("usage", "ev1", now.AddDate(0, 0, -k), map[string]any{"event_id": fmt.Sprint("u", k), "quantity": 10}))
		}
		for range 2 { // the retry adds no second excerpt
			if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": events}); code != http.StatusAccepted {
				t.Fatalf("events: %d %v", code, body)
			}
		}
		code, risk, _ := a.do("GET", "/v1/customers/ev1/risk", nil)
		if code != http.StatusOK {
			t.Fatalf("risk: %d %v", code, risk)
		}
		cut := []rune(strings.TrimSpace(long))[:199]
		want := []string{
			"churn_intent_ticket " + now.Add(-2*time.Hour).Format(time.RFC3339) + ` asked to cancel and asked for a refund: "` + text + `"`,
			"risk_page_visit 2026-07-01T00:00:00Z visited the cancel page",
			"usage_stopped 2026-06-12T00:00:00Z no product activity since 12 Jun (20 days)",
			"negative_ticket " + now.Add(-50*time.Hour).Format(time.RFC3339) + ` negative ticket (sentiment -0.80): "` + string(cut) + `…"`,
		}
		got := signalLines(t, risk)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("signals\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The churn-intent driver, when among the drivers, quotes the ticket.
		for _, d := range risk["drivers"].([]any) {
			d := d.(map[string]any)
			if d["feature"] == "churn_intent_tickets_90d" {
				if r := d["reason"].(string); r != "asked to cancel and asked for a refund on 1 Jul: 'This is terrible, I want to cancel and get a refund.'" {
					t.Fatalf("intent driver reason %q", r)
				}
			}
		}

		// The same events inline give the same signals.
		inline := make([]map[string]any, len(events))
		for i, e := range events {
			inline[i] = map[string]any{}
			for k, v := range e {
				if k != "customer_id" {
					inline[i][k] = v
				}
			}
		}
		code, scored, _ := a.do("POST", "/v1/score", map[string]any{"customers": []any{map[string]any{"customer_id": "what-if", "events": inline}}})
		if code != http.StatusOK {
			t.Fatalf("score: %d %v", code, scored)
		}
		res := scored["results"].([]any)[0].(map[string]any)
		if got := signalLines(t, res); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("inline signals\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// CHURN_KEEP_TICKET_TEXT=false: dates and kinds, no text (a server
		// so configured, on the same store).
		a = a.sibling(t, func(c *Config) { c.DropTicketText = true })
		if code, body, _ := a.do("POST", "/v1/events", map[string]any{"events": []any{
			ev("ticket", "quiet", now.Add(-3*time.Hour), map[string]any{"text": "please cancel our account"}),
		}}); code != http.StatusAccepted {
			t.Fatalf("events: %d %v", code, body)
		}
		_, risk, _ = a.do("GET", "/v1/customers/quiet/risk", nil)
		want = []string{"churn_intent_ticket " + now.Add(-3*time.Hour).Format(time.RFC3339) + " asked to cancel (ticket text not kept)"}
		if got := signalLines(t, risk); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("without text: %q, want %q", got, want)
		}
	})
}

// signalLines returns "kind at text" of each signal of a risk answer.
func signalLines(t *testing.T, risk map[string]any) []string {
	t.Helper()
	raw, ok := risk["signals"].([]any)
	if !ok {
		t.Fatalf("no signals array in %v", risk)
	}
	out := []string{}
	for _, s := range raw {
		m := s.(map[string]any)
		out = append(out, fmt.Sprint(m["kind"], " ", m["at"], " ", m["text"]))
	}
	return out
}

// TestImportCarriesExcerpts loads files whose tickets have text (as api
// --load does) and finds the newest intent ticket's text in the signals.
func TestImportCarriesExcerpts(t *testing.T) {
	a := newTestAPI(t, true)
	now := a.clock.Now()
	dir := t.TempDir()
	ts := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	files := map[string]string{
		"customers.csv": "customer_id,plan,signup_at\nimp,pro,2025-01-01\n",
		"tickets.csv": "customer_id,timestamp,text\n" +
			"imp," + ts(50*time.Hour) + ",How do I add a user?\n" +
			"imp," + ts(30*time.Hour) + ",\"We will not renew, please close our account.\"\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := data.Load(dir, data.Options{Excerpts: store.MaxExcerpts, ExcerptText: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dataload.Import(context.Background(), a.srv.App(), ds); err != nil {
		t.Fatal(err)
	}
	_, risk, _ := a.do("GET", "/v1/customers/imp/risk", nil)
	want := []string{"churn_intent_ticket " + ts(30*time.Hour) + ` asked to cancel: "We will not renew, please close our account."`}
	if got := signalLines(t, risk); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("signals %q, want %q", got, want)
	}
}
