package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/cases"
)

// caseStore is what every store provides for cases.
type caseStore interface {
	OpenCase(ctx context.Context, c cases.Case) (bool, error)
	GetCase(ctx context.Context, id string) (cases.Case, error)
	UpdateCase(ctx context.Context, id string, fn func(cases.Case) (cases.Case, error)) (cases.Case, error)
	CustomerCases(ctx context.Context, customer string) ([]cases.Case, error)
	Cases(ctx context.Context, q CaseQuery) (CasePage, error)
	PendingCases(ctx context.Context, fn func(c cases.Case) error) error
}

var caseT0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func newCase(customer string, opened time.Time, score, mrr float64) cases.Case {
	plays := cases.DefaultPlays()
	return cases.Case{ID: cases.ID(customer, opened), CustomerID: customer, OpenedAt: opened, Score: score,
		RevenueAtRisk: mrr * score, MRR: &mrr, Play: plays[cases.FamilyUsage], Group: cases.GroupTreatment,
		Status: cases.StatusOpen, UpdatedAt: opened, HorizonEnds: opened.AddDate(0, 0, 30),
		Drivers: []cases.Driver{{Feature: "usage_drop_30d", Impact: 0.1, Reason: "usage fell"}}}
}

// runCasesContract runs the cases contract on stores from newStore; two
// stores from one call of newPair share their data (two replicas).
func runCasesContract(t *testing.T, newPair func(t *testing.T) (caseStore, caseStore)) {
	ctx := context.Background()
	t.Run("one open case per customer", func(t *testing.T) {
		s, _ := newPair(t)
		c := newCase("a", caseT0, 0.4, 100)
		if ok, err := s.OpenCase(ctx, c); err != nil || !ok {
			t.Fatalf("open: %v %v", ok, err)
		}
		if ok, err := s.OpenCase(ctx, c); err != nil || ok {
			t.Fatalf("the same case again: %v %v, want not opened", ok, err)
		}
		second := newCase("a", caseT0.Add(time.Hour), 0.5, 100)
		if ok, err := s.OpenCase(ctx, second); err != nil || ok {
			t.Fatalf("a second case while one is open: %v %v", ok, err)
		}
		got, err := s.GetCase(ctx, c.ID)
		if err != nil || got.ID != c.ID || got.Score != 0.4 || *got.MRR != 100 || len(got.Drivers) != 1 || got.Play.ID != "reonboard" ||
			got.Play.In("zh-TW").Name == got.Play.Name || !got.OpenedAt.Equal(caseT0) {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := s.GetCase(ctx, second.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("the refused case: %v, want ErrNotFound", err)
		}
		// Closing it frees the customer for a new case.
		saved := cases.StatusSaved
		if _, err := s.UpdateCase(ctx, c.ID, func(c cases.Case) (cases.Case, error) {
			return c.Apply(cases.Patch{Status: &saved}, "agent", caseT0.Add(time.Minute)), nil
		}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.OpenCase(ctx, second); err != nil || !ok {
			t.Fatalf("a new case after the first was closed: %v %v", ok, err)
		}
		// So does an outcome.
		if _, err := s.UpdateCase(ctx, second.ID, func(c cases.Case) (cases.Case, error) {
			at := caseT0.AddDate(0, 0, 3)
			c.Settle(&at, caseT0.AddDate(0, 0, 4))
			return c, nil
		}); err != nil {
			t.Fatal(err)
		}
		third := newCase("a", caseT0.AddDate(0, 0, 5), 0.6, 100)
		if ok, err := s.OpenCase(ctx, third); err != nil || !ok {
			t.Fatalf("a new case after an outcome: %v %v", ok, err)
		}
		all, err := s.CustomerCases(ctx, "a")
		if err != nil || len(all) != 3 || all[0].ID != third.ID || all[2].ID != c.ID {
			t.Fatalf("customer cases: %d %v", len(all), err)
		}
		if none, err := s.CustomerCases(ctx, "nobody"); err != nil || len(none) != 0 {
			t.Fatalf("no cases: %v %v", none, err)
		}
	})

	t.Run("two replicas open one case for one crossing", func(t *testing.T) {
		a, b := newPair(t)
		for i := 0; i < 20; i++ {
			customer := fmt.Sprintf("race-%d", i)
			var opened atomic.Int32
			var wg sync.WaitGroup
			for j, s := range []caseStore{a, b, a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Each replica sees the crossing at a slightly different time.
					ok, err := s.OpenCase(ctx, newCase(customer, caseT0.Add(time.Duration(j)*time.Millisecond), 0.5, 10))
					if err != nil {
						t.Error(err)
					}
					if ok {
						opened.Add(1)
					}
				}()
			}
			wg.Wait()
			if n := opened.Load(); n != 1 {
				t.Fatalf("%s: %d cases opened, want 1", customer, n)
			}
			if all, _ := b.CustomerCases(ctx, customer); len(all) != 1 {
				t.Fatalf("%s: %d cases stored", customer, len(all))
			}
		}
	})

	t.Run("updates are compare and set", func(t *testing.T) {
		a, b := newPair(t)
		c := newCase("u", caseT0, 0.5, 10)
		if _, err := a.OpenCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			s := []caseStore{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				note := fmt.Sprint(i)
				if _, err := s.UpdateCase(ctx, c.ID, func(c cases.Case) (cases.Case, error) {
					return c.Apply(cases.Patch{Note: &note}, "agent", caseT0), nil
				}); err != nil && !errors.Is(err, ErrConflict) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, err := b.GetCase(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Notes) < 8 {
			t.Errorf("%d of 16 notes kept", len(got.Notes))
		}
		seen := map[string]bool{}
		for _, n := range got.Notes {
			if seen[n.Text] {
				t.Errorf("note %s twice", n.Text)
			}
			seen[n.Text] = true
		}
		boom := errors.New("refused")
		if _, err := a.UpdateCase(ctx, c.ID, func(c cases.Case) (cases.Case, error) { c.Owner = "x"; return c, boom }); err != boom {
			t.Errorf("fn's error: %v", err)
		}
		if got, _ := a.GetCase(ctx, c.ID); got.Owner != "" {
			t.Errorf("a refused update was written: owner %q", got.Owner)
		}
		if _, err := a.UpdateCase(ctx, "case_nope", func(c cases.Case) (cases.Case, error) { return c, nil }); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown case: %v", err)
		}
		if _, err := a.UpdateCase(ctx, c.ID, func(c cases.Case) (cases.Case, error) { c.CustomerID = "other"; return c, nil }); err == nil {
			t.Error("the customer of a case changed")
		}
	})

	t.Run("list, filter and page", func(t *testing.T) {
		s, _ := newPair(t)
		plays := cases.DefaultPlays()
		var want []cases.Case
		for i := 0; i < 40; i++ {
			c := newCase(fmt.Sprintf("l%02d", i), caseT0.Add(time.Duration(i)*time.Minute), float64(i%13)/20+0.2, float64(i*7%11)*10)
			if i%4 == 0 {
				c.Group = cases.GroupControl
			}
			if i%3 == 0 {
				c.Owner = "ana"
			}
			if i%5 == 0 {
				c.Play = plays[cases.FamilyTickets]
			}
			if i%6 == 0 {
				c.Status = cases.StatusContacted
			}
			if ok, err := s.OpenCase(ctx, c); err != nil || !ok {
				t.Fatal(ok, err)
			}
			want = append(want, c)
		}
		for _, o := range CaseSorts {
			for _, f := range []struct {
				name string
				q    CaseQuery
			}{
				{"all", CaseQuery{}},
				{"control", CaseQuery{Group: cases.GroupControl}},
				{"ana", CaseQuery{Owner: "ana"}},
				{"unassigned treatment", CaseQuery{Unassigned: true, Group: cases.GroupTreatment}},
				{"escalate", CaseQuery{Play: "escalate"}},
				{"contacted", CaseQuery{Status: cases.StatusContacted}},
			} {
				q := f.q
				q.Sort, q.Limit = o, 7
				var got []string
				for pages := 0; ; pages++ {
					if pages > 10 {
						t.Fatalf("%s by %s: the pages do not end", f.name, o)
					}
					page, err := s.Cases(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if len(page.Items) > 7 {
						t.Fatalf("%s by %s: a page of %d", f.name, o, len(page.Items))
					}
					for _, c := range page.Items {
						got = append(got, c.ID)
					}
					if page.Next == "" {
						break
					}
					q.Cursor = page.Next
				}
				var exp []cases.Case
				for _, c := range want {
					if q.match(&c) {
						exp = append(exp, c)
					}
				}
				slices.SortFunc(exp, func(a, b cases.Case) int {
					ka, kb := caseKey(o, &a), caseKey(o, &b)
					switch {
					case ka < kb:
						return -1
					case ka > kb:
						return 1
					case a.ID < b.ID:
						return -1
					}
					return 1
				})
				var expIDs []string
				for _, c := range exp {
					expIDs = append(expIDs, c.ID)
				}
				if !slices.Equal(got, expIDs) {
					t.Errorf("%s by %s: %d cases %v, want %d %v", f.name, o, len(got), got, len(expIDs), expIDs)
				}
			}
		}
		if _, err := s.Cases(ctx, CaseQuery{Cursor: "bm9wZQ"}); !errors.Is(err, ErrBadCursor) {
			t.Errorf("bad cursor: %v", err)
		}
		if _, err := s.Cases(ctx, CaseQuery{Sort: SortChange}); err == nil {
			t.Error("sort by change: no error")
		}
		pending := 0
		if err := s.PendingCases(ctx, func(c cases.Case) error { pending++; return nil }); err != nil || pending != 40 {
			t.Errorf("pending: %d %v", pending, err)
		}
		if _, err := s.UpdateCase(ctx, want[0].ID, func(c cases.Case) (cases.Case, error) {
			c.Settle(nil, c.HorizonEnds)
			return c, nil
		}); err != nil {
			t.Fatal(err)
		}
		pending = 0
		if err := s.PendingCases(ctx, func(c cases.Case) error {
			if c.ID == want[0].ID {
				t.Error("a settled case is pending")
			}
			pending++
			return nil
		}); err != nil || pending != 39 {
			t.Errorf("pending after one outcome: %d %v", pending, err)
		}
	})
}

func TestMemCases(t *testing.T) {
	runCasesContract(t, func(t *testing.T) (caseStore, caseStore) {
		m := NewMem(MemOptions{})
		return m, m
	})
}

func TestRedisCases(t *testing.T) {
	o := singleOptions(t)
	runCasesContract(t, func(t *testing.T) (caseStore, caseStore) { return redisPair(t, o) })
}

func TestRedisClusterCases(t *testing.T) {
	o := clusterOptions(t)
	runCasesContract(t, func(t *testing.T) (caseStore, caseStore) { return redisPair(t, o) })
}

// redisPair returns two stores on one prefix of their own: two replicas.
func redisPair(t *testing.T, o RedisOptions) (caseStore, caseStore) {
	a := openRedis(t, o)
	o.Prefix = a.prefix
	b, err := NewRedis(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}
