package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/store"
)

// twoVersions copies the test model into a models directory of its own as
// versions "v1" and "v2"; v2's threshold is a third of v1's.
func twoVersions(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := trainedModels(t)
	v1 := model.Current(src)
	for _, v := range []string{"v1", "v2"} {
		os.MkdirAll(filepath.Join(dir, v), 0o755)
		for _, f := range []string{"model.json", "metadata.json"} {
			b, err := os.ReadFile(filepath.Join(src, v1, f))
			if err != nil {
				t.Fatal(err)
			}
			if v == "v2" && f == "model.json" {
				var m map[string]any
				json.Unmarshal(b, &m)
				m["threshold"], m["medium_threshold"] = m["threshold"].(float64)/3, m["threshold"].(float64)/6
				b, _ = json.Marshal(m)
			}
			os.WriteFile(filepath.Join(dir, v, f), b, 0o644)
		}
	}
	if err := model.SetCurrent(dir, "v1"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSwapUnderLoad swaps the model back and forth, through the poller and
// through POST /v1/model/reload, while 16 clients request risk scores, and
// between the swaps points models/current at a corrupt version. No request
// may fail, and every answer must be consistent with the one model version
// it names.
func TestSwapUnderLoad(t *testing.T) {
	dir := twoVersions(t)
	os.MkdirAll(filepath.Join(dir, "broken"), 0o755)
	os.WriteFile(filepath.Join(dir, "broken", "model.json"), []byte(`{"format_version": 1, "learner": "gbt"`), 0o644)
	os.WriteFile(filepath.Join(dir, "broken", "metadata.json"), []byte(`{}`), 0o644)
	thresholds := map[string]float64{}
	for _, v := range []string{"v1", "v2"} {
		a, err := model.Load(filepath.Join(dir, v))
		if err != nil {
			t.Fatal(err)
		}
		thresholds[v] = a.Threshold
	}
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	st := store.NewMem(store.MemOptions{Now: clk.Now})
	srv := New(Config{Store: st, ModelsDir: dir, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ModelPoll: 20 * time.Millisecond})
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.App().Run(ctx)
	a := &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}
	a.loadGenerated(t, 100)

	var requests, failures, inconsistent atomic.Int64
	seen := sync.Map{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(hs.URL + "/v1/customers/" + testData.Customers[i%100].ID + "/risk")
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					continue
				}
				var body riskResponse
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil {
					failures.Add(1)
					continue
				}
				seen.Store(body.ModelVersion, true)
				th, ok := thresholds[body.ModelVersion]
				if !ok || body.Flagged != (body.Score >= th) {
					inconsistent.Add(1)
				}
			}
		}()
	}
	pointTo := func(v string) {
		if err := model.SetCurrent(dir, v); err != nil {
			t.Error(err)
		}
	}
	for round := 0; round < 6; round++ {
		pointTo("v2")
		waitFor(t, "the poller to load v2", 5*time.Second, func() bool { return srv.App().Models().Active().Version == "v2" })
		pointTo("broken")
		if code, _, _ := a.do("POST", "/v1/model/reload", nil); code != 409 {
			t.Errorf("reload of a corrupt version: %d, want 409", code)
		}
		time.Sleep(60 * time.Millisecond)
		if v := srv.App().Models().Active().Version; v != "v2" {
			t.Fatalf("a corrupt version replaced the model: now %s", v)
		}
		pointTo("v1")
		if code, body, _ := a.do("POST", "/v1/model/reload", nil); code != 200 || body["version"] != "v1" {
			t.Errorf("reload v1: %d %v", code, body)
		}
		time.Sleep(30 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	var versions []string
	seen.Range(func(k, _ any) bool { versions = append(versions, k.(string)); return true })
	t.Logf("%d requests, %d failed, %d inconsistent; versions served: %s", requests.Load(), failures.Load(), inconsistent.Load(), strings.Join(versions, ","))
	if failures.Load() != 0 || inconsistent.Load() != 0 {
		t.Errorf("%d failed and %d inconsistent responses during the swaps", failures.Load(), inconsistent.Load())
	}
	if len(versions) != 2 || requests.Load() < 100 {
		t.Errorf("versions served %v over %d requests: the swaps did not happen under load", versions, requests.Load())
	}
	code, body, _ := a.do("GET", "/v1/models", nil)
	if code != 200 || body["active"] != "v1" || len(body["models"].([]any)) != 3 {
		t.Errorf("GET /v1/models: %d %v", code, body)
	}
}
