package synth

import (
	"reflect"
	"testing"
	"time"
)

// TestNotAfter: with NotAfter inside the last day, no event is later than
// it, and the events up to it are exactly those of the unlimited window (the
// limit leaves events out, it does not change the others).
func TestNotAfter(t *testing.T) {
	cut := testEnd.Add(12*time.Hour + 30*time.Minute)
	base := Config{Customers: 300, Days: 20, End: testEnd, Seed: 5}
	limited := base
	limited.NotAfter = cut
	dirAll, dirCut := t.TempDir(), t.TempDir()
	if _, err := Generate(dirAll, base); err != nil {
		t.Fatal(err)
	}
	sum, err := Generate(dirCut, limited)
	if err != nil {
		t.Fatal(err)
	}
	all, got := loadDataset(t, dirAll), loadDataset(t, dirCut)
	if !reflect.DeepEqual(all.customers, got.customers) || !reflect.DeepEqual(all.revenue, got.revenue) {
		t.Error("NotAfter changed the customers or the revenue")
	}
	for _, f := range []struct {
		name     string
		all, got []map[string]string
		count    int
	}{
		{"usage.csv", all.usage, got.usage, sum.UsageRows},
		{"tickets.csv", all.tickets, got.tickets, sum.TicketRows},
		{"page_views.csv", all.pages, got.pages, sum.PageViewRows},
	} {
		var want []map[string]string
		later := 0
		for _, r := range f.all {
			ts, err := time.Parse(time.RFC3339, r["timestamp"])
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if ts.After(cut) {
				later++
				continue
			}
			want = append(want, r)
		}
		if later == 0 {
			t.Errorf("%s: no event after %s in the unlimited window: the test proves nothing", f.name, cut)
		}
		if !reflect.DeepEqual(f.got, want) {
			t.Errorf("%s: %d rows with NotAfter, want the %d of the unlimited window up to %s", f.name, len(f.got), len(want), cut)
		}
		if f.count != len(f.got) {
			t.Errorf("%s: summary counts %d rows, the file has %d", f.name, f.count, len(f.got))
		}
	}
}
