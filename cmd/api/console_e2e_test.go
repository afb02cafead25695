package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/report"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
)

const (
	consoleReadKey  = "console-read-key-0123456789"
	consoleAdminKey = "console-admin-key-0123456789"
)

// demoSetup generates demo data ending today, trains a model on it and
// returns the data and models directories, as `make demo` does.
func demoSetup(t *testing.T) (dataDir, modelsDir string) {
	t.Helper()
	dir := t.TempDir()
	dataDir, modelsDir = filepath.Join(dir, "data"), filepath.Join(dir, "models")
	end := time.Now().UTC().Truncate(24 * time.Hour)
	if _, err := synth.Generate(dataDir, synth.Config{Customers: 2000, Days: 240, End: end, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(dataDir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := training.Fit(ds, training.Config{Seed: 1}, end)
	if err != nil {
		t.Fatal(err)
	}
	vdir, err := model.Save(modelsDir, res.Artifact, true)
	if err != nil {
		t.Fatal(err)
	}
	res.Report.Version = res.Artifact.Version
	if err := report.Write(vdir, res.Report); err != nil {
		t.Fatal(err)
	}
	return dataDir, modelsDir
}

// chromiumPath finds Debian's Chromium; without it the test skips, or fails
// under CI (.ci/run installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium needed under CI: apt-get install -y chromium")
	}
	t.Skip("no Chromium: apt-get install -y chromium")
	return ""
}

// screenshotDir is where the page screenshots go: CHURN_TEST_OUTPUT or
// test-output/console at the repository root.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CHURN_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output")
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser drives one headless Chromium tab and collects the page's script
// errors, console errors, security (CSP) violations and failed HTTP answers.
type browser struct {
	t    *testing.T
	ctx  context.Context
	shot string

	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, shot: screenshotDir(t)}
	if err := chromedp.Listen(ctx, b.collect); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// collect records what a page should never produce.
func (b *browser) collect(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			msg = "console.error"
			for _, a := range e.Args {
				msg += " " + string(a.Value) + a.Description
			}
		}
	case *network.EventResponseReceived:
		// Every API answer the pages get must be a success, except the 401
		// of the wrong key the test types on purpose.
		r := e.Response
		if r.Status >= 400 && !(r.Status == 401 && strings.HasSuffix(r.URL, "/v1/whoami")) {
			msg = fmt.Sprintf("HTTP %d for %s", r.Status, r.URL)
		}
	case *cdplog.EventEntryAdded:
		// Network errors are the API answers the test provokes (a wrong key).
		if e.Entry.Level == cdplog.EntryLevelError && e.Entry.Source != cdplog.EntrySourceNetwork {
			msg = fmt.Sprintf("%s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errors = append(b.errors, msg)
		b.mu.Unlock()
	}
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (page errors: %v)", what, err, b.pageErrors())
	}
}

func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// eval runs a JavaScript expression and decodes its value.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitJS waits until a JavaScript condition holds.
func (b *browser) waitJS(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s (%s): %v (page errors: %v)", what, cond, err, b.pageErrors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPage waits until the console shows page with its data loaded.
func (b *browser) waitPage(page string) {
	b.t.Helper()
	b.do("wait for page "+page, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`body[data-page=%q] main#app[data-state="ready"]`, page))))
}

// goTo runs steps that move the console to page (a click, a key, a new
// address) and waits until that page has rendered anew: the content shown
// before the steps is marked, so a page that was already "ready" does not
// count until the console has replaced it.
func (b *browser) goTo(what, page string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	eval[bool](b, `(() => { for (const el of document.querySelector("main#app").children) el.dataset.stale = "1"; return true; })()`)
	b.do(what, steps...)
	b.waitJS(what, fmt.Sprintf(`document.body.dataset.page === %q && document.querySelector("main#app").dataset.state === "ready" && !document.querySelector("main#app [data-stale]")`, page))
}

