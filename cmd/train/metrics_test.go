package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/api"
	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/metrics"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
)

// TestMetricsAPIMatchesFiles computes the churn figures of generated data
// with `train metrics` and through the API after loading the same files into
// each store, and requires identical figures.
func TestMetricsAPIMatchesFiles(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	if code, out, errs := runCmd(t, "gen", "--out", dataDir, "--customers", "600", "--days", "240", "--end", "2026-06-30", "--seed", "8"); code != 0 {
		t.Fatalf("gen: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := runCmd(t, "metrics", "--data", dataDir, "--from", "2025-11", "--to", "2026-06", "--json")
	if code != 0 {
		t.Fatalf("metrics: %d\n%s\n%s", code, out, errs)
	}
	var files metrics.Table
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatal(err)
	}
	if len(files.Months) != 8 || files.Overall.Churned == 0 || files.Overall.ExpansionMRR == 0 {
		t.Fatalf("train metrics gave %d months, overall %+v", len(files.Months), files.Overall)
	}
	if code, out, _ := runCmd(t, "metrics", "--data", dataDir, "--from", "2026-01", "--to", "2026-02"); code != 0 || !strings.Contains(out, "overall") || !strings.Contains(out, "cohort retention") {
		t.Errorf("text output: %d\n%s", code, out)
	}
	ds, err := data.Load(dataDir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
	for _, kind := range []string{"mem", "redis", "cluster"} {
		t.Run(kind, func(t *testing.T) {
			var st app.Store
			switch kind {
			case "mem":
				st = store.NewMem(store.MemOptions{Now: now})
			default:
				o := store.RedisOptions{Prefix: redistest.Prefix(t), Now: now}
				if kind == "cluster" {
					o.ClusterAddrs = redistest.ClusterAddrs(t)
				} else {
					o.URL = redistest.URL(t)
				}
				redistest.Cleanup(t, o.URL, o.ClusterAddrs, o.Prefix)
				r, err := store.NewRedis(context.Background(), o)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				st = r
			}
			srv := api.New(api.Config{Store: st, ModelsDir: t.TempDir(), Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if _, err := dataload.Import(context.Background(), srv.App(), ds); err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			resp, err := http.Get(hs.URL + "/v1/metrics/churn?from=2025-11&to=2026-06")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got metrics.Table
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET /v1/metrics/churn: %d, %v", resp.StatusCode, err)
			}
			strip := func(t metrics.Table) []byte {
				for i := range t.Months {
					t.Months[i].PredictedChurn, t.Months[i].PredictedToActual = nil, nil
				}
				t.Overall.PredictedChurn, t.Overall.PredictedToActual = nil, nil
				t.RevenueAtRisk, t.Notes = nil, nil
				b, _ := json.Marshal(t)
				return b
			}
			if a, b := strip(files), strip(got); !bytes.Equal(a, b) {
				t.Errorf("API and train metrics differ:\nfiles %s\napi   %s", a, b)
			}
		})
	}
	t.Run("default range", func(t *testing.T) {
		// Without a range, the console's headline (GET /v1/metrics/churn on
		// the day the data ends) and `train metrics` cover the same months
		// and give the same churn rate: the months before the first churn,
		// which the data does not observe, are left out of both.
		code, out, errs := runCmd(t, "metrics", "--data", dataDir, "--json")
		if code != 0 {
			t.Fatalf("metrics: %d\n%s\n%s", code, out, errs)
		}
		var cli metrics.Table
		if err := json.Unmarshal([]byte(out), &cli); err != nil {
			t.Fatal(err)
		}
		end := func() time.Time { return time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC) }
		srv := api.New(api.Config{Store: store.NewMem(store.MemOptions{Now: end}), ModelsDir: t.TempDir(), Now: end,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if _, err := dataload.Import(context.Background(), srv.App(), ds); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/metrics/churn", nil))
		var console metrics.Table
		if err := json.Unmarshal(rec.Body.Bytes(), &console); err != nil || rec.Code != 200 {
			t.Fatalf("GET /v1/metrics/churn: %d %v", rec.Code, err)
		}
		c, f := console.Overall, cli.Overall
		if c.From != "2025-11" || c.To != "2026-06" || f.From != c.From || f.To != c.To {
			t.Errorf("ranges: console %s..%s, train metrics %s..%s, want 2025-11..2026-06 (the data's first churn to its end)", c.From, c.To, f.From, f.To)
		}
		if c.CustomerChurnRate == nil || f.CustomerChurnRate == nil || *c.CustomerChurnRate != *f.CustomerChurnRate {
			t.Errorf("headline churn rate: console %s, train metrics %s", pct(c.CustomerChurnRate), pct(f.CustomerChurnRate))
		} else {
			t.Logf("headline churn rate %.4f over %s..%s in both", *c.CustomerChurnRate, c.From, c.To)
		}
	})
	for _, bad := range []string{"from=2026-13", "to=x", "from=2026-05&to=2026-01"} {
		srv := api.New(api.Config{Store: store.NewMem(store.MemOptions{}), ModelsDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/metrics/churn?"+bad, nil))
		if rec.Code != 422 {
			t.Errorf("%s: %d %s", bad, rec.Code, rec.Body.String())
		}
	}
}
