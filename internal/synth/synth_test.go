package synth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/churnrisk/churn/internal/signals"
)

// dataset is a generated directory read back as rows keyed by column name.
type dataset struct {
	headers                                   map[string][]string
	customers, usage, tickets, pages, revenue []map[string]string
}

func readCSV(t *testing.T, path string) ([]string, []map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", path)
	}
	rows := make([]map[string]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, v := range r {
			m[recs[0][i]] = v
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

func loadDataset(t *testing.T, dir string) *dataset {
	t.Helper()
	ds := &dataset{headers: map[string][]string{}}
	for _, x := range []struct {
		name string
		dst  *[]map[string]string
	}{
		{"customers.csv", &ds.customers}, {"usage.csv", &ds.usage}, {"tickets.csv", &ds.tickets},
		{"page_views.csv", &ds.pages}, {"revenue.csv", &ds.revenue},
	} {
		h, rows := readCSV(t, filepath.Join(dir, x.name))
		ds.headers[x.name] = h
		*x.dst = rows
	}
	return ds
}

func parseF(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

var testEnd = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"ok", Config{Customers: 1, Days: 1, End: testEnd}, nil},
		{"no customers", Config{Customers: 0, Days: 10, End: testEnd}, ErrCustomers},
		{"negative customers", Config{Customers: -5, Days: 10, End: testEnd}, ErrCustomers},
		{"no days", Config{Customers: 10, Days: 0, End: testEnd}, ErrDays},
		{"too many days", Config{Customers: 10, Days: maxDays + 1, End: testEnd}, nil},
		{"zero end", Config{Customers: 10, Days: 10}, ErrEnd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.name == "too many days":
				if err == nil {
					t.Fatal("want an error for a window of more than maxDays")
				}
			case tt.want == nil && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Validate = %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				if _, gerr := Generate(filepath.Join(t.TempDir(), "x"), tt.cfg); !errors.Is(gerr, tt.want) {
					t.Fatalf("Generate = %v, want %v", gerr, tt.want)
				}
			}
		})
	}
}

func TestGenerateIntoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(path, Config{Customers: 1, Days: 1, End: testEnd}); err == nil {
		t.Fatal("Generate into a regular file succeeded")
	}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range fileNames {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

func TestDeterminism(t *testing.T) {
	cfg := Config{Customers: 300, Days: 120, End: testEnd, Seed: 7}
	gen := func(cfg Config) map[string][]byte {
		dir := t.TempDir()
		if _, err := Generate(dir, cfg); err != nil {
			t.Fatal(err)
		}
		return readAll(t, dir)
	}
	a, b := gen(cfg), gen(cfg)
	for _, name := range fileNames {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs with the same config", name)
		}
	}
	// A non-midnight End in another zone names the same UTC day.
	shifted := cfg
	shifted.End = time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("UTC+5", 5*3600))
	c := gen(shifted)
	for _, name := range fileNames {
		if !bytes.Equal(a[name], c[name]) {
			t.Errorf("%s differs for an End at another time of the same UTC day", name)
		}
	}
	other := cfg
	other.Seed = 8
	d := gen(other)
	for _, name := range fileNames {
		if bytes.Equal(a[name], d[name]) {
			t.Errorf("%s is identical for seeds 7 and 8", name)
		}
	}
}