// checkContrast fails the test for visible text whose colour has a
// contrast ratio below 4.5:1 against the background it is drawn on (WCAG AA
// for normal text), walking up to the first opaque background.
func (b *browser) checkContrast() {
	b.t.Helper()
	low := eval[[]string](b, `(() => {
		const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
		const lum = ([r, g, b]) => {
			const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		const background = (el) => {
			for (; el; el = el.parentElement) {
				const c = rgb(getComputedStyle(el).backgroundColor);
				if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
			}
			return [255, 255, 255];
		};
		const out = [];
		for (const el of document.querySelectorAll("body *")) {
			if (el.closest("svg") || !el.offsetParent) continue;
			const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
			if (!own) continue;
			const fg = rgb(getComputedStyle(el).color).slice(0, 3);
			const [l1, l2] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
			const ratio = (l1 + 0.05) / (l2 + 0.05);
			if (ratio < 4.5) out.push(el.tagName + "." + el.className + " " + JSON.stringify(el.textContent.trim().slice(0, 30)) + " " + ratio.toFixed(2));
		}
		return out;
	})()`)
	if len(low) > 0 {
		page := eval[string](b, `document.body.dataset.page`)
		b.t.Errorf("page %s: text below 4.5:1 contrast:\n%s", page, strings.Join(low, "\n"))
	}
}

// screenshot writes the whole page as name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shot, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s (%d bytes)", path, len(png))
}

