package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/redistest"
	"github.com/churnrisk/churn/internal/synth"
	"github.com/churnrisk/churn/internal/training"
)

// apiProcess is the api command running as a child process.
type apiProcess struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	exited chan error
}

// startAPI runs this test binary as the api command (TestMain) with the
// given environment (and none of the caller's CHURN_* or REDIS_* variables:
// without REDIS_URL it runs on the embedded store) and waits until /healthz
// answers.
func startAPI(t *testing.T, env map[string]string, args ...string) *apiProcess {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], args...)
	// The process gets only the configuration given here: a store, keys or
	// a prefix of the test run's environment (make test exports the test
	// cluster's addresses) must not leak in and share state between runs.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CHURN_") && !strings.HasPrefix(kv, "REDIS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CHURN_API_TEST_MAIN=1", "CHURN_ADDR="+addr)
	if _, ok := env["CHURN_REDIS_TIMEOUT"]; !ok {
		// The production bound (500ms) is for a healthy Redis on a quiet
		// machine; a test process under a loaded `make test` gets the same
		// 5 s the in-process API tests give their stores.
		cmd.Env = append(cmd.Env, "CHURN_REDIS_TIMEOUT=5s")
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &apiProcess{cmd: cmd, base: "http://" + addr, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stdout = io.Discard
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(120 * time.Second)
	for {
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-p.exited:
			t.Fatalf("api exited before serving: %v\n%s", err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("api did not come up: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// smallModel trains a model on a small generated data set and returns its
// models directory.
func smallModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(dir+"/data", synth.Config{Customers: 300, Days: 120, End: end, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load(dir+"/data", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := training.Fit(ds, training.Config{Seed: 1}, end)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := model.Save(dir+"/models", res.Artifact, true); err != nil {
		t.Fatal(err)
	}
	return dir + "/models"
}

// eventBatch is one POST /v1/events body: n usage events with unique ids.
func eventBatch(worker, seq, n int, ts time.Time) []byte {
	var b bytes.Buffer
	b.WriteString(`{"events":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"event_id":"w%d-s%d-%d","type":"usage","customer_id":"shut%03d","timestamp":%q,"quantity":1}`,
			worker, seq, i, (worker*7+i)%50, ts.Format(time.RFC3339))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// TestSIGTERMUnderLoad starts the real api process on Redis, loads it with
// event batches and scoring requests from clients that behave like a load
// balancer (they stop sending new requests once /readyz answers 503) and
// two slow uploads still sending their bodies when the listener closes,
// sends SIGTERM, and checks that no request failed, that requests in flight
// at the signal and at the listener's close were answered, that the process exited cleanly, and that every
// acknowledged event is in the store (a restarted process sees each one as
// a duplicate).
func TestSIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	redisURL := redistest.URL(t)
	models := smallModel(t)
	env := map[string]string{
		"CHURN_MODELS_DIR":       models,
		"REDIS_URL":              redisURL,
		"CHURN_REDIS_PREFIX":     fmt.Sprintf("sigterm-test-%d:", time.Now().UnixNano()),
		"CHURN_SHUTDOWN_DRAIN":   "2s", // the drain const below
		"CHURN_SHUTDOWN_TIMEOUT": "20s",
	}
	p := startAPI(t, env)
	if resp, err := http.Get(p.base + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz before the load: %v %v\n%s", resp, err, p.stderr.String())
	}

	// The "load balancer": polls readiness and closes the gate when it fails.
	var gateClosed atomic.Bool
	stopPoll := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stopPoll:
				return
			case <-time.After(25 * time.Millisecond):
			}
			resp, err := http.Get(p.base + "/readyz")
			if err != nil || resp.StatusCode != 200 {
				gateClosed.Store(true)
				if resp != nil {
					resp.Body.Close()
				}
				return
			}
			resp.Body.Close()
		}
	})

	const workers = 8
	var (
		signalled   atomic.Int64 // unix nanos when SIGTERM was sent; 0 before
		inFlightAt  atomic.Int64 // requests started before the signal and answered after it
		answered    atomic.Int64
		failMu      sync.Mutex
		failures    []string
		ackMu       sync.Mutex
		acked       [][]byte // batches answered 202
		ackedEvents atomic.Int64
	)
	fail := func(format string, args ...any) {
		failMu.Lock()
		defer failMu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	ts := time.Now().UTC().Add(-time.Hour)
	for w := range workers {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			for seq := 0; !gateClosed.Load(); seq++ {
				var req *http.Request
				var body []byte
				if w%4 == 3 {
					req, _ = http.NewRequest("GET", fmt.Sprintf("%s/v1/customers/shut%03d/risk", p.base, seq%50), nil)
				} else {
					body = eventBatch(w, seq, 200, ts)
					req, _ = http.NewRequest("POST", p.base+"/v1/events", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
				}
				started := time.Now().UnixNano()
				resp, err := client.Do(req)
				if err != nil {
					fail("%s %s: %v", req.Method, req.URL.Path, err)
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				answered.Add(1)
				if sig := signalled.Load(); sig != 0 && started < sig {
					inFlightAt.Add(1)
				}
				switch {
				case body != nil && resp.StatusCode == http.StatusAccepted:
					var r struct{ Accepted, Duplicates int }
					if err := json.Unmarshal(msg, &r); err != nil || r.Accepted+r.Duplicates != 200 {
						fail("events answer %s", msg)
					}
					ackMu.Lock()
					acked = append(acked, body)
					ackMu.Unlock()
					ackedEvents.Add(200)
				case body == nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotFound):
					// 404: the customer has no events yet.
				default:
					fail("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, msg)
				}
			}
		})
	}

	// Slow uploads: started before the signal, their bodies trickle in until
	// after the drain, so they are in flight when the listener closes.
	const drain = 2 * time.Second
	var slowDone atomic.Int64
	time.Sleep(400 * time.Millisecond)
	for i := range 2 {
		wg.Go(func() {
			body := eventBatch(100+i, 0, 50, ts)
			pr, pw := io.Pipe()
			go func() {
				const chunks = 40 // 40 × 100 ms: the upload ends ~3.7 s after the signal
				step := (len(body) + chunks - 1) / chunks
				for off := 0; off < len(body); off += step {
					time.Sleep(100 * time.Millisecond)
					pw.Write(body[off:min(off+step, len(body))])
				}
				pw.Close()
			}()
			resp, err := http.Post(p.base+"/v1/events", "application/json", pr)
			if err != nil {
				fail("slow upload: %v", err)
				return
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				fail("slow upload: %d %s", resp.StatusCode, msg)
				return
			}
			if time.Duration(time.Now().UnixNano()-signalled.Load()) < drain {
				fail("slow upload finished before the drain ended: it did not test the shutdown wait")
			}
			slowDone.Add(1)
			ackMu.Lock()
			acked = append(acked, body)
			ackMu.Unlock()
			ackedEvents.Add(50)
		})
	}
	time.Sleep(300 * time.Millisecond)
	signalled.Store(time.Now().UnixNano())
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("api exit: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatalf("api did not exit within 40 s of SIGTERM\n%s", p.stderr.String())
	}
	close(stopPoll)
	wg.Wait()

	for _, f := range failures {
		t.Errorf("failed request: %s", f)
	}
	if inFlightAt.Load() == 0 {
		t.Errorf("no request was in flight when SIGTERM was sent (%d answered): the test did not test shutdown under load", answered.Load())
	}
	if slowDone.Load() != 2 {
		t.Errorf("%d of 2 slow uploads in flight at shutdown were answered 202", slowDone.Load())
	}
	if !gateClosed.Load() {
		t.Error("readiness never failed during shutdown")
	}
	logs := p.stderr.String()
	for _, want := range []string{`"msg":"draining`, `"msg":"shutting down`, `"msg":"requests finished`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	t.Logf("%d requests answered, %d of them in flight at SIGTERM, %d events acknowledged", answered.Load(), inFlightAt.Load(), ackedEvents.Load())

	// Every acknowledged event was stored: a new process on the same store
	// counts each one as a duplicate.
	p2 := startAPI(t, env)
	var dups int
	for _, body := range acked {
		resp, err := http.Post(p2.base+"/v1/events", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ Accepted, Duplicates int }
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("replay: %d %v", resp.StatusCode, err)
		}
		dups += r.Duplicates
	}
	if int64(dups) != ackedEvents.Load() {
		t.Errorf("replaying the %d acknowledged events found %d duplicates: acknowledged events were lost", ackedEvents.Load(), dups)
	}
	p2.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p2.exited:
	case <-time.After(40 * time.Second):
		t.Error("second api did not exit")
	}
}
