package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
)

var (
	modelOnce sync.Once
	modelDir  string
	modelErr  error
	// testData is the generated data set the test model was trained on.
	testData *data.Dataset
)

// go-redis logs every failed dial; the outage tests make many on purpose.
func init() { store.SetRedisLogger(slog.New(slog.DiscardHandler)) }

// trainedModels trains one model on generated data for the whole package and
// returns its models directory.
func trainedModels(t testing.TB) string {
	t.Helper()
	modelOnce.Do(func() {
		dir, err := os.MkdirTemp("", "churn-api-test-")
		if err != nil {
			modelErr = err
			return
		}
		dataDir := dir + "/data"
		end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		if _, err := synth.Generate(dataDir, synth.Config{Customers: 800, Days: 200, End: end, Seed: 11}); err != nil {
			modelErr = err
			return
		}
		ds, err := data.Load(dataDir, data.Options{})
		if err != nil {
			modelErr = err
			return
		}
		testData = ds
		res, err := training.Fit(ds, training.Config{Seed: 1}, end)
		if err != nil {
			modelErr = err
			return
		}
		modelDir = dir + "/models"
		_, modelErr = model.Save(modelDir, res.Artifact, true)
	})
	if modelErr != nil {
		t.Fatalf("train test model: %v", modelErr)
	}
	return modelDir
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// testStore is the API's store plus what the tests inspect.
type testStore interface {
	app.Store
	GetScore(ctx context.Context, id string) (store.Score, error)
}

type testAPI struct {
	t     *testing.T
	url   string
	store testStore
	clock *clock
	srv   *Server
}

// storeKinds are the stores the API tests run against: the embedded store, a
// single Redis node and a Redis Cluster (the last two skip without Redis,
// except under CI where they fail).
var storeKinds = []string{"mem", "redis", "cluster"}

// forEachStore runs a test against every store kind.
func forEachStore(t *testing.T, fn func(t *testing.T, kind string)) {
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) { fn(t, kind) })
	}
}

// testStoreTimeout bounds each Redis call of the tests' stores. The
// production default (500ms) is for a service on its own machine; the tests
// share two cores with the race detector and other packages, where a call
// can wait longer without anything being wrong. The outage tests set their
// own short timeout.
const testStoreTimeout = 5 * time.Second

// newStore returns an empty store of a kind whose clock is now.
func newStore(t *testing.T, kind string, now func() time.Time) testStore {
	t.Helper()
	if kind == "mem" {
		return store.NewMem(store.MemOptions{Now: now})
	}
	o := store.RedisOptions{Prefix: redistest.Prefix(t), Now: now, Timeout: testStoreTimeout}
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
	t.Cleanup(func() { r.Close() })
	return r
}

// newTestAPI starts the real handler on a loopback port with the embedded
// store, a trained model (unless withModel is false) and a settable clock.
func newTestAPI(t *testing.T, withModel bool) *testAPI {
	return newTestAPIStore(t, "mem", withModel)
}

// newTestAPIStore is newTestAPI on a store of the given kind.
func newTestAPIStore(t *testing.T, kind string, withModel bool) *testAPI {
	t.Helper()
	clk := &clock{t: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	st := newStore(t, kind, clk.Now)
	dir := t.TempDir()
	if withModel {
		dir = trainedModels(t)
	}
	srv := New(Config{Store: st, ModelsDir: dir, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if withModel {
		if _, err := srv.App().Models().Load(); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go srv.App().Run(ctx)
	return &testAPI{t: t, url: hs.URL, store: st, clock: clk, srv: srv}
}

// sibling starts another server on a's store and clock with the test model
// loaded, configured as a is except for what change sets.
func (a *testAPI) sibling(t *testing.T, change func(*Config)) *testAPI {
	t.Helper()
	cfg := Config{Store: a.store, ModelsDir: trainedModels(t), Now: a.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	change(&cfg)
	srv := New(cfg)
	if _, err := srv.App().Models().Load(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go srv.App().Run(ctx)
	return &testAPI{t: t, url: hs.URL, store: a.store, clock: a.clock, srv: srv}
}

// do sends a request with a JSON (or raw string) body and decodes the JSON answer.
func (a *testAPI) do(method, path string, body any) (int, map[string]any, http.Header) {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, a.url+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			a.t.Fatalf("%s %s: %d, body not JSON: %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out, resp.Header
}
