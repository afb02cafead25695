package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/churnrisk/churn/internal/cases"
)

// caseView is a case of the API as the browser test compares it.
type caseView struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Group      string `json:"group"`
	Owner      string `json:"owner"`
	Status     string `json:"status"`
	Holdout    bool   `json:"holdout"`
	Notes      []struct {
		Author string `json:"author"`
		Text   string `json:"text"`
	} `json:"notes"`
	Play struct {
		Name string `json:"name"`
		Text string `json:"text"`
	} `json:"play"`
}

// callAPI sends a request with a JSON body (nil for none) and answers the
// status and the body.
func callAPI(t *testing.T, method, url, key string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// waitUntil polls ok until it holds, failing after a generous deadline.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// idIn answers the first id "<prefix><n>" that h puts in group g.
func idIn(h cases.Holdout, g cases.Group, prefix string) string {
	for i := 0; ; i++ {
		if id := fmt.Sprintf("%s%d", prefix, i); h.Group(id) == g {
			return id
		}
	}
}

// TestConsoleCases drives the support team's queue with the real api and a
// real Chromium: two customers cross into risk through their events, one
// in the treated group and one held out (the hold-out share and salt are
// chosen, and the ids found with cases.Holdout, so that there is one of
// each). The control customer never shows in "All open cases" nor in "My
// cases" (even once assigned to the agent through the API); the agent
// gives a name, assigns the treated case to itself (by keyboard), is told
// the field of a refused note, adds a note and closes the case as saved,
// each seen in the page and through the API; the control customer's page
// shows the hold-out mark and no action; the Impact page and the model
// page's "How the scores turned out" render without error.
func TestConsoleCases(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the api and a browser")
	}
	models := smallModel(t)
	h := cases.Holdout{Share: 0.4, Salt: "console-cases-e2e"}
	treated, control := idIn(h, cases.GroupTreatment, "acct-"), idIn(h, cases.GroupControl, "acct-")
	p := startAPI(t, map[string]string{
		"CHURN_MODELS_DIR":    models,
		"CHURN_API_KEYS":      "read:" + consoleReadKey + ",admin:" + consoleAdminKey,
		"CHURN_HOLDOUT_SHARE": fmt.Sprint(h.Share),
		"CHURN_HOLDOUT_SALT":  h.Salt,
		// Outcomes recorded soon after a churn, for the impact page.
		"CHURN_CASE_SETTLE_EVERY": "200ms",
	})
	key := consoleAdminKey
	now := time.Now().UTC()

	// The profiles first, and their first scores: a score computed from
	// data read before the events arrive could otherwise stay cached.
	for _, id := range []string{treated, control} {
		if code, body := callAPI(t, "PUT", p.base+"/v1/customers/"+id, key,
			map[string]any{"plan": "growth", "mrr": 240, "signup_at": now.AddDate(-1, 0, 0).Format(time.RFC3339)}); code != 200 {
			t.Fatalf("put %s: %d %s", id, code, body)
		}
	}
	for _, id := range []string{treated, control} {
		waitUntil(t, "the first score of "+id, func() bool {
			code, _ := callAPI(t, "GET", p.base+"/v1/customers/"+id+"/risk", key, nil)
			return code == 200
		})
	}
	// Then the events that push both into risk: cancel and refund pages,
	// angry tickets naming a competitor.
	var events []map[string]any
	for _, id := range []string{treated, control} {
		for k := 1; k <= 3; k++ {
			at := now.Add(-time.Duration(k) * time.Hour).Format(time.RFC3339)
			events = append(events,
				map[string]any{"type": "page_view", "customer_id": id, "timestamp": at, "path": "/account/cancel"},
				map[string]any{"type": "page_view", "customer_id": id, "timestamp": at, "path": "/legal/refund-policy"},
				map[string]any{"type": "ticket", "customer_id": id, "timestamp": at, "text": "Terrible. I want to cancel and get a refund, we are moving to a competitor."})
		}
	}
	if code, body := callAPI(t, "POST", p.base+"/v1/events", key, map[string]any{"events": events}); code != 202 {
		t.Fatalf("events: %d %s", code, body)
	}
	caseOf := func(id string) *caseView {
		t.Helper()
		code, body := callAPI(t, "GET", p.base+"/v1/customers/"+id+"/cases", key, nil)
		if code != 200 {
			t.Fatalf("cases of %s: %d %s", id, code, body)
		}
		var page struct{ Items []caseView }
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 0 {
			return nil
		}
		return &page.Items[0]
	}
	waitUntil(t, "a case for each customer", func() bool { return caseOf(treated) != nil && caseOf(control) != nil })
	tc, cc := caseOf(treated), caseOf(control)
	if tc.Group != "treatment" || tc.Holdout || cc.Group != "control" || !cc.Holdout {
		t.Fatalf("groups: treated %+v, control %+v", tc, cc)
	}

	b := newBrowser(t)
	console := p.base + "/console/"
	b.do("open the console", chromedp.Navigate(console), chromedp.WaitVisible(chromedp.ID("api-key")))
	b.waitPage("login")
	b.goTo("sign in", "at-risk", chromedp.SendKeys(chromedp.ID("api-key"), key), chromedp.Click(chromedp.ID("sign-in")))

	rowSel := func(id string) string { return fmt.Sprintf(`#cases-table tr[data-customer=%q]`, id) }
	listed := func() []string {
		return eval[[]string](b, `[...document.querySelectorAll("#cases-table tbody tr")].map(tr => tr.dataset.customer)`)
	}
	checkNoControl := func(view string) {
		t.Helper()
		rows := listed()
		for _, id := range rows {
			if id == control {
				t.Errorf("%s lists the control customer %s", view, control)
			}
		}
		if !strings.Contains(" "+strings.Join(rows, " ")+" ", " "+treated+" ") {
			t.Errorf("%s lists %v, not the treated customer %s", view, rows, treated)
		}
	}

	// All open cases (the view without a name): the treated case only.
	b.goTo("the cases", "cases", chromedp.Click(chromedp.ID("nav-cases")))
	if got := eval[string](b, `document.querySelector("#view-open").getAttribute("aria-current") || ""`); got != "page" {
		t.Errorf("without a name the view is not All open cases (aria-current %q)", got)
	}
	checkNoControl("All open cases")

	// The agent's name, asked once and kept in this browser.
	const agent = "Ana Agent"
	b.do("type a name", chromedp.SendKeys(chromedp.ID("agent-name"), agent))
	b.goTo("save the name", "cases", chromedp.Click(chromedp.ID("save-agent")))
	if got := eval[string](b, `localStorage.getItem("churn.agent")`); got != agent {
		t.Errorf("the name kept is %q", got)
	}
	if got := eval[string](b, `document.getElementById("agent-name").value`); got != agent {
		t.Errorf("the name field shows %q after saving", got)
	}

	// Assign to me, by keyboard: the row shows the owner, the focus stays
	// in the row, the live region says it, and the API has it.
	row := rowSel(treated)
	b.do("assign to me", chromedp.Focus(chromedp.CSS(row+" button.assign-me")), chromedp.KeyEvent(kb.Enter))
	b.waitJS("the owner in the row", fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent.trim() === %q`, row+" td.col-owner", agent))
	if got := eval[bool](b, fmt.Sprintf(`!!document.activeElement.closest(%q)`, row)); !got {
		t.Errorf("after assigning, the focus is on %s", eval[string](b, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	b.waitJS("the announcement", fmt.Sprintf(`document.getElementById("status").textContent.includes(%q)`, agent))
	if c := caseOf(treated); c.Owner != agent {
		t.Errorf("the API's owner is %q", c.Owner)
	}
	if disabled := eval[bool](b, fmt.Sprintf(`document.querySelector(%q).disabled`, row+" button.assign-me")); !disabled {
		t.Error("Assign to me is still offered on the agent's own case")
	}

	// A blank note is refused, its field named; then a note is added.
	b.do("a blank note", chromedp.Click(chromedp.CSS(row+" button.add-note")))
	b.waitJS("the refused note", fmt.Sprintf(`!!document.querySelector(%q)`, row+" .case-error .problem"))
	if text := eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent`, row+" .case-error")); !strings.Contains(text, "note") || !strings.Contains(text, "422") {
		t.Errorf("the refused note says %q", text)
	}
	const note = "Called; offered a plan review."
	b.do("type a note", chromedp.SendKeys(chromedp.CSS(row+" textarea.case-note"), note))
	b.do("add the note", chromedp.Click(chromedp.CSS(row+" button.add-note")))
	b.waitJS("the note added", fmt.Sprintf(`(() => { const r = document.querySelector(%q); return !!r && !r.querySelector(".case-error .problem") && r.querySelector("textarea.case-note").value === ""; })()`, row))
	if c := caseOf(treated); len(c.Notes) != 1 || c.Notes[0].Text != note || c.Notes[0].Author != agent {
		t.Errorf("the API's notes: %+v", c.Notes)
	}

	// Closed as saved.
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%q).value = "saved", true)`, row+" select.case-status"))
	b.do("set saved", chromedp.Click(chromedp.CSS(row+" button.set-status")))
	b.waitJS("the status in the row", fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent.trim() === "Saved"`, row+" td.col-status"))
	if c := caseOf(treated); c.Status != "saved" {
		t.Errorf("the API's status is %q", c.Status)
	}
	b.checkContrast()
	b.screenshot("cases-open")

	// My cases: the agent's case, and never the control one, even once
	// the control case is assigned to the agent.
	if code, body := callAPI(t, "PATCH", p.base+"/v1/cases/"+cc.ID, key, map[string]any{"owner": agent}); code != 200 {
		t.Fatalf("assign the control case: %d %s", code, body)
	}
	b.goTo("my cases", "cases", chromedp.Click(chromedp.ID("view-mine")))
	checkNoControl("My cases")
	if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).textContent.trim()`, row+" td.col-status")); got != "Saved" {
		t.Errorf("My cases shows the status %q", got)
	}
	b.screenshot("cases-mine")

	// The treated customer's page: the case with its play, note and status.
	b.goTo("the treated customer", "customer", chromedp.Click(chromedp.CSS(row+" a.customer-link")))
	if text := eval[string](b, `document.querySelector("#customer-cases").textContent`); !strings.Contains(text, note) || !strings.Contains(text, agent) ||
		!strings.Contains(text, tc.Play.Text) || !strings.Contains(text, "Saved") {
		t.Errorf("the treated customer's case shows %q", text)
	}
	if n := eval[int](b, `document.querySelectorAll("#customer-cases .case-actions button.assign-me").length`); n != 1 {
		t.Errorf("the treated case offers %d assign actions", n)
	}
	if eval[bool](b, `!!document.getElementById("holdout-mark")`) {
		t.Error("the treated customer is marked as held out")
	}
	b.screenshot("customer-case")

	// The control customer's page: the hold-out mark and no action.
	b.goTo("the control customer", "customer", chromedp.Navigate(console+"#/customers/"+control))
	if text := eval[string](b, `(document.getElementById("holdout-mark") || {textContent: ""}).textContent`); !strings.Contains(text, "do not contact") {
		t.Errorf("the control customer's mark says %q", text)
	}
	if n := eval[int](b, `document.querySelectorAll("#customer-cases .case-card").length`); n != 1 {
		t.Errorf("the control customer shows %d cases", n)
	}
	if n := eval[int](b, `document.querySelectorAll("#customer-cases button, #customer-cases select, #customer-cases textarea, #agent-form").length`); n != 0 {
		t.Errorf("the control customer's page offers %d controls on its case", n)
	}
	b.checkContrast()
	b.screenshot("customer-holdout")

	// Both customers churn: each group has a settled case, so the impact
	// page has a difference, its interval and two curves to draw.
	for _, id := range []string{treated, control} {
		if code, body := callAPI(t, "PUT", p.base+"/v1/customers/"+id, key, map[string]any{"plan": "growth", "mrr": 240,
			"signup_at": now.AddDate(-1, 0, 0).Format(time.RFC3339), "churned_at": time.Now().UTC().Format(time.RFC3339)}); code != 200 {
			t.Fatalf("churn %s: %d %s", id, code, body)
		}
	}
	waitUntil(t, "both outcomes recorded", func() bool {
		var r struct {
			Report struct {
				Groups map[string]struct{ Cases int } `json:"groups"`
			} `json:"report"`
		}
		getJSON(t, p.base+"/v1/retention/impact", key, &r)
		return r.Report.Groups["treatment"].Cases == 1 && r.Report.Groups["control"].Cases == 1
	})

	// The Impact page and the model's "How the scores turned out".
	b.goTo("the impact page", "impact", chromedp.Click(chromedp.ID("nav-impact")))
	for _, sel := range []string{"#impact-groups-table", "#impact-method", "#impact-plays"} {
		if !eval[bool](b, fmt.Sprintf(`!!document.querySelector(%q)`, sel)) {
			t.Errorf("the impact page lacks %s", sel)
		}
	}
	// Both churned: a difference of 0 with its interval, drawn and in words;
	// the sizes needed since the interval includes 0; both curves at 100%.
	if text := eval[string](b, `(document.getElementById("impact-difference-text") || {textContent: ""}).textContent`); !strings.Contains(text, "0 pts (95% interval −") ||
		!strings.Contains(text, "includes 0") {
		t.Errorf("the difference says %q", text)
	}
	if n := eval[int](b, `document.querySelectorAll("#impact-interval .interval-bar, #impact-interval .interval-point").length`); n != 2 {
		t.Errorf("the interval is drawn with %d marks", n)
	}
	if !eval[bool](b, `!!document.getElementById("impact-needed")`) {
		t.Error("no sizes needed while the interval includes 0")
	}
	if n := eval[int](b, `document.querySelectorAll("#churn-curves path.line").length`); n != 2 {
		t.Errorf("%d churn curves drawn", n)
	}
	if rows := eval[[]string](b, `[...document.querySelectorAll("#churn-curves-figure table tbody tr")].slice(0, 1).map(r => r.textContent)`); len(rows) != 1 || strings.Count(rows[0], "100.0%") != 2 {
		t.Errorf("the curves' first day: %v", rows)
	}
	if text := eval[string](b, `document.querySelector("main#app").textContent`); strings.Contains(text, "could not") || eval[bool](b, `!!document.querySelector("main#app .problem")`) {
		t.Errorf("the impact page shows an error: %q", text)
	}
	b.checkContrast()
	b.screenshot("impact")
	b.goTo("the model page", "model", chromedp.Click(chromedp.ID("nav-model")))
	b.waitJS("how the scores turned out", `!!document.querySelector("#model-performance") && !document.querySelector("#model-performance .problem")`)
	if got := eval[[]string](b, `[...document.querySelectorAll("#performance-table tbody tr")].map(r => r.textContent)`); len(got) == 0 || !strings.Contains(got[len(got)-1], "pending") {
		t.Errorf("this month's row (its horizon not passed) is %v", got)
	}
	b.screenshot("model-performance")
	// No month of this fresh service has passed its horizon: the section
	// as the page builds it for settled months, in the same browser.
	settled, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`import("./js/pages/model.js").then((m) => {
		const month = (mo, settled, auc) => ({ month: mo, settled, customers: 120, churned: settled ? 12 : 0, roc_auc: settled ? auc : null, flagged: settled ? 15 : 0,
			precision: settled ? 0.6 : null, recall: settled ? 0.75 : null, predicted: settled ? 10.4 : 0, actual: settled ? 12 : 0, deciles: [] });
		const section = m.performanceSection({ status: "fulfilled", value: { months: [month("2026-09", true, 0.812), month("2026-10", true, 0.79), month("2026-11", false)] } });
		document.getElementById("model-performance").replaceWith(section);
		return [...section.querySelectorAll("#performance-chart path.line, #predicted-actual-chart g.bars rect, #performance-table tbody tr")]
			.map((e) => e.tagName + " " + (e.tagName === "TR" ? e.textContent : ""));
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("settled months: %v", err)
	}
	if got := strings.Join(settled, "|"); strings.Count(got, "path ") != 3 || strings.Count(got, "rect ") != 4 ||
		!strings.Contains(got, "TR 2026-09120120.8121560.0%75.0%10.412") || !strings.Contains(got, "TR 2026-11120pendingpending") {
		t.Errorf("the settled months are drawn as %s", got)
	}
	b.screenshot("model-performance-settled")

	// A read key sees the queue without actions, and the impact page
	// without the curves (the control group is listed to admins only).
	b.goTo("sign out", "login", chromedp.Click(chromedp.ID("sign-out")))
	b.goTo("sign in to read", "at-risk", chromedp.SendKeys(chromedp.ID("api-key"), consoleReadKey), chromedp.Click(chromedp.ID("sign-in")))
	b.goTo("the cases to read", "cases", chromedp.Click(chromedp.ID("nav-cases")))
	if n := eval[int](b, `document.querySelectorAll("#cases-table tbody tr").length`); n != 1 {
		t.Errorf("a read key sees %d cases in My cases", n)
	}
	if eval[bool](b, `!!document.querySelector("#cases-table .case-actions") || !document.getElementById("cases-read-only")`) {
		t.Error("a read key is offered the case actions")
	}
	b.goTo("the impact page to read", "impact", chromedp.Click(chromedp.ID("nav-impact")))
	if !eval[bool](b, `!!document.getElementById("curves-need-admin") && !document.getElementById("churn-curves") && !!document.getElementById("impact-interval")`) {
		t.Error("a read key's impact page: the curves' note or the interval is missing")
	}

	var errs []string // the blank note's 422 is the one error wanted
	for _, e := range b.pageErrors() {
		if !strings.Contains(e, "HTTP 422 for "+p.base+"/v1/cases/"+tc.ID) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("the pages raised errors:\n%s", strings.Join(errs, "\n"))
	}
}
