package main

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
)

// atRiskRow is an item of GET /v1/at-risk as the browser test compares it.
type atRiskRow struct {
	CustomerID string   `json:"customer_id"`
	Name       string   `json:"name"`
	Owner      string   `json:"owner"`
	Score      float64  `json:"score"`
	Change     *float64 `json:"change"`
}

// TestConsoleAtRiskWorkList drives the at-risk list a support team works
// from: the demo data pushed to Redis as scored a week ago, then loaded and
// scored today by the real api (name and owner from the industry and region
// attributes). Each level, a search, each sort, the change arrows and a
// minimum score typed as "50" and as "50%" give the API's own lists.
func TestConsoleAtRiskWorkList(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the api and a browser")
	}
	dataDir, models := demoSetup(t)
	redisURL := redistest.URL(t)
	prefix := redistest.Prefix(t)
	redistest.Cleanup(t, redisURL, nil, prefix)
	ctx := context.Background()
	st, err := store.NewRedis(ctx, store.RedisOptions{URL: redisURL, Prefix: prefix, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := data.Load(dataDir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	art, err := model.Load(filepath.Join(models, model.Current(models)))
	if err != nil {
		t.Fatal(err)
	}
	weekAgo := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -7).Add(12 * time.Hour)
	if _, err := dataload.Load(ctx, st, ds, dataload.Options{Model: art, AsOf: weekAgo}); err != nil {
		t.Fatal(err)
	}
	p := startAPI(t, map[string]string{"CHURN_MODELS_DIR": models, "REDIS_URL": redisURL, "CHURN_REDIS_PREFIX": prefix,
		"CHURN_NAME_ATTRIBUTE": "industry", "CHURN_OWNER_ATTRIBUTE": "region"}, "--load", dataDir)
	console := p.base + "/console/"
	b := newBrowser(t) // after the slow setup: its time limit is for the pages
	api := func(q url.Values) []atRiskRow {
		t.Helper()
		q.Set("limit", "25")
		var page struct {
			Items []atRiskRow `json:"items"`
		}
		getJSON(t, p.base+"/v1/at-risk?"+q.Encode(), "", &page)
		return page.Items
	}
	ids := func(rows []atRiskRow) string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = r.CustomerID
		}
		return strings.Join(out, " ")
	}
	shown := func() string {
		return strings.Join(eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody a.customer-link")].map(a => a.textContent.trim())`), " ")
	}
	// setFilter sets a filter's control by script (select or text), then Apply.
	apply := func(what string, values map[string]string) {
		t.Helper()
		for id, v := range values {
			eval[bool](b, fmt.Sprintf(`(document.getElementById(%q).value = %q, true)`, id, v))
		}
		// goTo waits for the list rendered anew, not the one shown before
		// the click (which is "ready" until the hashchange renders).
		b.goTo(what, "at-risk", chromedp.Click(chromedp.ID("apply-filters")))
	}
	b.do("open the list", chromedp.Navigate(console+"#/at-risk"))
	b.waitPage("at-risk")

	// Levels: high and medium are the API's lists.
	high, medium := api(url.Values{"level": {"high"}}), api(url.Values{"level": {"medium"}})
	if len(high) == 0 || len(medium) == 0 {
		t.Fatalf("%d high and %d medium in the demo: the test needs both", len(high), len(medium))
	}
	apply("level high", map[string]string{"level": "high"})
	if got := shown(); got != ids(high) {
		t.Errorf("level high shows %s, the API %s", got, ids(high))
	}
	apply("level medium", map[string]string{"level": "medium"})
	if got := shown(); got != ids(medium) {
		t.Errorf("level medium shows %s, the API %s", got, ids(medium))
	}
	levels := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody .badge")].map(e => e.textContent.trim())`)
	for _, l := range levels {
		if l != "Medium" {
			t.Errorf("level medium shows a %q row", l)
		}
	}
	// Name and owner columns are the API's.
	names := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody td.col-name")].map(e => e.textContent.trim())`)
	owners := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody td.col-owner")].map(e => e.textContent.trim())`)
	if len(names) != len(medium) || len(owners) != len(medium) || medium[0].Name == "" {
		t.Fatalf("names %v owners %v for %d rows; API's first %+v", names, owners, len(medium), medium[0])
	}
	cell := func(v string) string { // a missing value shows as a dash read out as "not known"
		if v == "" {
			return "—not known"
		}
		return v
	}
	withOwner := 0
	for i, r := range medium {
		if r.Owner != "" {
			withOwner++
		}
		if names[i] != cell(r.Name) || owners[i] != cell(r.Owner) {
			t.Errorf("row %d: name %q owner %q, the API %q %q", i, names[i], owners[i], r.Name, r.Owner)
		}
	}
	if withOwner == 0 {
		t.Error("no listed customer has an owner")
	}
	b.screenshot("at-risk-medium")

	// Search: part of a name, in capitals.
	term := strings.ToUpper(medium[0].Name[:min(4, len(medium[0].Name))])
	apply("search", map[string]string{"level": "", "search": term})
	want := api(url.Values{"q": {term}})
	if got := shown(); got == "" || got != ids(want) {
		t.Errorf("search %q shows %q, the API %q", term, got, ids(want))
	}
	apply("clear the search", map[string]string{"search": ""})

	// Each sort from its column header; the change arrows are the API's changes.
	for _, o := range []string{"revenue_at_risk", "change", "score"} {
		b.goTo("sort "+o, "at-risk", chromedp.Click(chromedp.ID("sort-"+o)))
		want := api(url.Values{"sort": {o}})
		if got := shown(); got != ids(want) {
			t.Errorf("sort %s shows %s, the API %s", o, got, ids(want))
		}
		if got := eval[string](b, `(document.querySelector("#at-risk-table th[aria-sort]") || {}).textContent || ""`); !strings.Contains(strings.ToLower(got), strings.Fields(strings.ReplaceAll(o, "_", " "))[0]) {
			t.Errorf("sort %s: the sorted column is %q", o, got)
		}
		if o != "change" {
			continue
		}
		b.screenshot("at-risk-by-change")
		arrows := eval[[]string](b, `[...document.querySelectorAll("#at-risk-table tbody td.col-change")].map(td => {
			const s = td.querySelector(".change"); return s ? s.dataset.dir + " " + td.textContent.trim() : "none"; })`)
		withChange := 0
		for i, r := range want {
			if i >= len(arrows) {
				break
			}
			if r.Change == nil {
				if arrows[i] != "none" {
					t.Errorf("%s: arrow %q without a change in the API", r.CustomerID, arrows[i])
				}
				continue
			}
			withChange++
			pts := math.Round(*r.Change*1000) / 10
			dir, sign := "flat", "±"
			if pts > 0 {
				dir, sign = "up", "+"
			} else if pts < 0 {
				dir, sign = "down", "−"
			}
			if text := fmt.Sprintf("%s %s%s pts", dir, sign, strings.TrimSuffix(fmt.Sprintf("%.1f", math.Abs(pts)), ".0")); !strings.HasPrefix(arrows[i], dir+" ") || !strings.HasSuffix(arrows[i], sign+strings.TrimPrefix(text, dir+" "+sign)) {
				t.Errorf("%s: arrow %q, the API's change %v (%s)", r.CustomerID, arrows[i], *r.Change, text)
			}
		}
		if withChange == 0 || want[0].Change == nil || *want[0].Change <= 0 {
			t.Errorf("sort by change: %d rows with a change, first %+v", withChange, want[0])
		}
	}

	// A minimum score typed as a percentage, with or without "%".
	wantMin := ids(api(url.Values{"min_score": {"0.5"}}))
	for _, typed := range []string{"50", "50%", "0.5"} {
		b.goTo("the whole list", "at-risk", chromedp.Navigate(console+"#/at-risk?page=1"))
		apply("min score "+typed, map[string]string{"min-score": typed})
		if h := eval[string](b, `location.hash`); !strings.Contains(h, "min_score=0.5") {
			t.Errorf("%q went to %s, want min_score=0.5", typed, h)
		}
		if got := shown(); got == "" || got != wantMin {
			t.Errorf("%q shows %s, the API's min_score=0.5 %s", typed, got, wantMin)
		}
		if text := eval[string](b, `document.querySelector("main#app").textContent`); strings.Contains(text, "stored") || strings.Contains(text, "Unprocessable") {
			t.Errorf("%q: the page says %q", typed, text)
		}
	}
	// Nonsense is refused in the form, without a request.
	before := eval[string](b, `location.hash`)
	eval[bool](b, `(document.getElementById("min-score").value = "150%", true)`)
	b.do("min score 150%", chromedp.Click(chromedp.ID("apply-filters")))
	b.waitJS("the score's error", `!document.getElementById("min-score-error").hidden`)
	if h := eval[string](b, `location.hash`); h != before {
		t.Errorf("150%% navigated to %s", h)
	}
	// A read error is shown as a read error.
	b.do("a bad cursor", chromedp.Navigate(console+"#/at-risk?cursor=garbage"))
	b.waitJS("the read error", `!!document.querySelector("main#app .problem")`)
	if text := eval[string](b, `document.querySelector("main#app").textContent`); strings.Contains(text, "stored") || !strings.Contains(text, "could not be read") {
		t.Errorf("a read error says %q", text)
	}
	var errs []string // the bad cursor's 422 is the one error wanted
	for _, e := range b.pageErrors() {
		if !strings.Contains(e, "cursor=garbage") {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("the pages raised errors:\n%s", strings.Join(errs, "\n"))
	}
}
