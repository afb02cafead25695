package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigProblemsTogether: every problem with the flags and the
// environment is reported in one usage error (exit 2), before anything runs.
func TestConfigProblemsTogether(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"fit", "--max-bad-rows", "-1"}, []string{"--data is required", "--max-bad-rows, --every and the tolerances must not be negative"}},
		{[]string{"score", "--push"}, []string{"--data is required", "--push needs REDIS_URL or REDIS_CLUSTER_ADDRS"}},
		{[]string{"score"}, []string{"--data is required", "--out is required (or --push)"}},
		{[]string{"gen", "--days", "0"}, []string{"--out is required", "--customers and --days must be at least 1"}},
		{[]string{"metrics", "--gross-margin", "2"}, []string{"--data is required", "--gross-margin must be in (0, 1]"}},
		{[]string{"export"}, []string{"--out is required", "export reads the Redis store"}},
		{[]string{"promote", "a", "b"}, []string{"promote takes exactly one VERSION"}},
		{[]string{"promote", ".hidden"}, []string{`bad version ".hidden"`}},
		{[]string{"evaluate", "--cv", "3"}, []string{"--data is required"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errs := runCmd(t, c.args...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if strings.Contains(errs, "level=INFO") {
				t.Errorf("an invalid configuration was logged:\n%s", errs)
			}
		})
	}
}

// TestConfigLogged: a command logs its configuration once on stderr, every
// flag with its value and the environment, with the Redis password masked.
func TestConfigLogged(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	env := map[string]string{"REDIS_URL": "redis://churn:s3cret@redis.internal:6379/0", "CHURN_REDIS_PREFIX": "test:", "TERM": "xterm"}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"models", "--models", models, "--json"}, func(k string) string { return env[k] }, &out, &errb)
	if code := exitCode(err, &errb); code != 2 {
		t.Fatalf("models of a missing directory: exit %d, want 2\n%s", code, errb.String())
	}
	logged := errb.String()
	if n := strings.Count(logged, "level=INFO msg=train "); n != 1 {
		t.Errorf("configuration logged %d times:\n%s", n, logged)
	}
	for _, want := range []string{
		"config.command=models", "config.models=" + models, "config.json=true",
		`config.env.store="redis redis://***@redis.internal:6379/0"`, "config.env.redis_prefix=test:", "config.env.term=xterm",
	} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %q:\n%s", want, logged)
		}
	}
	if strings.Contains(logged, "s3cret") {
		t.Errorf("the Redis password was logged:\n%s", logged)
	}
}
