package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/store"
)

func env(m map[string]string) *Env { return NewEnv(func(k string) string { return m[k] }) }

func TestValues(t *testing.T) {
	e := env(map[string]string{"S": "v", "B": "false", "B1": "1", "D": "1m30s"})
	if got := e.String("S", "def"); got != "v" {
		t.Errorf("String set = %q", got)
	}
	if got := e.String("unset", "def"); got != "def" {
		t.Errorf("String unset = %q", got)
	}
	if e.Bool("B", true) || !e.Bool("B1", false) || !e.Bool("unset", true) {
		t.Error("Bool")
	}
	if got := e.Duration("D", time.Second); got != 90*time.Second {
		t.Errorf("Duration set = %v", got)
	}
	if got := e.Duration("unset", time.Second); got != time.Second {
		t.Errorf("Duration unset = %v", got)
	}
	if err := e.Err(); err != nil {
		t.Errorf("good values: %v", err)
	}
}

// TestEveryProblemReported: each bad value is a problem naming its
// variable, the defaults stand in for them, and Err lists them all in the
// order they were read.
func TestEveryProblemReported(t *testing.T) {
	e := env(map[string]string{"B": "maybe", "D": "soon", "N": "-5s"})
	if got := e.Bool("B", true); !got {
		t.Error("a bad boolean does not give the default")
	}
	if got := e.Duration("D", time.Second); got != time.Second {
		t.Errorf("a bad duration gives %v, not the default", got)
	}
	e.Duration("N", 0)
	e.Problemf("a rule between %s and %s", "X", "Y")
	err := e.Err()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Err = %v (%T), want an *Error", err, err)
	}
	want := []string{`B="maybe": want true or false`, `D="soon": want a duration such as 5s`, `N="-5s": want a duration such as 5s`, "a rule between X and Y"}
	if !reflect.DeepEqual(ce.Problems, want) {
		t.Errorf("problems\n got %q\nwant %q", ce.Problems, want)
	}
	if got := err.Error(); got != strings.Join(want, "; ") {
		t.Errorf("message %q", got)
	}
}

func TestStore(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		want     store.Config
		problems []string // substrings, one per problem
	}{
		{"embedded", nil, store.Config{Prefix: "churn:", Timeout: store.DefaultTimeout}, nil},
		{"url", map[string]string{RedisURL: " redis://127.0.0.1:6379/0 ", RedisPrefix: "p:"},
			store.Config{URL: "redis://127.0.0.1:6379/0", Prefix: "p:", Timeout: store.DefaultTimeout}, nil},
		{"cluster", map[string]string{RedisClusterAddrs: "10.0.0.1:7000, ,10.0.0.2:7001,"},
			store.Config{ClusterAddrs: []string{"10.0.0.1:7000", "10.0.0.2:7001"}, Prefix: "churn:", Timeout: store.DefaultTimeout}, nil},
		{"embedded ignores the prefix", map[string]string{RedisPrefix: "{x}"}, store.Config{Prefix: "{x}", Timeout: store.DefaultTimeout}, nil},
		{"timeout", map[string]string{RedisTimeout: "2s"}, store.Config{Prefix: "churn:", Timeout: 2 * time.Second}, nil},
		{"bad timeouts", map[string]string{RedisTimeout: "soon"}, store.Config{Prefix: "churn:", Timeout: store.DefaultTimeout},
			[]string{`CHURN_REDIS_TIMEOUT="soon": want a duration`}},
		{"zero timeout", map[string]string{RedisTimeout: "0s"}, store.Config{Prefix: "churn:"},
			[]string{"CHURN_REDIS_TIMEOUT: must be more than 0"}},
		{"every problem at once", map[string]string{RedisURL: "mysql://h:1/0", RedisClusterAddrs: "h1:7000,nohost,h2:port", RedisPrefix: "a{b}"},
			store.Config{URL: "mysql://h:1/0", ClusterAddrs: []string{"h1:7000", "nohost", "h2:port"}, Prefix: "a{b}", Timeout: store.DefaultTimeout},
			[]string{`REDIS_CLUSTER_ADDRS: "nohost" is not host:port`, `REDIS_CLUSTER_ADDRS: "h2:port" is not host:port`,
				"REDIS_URL: redis: invalid URL scheme: mysql", "REDIS_URL and REDIS_CLUSTER_ADDRS are both set",
				`CHURN_REDIS_PREFIX: "a{b}" must not contain { or }`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := env(c.env)
			got := e.Store()
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("config %+v, want %+v", got, c.want)
			}
			var ps []string
			var ce *Error
			if errors.As(e.Err(), &ce) {
				ps = ce.Problems
			}
			if len(ps) != len(c.problems) {
				t.Fatalf("problems %q, want %d", ps, len(c.problems))
			}
			for i, p := range c.problems {
				if !strings.Contains(ps[i], p) {
					t.Errorf("problem %d = %q, want it to say %q", i, ps[i], p)
				}
			}
		})
	}
}

// TestStoreProblemsHideTheURL: a URL that does not parse is described
// without quoting it, since it may hold a password.
func TestStoreProblemsHideTheURL(t *testing.T) {
	for _, u := range []string{"redis://user:s3cret-pw@host:notaport/0", "redis://:s3cret-pw@host:6379/notadb", "redis://user:s3cret-pw@host\x7f:6379"} {
		e := env(map[string]string{RedisURL: u})
		e.Store()
		err := e.Err()
		if err == nil || !strings.HasPrefix(err.Error(), "REDIS_URL: ") {
			t.Errorf("%q: error %v", u, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: the problem quotes the password: %v", u, err)
		}
	}
}
