package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// englishSentence is three or more Latin words in a row on one line: an
// English sentence left in a page shown in Chinese (pageTextJS puts each
// text on its own line).
var englishSentence = regexp.MustCompile(`[A-Za-z]+(?:[,;:'’]?[ \t]+[A-Za-z]+){2,}`)

// han is a Chinese character.
var han = regexp.MustCompile(`\p{Han}`)

// pageTextJS answers the text a reader meets on the page, in the header and
// the main part: visible text, the visually hidden words and chart titles a
// screen reader reads, labels, tooltips and placeholders. Left out are the
// data that stay as they are in any language: customer ids, feature names
// (code), and a customer's own words quoted in 「」.
const pageTextJS = `(() => {
	const skip = (el) => el.closest("code, .customer-link, .customer-id, #lang-select");
	const parts = [];
	for (const root of [document.querySelector("header"), document.querySelector("main#app")]) {
		const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			if (!skip(n.parentElement)) parts.push(n.textContent);
		}
		for (const el of root.querySelectorAll("[aria-label], [title], [placeholder]")) {
			if (skip(el)) continue;
			for (const a of ["aria-label", "title", "placeholder"]) if (el.hasAttribute(a)) parts.push(el.getAttribute(a));
		}
	}
	return parts.join("\n").replace(/「[^」]*」/g, "「」");
})()`

// checkNoEnglish fails the test for each English sentence left on the page.
func (b *browser) checkNoEnglish(page string) {
	b.t.Helper()
	text := eval[string](b, pageTextJS)
	if n := len(han.FindAllString(text, -1)); n < 50 {
		b.t.Errorf("page %s has %d Chinese characters:\n%s", page, n, text)
	}
	for _, m := range englishSentence.FindAllString(text, -1) {
		b.t.Errorf("page %s: English left: %q", page, m)
	}
}

// chooseLanguage picks a language in the header's choice and waits until
// the page has rendered again in it.
func (b *browser) chooseLanguage(code, page string) {
	b.t.Helper()
	eval[bool](b, `(() => { for (const el of document.querySelector("main#app").children) el.dataset.stale = "1"; return true; })()`)
	eval[bool](b, fmt.Sprintf(`(() => { const s = document.getElementById("lang-select"); s.value = %q; s.dispatchEvent(new Event("change")); return true; })()`, code))
	b.waitJS("the page in "+code, fmt.Sprintf(`document.documentElement.lang === %q && document.body.dataset.page === %q && document.querySelector("main#app").dataset.state === "ready" && !document.querySelector("main#app [data-stale]")`, code, page))
}

// reload reloads the page and waits until page has rendered again.
func (b *browser) reload(page string) {
	b.t.Helper()
	eval[bool](b, `(window.beforeReload = true)`)
	b.do("reload", chromedp.Reload())
	b.waitJS("the page after the reload", fmt.Sprintf(`!window.beforeReload && document.body.dataset.page === %q && document.querySelector("main#app").dataset.state === "ready"`, page))
}