// getJSON calls the API as a client would.
func getJSON(t *testing.T, url, key string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestConsoleEndToEnd starts the real api process with demo data, a trained
// model and API keys, and drives the console in headless Chromium: a wrong
// key is refused, a read key signs in, the at-risk list shows the API's
// ranking, a customer page shows every driver and the usage chart (with the
// drop marked for a customer whose usage fell), the churn figures and the
// model pages render their charts and tables, and only an admin key sees the
// webhooks page. Each page is saved as a screenshot under test-output/console.
func TestConsoleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the api and a browser")
	}
	dataDir, models := demoSetup(t)
	// The CRM: a local receiver of the webhook alerts.
	var received atomic.Int64
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("webhook-id") != "" {
			received.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer crm.Close()
	p := startAPI(t, map[string]string{
		"CHURN_MODELS_DIR":            models,
		"CHURN_API_KEYS":              "read:" + consoleReadKey + ",admin:" + consoleAdminKey,
		"CHURN_WEBHOOK_ALLOW_PRIVATE": "true",
	}, "--load", dataDir)
	console := p.base + "/console/"

	// What the API says, to compare the pages against.
	var atRisk struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
			TopDriver  string `json:"top_driver"`
		} `json:"items"`
	}
	getJSON(t, p.base+"/v1/at-risk?limit=25", consoleReadKey, &atRisk)
	if len(atRisk.Items) < 5 {
		t.Fatalf("the demo data flags %d customers; the test needs a list", len(atRisk.Items))
	}

	// The CRM subscribes; scoring the riskiest customer alerts it, and the
	// alert is delivered before the pages are opened.
	first := atRisk.Items[0].CustomerID
	sub, _ := json.Marshal(map[string]any{"url": crm.URL + "/hooks/churn", "events": []string{"customer.at_risk"}})
	req, _ := http.NewRequest("POST", p.base+"/v1/webhooks", bytes.NewReader(sub))
	req.Header.Set("Authorization", "Bearer "+consoleAdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("subscribe: %v %v", resp, err)
	}
	resp.Body.Close()
	var risk struct {
		BaseScore float64 `json:"base_score"`
		Drivers   []struct {
			Reason string  `json:"reason"`
			Impact float64 `json:"impact"`
		} `json:"drivers"`
	}
	getJSON(t, p.base+"/v1/customers/"+first+"/risk", consoleReadKey, &risk)
	deadline := time.Now().Add(90 * time.Second)
	for {
		var alerts struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		getJSON(t, p.base+"/v1/customers/"+first+"/alerts", consoleReadKey, &alerts)
		if len(alerts.Items) > 0 && alerts.Items[0].Status == "delivered" && received.Load() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the alert for %s was not delivered (received %d, alerts %+v)", first, received.Load(), alerts.Items)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A wrong key is refused; the read key signs in. The browser starts
	// after the slow setup: its time limit is for the pages.
	b := newBrowser(t)
	b.do("open the console", chromedp.Navigate(console), chromedp.WaitVisible(chromedp.ID("api-key")))
	b.waitPage("login")
	b.screenshot("login")
	b.do("wrong key", chromedp.SendKeys(chromedp.ID("api-key"), "not-a-valid-key-0123456789"), chromedp.Click(chromedp.ID("sign-in")))
	b.waitJS("the wrong key's error", `document.getElementById("login-error").textContent.trim() !== "" && !document.getElementById("api-key").disabled`)
	if got := eval[string](b, `document.body.dataset.page`); got != "login" {
		t.Errorf("a wrong key led to page %q", got)
	}
	b.do("read key", chromedp.Focus(chromedp.ID("api-key")))
	eval[bool](b, `(document.getElementById("api-key").value = "", true)`)
	b.goTo("read key", "at-risk", chromedp.SendKeys(chromedp.ID("api-key"), consoleReadKey), chromedp.Click(chromedp.ID("sign-in")))
	if got := eval[string](b, `sessionStorage.getItem("churn.apiKey")`); got != consoleReadKey {
		t.Errorf("key in sessionStorage %q", got)
	}
	if got := eval[string](b, `localStorage.length + document.cookie`); got != "0" {
		t.Errorf("the key leaked out of sessionStorage: localStorage/cookies %q", got)
	}

	// The at-risk list is the API's ranking.
	ids := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody a.customer-link")].map(a => a.textContent.trim())`)
	if len(ids) != len(atRisk.Items) {
		t.Fatalf("at-risk table shows %d customers, the API %d", len(ids), len(atRisk.Items))
	}
	for i, it := range atRisk.Items {
		if ids[i] != it.CustomerID {
			t.Fatalf("row %d shows %s, the API ranks %s there", i, ids[i], it.CustomerID)
		}
	}
	if text := eval[string](b, `document.querySelector("#at-risk-table tbody tr").textContent`); !strings.Contains(text, atRisk.Items[0].TopDriver) {
		t.Errorf("first row %q lacks its top driver %q", text, atRisk.Items[0].TopDriver)
	}
	if eval[bool](b, `!!document.getElementById("nav-webhooks") && document.getElementById("nav-webhooks").offsetParent !== null`) {
		t.Error("a read key sees the webhooks page link")
	}
	unlabelled := eval[[]string](b, `[...document.querySelectorAll("input, select, textarea")].filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.id || e.name)`)
	if len(unlabelled) > 0 {
		t.Errorf("inputs without a label: %v", unlabelled)
	}
	b.screenshot("at-risk")

	b.checkContrast()

	// The next page is the API's second page.
	var first25 struct {
		Next string `json:"next_cursor"`
	}
	getJSON(t, p.base+"/v1/at-risk?limit=25", consoleReadKey, &first25)
	if first25.Next == "" {
		t.Fatal("the demo's at-risk list fits one page; the test needs two")
	}
	var page2 struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
		} `json:"items"`
	}
	getJSON(t, p.base+"/v1/at-risk?limit=25&cursor="+first25.Next, consoleReadKey, &page2)
	b.goTo("next page", "at-risk", chromedp.Click(chromedp.ID("next-page")))
	ids = eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody a.customer-link")].map(a => a.textContent.trim())`)
	if len(ids) != len(page2.Items) || len(ids) == 0 || ids[0] != page2.Items[0].CustomerID {
		t.Errorf("page 2 shows %v, the API's page 2 starts %v", ids, page2.Items)
	}

	// Filters: a plan and a minimum score give the API's filtered list.
	b.goTo("first page", "at-risk", chromedp.Click(chromedp.ID("first-page")))
	plan := eval[string](b, `document.querySelector("#at-risk-table tbody tr td.col-plan").textContent.trim()`)
	if got := eval[[]string](b, `[...document.querySelectorAll("#plan option")].map(o => o.value)`); !slices.Contains(got, plan) {
		t.Fatalf("plan choices %v lack %q", got, plan)
	}
	eval[bool](b, fmt.Sprintf(`(document.getElementById("plan").value = %q, true)`, plan))
	b.goTo("filter", "at-risk", chromedp.SendKeys(chromedp.ID("min-score"), "0.3"), chromedp.Click(chromedp.ID("apply-filters")))
	b.waitJS("the filtered list", fmt.Sprintf(`(() => {
		const plans = [...document.querySelectorAll("#at-risk-table tbody tr td.col-plan")].map(td => td.textContent.trim());
		return location.hash.includes("plan=") && document.querySelector("main#app").dataset.state === "ready" &&
			plans.length > 0 && plans.every(p => p === %q);
	})()`, plan))
	var filtered struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
		} `json:"items"`
	}
	getJSON(t, p.base+"/v1/at-risk?limit=25&min_score=0.3&plan="+plan, consoleReadKey, &filtered)
	ids = eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody a.customer-link")].map(a => a.textContent.trim())`)
	plans := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody tr td.col-plan")].map(td => td.textContent.trim())`)
	if len(ids) == 0 || len(ids) != len(filtered.Items) {
		t.Errorf("filtered list (plan %s, score >= 0.3) shows %d customers, the API %d", plan, len(ids), len(filtered.Items))
	}
	for i, pl := range plans {
		if pl != plan || (i < len(filtered.Items) && ids[i] != filtered.Items[i].CustomerID) {
			t.Errorf("filtered row %d: %s on plan %s", i, ids[i], pl)
		}
	}
	b.screenshot("at-risk-filtered")
	b.goTo("back to the whole list", "at-risk", chromedp.Navigate(console+"#/at-risk"))

	// Open the first customer from the keyboard: Tab reaches its link, Enter follows it.
	for range 40 {
		if eval[bool](b, `document.activeElement.matches("#at-risk-table a.customer-link")`) {
			break
		}
		b.do("tab", chromedp.KeyEvent(kb.Tab))
	}
	if got := eval[string](b, `document.activeElement.textContent.trim()`); got != first {
		t.Fatalf("Tab reached %q before the first customer link", got)
	}
	b.goTo("open customer", "customer", chromedp.KeyEvent(kb.Enter))
	b.checkContrast()
	reasons := eval[[]string](b, `[...document.querySelectorAll("#drivers-table tbody tr")].map(r => r.textContent)`)
	if len(reasons) != len(risk.Drivers) || len(reasons) == 0 {
		t.Fatalf("drivers table has %d rows, the API %d drivers", len(reasons), len(risk.Drivers))
	}
	// Each row shows the API's impact in points ("+12 pts"), after the
	// base score ("Average customer: 4.0%").
	pts := eval[[]string](b, `[...document.querySelectorAll("#drivers-table tbody tr .impact-pts")].map(e => e.textContent)`)
	if len(pts) != len(risk.Drivers) {
		t.Fatalf("drivers table shows %d impacts, the API has %d drivers", len(pts), len(risk.Drivers))
	}
	for i, d := range risk.Drivers {
		if !strings.Contains(reasons[i], d.Reason) {
			t.Errorf("driver row %d %q lacks %q", i, reasons[i], d.Reason)
		}
		if !pointsShow(pts[i], d.Impact) {
			t.Errorf("driver row %d shows %q for an impact of %v", i, pts[i], d.Impact)
		}
	}
	var shownBase float64
	baseText := eval[string](b, `document.querySelector("#base-score").textContent`)
	if _, err := fmt.Sscanf(baseText, "Average customer: %f%%", &shownBase); err != nil || math.Abs(shownBase-risk.BaseScore*100) > 0.051 {
		t.Errorf("base score shown as %q, the API's is %v (%v)", baseText, risk.BaseScore, err)
	}
	if n := eval[int](b, `document.querySelectorAll("svg#usage-chart rect, svg#usage-chart path, svg#usage-chart polyline").length`); n == 0 {
		t.Error("no usage chart drawn")
	}
	if n := eval[int](b, `document.querySelectorAll("svg#score-chart path, svg#score-chart polyline").length`); n == 0 {
		t.Error("no score history drawn")
	}
	if text := eval[string](b, `[...document.querySelectorAll("#alerts-table tbody tr")].map(r => r.textContent).join("\n")`); !strings.Contains(text, "customer.at_risk") || !strings.Contains(text, "delivered") {
		t.Errorf("the customer's alerts table does not show the delivered alert: %q", text)
	}
	b.screenshot("customer")

	// The drop is marked exactly for the customers whose usage dropped
	// (the API's usage_drop): the first customer, then one whose state
	// differs from the first's.
	drops := map[string]bool{}
	for _, it := range atRisk.Items {
		var h struct {
			UsageDrop *struct {
				Date string `json:"date"`
			} `json:"usage_drop"`
		}
		getJSON(t, p.base+"/v1/customers/"+it.CustomerID+"/history?days=90", consoleReadKey, &h)
		drops[it.CustomerID] = h.UsageDrop != nil
	}
	checkDrop := func(id string) {
		t.Helper()
		if marked := eval[int](b, `document.querySelectorAll("svg#usage-chart line.usage-drop").length`) > 0; marked != drops[id] {
			t.Errorf("customer %s: drop marked %v, the API's usage_drop %v", id, marked, drops[id])
		}
	}
	checkDrop(first)
	other := atRisk.Items[1].CustomerID
	for _, it := range atRisk.Items[1:] {
		if drops[it.CustomerID] != drops[first] {
			other = it.CustomerID
			break
		}
	}
	if !drops[first] && !drops[other] {
		t.Error("no flagged demo customer has a usage drop to show")
	}
	b.goTo("open another customer", "customer", chromedp.Navigate(console+"#/customers/"+other))
	if got := eval[string](b, `document.querySelector("main#app h1").textContent`); !strings.Contains(got, other) {
		t.Errorf("the page shows %q, want customer %s", got, other)
	}
	checkDrop(other)
	b.screenshot("customer-2")

	// Evidence: a ticket asking to cancel and a cancel-page visit show on
	// the customer's page as signals, above the drivers.
	calm := atRisk.Items[len(atRisk.Items)-1].CustomerID
	for _, it := range atRisk.Items[2:] {
		if it.CustomerID != first && it.CustomerID != other {
			calm = it.CustomerID
			break
		}
	}
	const ticket = "We are unhappy and want to cancel our subscription, please refund the last invoice."
	at := time.Now().UTC().Add(-2 * time.Minute).Format(time.RFC3339)
	evs, _ := json.Marshal(map[string]any{"events": []map[string]any{
		{"type": "ticket", "customer_id": calm, "timestamp": at, "event_id": "console-e2e-ticket", "text": ticket},
		{"type": "page_view", "customer_id": calm, "timestamp": at, "event_id": "console-e2e-visit", "path": "/account/cancel"},
	}})
	req, _ = http.NewRequest("POST", p.base+"/v1/events", bytes.NewReader(evs))
	req.Header.Set("Authorization", "Bearer "+consoleAdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("post events: %v %v", resp, err)
	}
	resp.Body.Close()
	b.goTo("open the customer who asked to cancel", "customer", chromedp.Navigate(console+"#/customers/"+calm))
	signalTexts := eval[[]string](b, `[...document.querySelectorAll("#signals-list li")].map(li => li.textContent)`)
	var intent, visit bool
	for _, line := range signalTexts {
		intent = intent || strings.Contains(line, "Churn-intent ticket") && strings.Contains(line, `"`+ticket+`"`)
		visit = visit || strings.Contains(line, "visited the cancel page")
	}
	if !intent || !visit {
		t.Errorf("customer %s: signals %q lack the ticket excerpt or the cancel-page visit", calm, signalTexts)
	}
	if !eval[bool](b, `!!(document.querySelector("#signals").compareDocumentPosition(document.querySelector("#drivers")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Error("the signals are not shown above the drivers")
	}
	b.screenshot("customer-signals")

	// Churn figures.
	b.goTo("churn figures", "metrics", chromedp.Click(chromedp.ID("nav-metrics")))
	var figures struct {
		Months []json.RawMessage `json:"months"`
	}
	getJSON(t, p.base+"/v1/metrics/churn", consoleReadKey, &figures)
	// One column per month, plus the figure names and the overall column.
	if n := eval[int](b, `document.querySelectorAll("#metrics-table thead th").length`); n != len(figures.Months)+2 {
		t.Errorf("metrics table has %d columns, the API %d months", n, len(figures.Months))
	}
	for _, chart := range []string{"churn-rate-chart", "mrr-churn-chart", "predicted-chart"} {
		if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll("svg#%s path, svg#%s rect").length`, chart, chart)); n == 0 {
			t.Errorf("#%s has no chart", chart)
		}
	}
	if n := eval[int](b, `document.querySelectorAll("#cohort-heatmap td").length`); n == 0 {
		t.Error("cohort heat map is empty")
	}
	b.checkContrast()
	b.screenshot("metrics")

	// Model page.
	b.goTo("model", "model", chromedp.Click(chromedp.ID("nav-model")))
	var versions struct {
		Active string `json:"active"`
	}
	getJSON(t, p.base+"/v1/models", consoleReadKey, &versions)
	if text := eval[string](b, `document.getElementById("versions-table").textContent`); !strings.Contains(text, versions.Active) {
		t.Errorf("versions table lacks the active version %s", versions.Active)
	}
	b.screenshot("model")

	// The report downloads as a file, fetched with the key.
	downloads := t.TempDir()
	b.do("allow downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	}))
	b.do("download the report", chromedp.Click(chromedp.ID("download-report")))
	want := filepath.Join(downloads, "report-"+versions.Active+".html")
	deadline = time.Now().Add(15 * time.Second)
	for {
		got, err := os.ReadFile(want)
		if err == nil && strings.Contains(string(got), "</html>") {
			if !strings.Contains(string(got), versions.Active) {
				t.Errorf("the downloaded report does not name version %s", versions.Active)
			}
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("report not downloaded to %s (%v; the folder holds %v; status %q)", want, err, entries,
				eval[string](b, `document.getElementById("download-status").textContent`))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Sign out forgets the key; an admin key sees the webhooks page.
	b.goTo("sign out", "login", chromedp.Click(chromedp.ID("sign-out")))
	if got := eval[bool](b, `sessionStorage.getItem("churn.apiKey") === null`); !got {
		t.Error("sign out kept the key")
	}
	b.goTo("admin key", "at-risk", chromedp.SendKeys(chromedp.ID("api-key"), consoleAdminKey), chromedp.Click(chromedp.ID("sign-in")))
	b.goTo("webhooks", "webhooks", chromedp.Click(chromedp.ID("nav-webhooks")))
	if text := eval[string](b, `document.getElementById("webhooks-table").textContent`); !strings.Contains(text, "/hooks/churn") {
		t.Errorf("the webhooks page does not list the subscription: %q", text)
	}
	// The deliveries shown are the API's latest 20 (scoring after the
	// subscription, e.g. the start-up rescoring, may have alerted others
	// besides the first customer).
	var hooks struct {
		Webhooks []struct {
			ID string `json:"id"`
		} `json:"webhooks"`
	}
	getJSON(t, p.base+"/v1/webhooks", consoleAdminKey, &hooks)
	if len(hooks.Webhooks) != 1 {
		t.Fatalf("%d subscriptions, want 1", len(hooks.Webhooks))
	}
	var dels struct {
		Deliveries []struct {
			CustomerID string `json:"customer_id"`
		} `json:"deliveries"`
	}
	getJSON(t, p.base+"/v1/webhooks/"+hooks.Webhooks[0].ID+"/deliveries?limit=20", consoleAdminKey, &dels)
	var apiIDs []string
	for _, d := range dels.Deliveries {
		apiIDs = append(apiIDs, d.CustomerID)
	}
	shown := eval[[]string](b, `[...document.querySelectorAll(".deliveries-table tbody tr a.customer-link")].map(a => a.textContent.trim())`)
	if len(apiIDs) == 0 || strings.Join(shown, ",") != strings.Join(apiIDs, ",") {
		t.Errorf("the webhooks page shows deliveries for %v, the API %v", shown, apiIDs)
	}
	b.screenshot("webhooks")

	if errs := b.pageErrors(); len(errs) > 0 {
		t.Errorf("the pages raised errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestConsoleWithoutKeys is `make demo`: no API keys, so the console opens
// on the at-risk list of the loaded data without asking for a key, says
// that authentication is off, and the server's root leads to it.
func TestConsoleWithoutKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the api and a browser")
	}
	b := newBrowser(t)
	dataDir, models := demoSetup(t)
	p := startAPI(t, map[string]string{"CHURN_MODELS_DIR": models}, "--load", dataDir)
	b.do("open the server root", chromedp.Navigate(p.base+"/"))
	b.waitPage("at-risk")
	if got := eval[string](b, `location.pathname`); got != "/console/" {
		t.Errorf("the root led to %s, want /console/", got)
	}
	if n := eval[int](b, `document.querySelectorAll("#at-risk-table tbody a.customer-link").length`); n == 0 {
		t.Error("the demo's at-risk list is empty")
	}
	if text := eval[string](b, `document.getElementById("auth-banner").textContent`); !strings.Contains(text, "Authentication is off") {
		t.Errorf("auth banner %q", text)
	}
	b.screenshot("demo-without-keys")
	if errs := b.pageErrors(); len(errs) > 0 {
		t.Errorf("the pages raised errors:\n%s", strings.Join(errs, "\n"))
	}
}

// pointsShow reports whether the console's text for an impact ("+12 pts",
// "−1 pt", "+0.4 pts", "under 0.1 pts") shows impact (a fraction) rounded,
// with its sign.
func pointsShow(text string, impact float64) bool {
	p := impact * 100
	if text == "under 0.1 pts" {
		return math.Abs(p) < 0.05
	}
	num, ok := strings.CutSuffix(text, " pts")
	if !ok {
		num, ok = strings.CutSuffix(text, " pt")
	}
	v, err := strconv.ParseFloat(strings.Replace(num, "−", "-", 1), 64)
	if !ok || err != nil || (p > 0) != strings.HasPrefix(num, "+") {
		return false
	}
	tol := 0.5
	if strings.Contains(num, ".") {
		tol = 0.05
	}
	return math.Abs(v-p) <= tol+1e-9
}
