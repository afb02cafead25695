package main

import (
	"path/filepath"
	"testing"
	"time"
)

// TestGenDefaultEndNotInFuture: `train gen` with the default --end (today)
// writes no event after the moment it runs, which the API would refuse as
// in the future. (Before the fix this failed whenever the test ran before
// about 23:00 UTC: today's events spread over the whole day.)
func TestGenDefaultEndNotInFuture(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, out, errs := runCmd(t, "gen", "--out", dir, "--customers", "200", "--days", "14", "--seed", "7"); code != 0 {
		t.Fatalf("gen: exit %d\n%s%s", code, out, errs)
	}
	done := time.Now().UTC()
	for _, name := range []string{"usage.csv", "tickets.csv", "page_views.csv"} {
		rows := readCSV(t, filepath.Join(dir, name))
		col := -1
		for i, h := range rows[0] {
			if h == "timestamp" {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("%s: no timestamp column in %v", name, rows[0])
		}
		for _, r := range rows[1:] {
			ts, err := time.Parse(time.RFC3339, r[col])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ts.After(done) {
				t.Fatalf("%s: event at %s, after the run ended at %s", name, r[col], done.Format(time.RFC3339))
			}
		}
	}
}