func TestSmallConfigs(t *testing.T) {
	tests := []struct {
		customers, days int
	}{
		{1, 1}, {1, 2}, {3, 31}, {chunkSize + 1, 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.customers, tt.days), func(t *testing.T) {
			dir := t.TempDir()
			sum, err := Generate(dir, Config{Customers: tt.customers, Days: tt.days, End: testEnd, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			ds := loadDataset(t, dir)
			if sum.Customers != tt.customers || len(ds.customers) != tt.customers {
				t.Fatalf("customers: summary %d, file %d, want %d", sum.Customers, len(ds.customers), tt.customers)
			}
			if want := fmt.Sprintf("c%06d", tt.customers); ds.customers[tt.customers-1]["customer_id"] != want {
				t.Errorf("last id %q, want %q", ds.customers[tt.customers-1]["customer_id"], want)
			}
			first := testEnd.AddDate(0, 0, -(tt.days - 1))
			for _, rows := range [][]map[string]string{ds.usage, ds.tickets, ds.pages} {
				for _, r := range rows {
					ts, err := time.Parse(time.RFC3339, r["timestamp"])
					if err != nil || ts.Before(first) || !ts.Before(testEnd.AddDate(0, 0, 1)) {
						t.Fatalf("timestamp %q outside the window %s..%s (%v)", r["timestamp"], first, testEnd, err)
					}
				}
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(dir, Config{Customers: 5, Days: 10, End: testEnd, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"customers.csv":  "customer_id,signup_at,plan,mrr,churned_at,seats,industry,region",
		"usage.csv":      "customer_id,timestamp,quantity,metric",
		"tickets.csv":    "customer_id,timestamp,text,channel,sentiment",
		"page_views.csv": "customer_id,timestamp,path",
		"revenue.csv":    "customer_id,month,mrr",
	}
	for name, header := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		if first != header {
			t.Errorf("%s header %q, want %q", name, first, header)
		}
	}
}

func TestFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		tmpl  string
		check func(string) bool
	}{
		{"no slots", func(s string) bool { return s == "no slots" }},
		{"invoice for {month}", func(s string) bool { return s == "invoice for March" }},
		{"{n} days", func(s string) bool {
			n, err := strconv.Atoi(strings.Fields(s)[0])
			return err == nil && n >= 2 && n <= 9
		}},
		{"{pct}%", func(s string) bool {
			n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
			return err == nil && n >= 10 && n <= 40
		}},
		{"keep {unknown} and {", func(s string) bool { return s == "keep {unknown} and {" }},
		{"ask {competitor}", func(s string) bool {
			return slices.Contains(english.slots["competitor"], strings.TrimPrefix(s, "ask "))
		}},
	}
	for _, tt := range tests {
		if got := english.fill(rng, tt.tmpl, 2); !tt.check(got) {
			t.Errorf("fill(%q) = %q", tt.tmpl, got)
		}
	}
}

// story is one generated data set shared by the subtests of TestStory.
type story struct {
	ds        *dataset
	start     time.Time
	customers map[string]*storyCustomer
}

type storyCustomer struct {
	signup, churn time.Time // churn zero when active
	mrr           string
	usage         []float64 // sessions per window day
}

func (s *story) day(t time.Time) int { return int(t.Sub(s.start).Hours() / 24) }

func parseStamp(t *testing.T, v string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		ts, err = time.Parse(time.DateOnly, v)
	}
	if err != nil {
		t.Fatalf("bad timestamp %q: %v", v, err)
	}
	return ts
}

func TestStory(t *testing.T) {
	const days = 180
	dir := t.TempDir()
	sum, err := Generate(dir, Config{Customers: 2000, Days: days, End: testEnd, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	s := &story{ds: loadDataset(t, dir), start: testEnd.AddDate(0, 0, -(days - 1)), customers: map[string]*storyCustomer{}}
	for _, r := range s.ds.customers {
		c := &storyCustomer{signup: parseStamp(t, r["signup_at"]), mrr: r["mrr"], usage: make([]float64, days)}
		if r["churned_at"] != "" {
			c.churn = parseStamp(t, r["churned_at"])
		}
		s.customers[r["customer_id"]] = c
	}
	for _, r := range s.ds.usage {
		if r["metric"] == "sessions" {
			s.customers[r["customer_id"]].usage[s.day(parseStamp(t, r["timestamp"]))] += parseF(r["quantity"])
		}
	}

	t.Run("summary", func(t *testing.T) {
		got := Summary{Customers: len(s.ds.customers), UsageRows: len(s.ds.usage), TicketRows: len(s.ds.tickets),
			PageViewRows: len(s.ds.pages), RevenueRows: len(s.ds.revenue)}
		for _, c := range s.customers {
			if !c.churn.IsZero() {
				got.Churned++
			}
		}
		if got != sum {
			t.Fatalf("files hold %+v, summary says %+v", got, sum)
		}
		if len(s.customers) != 2000 {
			t.Fatalf("%d distinct customer ids, want 2000", len(s.customers))
		}
	})

	t.Run("customers", func(t *testing.T) {
		plans := map[string]int{}
		missing := map[string]int{}
		var before, during int
		for _, r := range s.ds.customers {
			plans[r["plan"]]++
			for _, col := range []string{"seats", "industry", "region"} {
				if r[col] == "" {
					missing[col]++
				}
			}
			if r["seats"] != "" {
				if n, err := strconv.Atoi(r["seats"]); err != nil || n < 1 {
					t.Errorf("%s: seats %q", r["customer_id"], r["seats"])
				}
			}
			if v, err := strconv.ParseFloat(r["mrr"], 64); err != nil || v <= 0 {
				t.Errorf("%s: mrr %q", r["customer_id"], r["mrr"])
			}
			if s.customers[r["customer_id"]].signup.Before(s.start) {
				before++
			} else {
				during++
			}
		}
		for _, p := range []string{"starter", "growth", "business", "enterprise"} {
			if plans[p] < 50 {
				t.Errorf("plan %s: %d customers", p, plans[p])
			}
		}
		for _, col := range []string{"seats", "industry", "region"} {
			if missing[col] == 0 || missing[col] > 200 {
				t.Errorf("column %s: %d missing values, want a few", col, missing[col])
			}
		}
		if during < 200 || before < 1200 {
			t.Errorf("%d signups before the window, %d during it", before, during)
		}
	})

	t.Run("no events outside the customer's life", func(t *testing.T) {
		end := testEnd.AddDate(0, 0, 1)
		for name, rows := range map[string][]map[string]string{"usage": s.ds.usage, "tickets": s.ds.tickets, "page_views": s.ds.pages} {
			for _, r := range rows {
				c := s.customers[r["customer_id"]]
				if c == nil {
					t.Fatalf("%s: unknown customer %q", name, r["customer_id"])
				}
				if !strings.HasSuffix(r["timestamp"], "Z") {
					t.Fatalf("%s: timestamp %q is not UTC", name, r["timestamp"])
				}
				ts := parseStamp(t, r["timestamp"])
				if ts.Before(c.signup) || ts.Before(s.start) || !ts.Before(end) {
					t.Fatalf("%s: %s event at %s, signup %s", name, r["customer_id"], ts, c.signup)
				}
				if !c.churn.IsZero() && !ts.Before(c.churn) {
					t.Fatalf("%s: %s event at %s, churned %s", name, r["customer_id"], ts, c.churn)
				}
			}
		}
	})

	t.Run("churn share", func(t *testing.T) {
		churners := 0
		for p := 0; p+30 <= days; p += 30 {
			from := s.start.AddDate(0, 0, p)
			to := from.AddDate(0, 0, 30)
			active, churned := 0, 0
			for _, c := range s.customers {
				if c.signup.After(from) || (!c.churn.IsZero() && !c.churn.After(from)) {
					continue
				}
				active++
				if !c.churn.IsZero() && !c.churn.After(to) {
					churned++
				}
			}
			rate := float64(churned) / float64(active)
			t.Logf("days %d-%d: %d of %d churned (%.3f)", p, p+30, churned, active, rate)
			if rate < 0.025 || rate > 0.065 {
				t.Errorf("days %d-%d: %d of %d active customers churned (%.3f), want 3-6%%", p, p+30, churned, active, rate)
			}
		}
		for _, c := range s.customers {
			if !c.churn.IsZero() {
				churners++
			}
		}
		if churners < 200 || churners > 600 {
			t.Errorf("%d churners of 2000, want a few hundred", churners)
		}
	})

	t.Run("usage falls before churn", func(t *testing.T) {
		var lastMonth, earlier, n float64
		for _, c := range s.customers {
			if c.churn.IsZero() {
				continue
			}
			cd := s.day(c.churn)
			if cd < 90 || s.day(c.signup) > cd-90 {
				continue
			}
			for d := cd - 30; d < cd; d++ {
				lastMonth += c.usage[d] / 30
			}
			for d := cd - 90; d < cd-30; d++ {
				earlier += c.usage[d] / 60
			}
			n++
		}
		if n < 50 {
			t.Fatalf("only %v churners with 90 days of history", n)
		}
		t.Logf("churners: last-30-day usage / earlier = %.2f over %v customers", lastMonth/earlier, n)
		if ratio := lastMonth / earlier; ratio > 0.7 {
			t.Errorf("churners' daily usage in the last 30 days is %.2f of their earlier usage, want clearly lower", ratio)
		}
		// Against non-churners over the last 30 days of the window.
		var stay, stayN float64
		for _, c := range s.customers {
			if c.churn.IsZero() && s.day(c.signup) <= 60 {
				last, prev := 0.0, 0.0
				for d := days - 30; d < days; d++ {
					last += c.usage[d] / 30
				}
				for d := days - 90; d < days-30; d++ {
					prev += c.usage[d] / 60
				}
				if prev > 0 {
					stay += last / prev
					stayN++
				}
			}
		}
		t.Logf("non-churners: mean usage ratio %.2f", stay/stayN)
		if stay/stayN < 0.8 || stay/stayN > 1.3 {
			t.Errorf("non-churners' usage ratio last 30 days / earlier = %.2f, want about 1", stay/stayN)
		}
		if lastMonth/earlier > 0.75*stay/stayN {
			t.Errorf("churners' usage ratio %.2f is not clearly below non-churners' %.2f", lastMonth/earlier, stay/stayN)
		}
	})

	t.Run("tickets", func(t *testing.T) {
		zh, sentiments := 0, 0
		distinct := map[string]bool{}
		keywords := map[string]int{"cancel": 0, "refund": 0, "too expensive": 0, "switch": 0, "love": 0, "how": 0,
			"取消": 0, "退": 0, "太贵": 0, "谢谢": 0, "怎么": 0}
		channels := map[string]int{}
		for _, r := range s.ds.tickets {
			text := r["text"]
			distinct[text] = true
			if hasHan(text) {
				zh++
			}
			low := strings.ToLower(text)
			for k := range keywords {
				if strings.Contains(low, k) {
					keywords[k]++
				}
			}
			channels[r["channel"]]++
			if r["sentiment"] != "" {
				sentiments++
				if v, err := strconv.ParseFloat(r["sentiment"], 64); err != nil || v < -1 || v > 1 {
					t.Errorf("sentiment %q", r["sentiment"])
				}
			}
		}
		n := float64(len(s.ds.tickets))
		if n < 1000 {
			t.Fatalf("only %v tickets", n)
		}
		t.Logf("%v tickets, %.3f Chinese, %.3f with sentiment, %d distinct", n, float64(zh)/n, float64(sentiments)/n, len(distinct))
		if share := float64(zh) / n; share < 0.08 || share > 0.17 {
			t.Errorf("Chinese tickets: %.3f, want about 10-15%%", share)
		}
		if share := float64(sentiments) / n; share < 0.005 || share > 0.05 {
			t.Errorf("tickets with a sentiment: %.3f, want about 2%%", share)
		}
		if share := float64(len(distinct)) / n; share < 0.3 {
			t.Errorf("only %.2f of ticket texts are distinct", share)
		}
		for k, c := range keywords {
			if c < 5 {
				t.Errorf("keyword %q in %d tickets", k, c)
			}
		}
		for _, ch := range []string{"email", "chat", "phone"} {
			if channels[ch] == 0 {
				t.Errorf("no %s tickets", ch)
			}
		}
	})

	t.Run("page views", func(t *testing.T) {
		counts := map[string]int{}
		full := 0
		for _, r := range s.ds.pages {
			p := r["path"]
			if strings.HasPrefix(p, "https://app.example.com/") {
				full++
				p = strings.TrimPrefix(p, "https://app.example.com")
			}
			p, _, _ = strings.Cut(p, "?")
			p, _, _ = strings.Cut(p, "#")
			counts[p]++
		}
		for _, p := range []string{"/dashboard", "/settings/team", "/account/cancel", "/billing/downgrade", "/pricing",
			"/billing/invoices", "/legal/refund-policy", "/settings/export", "/compare/competitor-x"} {
			if counts[p] < 10 {
				t.Errorf("%s: %d views", p, counts[p])
			}
		}
		if full == 0 {
			t.Error("no full URLs")
		}
		if counts["/dashboard"] < 10*counts["/account/cancel"] {
			t.Errorf("dashboard %d views, cancel %d: risk pages should be rare", counts["/dashboard"], counts["/account/cancel"])
		}
	})

	t.Run("intent and cancel visits come shortly before most churns", func(t *testing.T) {
		// warned[id][d]: the customer wrote a ticket asking to cancel, for a
		// refund or saying it is switching, or opened the cancel page, on
		// day d (as the service's own detectors read them).
		warned := map[string][]bool{}
		mark := func(id string, ts time.Time) {
			if warned[id] == nil {
				warned[id] = make([]bool, days)
			}
			warned[id][s.day(ts)] = true
		}
		for _, r := range s.ds.tickets {
			for _, in := range signals.DetectIntent(r["text"]) {
				if in != signals.IntentPrice {
					mark(r["customer_id"], parseStamp(t, r["timestamp"]))
				}
			}
		}
		cat := signals.DefaultCategorizer()
		for _, r := range s.ds.pages {
			if c, ok := cat.Categorize(r["path"]); ok && c == signals.CatCancel {
				mark(r["customer_id"], parseStamp(t, r["timestamp"]))
			}
		}
		within := func(id string, from, to int) bool { // a warning on a day in [from, to)
			for d := max(from, 0); d < min(to, days) && warned[id] != nil; d++ {
				if warned[id][d] {
					return true
				}
			}
			return false
		}
		// Churners seen for 30 days before their churn day.
		var churners, told float64
		for id, c := range s.customers {
			if cd := s.day(c.churn); !c.churn.IsZero() && cd >= 30 && s.day(c.signup) <= cd-30 {
				churners++
				if within(id, cd-30, cd) {
					told++
				}
			}
		}
		t.Logf("%v of %v churners warned in their last 30 days (%.2f)", told, churners, told/churners)
		if churners < 100 || told/churners < 0.85 || told/churners > 0.97 {
			t.Errorf("%v of %v churners warned in their last 30 days, want most but not all", told, churners)
		}
		// Customers that stay at least 30 days after a snapshot rarely
		// warned in the 30 days before it; those who warned mostly leave.
		var stayers, stayersWarned, warnedN, warnedLeft float64
		for _, snap := range []int{60, 90, 120, 150} {
			at := s.start.AddDate(0, 0, snap)
			for id, c := range s.customers {
				if c.signup.After(at) || (!c.churn.IsZero() && !c.churn.After(at)) {
					continue
				}
				leaves := !c.churn.IsZero() && !c.churn.After(at.AddDate(0, 0, 30))
				w := within(id, snap-14, snap)
				if !leaves {
					stayers++
					if w {
						stayersWarned++
					}
				}
				if w {
					warnedN++
					if leaves {
						warnedLeft++
					}
				}
			}
		}
		t.Logf("stayers warned in the 14 days before a snapshot: %.4f; warned who left within 30 days: %.2f of %v",
			stayersWarned/stayers, warnedLeft/warnedN, warnedN)
		if stayersWarned/stayers > 0.015 {
			t.Errorf("%.4f of the customers who stay warned in the 14 days before, want rare", stayersWarned/stayers)
		}
		if warnedN < 50 || warnedLeft/warnedN < 0.6 {
			t.Errorf("%v of %v customers who warned left within 30 days, want most", warnedLeft, warnedN)
		}
	})

	t.Run("pricing shoppers mostly stay", func(t *testing.T) {
		pricing := map[string]int{}
		for _, r := range s.ds.pages {
			if strings.Contains(r["path"], "/pricing") {
				pricing[r["customer_id"]]++
			}
		}
		shoppers, churned := 0, 0
		for id, n := range pricing {
			if n >= 3 {
				shoppers++
				if !s.customers[id].churn.IsZero() {
					churned++
				}
			}
		}
		t.Logf("%d customers with 3+ pricing visits, %d of them churned", shoppers, churned)
		if shoppers < 50 || float64(churned) > 0.5*float64(shoppers) {
			t.Errorf("%d customers with 3+ pricing visits, %d churned: want many who stay", shoppers, churned)
		}
	})

	t.Run("signal is learnable but not trivial", func(t *testing.T) {
		// A crude score from data before each snapshot T: the fall of the last
		// 14 days of usage against the 60 days before, plus risk-page visits
		// (cancel, downgrade, refund, export, competitor) in the last 30 days.
		risk := map[string][]float64{}
		for _, r := range s.ds.pages {
			p := r["path"]
			if strings.Contains(p, "cancel") || strings.Contains(p, "downgrade") || strings.Contains(p, "refund") ||
				strings.Contains(p, "/settings/export") || strings.Contains(p, "compare") {
				id := r["customer_id"]
				if risk[id] == nil {
					risk[id] = make([]float64, days)
				}
				risk[id][s.day(parseStamp(t, r["timestamp"]))]++
			}
		}
		var scores []float64
		var labels []bool
		for _, snap := range []int{90, 120, 150} {
			at := s.start.AddDate(0, 0, snap)
			for id, c := range s.customers {
				if c.signup.After(at) || (!c.churn.IsZero() && !c.churn.After(at)) {
					continue
				}
				var recent, before, visits float64
				for d := snap - 14; d < snap; d++ {
					recent += c.usage[d]
				}
				for d := snap - 74; d < snap-14; d++ {
					before += c.usage[d]
				}
				for d := snap - 30; d < snap && risk[id] != nil; d++ {
					visits += risk[id][d]
				}
				scores = append(scores, math.Log((before*14/60+1)/(recent+1))+0.7*visits)
				labels = append(labels, !c.churn.IsZero() && !c.churn.After(at.AddDate(0, 0, 30)))
			}
		}
		auc := rocAUC(scores, labels)
		t.Logf("heuristic ROC AUC %.3f over %d snapshot rows", auc, len(scores))
		if auc < 0.62 || auc > 0.93 {
			t.Errorf("heuristic ROC AUC %.3f, want a learnable but noisy signal (0.62-0.93)", auc)
		}
	})

	t.Run("holidays and weekends", func(t *testing.T) {
		total := make([]float64, days)
		for _, c := range s.customers {
			for d, v := range c.usage {
				total[d] += v
			}
		}
		at := func(y int, m time.Month, d int) float64 {
			return total[s.day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))]
		}
		// Weekdays of the holiday week against the same weekdays two weeks before and after.
		var holiday, normal float64
		for _, d := range []int{24, 26, 29, 30, 31} {
			holiday += at(2025, time.December, d)
			normal += (at(2025, time.December, d-14) + at(2026, time.January, d-14+7)) / 2
		}
		t.Logf("holiday week / normal weeks = %.2f", holiday/normal)
		if ratio := holiday / normal; ratio > 0.6 {
			t.Errorf("holiday week usage is %.2f of normal weeks, want a clear dip", ratio)
		}
		var weekend, weekday, nWeekend, nWeekday float64
		for d := range days {
			switch s.start.AddDate(0, 0, d).Weekday() {
			case time.Saturday, time.Sunday:
				weekend += total[d]
				nWeekend++
			default:
				weekday += total[d]
				nWeekday++
			}
		}
		t.Logf("weekend / weekday = %.2f", (weekend/nWeekend)/(weekday/nWeekday))
		if ratio := (weekend / nWeekend) / (weekday / nWeekday); ratio > 0.6 {
			t.Errorf("weekend usage is %.2f of weekday usage", ratio)
		}
	})

	t.Run("revenue", func(t *testing.T) {
		last := map[string]map[string]string{}
		months := map[string]bool{}
		for _, r := range s.ds.revenue {
			if _, err := time.Parse("2006-01", r["month"]); err != nil {
				t.Fatalf("month %q: %v", r["month"], err)
			}
			months[r["month"]] = true
			if prev := last[r["customer_id"]]; prev != nil && prev["month"] >= r["month"] {
				t.Fatalf("%s: months out of order", r["customer_id"])
			}
			last[r["customer_id"]] = r
		}
		if len(months) != 7 {
			t.Errorf("%d months, want 7 (2025-09 .. 2026-03)", len(months))
		}
		changed := 0
		for id, c := range s.customers {
			r := last[id]
			if r == nil {
				t.Fatalf("%s: no revenue rows (%d rows, %d ids)", id, len(s.ds.revenue), len(last))
			}
			if r["mrr"] != c.mrr {
				t.Errorf("%s: last revenue %s, customers.csv mrr %s", id, r["mrr"], c.mrr)
			}
			if c.churn.IsZero() && r["month"] != "2026-03" {
				t.Errorf("%s: active customer's last revenue month %s", id, r["month"])
			}
		}
		prev := map[string]string{}
		for _, r := range s.ds.revenue {
			if p, ok := prev[r["customer_id"]]; ok && p != r["mrr"] {
				changed++
			}
			prev[r["customer_id"]] = r["mrr"]
		}
		if changed < 50 {
			t.Errorf("only %d month-to-month MRR changes", changed)
		}
	})
}

// rocAUC is the Mann-Whitney estimate of the ROC AUC, ties counted half.
func rocAUC(scores []float64, labels []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var rankSum, pos, neg float64
	for r := 0; r < len(idx); {
		q := r
		for q < len(idx) && scores[idx[q]] == scores[idx[r]] {
			q++
		}
		mid := float64(r+q+1) / 2
		for k := r; k < q; k++ {
			if labels[idx[k]] {
				rankSum += mid
				pos++
			} else {
				neg++
			}
		}
		r = q
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func TestRocAUC(t *testing.T) {
	tests := []struct {
		scores []float64
		labels []bool
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{[]float64{1, 2, 3, 4}, []bool{true, true, false, false}, 0},
		{[]float64{1, 1, 1, 1}, []bool{true, false, true, false}, 0.5},
		{[]float64{1, 3, 2, 4}, []bool{false, false, true, true}, 0.75},
	}
	for _, tt := range tests {
		if got := rocAUC(tt.scores, tt.labels); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("rocAUC(%v, %v) = %v, want %v", tt.scores, tt.labels, got, tt.want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Generate(dir, Config{Customers: 2000, Days: 180, End: testEnd, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
