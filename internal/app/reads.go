package app

import (
	"context"
	"strings"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/store"
)

// MaxAtRiskScan bounds the list entries one filtered at-risk request
// examines (see AtRisk).
const MaxAtRiskScan = 10000

// AtRiskFilter narrows the at-risk list beyond what the store applies by
// range: the plan (case-insensitive) and a search text (a case-insensitive
// substring of the customer id or name). Empty fields filter nothing.
type AtRiskFilter struct {
	Plan, Text string
}

// AtRisk returns a page of the at-risk list. Without a filter (and in the
// score order, where the store applies the minimum score) it is the
// store's page; otherwise the store's pages are read from q.Cursor on until
// q.Limit matching customers are found, the list ends, or 10,000 entries
// were examined, and Next continues right after the last entry examined: a
// page may then hold fewer than q.Limit customers (even none) and still
// have a Next. Each customer's top driver is in language l: the store keeps
// it in English, as the model wrote it when the customer was scored, and it
// is translated as it is read (features.Translate), so that the list of a
// thousand customers needs no vector read back and a change of language
// needs no rescoring. It returns the store's error (store.ErrBadCursor for
// a cursor it did not issue).
func (s *Service) AtRisk(ctx context.Context, q store.AtRiskQuery, f AtRiskFilter, l i18n.Lang) (store.AtRiskPage, error) {
	var page store.AtRiskPage
	var err error
	if keep := atRiskFilter(q, f.Plan, strings.TrimSpace(f.Text)); keep == nil {
		page, err = s.st.AtRisk(ctx, q)
	} else {
		page, err = s.atRiskFiltered(ctx, q, keep)
	}
	if err != nil || l == i18n.En {
		return page, err
	}
	for i := range page.Items {
		page.Items[i].Score.TopDriver = features.Translate(l, page.Items[i].Score.TopDriver)
	}
	return page, nil
}

// atRiskFilter is the filter the store cannot apply by range: the plan, the
// search text and, outside the score order, the minimum score. It is nil
// when there is nothing to filter.
func atRiskFilter(q store.AtRiskQuery, plan, text string) func(store.AtRiskItem) bool {
	minScore := q.Sort != "" && q.Sort != store.SortScore && q.MinScore > 0
	if plan == "" && text == "" && !minScore {
		return nil
	}
	text = strings.ToLower(text)
	return func(it store.AtRiskItem) bool {
		if plan != "" && !strings.EqualFold(it.Score.Plan, plan) {
			return false
		}
		if text != "" && !strings.Contains(strings.ToLower(it.CustomerID), text) && !strings.Contains(strings.ToLower(it.Score.Name), text) {
			return false
		}
		return !minScore || it.Score.Score >= q.MinScore
	}
}

// atRiskFiltered is a page of the at-risk list holding only the customers
// keep keeps (see AtRisk).
func (s *Service) atRiskFiltered(ctx context.Context, q store.AtRiskQuery, keep func(store.AtRiskItem) bool) (store.AtRiskPage, error) {
	want := q.Limit
	if want <= 0 {
		want = store.DefaultAtRiskLimit
	}
	var out store.AtRiskPage
	for budget := MaxAtRiskScan; ; {
		q.Limit = min(store.MaxAtRiskLimit, budget)
		page, err := s.st.AtRisk(ctx, q)
		if err != nil {
			return store.AtRiskPage{}, err
		}
		for i, it := range page.Items {
			budget--
			if keep(it) {
				out.Items = append(out.Items, it)
			}
			if len(out.Items) == want || budget == 0 {
				out.Next = page.Next
				if i < len(page.Items)-1 {
					out.Next = it.Cursor
				}
				return out, nil
			}
		}
		if page.Next == "" {
			return out, nil
		}
		if len(page.Items) == 0 { // every entry left the list while read
			budget -= q.Limit
		}
		if budget <= 0 {
			out.Next = page.Next
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// ChurnFigures computes the churn figures of the months from..to from the
// store's incrementally kept aggregate (no customer is read), with the
// predicted churn beside the actual and the active model's lookback. A nil
// from starts at metrics.DefaultFrom's month (the range `train metrics`
// uses), with its note. It returns the store's error.
func (s *Service) ChurnFigures(ctx context.Context, from *metrics.Month, to metrics.Month) (metrics.Table, error) {
	st, err := s.st.ChurnMetrics(ctx)
	if err != nil {
		return metrics.Table{}, err
	}
	var start metrics.Month
	var note string
	if from != nil {
		start = *from
	} else {
		start, note = metrics.DefaultFrom(st.Aggregate, to)
	}
	o := metrics.Options{From: start, To: to, RevenueHistory: true, Predicted: st.Predicted, RevenueAtRisk: &st.RevenueAtRisk}
	if m := s.models.Active(); m != nil {
		o.LookbackDays = m.Meta.LookbackDays
	}
	t := metrics.Compute(st.Aggregate, o)
	if note != "" {
		t.Notes = append(t.Notes, note)
	}
	return t, nil
}
