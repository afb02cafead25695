package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/api"
	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/cases"
	"github.com/churnrisk/churn/internal/config"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// TestConfigDefaults: with no flag and no variable, every setting has the
// default README and DESIGN.md give.
func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "127.0.0.1:8080", ModelsDir: "models", Store: store.Config{Prefix: "churn:", Timeout: store.DefaultTimeout},
		WebhookSchedule: webhook.DefaultSchedule(), KeepTicketText: true, ModelPoll: 5 * time.Second, ShutdownTimeout: 15 * time.Second,
		Account: store.Account{NameAttribute: "name", OwnerAttribute: "owner"}, Limits: api.DefaultLimits(),
		Cases: app.CaseConfig{Holdout: cases.Holdout{Share: 0.10, Salt: "churn-holdout-1"}, SettleEvery: time.Minute}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", c, want)
	}
}

// TestConfigFromEnvironment reads every variable, and a flag overrides its
// variable.
func TestConfigFromEnvironment(t *testing.T) {
	pages := filepath.Join(t.TempDir(), "pages.json")
	if err := os.WriteFile(pages, []byte(`{"pricing": ["/plans"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	plays := filepath.Join(t.TempDir(), "plays.json")
	if err := os.WriteFile(plays, []byte(`{"plays": [{"id": "call", "family": "usage", "name": "Call", "text": "Call them."}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig([]string{"--models", "flag-models", "--load", "data"}, env(map[string]string{
		"CHURN_ADDR": "0.0.0.0:9000", "CHURN_MODELS_DIR": "env-models", "CHURN_PAGE_PATTERNS": pages,
		"CHURN_API_KEYS": "read:0123456789abcdef, Admin:fedcba9876543210", "REDIS_URL": "redis://127.0.0.1:6379/2", "CHURN_REDIS_PREFIX": "t:", "CHURN_REDIS_TIMEOUT": "2s",
		"CHURN_WEBHOOK_ALLOW_PRIVATE": "true", "CHURN_WEBHOOK_SCHEDULE": "0,1s", "CHURN_KEEP_TICKET_TEXT": "false",
		"CHURN_MODEL_POLL": "1s", "CHURN_SHUTDOWN_DRAIN": "2s", "CHURN_SHUTDOWN_TIMEOUT": "3s",
		"CHURN_NAME_ATTRIBUTE": "company", "CHURN_OWNER_ATTRIBUTE": "csm",
		"CHURN_SCORE_LIMIT": "5/s,70", "CHURN_EVENTS_LIMIT": "off", "CHURN_MAX_TEXT_BYTES": "1000", "CHURN_HEAVY_SLOTS": "3", "CHURN_HEAVY_WAIT": "250ms",
		"CHURN_HOLDOUT_SHARE": "0.2", "CHURN_HOLDOUT_SALT": "q3", "CHURN_CASE_SETTLE_EVERY": "10s", "CHURN_CASES": "false", "CHURN_PLAYS_FILE": plays}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Cases.Off || c.Cases.Holdout != (cases.Holdout{Share: 0.2, Salt: "q3"}) || c.Cases.SettleEvery != 10*time.Second ||
		c.PlaysFile != plays || c.Cases.Plays[cases.FamilyUsage].ID != "call" {
		t.Errorf("cases %+v", c.Cases)
	}
	if c.Addr != "0.0.0.0:9000" || c.ModelsDir != "flag-models" || c.LoadDir != "data" || c.PagesFile != pages || c.Pages == nil {
		t.Errorf("addr, directories and pages: %+v", c)
	}
	if c.Keys == nil || !reflect.DeepEqual(c.keyRoles, []string{"read", "admin"}) {
		t.Errorf("keys %v, roles %q", c.Keys, c.keyRoles)
	}
	if !reflect.DeepEqual(c.Store, store.Config{URL: "redis://127.0.0.1:6379/2", Prefix: "t:", Timeout: 2 * time.Second}) {
		t.Errorf("store %+v", c.Store)
	}
	if !c.AllowPrivateWebhooks || c.WebhookSchedule.String() != "0s,1s" || c.KeepTicketText ||
		c.ModelPoll != time.Second || c.ShutdownDrain != 2*time.Second || c.ShutdownTimeout != 3*time.Second {
		t.Errorf("switches and durations: %+v", c)
	}
	if c.Account != (store.Account{NameAttribute: "company", OwnerAttribute: "csm"}) {
		t.Errorf("account %+v", c.Account)
	}
	if want := (api.Limits{Score: api.Policy{Rate: 5, Burst: 70}, Events: api.Policy{Rate: -1}, MaxTextBytes: 1000, HeavySlots: 3,
		HeavyWait: 250 * time.Millisecond}); c.Limits != want {
		t.Errorf("limits %+v, want %+v", c.Limits, want)
	}
}

// TestConfigReportsEveryProblem: a configuration with many problems is
// refused with one usage error naming each of them.
func TestConfigReportsEveryProblem(t *testing.T) {
	_, err := loadConfig([]string{"--addr", "0.0.0.0:8080", "--pages", filepath.Join(t.TempDir(), "missing.json"), "extra"}, env(map[string]string{
		"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_CLUSTER_ADDRS": "127.0.0.1:7000",
		"CHURN_WEBHOOK_ALLOW_PRIVATE": "yes please", "CHURN_WEBHOOK_SCHEDULE": "0,soon", "CHURN_KEEP_TICKET_TEXT": "maybe",
		"CHURN_MODEL_POLL": "5", "CHURN_SHUTDOWN_DRAIN": "-1s", "CHURN_SHUTDOWN_TIMEOUT": "later",
		"CHURN_SCORE_LIMIT": "200", "CHURN_EVENTS_LIMIT": "10/s,0", "CHURN_MAX_TEXT_BYTES": "4MB", "CHURN_HEAVY_SLOTS": "0", "CHURN_HEAVY_WAIT": "1",
		"CHURN_HOLDOUT_SHARE": "0.9", "CHURN_PLAYS_FILE": filepath.Join(t.TempDir(), "no-plays.json")}), io.Discard)
	if _, ok := err.(usageError); !ok {
		t.Fatalf("error %v (%T) is not a usage error (exit 2)", err, err)
	}
	want := []string{
		`unexpected argument "extra"`,
		"--addr 0.0.0.0:8080: without API keys (CHURN_API_KEYS) the server listens on loopback only",
		"--pages: load page patterns",
		"REDIS_URL and REDIS_CLUSTER_ADDRS are both set",
		`CHURN_WEBHOOK_ALLOW_PRIVATE="yes please": want true or false`,
		`CHURN_WEBHOOK_SCHEDULE: invalid retry schedule: item 2 "soon" is not a duration`,
		`CHURN_KEEP_TICKET_TEXT="maybe": want true or false`,
		`CHURN_MODEL_POLL="5": want a duration such as 5s`,
		`CHURN_SHUTDOWN_DRAIN="-1s": want a duration such as 5s`,
		`CHURN_SHUTDOWN_TIMEOUT="later": want a duration such as 5s`,
		`CHURN_SCORE_LIMIT="200": want RATE/s,BURST in cost units (e.g. 200/s,2500) or off`,
		`CHURN_EVENTS_LIMIT="10/s,0": want RATE/s,BURST`,
		`CHURN_MAX_TEXT_BYTES="4MB": want a whole number of at least 1`,
		`CHURN_HEAVY_SLOTS="0": want a whole number of at least 1`,
		`CHURN_HEAVY_WAIT="1": want a duration such as 5s`,
		"CHURN_HOLDOUT_SHARE: 0.9 is not a share from 0 to 0.5",
		"CHURN_PLAYS_FILE: open",
	}
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Problems) != len(want) {
		t.Fatalf("error %v: want %d problems", err, len(want))
	}
	for i, w := range want {
		if !strings.Contains(ce.Problems[i], w) {
			t.Errorf("problem %d = %q, want it to say %q", i+1, ce.Problems[i], w)
		}
	}
	// Bad API keys are reported with the rest, and are not taken for
	// missing keys.
	_, err = loadConfig([]string{"--addr", "0.0.0.0:8080"}, env(map[string]string{"CHURN_API_KEYS": "admin:short", "CHURN_MODEL_POLL": "x"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "at least 16") || !strings.Contains(err.Error(), "CHURN_MODEL_POLL") || strings.Contains(err.Error(), "loopback") {
		t.Errorf("bad keys: %v", err)
	}
	// A key listed twice (here under two roles) is refused at start.
	_, err = loadConfig([]string{"--addr", "0.0.0.0:8080"}, env(map[string]string{"CHURN_API_KEYS": "read:0123456789abcdef,admin:0123456789abcdef"}), io.Discard)
	if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), "CHURN_API_KEYS entry 2: the same key as entry 1") || strings.Contains(err.Error(), "0123456789abcdef") {
		t.Errorf("a key listed twice: %v (%T)", err, err)
	}
}

// The secrets of a configuration: a password inside the Redis URL and the
// API keys.
const (
	testRedisPassword = "s3cret-redis-pw"
	testReadKey       = "read-key-0123456789-abcdef"
	testAdminKey      = "admin-key-0123456789-abcdef"
)

func secretEnv(addr string) map[string]string {
	return map[string]string{"CHURN_ADDR": addr, "CHURN_API_KEYS": "read:" + testReadKey + ",admin:" + testAdminKey,
		// Nothing listens on port 1: the store is unreachable, which the
		// server tolerates (503 until it answers), and its errors are logged.
		"REDIS_URL": "redis://churn:" + testRedisPassword + "@127.0.0.1:1/0", "CHURN_REDIS_PREFIX": "secret-test:"}
}

func checkNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testRedisPassword, testReadKey, testAdminKey} {
		if strings.Contains(s, secret) {
			t.Errorf("%s holds the secret %q:\n%s", what, secret, s)
		}
	}
}

// TestConfigLogMasksSecrets: the start-up record shows the configuration
// without the Redis password or the API keys.
func TestConfigLogMasksSecrets(t *testing.T) {
	c, err := loadConfig(nil, env(secretEnv("127.0.0.1:0")), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("configuration", "config", c)
	rec := buf.String()
	checkNoSecrets(t, "the configuration record", rec)
	for _, want := range []string{`"store":"redis redis://***@127.0.0.1:1/0"`, `"api_keys":"2 (read,admin)"`, `"redis_prefix":"secret-test:"`,
		`"model_poll":"5s"`, `"webhook_schedule":"0s,5s,5m0s,30m0s,2h0m0s,5h0m0s,10h0m0s,10h0m0s"`} {
		if !strings.Contains(rec, want) {
			t.Errorf("record lacks %s:\n%s", want, rec)
		}
	}
}

// TestRunLogsNoSecrets runs the server with secrets in its configuration
// and an unreachable Redis, and reads everything it logged: one
// configuration record, and no secret anywhere.
func TestRunLogsNoSecrets(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	e := secretEnv(addr)
	e["CHURN_MODELS_DIR"] = t.TempDir()
	go func() { done <- run(ctx, nil, env(e), &stdout, &stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a few polls of the unreachable store
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	logs := stderr.String()
	checkNoSecrets(t, "the log", logs)
	checkNoSecrets(t, "the standard output", stdout.String())
	if n := strings.Count(logs, `"msg":"configuration"`); n != 1 {
		t.Errorf("%d configuration records, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs, "redis://***@127.0.0.1:1/0") {
		t.Errorf("the log does not name the store:\n%s", logs)
	}
}
