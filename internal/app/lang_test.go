package app

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
)

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// TestLanguages: a risk, an inline score and the at-risk list in each
// language are the English answer with its sentences written in that
// language; the scores, drivers and signals are the same, and what is
// stored stays English.
func TestLanguages(t *testing.T) {
	s, st, ds := loaded(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go s.Run(ctx)
	now := s.Now()
	id := ""
	for i := range ds.Customers {
		if ds.Customers[i].ActiveAt(now) {
			id = ds.Customers[i].ID
			break
		}
	}
	events := []signals.Event{
		{Type: signals.TypePageView, CustomerID: id, EventID: "l1", Timestamp: now.Add(-time.Hour), Path: "/account/cancel"},
		{Type: signals.TypeTicket, CustomerID: id, EventID: "l2", Timestamp: now.Add(-time.Hour), Text: "價格太貴了，我們想取消訂閱。"},
	}
	if _, _, err := s.Ingest(ctx, events); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	en, err := s.Risk(ctx, id, i18n.En)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []i18n.Lang{i18n.ZhTW, i18n.ZhCN} {
		r, err := s.Risk(ctx, id, l)
		if err != nil {
			t.Fatal(err)
		}
		if r.Prediction.Score != en.Prediction.Score || len(r.Prediction.Drivers) != len(en.Prediction.Drivers) || len(r.Signals) != len(en.Signals) || len(r.Signals) == 0 {
			t.Fatalf("%s: %+v, in English %+v", l, r, en)
		}
		for i, d := range r.Prediction.Drivers {
			e := en.Prediction.Drivers[i]
			if d.Feature != e.Feature || d.Impact != e.Impact || !hasHan(d.Reason) {
				t.Errorf("%s: driver %d %s %q, in English %s %q", l, i, d.Feature, d.Reason, e.Feature, e.Reason)
			}
			if d.Feature != features.IntentTickets90d && d.Reason != features.Translate(l, e.Reason) {
				t.Errorf("%s: driver %s %q, the English translated %q", l, d.Feature, d.Reason, features.Translate(l, e.Reason))
			}
		}
		for i, sig := range r.Signals {
			if sig.Kind != en.Signals[i].Kind || !sig.At.Equal(en.Signals[i].At) || !hasHan(sig.Text) {
				t.Errorf("%s: signal %d %+v, in English %+v", l, i, sig, en.Signals[i])
			}
		}
	}
	sc, err := st.GetScore(ctx, id)
	if err != nil || sc.TopDriver == "" || hasHan(sc.TopDriver) {
		t.Errorf("the stored top driver %q (%v) is not the English one", sc.TopDriver, err)
	}

	// The at-risk list: the same customers, the top driver translated.
	q := store.AtRiskQuery{Limit: 50}
	enPage, err := s.AtRisk(ctx, q, AtRiskFilter{}, i18n.En)
	if err != nil || len(enPage.Items) == 0 {
		t.Fatalf("at-risk: %v, %v", enPage, err)
	}
	for _, l := range []i18n.Lang{i18n.ZhTW, i18n.ZhCN} {
		for _, f := range []AtRiskFilter{{}, {Text: enPage.Items[0].CustomerID}} { // the store's page and a filtered one
			page, err := s.AtRisk(ctx, q, f, l)
			if err != nil || len(page.Items) == 0 {
				t.Fatalf("%s: %v, %v", l, page, err)
			}
			for i, it := range page.Items {
				e := enPage.Items[i]
				if it.CustomerID != e.CustomerID || it.Score.Score != e.Score.Score || !hasHan(it.Score.TopDriver) ||
					it.Score.TopDriver != features.Translate(l, e.Score.TopDriver) {
					t.Errorf("%s %+v: item %d %s %q, in English %s %q", l, f, i, it.CustomerID, it.Score.TopDriver, e.CustomerID, e.Score.TopDriver)
				}
			}
		}
	}
	if again, _ := st.GetScore(ctx, enPage.Items[0].CustomerID); hasHan(again.TopDriver) {
		t.Errorf("reading the list in Chinese changed the stored top driver: %q", again.TopDriver)
	}

	// An inline score.
	in := []Unstored{{Profile: features.Profile{ID: "w"}, Events: []signals.Event{
		{Type: signals.TypeTicket, CustomerID: "w", Timestamp: now.Add(-time.Hour), Text: "Please downgrade us to the starter plan."},
	}}}
	enOut, err := s.Score(in, i18n.En)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Score(in, i18n.ZhCN)
	if err != nil {
		t.Fatal(err)
	}
	r, e := out.Risks[0], enOut.Risks[0]
	if r.Prediction.Score != e.Prediction.Score || len(r.Signals) == 0 || !hasHan(r.Signals[0].Text) || !strings.Contains(r.Signals[0].Text, "要求降级套餐") {
		t.Errorf("inline score in zh-CN: %+v", r)
	}
	for _, d := range r.Prediction.Drivers {
		if !hasHan(d.Reason) {
			t.Errorf("inline score in zh-CN: driver %s %q", d.Feature, d.Reason)
		}
	}
}