// TestConsoleInTraditionalChinese drives the console of `make demo` in a
// browser whose language is Traditional Chinese: it opens in zh-TW without
// being asked, a choice of English in the header is remembered across a
// reload and beats the browser's language, and back in zh-TW the at-risk
// list and a customer page hold no English sentence, their top drivers,
// reasons and signals being the API's answer for lang=zh-TW.
func TestConsoleInTraditionalChinese(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the api and a browser")
	}
	dataDir, models := demoSetup(t)
	p := startAPI(t, map[string]string{"CHURN_MODELS_DIR": models}, "--load", dataDir)
	console := p.base + "/console/"
	b := newBrowser(t) // after the slow setup: its time limit is for the pages

	// The browser's language is Traditional Chinese (Taiwan).
	ua := eval[string](b, `navigator.userAgent`)
	b.do("browser language zh-TW", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "zh-TW,zh;q=0.9,en;q=0.5"})
		return err
	}))
	b.do("open the console", chromedp.Navigate(console+"#/at-risk"))
	b.waitPage("at-risk")
	if got := eval[string](b, `document.documentElement.lang + " " + document.getElementById("lang-select").value + " " + (localStorage.getItem("churn.lang") || "none")`); got != "zh-TW zh-TW none" {
		t.Errorf("a zh-TW browser opens the console in %q (html lang, choice, stored), want zh-TW zh-TW none", got)
	}
	if got := eval[string](b, `document.getElementById("nav-at-risk").textContent`); got != "流失風險客戶" {
		t.Errorf("the at-risk link reads %q", got)
	}

	// English chosen in the header is remembered, over the browser's language.
	b.chooseLanguage("en", "at-risk")
	if got := eval[string](b, `document.querySelector("main#app h1").textContent + " / " + localStorage.getItem("churn.lang")`); got != "At-risk customers / en" {
		t.Errorf("after choosing English: %q", got)
	}
	b.reload("at-risk")
	if got := eval[string](b, `document.documentElement.lang + " " + document.querySelector("main#app h1").textContent`); got != "en At-risk customers" {
		t.Errorf("after a reload the console is in %q, want the English chosen", got)
	}
	b.chooseLanguage("zh-TW", "at-risk")
	b.reload("at-risk")
	if got := eval[string](b, `document.documentElement.lang + " " + localStorage.getItem("churn.lang")`); got != "zh-TW zh-TW" {
		t.Errorf("after choosing zh-TW and a reload: %q", got)
	}

	// The at-risk list: the API's customers and top drivers in zh-TW.
	var list struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
			TopDriver  string `json:"top_driver"`
		} `json:"items"`
	}
	getJSON(t, p.base+"/v1/at-risk?"+url.Values{"limit": {"25"}, "lang": {"zh-TW"}}.Encode(), "", &list)
	if len(list.Items) == 0 {
		t.Fatal("the demo's at-risk list is empty")
	}
	ids := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody a.customer-link")].map(a => a.textContent.trim())`)
	tops := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody tr")].map(tr => tr.lastElementChild.textContent.trim())`)
	if len(ids) != len(list.Items) || len(tops) != len(list.Items) {
		t.Fatalf("the list shows %d customers and %d top drivers, the API %d", len(ids), len(tops), len(list.Items))
	}
	for i, it := range list.Items {
		if ids[i] != it.CustomerID || tops[i] != it.TopDriver {
			t.Errorf("row %d: %s %q, the API's zh-TW %s %q", i, ids[i], tops[i], it.CustomerID, it.TopDriver)
		}
	}
	if got := eval[string](b, `document.querySelector("#at-risk-table tbody .badge").textContent`); got != "高" && got != "中" {
		t.Errorf("a risk level reads %q", got)
	}
	b.checkNoEnglish("at-risk")
	b.screenshot("at-risk-zh-TW")

	// A customer: the API's reasons and signals in zh-TW.
	first := list.Items[0].CustomerID
	b.goTo("open a customer", "customer", chromedp.Click(chromedp.CSS("#at-risk-table tbody a.customer-link")))
	var risk struct {
		Drivers []struct {
			Reason string `json:"reason"`
		} `json:"drivers"`
		Signals []struct {
			Text string `json:"text"`
		} `json:"signals"`
	}
	getJSON(t, p.base+"/v1/customers/"+url.PathEscape(first)+"/risk?lang=zh-TW", "", &risk)
	reasons := eval[[]string](b, `[...document.querySelectorAll("#drivers-table tbody tr")].map(tr => tr.firstElementChild.textContent.trim())`)
	if len(reasons) == 0 || len(reasons) != len(risk.Drivers) {
		t.Fatalf("the page shows %d reasons, the API %d", len(reasons), len(risk.Drivers))
	}
	for i, d := range risk.Drivers {
		if reasons[i] != d.Reason {
			t.Errorf("reason %d: %q, the API's zh-TW %q", i, reasons[i], d.Reason)
		}
	}
	signals := eval[[]string](b, `[...document.querySelectorAll("#signals-list .signal-text")].map(e => e.textContent)`)
	if len(signals) != len(risk.Signals) {
		t.Errorf("the page shows %d signals, the API %d", len(signals), len(risk.Signals))
	}
	for i := range min(len(signals), len(risk.Signals)) {
		if signals[i] != risk.Signals[i].Text {
			t.Errorf("signal %d: %q, the API's zh-TW %q", i, signals[i], risk.Signals[i].Text)
		}
	}
	if got := eval[string](b, `document.querySelector("main#app h1").textContent`); got != "客戶 "+first {
		t.Errorf("the customer page's title %q", got)
	}
	b.checkNoEnglish("customer")
	b.screenshot("customer-zh-TW")

	// The queue: the plays in zh-TW as the API gives them, the rest from
	// the console's tables.
	b.goTo("the cases", "cases", chromedp.Click(chromedp.ID("nav-cases")))
	b.checkNoEnglish("cases")
	b.screenshot("cases-zh-TW")
	// "More cases" adds the next page below and moves the focus to it; no
	// control case is ever listed.
	var controls struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
		} `json:"items"`
	}
	getJSON(t, p.base+"/v1/cases?group=control&limit=500", "", &controls)
	if eval[bool](b, `!document.getElementById("more-cases").hidden`) {
		b.do("more cases", chromedp.Click(chromedp.ID("more-cases")))
		b.waitJS("the next page of cases", `document.querySelectorAll("#cases-table tbody tr").length > 25 && document.activeElement.matches("#cases-table tbody tr:nth-child(26) a")`)
	}
	shownCases := eval[[]string](b, `[...document.querySelectorAll("#cases-table tbody tr")].map(tr => tr.dataset.customer)`)
	for _, c := range controls.Items {
		if slices.Contains(shownCases, c.CustomerID) {
			t.Errorf("the queue lists the control customer %s", c.CustomerID)
		}
	}
	if len(controls.Items) == 0 || len(shownCases) <= 25 {
		t.Errorf("the demo's queue: %d control cases, %d rows after More", len(controls.Items), len(shownCases))
	}

	if errs := b.pageErrors(); len(errs) > 0 {
		t.Errorf("the pages raised errors:\n%s", strings.Join(errs, "\n"))
	}
}
