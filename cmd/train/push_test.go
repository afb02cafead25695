package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
)

// TestScorePush loads generated data into a real Redis with `train score
// --push` and checks that the customers, their history and the at-risk list
// are there.
func TestScorePush(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t)
	redistest.Cleanup(t, url, nil, prefix)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	end := time.Now().UTC().Format(time.DateOnly)
	if code, out, errs := runCmd(t, "gen", "--out", dataDir, "--customers", "1000", "--days", "150", "--end", end, "--seed", "4"); code != 0 {
		t.Fatalf("gen: %d\n%s\n%s", code, out, errs)
	}
	models := filepath.Join(dir, "models")
	if code, out, errs := runCmd(t, "fit", "--data", dataDir, "--out", models); code != 0 {
		t.Fatalf("fit: %d\n%s\n%s", code, out, errs)
	}
	env := map[string]string{"REDIS_URL": url, "CHURN_REDIS_PREFIX": prefix}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"score", "--data", dataDir, "--model", models, "--push"}, func(k string) string { return env[k] }, &out, &errb)
	if err != nil {
		t.Fatalf("score --push: %v\n%s", err, errb.String())
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "1000 customers") {
		t.Errorf("push output: %s", out.String())
	}
	ctx := context.Background()
	st, err := store.NewRedis(ctx, store.RedisOptions{URL: url, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.GetCustomer(ctx, "c000010")
	if err != nil || p.Plan == "" {
		t.Fatalf("pushed customer: %+v, %v", p, err)
	}
	page, err := st.AtRisk(ctx, store.AtRiskQuery{Level: store.LevelHigh, Limit: 1000})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("at-risk list after push: %+v, %v", page, err)
	}
	for _, it := range page.Items {
		if !it.Score.Flagged || it.Score.ModelVersion == "" || it.Score.TopDriver == "" {
			t.Errorf("at-risk item %+v", it)
		}
	}
	snap, err := st.Snapshot(ctx, page.Items[0].CustomerID)
	c := snap.Cached
	if err != nil || c == nil || len(c.Vector) == 0 {
		t.Errorf("cached vector of a pushed customer: %+v, %v", c, err)
	}
}
