package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/cases"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// idsInGroups returns a customer id of each group of h.
func idsInGroups(t *testing.T, h cases.Holdout, prefix string) (treated, control string) {
	t.Helper()
	for i := 0; treated == "" || control == ""; i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		if h.Group(id) == cases.GroupControl {
			if control == "" {
				control = id
			}
		} else if treated == "" {
			treated = id
		}
	}
	return treated, control
}

// TestCasesAPI: two customers cross into risk through their events; each
// gets one case, the held-out one is marked, left out of the queue and
// never sent to the CRM; the treated one's at-risk webhook names its case
// and play; an agent assigns, notes and sets the status; the outcomes are
// recorded by the service (churned within the horizon, retained after
// it); the impact endpoint counts them.
func TestCasesAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind string) {
		clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
		st := newStore(t, kind, clk.Now)
		hooks := hooksFor(t, kind, st)
		h := cases.Holdout{Share: 0.5, Salt: "test"}
		a, _ := webhookAPI(t, st, hooks, clk, "c1", func(c *Config) {
			c.Cases = app.CaseConfig{Holdout: h, SettleEvery: 20 * time.Millisecond}
		})
		rcv := newReceiver(t, nil)
		subscribe(t, a, rcv.srv.URL, 0.05)
		treated, control := idsInGroups(t, h, kind+"-c")
		signup := clk.Now().AddDate(-1, 0, 0)
		for _, id := range []string{treated, control} {
			if code, body, _ := a.do("PUT", "/v1/customers/"+id, map[string]any{"plan": "growth", "mrr": 200, "signup_at": signup}); code != 200 {
				t.Fatalf("put %s: %d %v", id, code, body)
			}
			pushOver(t, a, id)
		}
		caseOf := func(id string) map[string]any {
			code, body, _ := a.do("GET", "/v1/customers/"+id+"/cases", nil)
			if code != 200 {
				t.Fatalf("cases of %s: %d %v", id, code, body)
			}
			items := body["items"].([]any)
			if len(items) == 0 {
				return nil
			}
			if len(items) > 1 {
				t.Fatalf("%s: %d cases for one crossing", id, len(items))
			}
			return items[0].(map[string]any)
		}
		deadline := time.Now().Add(20 * time.Second)
		for caseOf(treated) == nil || caseOf(control) == nil {
			if time.Now().After(deadline) {
				_, r1, _ := a.do("GET", "/v1/customers/"+treated+"/risk", nil)
				_, r2, _ := a.do("GET", "/v1/customers/"+control+"/risk", nil)
				_, m, _ := a.do("GET", "/v1/model", nil)
				t.Fatalf("no cases: %v %v\n%v\n%v\nthreshold %v", caseOf(treated), caseOf(control), r1["score"], r2["score"], m["threshold"])
			}
			time.Sleep(20 * time.Millisecond)
		}
		tc, cc := caseOf(treated), caseOf(control)
		if tc["group"] != "treatment" || tc["holdout"] != false || tc["status"] != "open" || tc["owner"] != "" ||
			cc["group"] != "control" || cc["holdout"] != true || !strings.Contains(cc["holdout_note"].(string), "do not contact") {
			t.Fatalf("cases: %v\n%v", tc, cc)
		}
		play := tc["play"].(map[string]any)
		if play["id"] == "" || play["name"] == "" || play["text"] == "" || len(tc["drivers"].([]any)) == 0 || tc["score"].(float64) <= 0 {
			t.Fatalf("case content: %v", tc)
		}
		caseID := tc["id"].(string)
		// The play in Traditional Chinese.
		if code, body, hdr := a.do("GET", "/v1/cases/"+caseID+"?lang=zh-TW", nil); code != 200 || hdr.Get("Content-Language") != "zh-TW" ||
			body["play"].(map[string]any)["name"] == play["name"] {
			t.Errorf("case in zh-TW: %d %v", code, body["play"])
		}

		// The queue holds the treated case only; the control group is
		// listed when asked for.
		code, body, _ := a.do("GET", "/v1/cases?status=open", nil)
		if code != 200 || len(body["items"].([]any)) != 1 || body["items"].([]any)[0].(map[string]any)["id"] != caseID {
			t.Fatalf("queue: %d %v", code, body)
		}
		if code, body, _ := a.do("GET", "/v1/cases?group=control", nil); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("control list: %d %v", code, body)
		}

		// The CRM hears of the treated customer, with the case and play,
		// and never of the control one.
		waitFor(t, "the at-risk webhook", 20*time.Second, func() bool { _, b := rcv.snapshot(); return len(b) > 0 })
		time.Sleep(200 * time.Millisecond)
		_, bodies := rcv.snapshot()
		for _, b := range bodies {
			var p app.AlertPayload
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			if p.Data.CustomerID == control {
				t.Errorf("the control customer was sent to the CRM: %s", b)
			}
			if p.Type == webhook.EventAtRisk && p.Data.CustomerID == treated && (p.Data.CaseID != caseID || p.Data.Play == nil || p.Data.Play.ID != play["id"]) {
				t.Errorf("at-risk payload without its case: %s", b)
			}
		}

		// Validation: every field named.
		for _, c := range []struct {
			body  string
			code  int
			field string
		}{
			{`{}`, 422, ""},
			{`{"status":"closed"}`, 422, "status"},
			{`{"note":"called"}`, 422, "author"},
			{`{"author":"ana"}`, 422, "author"},
			{`{"owner":"` + strings.Repeat("x", 129) + `"}`, 422, "owner"},
			{`{"note":"   ","author":"ana"}`, 422, "note"},
			{`{"outcome":"retained"}`, 422, "outcome"},
			{`{"status":3}`, 422, "status"},
			{`[1]`, 400, ""},
		} {
			code, body, _ := a.do("PATCH", "/v1/cases/"+caseID, c.body)
			if code != c.code || (c.field != "" && !strings.Contains(fmt.Sprint(body["errors"]), "field:"+c.field)) {
				t.Errorf("PATCH %s: %d %v, want %d naming %q", c.body, code, body, c.code, c.field)
			}
		}
		if code, _, _ := a.do("PATCH", "/v1/cases/case_nope", `{"owner":"ana"}`); code != 404 {
			t.Errorf("unknown case: %d", code)
		}
		for _, q := range []string{"status=closed", "sort=change", "limit=0", "group=holdout", "unassigned=maybe", "cursor=zzz"} {
			if code, body, _ := a.do("GET", "/v1/cases?"+q, nil); code != 422 {
				t.Errorf("GET /v1/cases?%s: %d %v", q, code, body)
			}
		}

		// An agent works the case.
		code, body, _ = a.do("PATCH", "/v1/cases/"+caseID, map[string]any{"owner": "ana@example.com", "status": "contacted",
			"note": "Called: they stay if the export works.", "author": "ana@example.com"})
		notes, _ := body["notes"].([]any)
		if code != 200 || body["owner"] != "ana@example.com" || body["status"] != "contacted" || len(notes) != 1 ||
			notes[0].(map[string]any)["author"] != "ana@example.com" {
			t.Fatalf("patch: %d %v", code, body)
		}
		if code, body, _ := a.do("GET", "/v1/cases?owner=ana@example.com", nil); code != 200 || len(body["items"].([]any)) != 1 {
			t.Errorf("ana's cases: %d %v", code, body)
		}
		if code, body, _ := a.do("GET", "/v1/cases?unassigned=true", nil); code != 200 || len(body["items"].([]any)) != 0 {
			t.Errorf("unassigned cases: %d %v", code, body)
		}

		// Outcomes: the control customer churns within the horizon, the
		// treated one outlives it.
		opened, _ := time.Parse(time.RFC3339Nano, tc["opened_at"].(string))
		ends, _ := time.Parse(time.RFC3339Nano, tc["horizon_ends"].(string))
		churned := opened.Add(ends.Sub(opened) / 2)
		if code, body, _ := a.do("PUT", "/v1/customers/"+control, map[string]any{"plan": "growth", "mrr": 200, "signup_at": signup, "churned_at": churned}); code != 200 {
			t.Fatalf("churn: %d %v", code, body)
		}
		clk.Set(ends.Add(time.Hour))
		waitFor(t, "both outcomes", 20*time.Second, func() bool {
			return caseOf(treated)["outcome"] == "retained" && caseOf(control)["outcome"] == "churned"
		})
		code, body, _ = a.do("GET", "/v1/retention/impact", nil)
		rep, _ := body["report"].(map[string]any)
		groups, _ := rep["groups"].(map[string]any)
		if code != 200 || fmt.Sprint(groups["treatment"]) != "map[cases:1 churn_rate:0 churned:0]" ||
			fmt.Sprint(groups["control"]) != "map[cases:1 churn_rate:1 churned:1]" || rep["needed"] == nil || rep["pending"] != 0.0 {
			t.Errorf("impact: %d %v", code, body)
		}
		if code, _, _ := a.do("GET", "/v1/retention/impact?from=2026-13", nil); code != 422 {
			t.Errorf("impact from=2026-13: %d", code)
		}
		if code, _, _ := a.do("GET", "/v1/retention/impact?from=2026-08&to=2026-07", nil); code != 422 {
			t.Errorf("impact to before from: %d", code)
		}
	})
}

// TestCasesOutage: with Redis stopped, every case route answers 503 with
// Retry-After.
func TestCasesOutage(t *testing.T) {
	srv := redistest.Start(t)
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	st, err := store.NewRedis(t.Context(), store.RedisOptions{URL: srv.URL(), Prefix: "cases-outage:", Now: clk.Now, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := alertsAPI(t, st, nil)
	if code, body, _ := a.do("GET", "/v1/cases", nil); code != 200 {
		t.Fatalf("before: %d %v", code, body)
	}
	srv.Stop()
	for _, r := range [][2]string{{"GET", "/v1/cases"}, {"GET", "/v1/cases/case_x"}, {"PATCH", "/v1/cases/case_x"},
		{"GET", "/v1/customers/x/cases"}, {"GET", "/v1/retention/impact"}} {
		var body any
		if r[0] == "PATCH" {
			body = map[string]any{"owner": "ana"}
		}
		code, b, hdr := a.do(r[0], r[1], body)
		if code != 503 || hdr.Get("Retry-After") == "" {
			t.Errorf("%s %s with Redis stopped: %d %v (Retry-After %q)", r[0], r[1], code, b, hdr.Get("Retry-After"))
		}
	}
}
