package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// contractStore is what every store implementation provides.
type contractStore interface {
	PutCustomer(ctx context.Context, p features.Profile) error
	GetCustomer(ctx context.Context, id string) (features.Profile, error)
	AddEvents(ctx context.Context, events []Event) (accepted, duplicates int, err error)
	History(ctx context.Context, id string, from, to int32) (signals.History, error)
	Snapshot(ctx context.Context, id string) (Snap, error)
	PutScore(ctx context.Context, id string, c Cached) error
	GetScore(ctx context.Context, id string) (Score, error)
	AtRisk(ctx context.Context, q AtRiskQuery) (AtRiskPage, error)
	Import(ctx context.Context, customers []CustomerData) error
	Evidence(ctx context.Context, id string, from, to int32) (signals.History, []signals.Excerpt, error)
	ChurnMetrics(ctx context.Context) (ChurnState, error)
	RecordPredicted(ctx context.Context, predicted map[metrics.Month]float64) error
	Alerts(ctx context.Context, id string, score float64, rules []AlertRule) ([]Transition, error)
	EachCustomer(ctx context.Context, fn func(id string) error) error
	Ping(ctx context.Context) error
	Close() error
}

// runContract is the shared contract suite; each implementation calls it with
// a factory that returns an empty store whose clock is now.
func runContract(t *testing.T, newStore func(t *testing.T, now func() time.Time) contractStore) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	today := signals.DayNumber(now)
	ctx := context.Background()

	t.Run("idempotent requests", func(t *testing.T) { runIdempotency(t, newStore) })

	t.Run("profile round trip", func(t *testing.T) {
		s := newStore(t, clock)
		if _, err := s.GetCustomer(ctx, "a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown customer: %v, want ErrNotFound", err)
		}
		mrr := 99.5
		signup := now.AddDate(-1, 0, 0)
		p := features.Profile{ID: "a", Plan: "pro", MRR: &mrr, SignupAt: &signup, Attributes: map[string]string{"seats": "4"}}
		if err := s.PutCustomer(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Attributes["seats"] = "mutated after put"
		got, err := s.GetCustomer(ctx, "a")
		if err != nil || got.Plan != "pro" || *got.MRR != 99.5 || !got.SignupAt.Equal(signup) || got.Attributes["seats"] != "4" {
			t.Fatalf("got %+v, %v", got, err)
		}
		// PUT replaces the whole profile.
		if err := s.PutCustomer(ctx, features.Profile{ID: "a", Plan: "basic"}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetCustomer(ctx, "a")
		if got.Plan != "basic" || got.MRR != nil || got.Attributes != nil {
			t.Fatalf("after replace: %+v", got)
		}
	})

	t.Run("events aggregate per day and dedupe", func(t *testing.T) {
		s := newStore(t, clock)
		day := func(d int32, u float64) signals.Day { return signals.Day{Day: d, Usage: u, UsageEvents: 1} }
		batch := []Event{
			{CustomerID: "b", EventID: "e1", Day: day(today, 2)},
			{CustomerID: "b", EventID: "e2", Day: day(today, 3)},
			{CustomerID: "b", Day: day(today-1, 1)},
			{CustomerID: "b", EventID: "e1", Day: day(today, 100)}, // duplicate within the batch
			{CustomerID: "c", EventID: "e1", Day: day(today, 7)},   // same id, other customer: not a duplicate
		}
		acc, dup, err := s.AddEvents(ctx, batch)
		if err != nil || acc != 4 || dup != 1 {
			t.Fatalf("first batch: %d accepted, %d duplicates, %v", acc, dup, err)
		}
		acc, dup, err = s.AddEvents(ctx, batch)
		if err != nil || acc != 1 || dup != 4 {
			t.Fatalf("retried batch: %d accepted, %d duplicates, %v", acc, dup, err)
		}
		h, err := s.History(ctx, "b", today-10, today+1)
		if err != nil || len(h) != 2 || h[0].Day != today-1 || h[0].Usage != 2 || h[1].Usage != 5 || h[1].UsageEvents != 2 {
			t.Fatalf("history %+v, %v", h, err)
		}
		if h, _ := s.History(ctx, "b", today, today+1); len(h) != 1 || h[0].Day != today {
			t.Fatalf("window [today, today+1): %+v", h)
		}
		if _, err := s.History(ctx, "nobody", 0, today); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown history: %v", err)
		}
		// A customer known only from events exists with its id alone.
		if p, err := s.GetCustomer(ctx, "c"); err != nil || p.ID != "c" || p.Plan != "" {
			t.Fatalf("event-only customer: %+v, %v", p, err)
		}
	})

	t.Run("ticket excerpts", func(t *testing.T) {
		s := newStore(t, clock)
		// note is an intent ticket of day today-k at 10:00 (k = 0: earlier today).
		note := func(k int, text string) *signals.Excerpt {
			at := signals.DayStart(today - int32(k)).Add(10 * time.Hour)
			if k == 0 {
				at = now.Add(-time.Hour)
			}
			return &signals.Excerpt{At: at, Text: text, Intents: []signals.Intent{signals.IntentCancel, signals.IntentRefund}, Negative: true, Sentiment: -0.625}
		}
		ev := func(id string, x *signals.Excerpt) Event {
			return Event{CustomerID: "x", EventID: id, Day: signals.Day{Day: signals.DayNumber(x.At), Tickets: 1, IntentTickets: 1, NegTickets: 1}, Excerpt: x}
		}
		batch := []Event{
			ev("t6", note(60, "six")), ev("t1", note(1, "one")), ev("t3", note(3, "three")),
			ev("t400", note(400, "too old: accepted, not kept")),
			{CustomerID: "x", EventID: "u", Day: signals.Day{Day: today, Usage: 1, UsageEvents: 1}},
			ev("t1", note(2, "duplicate id: neither aggregate nor excerpt")),
			ev("t0", note(0, "今天想取消订阅，并且要求退款。")),
			ev("t5", note(5, "five")), ev("t4", note(4, "four")),
		}
		batch[3].Excerpt.Text = ""
		batch[7].Excerpt.Intents, batch[7].Excerpt.Negative = nil, true // only negative
		acc, dup, err := s.AddEvents(ctx, batch)
		if err != nil || acc != 8 || dup != 1 {
			t.Fatalf("%d accepted, %d duplicates, %v", acc, dup, err)
		}
		// excerpts reads the excerpts with Evidence, whose history must be History's.
		excerpts := func(id string, from, to int32) ([]signals.Excerpt, error) {
			t.Helper()
			h, xs, err := s.Evidence(ctx, id, from, to)
			if want, herr := s.History(ctx, id, from, to); !errors.Is(err, herr) || fmt.Sprint(h) != fmt.Sprint(want) {
				t.Fatalf("evidence history %+v, %v; History %+v, %v", h, err, want, herr)
			}
			return xs, err
		}
		texts := func(xs []signals.Excerpt) []string {
			out := []string{}
			for _, x := range xs {
				out = append(out, x.Text)
			}
			return out
		}
		want := []string{"今天想取消订阅，并且要求退款。", "one", "three", "four", "five"} // the newest five, newest first
		got, err := excerpts("x", today-200, today+1)
		if err != nil || !slices.Equal(texts(got), want) {
			t.Fatalf("excerpts %q, %v; want %q", texts(got), err, want)
		}
		if x := got[1]; !x.At.Equal(note(1, "").At) || !slices.Equal(x.Intents, []signals.Intent{signals.IntentCancel, signals.IntentRefund}) || !x.Negative || x.Sentiment != -0.625 {
			t.Fatalf("excerpt round trip: %+v", x)
		}
		if x := got[4]; x.Intents != nil || !x.Negative {
			t.Fatalf("negative-only excerpt: %+v", x)
		}
		if h, _ := s.History(ctx, "x", today-2, today-1); len(h) != 0 {
			t.Fatalf("the duplicate's aggregate was stored: %+v", h)
		}
		// The window selects by day, [from, to).
		if got, _ := excerpts("x", today-4, today); !slices.Equal(texts(got), []string{"one", "three", "four"}) {
			t.Fatalf("window [today-4, today): %q", texts(got))
		}
		// A retried batch adds nothing; a newer ticket pushes out the oldest kept.
		if _, dup, _ := s.AddEvents(ctx, batch); dup != 9 {
			t.Fatalf("retried batch: %d duplicates", dup)
		}
		newest := note(0, "no event id")
		newest.At = now.Add(-time.Minute)
		if acc, _, _ := s.AddEvents(ctx, []Event{ev("", newest), ev("t6b", note(6, "sixth, older than the five kept"))}); acc != 2 {
			t.Fatalf("accepted %d", acc)
		}
		want = []string{"no event id", "今天想取消订阅，并且要求退款。", "one", "three", "four"}
		if got, _ := excerpts("x", today-200, today+1); !slices.Equal(texts(got), want) {
			t.Fatalf("after more: %q, want %q", texts(got), want)
		}
		// Text may be left out (CHURN_KEEP_TICKET_TEXT=false): the date and kinds stay.
		quiet := note(1, "")
		if _, _, err := s.AddEvents(ctx, []Event{{CustomerID: "q", EventID: "1", Day: signals.Day{Day: today - 1, Tickets: 1, IntentTickets: 1}, Excerpt: quiet}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := excerpts("q", today-10, today+1); len(got) != 1 || got[0].Text != "" || !got[0].At.Equal(quiet.At) || len(got[0].Intents) != 2 {
			t.Fatalf("excerpt without text: %+v", got)
		}
		// Import carries excerpts, kept by the same rule.
		imp := []signals.Excerpt{*note(2, "imported"), *note(300, "imported, too old")}
		if err := s.Import(ctx, []CustomerData{{Profile: features.Profile{ID: "y"}, Excerpts: imp}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := excerpts("y", today-400, today+1); !slices.Equal(texts(got), []string{"imported"}) {
			t.Fatalf("imported excerpts: %q", texts(got))
		}
		if h, _ := s.History(ctx, "y", today-400, today+1); len(h) != 0 {
			t.Fatalf("an imported excerpt made a day: %+v", h)
		}
		if _, err := excerpts("nobody", 0, today+1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown customer: %v", err)
		}
	})

	t.Run("old days are accepted and dropped", func(t *testing.T) {
		s := newStore(t, clock)
		acc, _, err := s.AddEvents(ctx, []Event{{CustomerID: "d", Day: signals.Day{Day: today - 400, Usage: 1}}, {CustomerID: "d", Day: signals.Day{Day: today - 5, Usage: 2}}})
		if err != nil || acc != 2 {
			t.Fatalf("%d, %v", acc, err)
		}
		h, _ := s.History(ctx, "d", 0, today+1)
		if len(h) != 1 || h[0].Day != today-5 {
			t.Fatalf("history %+v, want only the recent day", h)
		}
	})

	t.Run("scores and the cached vector", func(t *testing.T) {
		s := newStore(t, clock)
		if _, err := s.GetScore(ctx, "e"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("no score yet: %v", err)
		}
		if _, err := s.Snapshot(ctx, "e"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("snapshot of an unknown customer: %v", err)
		}
		if err := s.PutCustomer(ctx, features.Profile{ID: "e", Plan: "pro"}); err != nil {
			t.Fatal(err)
		}
		snap, err := s.Snapshot(ctx, "e")
		if err != nil || snap.Profile.Plan != "pro" || snap.Cached != nil {
			t.Fatalf("snapshot before scoring: %+v, %v", snap, err)
		}
		mrr := 120.0
		want := Cached{Gen: snap.Gen, Day: today, ModelVersion: "v1", Vector: []float64{1.5, math.NaN(), -3, 0},
			Score: Score{Score: 0.7, RiskLevel: "high", Flagged: true, TopDriver: "x", ModelVersion: "v1", AsOf: now, MRR: &mrr, Plan: "pro"}}
		if err := s.PutScore(ctx, "e", want); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetScore(ctx, "e")
		if err != nil || got.Score != 0.7 || got.ModelVersion != "v1" || !got.AsOf.Equal(now) || !got.Flagged || got.MRR == nil || *got.MRR != 120 || got.TopDriver != "x" ||
			got.Plan != "pro" {
			t.Fatalf("score %+v, %v", got, err)
		}
		snap, err = s.Snapshot(ctx, "e")
		p, c := snap.Profile, snap.Cached
		if err != nil || p.Plan != "pro" || c == nil || c.Day != today || c.ModelVersion != "v1" || c.Score.Score != 0.7 || len(c.Vector) != 4 ||
			c.Vector[0] != 1.5 || !math.IsNaN(c.Vector[1]) || c.Vector[2] != -3 {
			t.Fatalf("snapshot %+v, %+v, %v", p, c, err)
		}
		// New events drop the cached vector, so do profile changes; the last score stays.
		if _, _, err := s.AddEvents(ctx, []Event{{CustomerID: "e", Day: signals.Day{Day: today, Usage: 1}}}); err != nil {
			t.Fatal(err)
		}
		if snap, _ := s.Snapshot(ctx, "e"); snap.Cached != nil {
			t.Fatalf("cached vector survived new events: %+v", snap.Cached)
		}
		s.PutScore(ctx, "e", want)
		s.PutCustomer(ctx, features.Profile{ID: "e", Plan: "basic"})
		if snap, _ := s.Snapshot(ctx, "e"); snap.Cached != nil {
			t.Fatalf("cached vector survived a profile change: %+v", snap.Cached)
		}
		if got, err := s.GetScore(ctx, "e"); err != nil || got.Score != 0.7 {
			t.Fatalf("last score after invalidation: %+v, %v", got, err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})

	// A vector computed from data read before new events or a new profile
	// arrived is not served as current: the next read scores again. (The
	// score itself is kept: the rescoring the new data queues replaces it.)
	t.Run("a vector of older data is not cached", func(t *testing.T) {
		for _, change := range []string{"events", "profile", "none"} {
			s := newStore(t, clock)
			if err := s.PutCustomer(ctx, features.Profile{ID: "g", Plan: "pro"}); err != nil {
				t.Fatal(err)
			}
			before, err := s.Snapshot(ctx, "g")
			if err != nil {
				t.Fatal(err)
			}
			switch change { // arrives while the vector is computed
			case "events":
				if _, _, err := s.AddEvents(ctx, []Event{{CustomerID: "g", Day: signals.Day{Day: today, Usage: 1}}}); err != nil {
					t.Fatal(err)
				}
			case "profile":
				if err := s.PutCustomer(ctx, features.Profile{ID: "g", Plan: "basic"}); err != nil {
					t.Fatal(err)
				}
			}
			c := Cached{Gen: before.Gen, Day: today, ModelVersion: "v1", Vector: []float64{1, 2},
				Score: Score{Score: 0.4, RiskLevel: "medium", ModelVersion: "v1", AsOf: now}}
			if err := s.PutScore(ctx, "g", c); err != nil {
				t.Fatal(err)
			}
			after, err := s.Snapshot(ctx, "g")
			if err != nil {
				t.Fatal(err)
			}
			if cached := after.Cached != nil; cached != (change == "none") {
				t.Errorf("%s while computing: cached %v (generation %d, then %d)", change, cached, before.Gen, after.Gen)
			}
			if got, err := s.GetScore(ctx, "g"); err != nil || got.Score != 0.4 {
				t.Errorf("%s while computing: score %+v, %v", change, got, err)
			}
			// A bulk load's score of the data held now is cached.
			c.Gen = GenCurrent
			if err := s.PutScore(ctx, "g", c); err != nil {
				t.Fatal(err)
			}
			if snap, _ := s.Snapshot(ctx, "g"); snap.Cached == nil {
				t.Errorf("%s: a score of the current data (GenCurrent) was not cached", change)
			}
		}
	})

	t.Run("at-risk list", func(t *testing.T) {
		s := newStore(t, clock)
		score := func(id string, v float64, flagged bool) {
			t.Helper()
			sc := Score{Score: v, Flagged: flagged, ModelVersion: "v1", AsOf: now, Plan: "plan" + id[len(id)-1:]}
			if err := s.PutScore(ctx, id, Cached{Day: today, ModelVersion: "v1", Score: sc}); err != nil {
				t.Fatal(err)
			}
		}
		// 25 flagged customers with tied scores in places, 5 not flagged.
		for i := 0; i < 25; i++ {
			score(fmt.Sprintf("c%02d", i), 0.5+float64(i%5)/10, true)
		}
		for i := 0; i < 5; i++ {
			score(fmt.Sprintf("low%d", i), 0.1, false)
		}
		var ids, plans []string
		var scores []float64
		q := AtRiskQuery{Limit: 7}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			page, err := s.AtRisk(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > 7 {
				t.Fatalf("page of %d items, limit 7", len(page.Items))
			}
			for _, it := range page.Items {
				ids = append(ids, it.CustomerID)
				plans = append(plans, it.Score.Plan)
				scores = append(scores, it.Score.Score)
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		if len(ids) != 25 {
			t.Fatalf("%d customers listed, want 25: %v", len(ids), ids)
		}
		seen := map[string]bool{}
		for i := range ids {
			if seen[ids[i]] {
				t.Fatalf("%s listed twice", ids[i])
			}
			seen[ids[i]] = true
			if i > 0 && (scores[i] > scores[i-1] || (scores[i] == scores[i-1] && ids[i] < ids[i-1])) {
				t.Fatalf("order broken at %d: %v %v", i, ids, scores)
			}
		}
		if ids[0] != "c04" || scores[0] != 0.9 {
			t.Fatalf("first %s %v, want c04 0.9", ids[0], scores[0])
		}
		// Each item carries the plan its score was computed with.
		for i, id := range ids {
			if want := "plan" + id[len(id)-1:]; plans[i] != want {
				t.Fatalf("%s listed with plan %q, want %q", id, plans[i], want)
			}
		}
		page, err := s.AtRisk(ctx, AtRiskQuery{MinScore: 0.85})
		if err != nil || len(page.Items) != 5 || page.Next != "" {
			t.Fatalf("min_score 0.85: %+v, %v", page, err)
		}
		// A customer whose score falls below the threshold leaves the list.
		score("c04", 0.2, false)
		page, _ = s.AtRisk(ctx, AtRiskQuery{MinScore: 0.85})
		if len(page.Items) != 4 {
			t.Fatalf("after c04 cleared: %+v", page)
		}
		if _, err := s.AtRisk(ctx, AtRiskQuery{Cursor: "not-a-cursor"}); !errors.Is(err, ErrBadCursor) {
			t.Fatalf("garbage cursor: %v", err)
		}
	})

	t.Run("at-risk tiers, orders and weekly change", func(t *testing.T) {
		s := newStore(t, clock)
		put := func(id string, daysAgo int, v float64, level model.RiskLevel, mrr float64) {
			t.Helper()
			sc := Score{Score: v, RiskLevel: level, Flagged: level == "high", ModelVersion: "v1", AsOf: now.AddDate(0, 0, -daysAgo),
				Plan: "pro", Name: "Name of " + id, Owner: "owner-" + id}
			if mrr > 0 {
				sc.MRR = &mrr
			}
			if err := s.PutScore(ctx, id, Cached{Day: today - int32(daysAgo), ModelVersion: "v1", Score: sc}); err != nil {
				t.Fatal(err)
			}
		}
		put("h1", 7, 0.3, "medium", 100) // rises into high: change +0.6
		put("h1", 0, 0.9, "high", 100)
		put("h2", 0, 0.8, "high", 500) // no score a week ago
		put("h3", 10, 0.85, "high", 0) // the last score on or before 7 days ago counts
		put("h3", 0, 0.7, "high", 0)
		put("m1", 8, 0.2, "medium", 50)
		put("m1", 7, 0.25, "medium", 50)
		put("m1", 0, 0.35, "medium", 50)
		put("m2", 0, 0.3, "medium", 1000)
		put("m3", 20, 0.1, "low", 0) // older than DailyScoreDays: forgotten
		put("m3", 0, 0.32, "medium", 0)
		put("l1", 0, 0.1, "low", 10)
		list := func(q AtRiskQuery) ([]string, map[string]AtRiskItem) {
			t.Helper()
			var ids []string
			items := map[string]AtRiskItem{}
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("pagination does not end")
				}
				page, err := s.AtRisk(ctx, q)
				if err != nil {
					t.Fatalf("%+v: %v", q, err)
				}
				for _, it := range page.Items {
					ids = append(ids, it.CustomerID)
					items[it.CustomerID] = it
				}
				if page.Next == "" {
					return ids, items
				}
				q.Cursor = page.Next
			}
		}
		for _, c := range []struct {
			q    AtRiskQuery
			want string
		}{
			{AtRiskQuery{Level: LevelHigh}, "[h1 h2 h3]"},
			{AtRiskQuery{Level: LevelMedium}, "[m1 m3 m2]"},
			{AtRiskQuery{}, "[h1 h2 h3 m1 m3 m2]"},
			{AtRiskQuery{MinScore: 0.5}, "[h1 h2 h3]"},
			{AtRiskQuery{MinScore: 0.31, Level: LevelMedium}, "[m1 m3]"},
			{AtRiskQuery{Sort: SortRevenue}, "[h2 m2 h1 m1 h3 m3]"},
			{AtRiskQuery{Sort: SortRevenue, Level: LevelMedium}, "[m2 m1 m3]"},
			{AtRiskQuery{Sort: SortChange}, "[h1 m1 h3 h2 m2 m3]"},
			{AtRiskQuery{Sort: SortChange, Level: LevelHigh}, "[h1 h3 h2]"},
		} {
			for _, limit := range []int{1, 2, 100} {
				q := c.q
				q.Limit = limit
				if ids, _ := list(q); fmt.Sprint(ids) != c.want {
					t.Errorf("%+v: %v, want %s", q, ids, c.want)
				}
			}
		}
		_, items := list(AtRiskQuery{Sort: SortChange})
		ago := func(id string) string {
			if p := items[id].ScoreWeekAgo; p != nil {
				return fmt.Sprint(*p)
			}
			return "nil"
		}
		for id, want := range map[string]string{"h1": "0.3", "h2": "nil", "h3": "0.85", "m1": "0.25", "m2": "nil", "m3": "nil"} {
			if got := ago(id); got != want {
				t.Errorf("%s: score 7 days ago %s, want %s", id, got, want)
			}
		}
		if it := items["h1"]; it.Score.Name != "Name of h1" || it.Score.Owner != "owner-h1" || it.Score.Score != 0.9 {
			t.Errorf("h1 listed as %+v", it.Score)
		}
		if c := Change(0.9, items["h1"].ScoreWeekAgo); c == nil || *c != 0.6 {
			t.Errorf("change of h1 %v, want 0.6", c)
		}
		// A cursor of one order is refused by another.
		page, _ := s.AtRisk(ctx, AtRiskQuery{Limit: 1})
		if _, err := s.AtRisk(ctx, AtRiskQuery{Sort: SortChange, Cursor: page.Next}); !errors.Is(err, ErrBadCursor) {
			t.Errorf("score cursor in the change order: %v", err)
		}
		// Falling to low leaves every list; rising to high leaves the watch tier.
		put("m2", 0, 0.1, "low", 1000)
		put("m3", 0, 0.95, "high", 0)
		for _, c := range []struct {
			q    AtRiskQuery
			want string
		}{
			{AtRiskQuery{Level: LevelMedium, Sort: SortRevenue}, "[m1]"},
			{AtRiskQuery{Sort: SortChange}, "[h1 m1 h3 h2 m3]"},
			{AtRiskQuery{Level: LevelHigh}, "[m3 h1 h2 h3]"},
		} {
			if ids, _ := list(c.q); fmt.Sprint(ids) != c.want {
				t.Errorf("after changes, %+v: %v, want %s", c.q, ids, c.want)
			}
		}
	})

	t.Run("import", func(t *testing.T) {
		s := newStore(t, clock)
		mrr := 50.0
		batch := []CustomerData{
			{Profile: features.Profile{ID: "g1", Plan: "pro", MRR: &mrr}, History: signals.History{{Day: today - 2, Usage: 3, UsageEvents: 1}, {Day: today - 1, Usage: 4, UsageEvents: 2}}},
			{Profile: features.Profile{ID: "g2"}, History: signals.History{{Day: today - 500, Usage: 9}}},
		}
		if err := s.Import(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := s.Import(ctx, batch[:1]); err != nil { // days merge: usage doubles
			t.Fatal(err)
		}
		p, _ := s.GetCustomer(ctx, "g1")
		h, err := s.History(ctx, "g1", 0, today+1)
		if err != nil || p.Plan != "pro" || len(h) != 2 || h[0].Usage != 6 || h[1].UsageEvents != 4 {
			t.Fatalf("g1: %+v %+v %v", p, h, err)
		}
		if h, err := s.History(ctx, "g2", 0, today+1); err != nil || len(h) != 0 {
			t.Fatalf("g2 keeps a day older than the retention: %+v %v", h, err)
		}
	})

	t.Run("tickets keep the worst sentiment", func(t *testing.T) {
		s := newStore(t, clock)
		d := func(sent float64) Event {
			n := int32(0)
			if sent < signals.NegativeSentiment {
				n = 1
			}
			return Event{CustomerID: "h", Day: signals.Day{Day: today, Tickets: 1, NegTickets: n, SentimentSum: sent, SentimentMin: sent, Risk: [signals.NumCategories]int32{2, 0, 1}}}
		}
		if _, _, err := s.AddEvents(ctx, []Event{d(0.5), d(-0.7)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AddEvents(ctx, []Event{d(0.2)}); err != nil {
			t.Fatal(err)
		}
		h, _ := s.History(ctx, "h", today, today+1)
		if len(h) != 1 || h[0].Tickets != 3 || h[0].NegTickets != 1 || math.Abs(h[0].SentimentSum-0) > 1e-12 || h[0].SentimentMin != -0.7 || h[0].Risk[0] != 6 || h[0].Risk[2] != 3 {
			t.Fatalf("history %+v", h)
		}
	})

	t.Run("churn metrics follow upserts and scores", func(t *testing.T) {
		cur := now
		s := newStore(t, func() time.Time { return cur })
		put := func(p features.Profile) {
			t.Helper()
			if err := s.PutCustomer(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		mrr := func(v float64) *float64 { return &v }
		day := func(y, m, d int) *time.Time { t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); return &t }
		// m1 signs up in January at 100, grows to 150 in March, churns in May,
		// comes back in July at 80. m2 signed up before any data at 50.
		cur = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
		put(features.Profile{ID: "m1", SignupAt: day(2026, 1, 5), MRR: mrr(100)})
		put(features.Profile{ID: "m2", MRR: mrr(50)})
		cur = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
		put(features.Profile{ID: "m1", SignupAt: day(2026, 1, 5), MRR: mrr(150)})
		if err := s.PutScore(ctx, "m1", Cached{Day: today, ModelVersion: "v", Score: Score{Score: 0.6, Flagged: true, MRR: mrr(150)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutScore(ctx, "m2", Cached{Day: today, ModelVersion: "v", Score: Score{Score: 0.1, MRR: mrr(50)}}); err != nil {
			t.Fatal(err)
		}
		st, err := s.ChurnMetrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.RevenueAtRisk != 90 || st.Predicted[metrics.MonthOf(cur)] != 0 {
			t.Fatalf("after scoring: revenue at risk %v (want 150 x 0.6 = 90), predicted %v", st.RevenueAtRisk, st.Predicted)
		}
		cur = time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
		put(features.Profile{ID: "m1", SignupAt: day(2026, 1, 5), MRR: mrr(150), ChurnedAt: day(2026, 5, 18)})
		cur = time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
		put(features.Profile{ID: "m1", SignupAt: day(2026, 7, 1), MRR: mrr(80)})
		st, err = s.ChurnMetrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The same history computed directly.
		var want metrics.Aggregate
		c1 := metrics.Customer{}
		for _, step := range []struct {
			at time.Time
			p  features.Profile
		}{
			{time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), features.Profile{ID: "m1", SignupAt: day(2026, 1, 5), MRR: mrr(100)}},
			{time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), features.Profile{ID: "m1", SignupAt: day(2026, 1, 5), MRR: mrr(150)}},
			{time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), features.Profile{ID: "m1", SignupAt: day(2026, 1, 5), MRR: mrr(150), ChurnedAt: day(2026, 5, 18)}},
			{time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC), features.Profile{ID: "m1", SignupAt: day(2026, 7, 1), MRR: mrr(80)}},
		} {
			c1 = metrics.Update(c1, step.p, step.at)
		}
		addContribution(t, &want, c1)
		addContribution(t, &want, metrics.Update(metrics.Customer{}, features.Profile{ID: "m2", MRR: mrr(50)}, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)))
		if fmt.Sprint(st.Aggregate.Flows) != fmt.Sprint(want.Flows) || fmt.Sprint(st.Aggregate.Cohorts) != fmt.Sprint(want.Cohorts) {
			t.Fatalf("aggregate\n got %v %v\nwant %v %v", st.Aggregate.Flows, st.Aggregate.Cohorts, want.Flows, want.Cohorts)
		}
		may := st.Aggregate.Flows[metrics.MonthOf(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))]
		if may.Churned != 1 || may.ChurnedMRR != 15000 {
			t.Fatalf("May flows %+v", may)
		}
		// The churned customer left the at-risk list and the score sums; the
		// month it left in kept the sum as it was at the month's start.
		if st.RevenueAtRisk != 0 || st.Predicted[metrics.MonthOf(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))] != 0.7 {
			t.Fatalf("after churn: revenue at risk %v, predicted %v", st.RevenueAtRisk, st.Predicted)
		}
		if page, _ := s.AtRisk(ctx, AtRiskQuery{}); len(page.Items) != 0 {
			t.Fatalf("a churned customer is still at risk: %+v", page)
		}
		// Import with an explicit metrics state adds its contribution.
		c3 := metrics.Customer{Lifetimes: []metrics.Lifetime{{Start: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}}, MRR: []metrics.MRRPoint{{Month: metrics.MonthOf(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)), MRR: 30}}}
		if err := s.Import(ctx, []CustomerData{{Profile: features.Profile{ID: "m3"}, Metrics: &c3}}); err != nil {
			t.Fatal(err)
		}
		st, _ = s.ChurnMetrics(ctx)
		addContribution(t, &want, c3)
		if fmt.Sprint(st.Aggregate.Flows) != fmt.Sprint(want.Flows) {
			t.Fatalf("after import\n got %v\nwant %v", st.Aggregate.Flows, want.Flows)
		}
	})

	t.Run("recorded predicted churn keeps the first value of a month", func(t *testing.T) {
		s := newStore(t, clock)
		jan, feb, mar := metrics.MonthOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), metrics.MonthOf(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)), metrics.MonthOf(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		if err := s.RecordPredicted(ctx, map[metrics.Month]float64{jan: 1.25, feb: 2.5}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordPredicted(ctx, map[metrics.Month]float64{feb: 9, mar: 0.125}); err != nil {
			t.Fatal(err)
		}
		st, err := s.ChurnMetrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for m, want := range map[metrics.Month]float64{jan: 1.25, feb: 2.5, mar: 0.125} {
			if got, ok := st.Predicted[m]; !ok || got != want {
				t.Errorf("predicted %s: %v (recorded %v), want %v", m, got, ok, want)
			}
		}
	})

	t.Run("ledger rule cases", func(t *testing.T) { runLedgerCases(t, newStore) })

	t.Run("exact sums", func(t *testing.T) { runExactSums(t, newStore) })

	t.Run("a refused write stores nothing", func(t *testing.T) { runAllOrNothing(t, newStore) })

	t.Run("ledger under concurrent writes", func(t *testing.T) { runLedgerConcurrency(t, newStore) })

	t.Run("alerts fire once per crossing, with hysteresis", func(t *testing.T) {
		s := newStore(t, clock)
		rules := []AlertRule{{ID: "w1", Threshold: 0.5, Clear: 0.45}, {ID: "w2", Threshold: 0.8, Clear: 0.7}}
		var got []string
		for _, sc := range []float64{0.3, 0.52, 0.49, 0.51, 0.47, 0.55, 0.44, 0.46, 0.5, 0.85, 0.9, 0.6, 0.1} {
			tr, err := s.Alerts(ctx, "al", sc, rules)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range tr {
				got = append(got, fmt.Sprintf("%v:%s:%v", sc, x.RuleID, x.AtRisk))
			}
		}
		want := []string{"0.52:w1:true", "0.44:w1:false", "0.5:w1:true", "0.85:w2:true", "0.6:w2:false", "0.1:w1:false"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("transitions %v, want %v", got, want)
		}
		// Concurrent scorers of one customer: a crossing is seen once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		n := 0
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tr, err := s.Alerts(ctx, "al2", 0.9, rules)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				n += len(tr)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if n != 2 {
			t.Fatalf("%d transitions from 8 concurrent identical scores, want 2 (one per rule)", n)
		}
	})

	t.Run("alert trigger cases", func(t *testing.T) { runAlertCases(t, newStore, clock) })

	t.Run("each customer", func(t *testing.T) {
		s := newStore(t, clock)
		want := []string{"a}b", "x%7Dy", "plain", "日本", "{c:q}"}
		for _, id := range want {
			if err := s.PutCustomer(ctx, features.Profile{ID: id}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.AddEvents(ctx, []Event{{CustomerID: "events-only", Day: signals.Day{Day: today, Usage: 1}}}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "events-only")
		var got []string
		if err := s.EachCustomer(ctx, func(id string) error { got = append(got, id); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("customers %q, want %q", got, want)
		}
	})

	t.Run("concurrent batches lose nothing", func(t *testing.T) {
		s := newStore(t, clock)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					_, _, err := s.AddEvents(ctx, []Event{{CustomerID: "f", EventID: fmt.Sprintf("w%d-%d", w, i), Day: signals.Day{Day: today, Usage: 1, UsageEvents: 1}}})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		h, _ := s.History(ctx, "f", today, today+1)
		if len(h) != 1 || h[0].Usage != 400 {
			t.Fatalf("history %+v, want usage 400", h)
		}
	})
}

// addContribution adds customer c's contribution to a.
func addContribution(t *testing.T, a *metrics.Aggregate, c metrics.Customer) {
	t.Helper()
	d, err := metrics.Contribution(c)
	if err == nil {
		err = a.Add(d, 1)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestMemContract(t *testing.T) {
	runContract(t, func(t *testing.T, now func() time.Time) contractStore {
		return NewMem(MemOptions{Now: now})
	})
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []struct {
		o  Sort
		k  float64
		id string
	}{{SortScore, -0.5, "a"}, {SortScore, -1, "x:y{z}|w"}, {SortScore, 0, "日本"}, {SortRevenue, -1234.5, "a|b"}, {SortChange, 2, "c"}, {SortChange, 0.25, "d:e"}} {
		k, id, err := decodeCursor(c.o, encodeCursor(c.o, c.k, c.id))
		if err != nil || k != c.k || id != c.id {
			t.Errorf("%s %v %q -> %v %q %v", c.o, c.k, c.id, k, id, err)
		}
	}
	for _, bad := range []string{"", "!!", encodeCursor(SortScore, -2, "a"), "YWJj"} {
		if _, _, err := decodeCursor(SortScore, bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	// A cursor of one order is refused by the others.
	for _, o := range Sorts {
		for _, other := range Sorts {
			if _, _, err := decodeCursor(other, encodeCursor(o, -0.5, "a")); (o != other) != errors.Is(err, ErrBadCursor) {
				t.Errorf("cursor of %s read as %s: %v", o, other, err)
			}
		}
	}
}
