package features

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

// FuzzVector feeds events that pass validation (any quantities, sentiments,
// paths, texts and times) and profiles with odd values through the
// aggregation and the feature vector: no panic, and every behavioural
// feature finite (account features may be NaN, which means missing).
func FuzzVector(f *testing.F) {
	f.Add("usage", 3.5, 0.2, "/pricing", "I want to cancel", int64(-3600), "pro", 49.0, int64(400), "12")
	f.Add("ticket", 0.0, -1.0, "", "太贵了，我要退款", int64(-86400*89), "", -1.0, int64(-5), "x")
	f.Add("page_view", 1e300, 1.0, "https://a.b/account/cancel?x=1", "", int64(-1), "Ünïcode", math.MaxFloat64, int64(0), "NaN")
	f.Fuzz(func(t *testing.T, typ string, qty, sent float64, path, text string, offset int64, plan string, mrr float64, tenureDays int64, attr string) {
		asOf := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		at := asOf.Add(time.Duration(offset%(400*86400)) * time.Second)
		s := sent
		e := signals.Event{Type: signals.EventType(typ), CustomerID: "c", Timestamp: at, Quantity: qty, Sentiment: &s, Path: path, Text: text}
		schema := NewSchema([]Profile{{Plan: "pro", Attributes: map[string]string{"seats": "3"}}, {Plan: "pro", Attributes: map[string]string{"seats": "4"}}},
			SchemaOptions{Behaviour: true, LookbackDays: 90, MinLevelRows: 1})
		var h signals.History
		if signals.Validate(&e) == nil {
			agg := signals.NewAggregator()
			for i := 0; i < 3; i++ {
				h.Add(agg.Day(&e))
			}
		}
		signup := asOf.Add(-time.Duration(tenureDays%100000) * 24 * time.Hour)
		p := Profile{ID: "c", Plan: plan, MRR: &mrr, SignupAt: &signup, Attributes: map[string]string{"seats": attr}}
		x := make([]float64, schema.Len())
		schema.Vector(&p, h, asOf, x)
		for i, name := range schema.Names {
			v := x[i]
			if math.IsInf(v, 0) && name != MRR {
				t.Fatalf("%s is %v", name, v)
			}
			if math.IsNaN(v) && i < len(BehaviourNames()) {
				t.Fatalf("behavioural feature %s is NaN", name)
			}
			// Never panics, never prints a missing or infinite number.
			if d := schema.Describe(name, x); d == "" || strings.Contains(d, "NaN") || strings.Contains(d, "Inf") {
				t.Fatalf("%s = %v: sentence %q", name, v, d)
			}
		}
	})
}
