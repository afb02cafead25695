package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/api"
	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/cases"
	"github.com/churnrisk/churn/internal/config"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

// Config is the configuration of the api command, read once from its flags
// and environment by loadConfig. A flag overrides its variable.
type Config struct {
	Addr      string // --addr, CHURN_ADDR: listen address
	ModelsDir string // --models, CHURN_MODELS_DIR: holds current and the versions
	// PagesFile (--pages, CHURN_PAGE_PATTERNS) is the JSON file of risk-page
	// patterns replacing the defaults; Pages is its content (nil: defaults).
	PagesFile string
	Pages     *signals.Categorizer
	LoadDir   string // --load: a data directory loaded into the store at start

	// Keys (CHURN_API_KEYS) are the API keys with their roles; nil means
	// authentication is off, which only a loopback Addr allows.
	Keys     *api.Keys
	keyRoles []string // the role of each key, for the log (never a key)

	Store store.Config // REDIS_URL, REDIS_CLUSTER_ADDRS, CHURN_REDIS_PREFIX

	AllowPrivateWebhooks bool             // CHURN_WEBHOOK_ALLOW_PRIVATE
	WebhookSchedule      webhook.Schedule // CHURN_WEBHOOK_SCHEDULE: the retry delays
	KeepTicketText       bool             // CHURN_KEEP_TICKET_TEXT
	ModelPoll            time.Duration    // CHURN_MODEL_POLL: how often models/current is checked
	ShutdownDrain        time.Duration    // CHURN_SHUTDOWN_DRAIN: /readyz answers 503 this long before the listener closes
	ShutdownTimeout      time.Duration    // CHURN_SHUTDOWN_TIMEOUT: the wait for requests in flight

	// Account names the customer attributes shown as the account's name
	// (CHURN_NAME_ATTRIBUTE) and owner (CHURN_OWNER_ATTRIBUTE).
	Account store.Account

	// Limits bound each client's scoring work: CHURN_SCORE_LIMIT,
	// CHURN_EVENTS_LIMIT, CHURN_MAX_TEXT_BYTES, CHURN_HEAVY_SLOTS,
	// CHURN_HEAVY_WAIT (api.DefaultLimits when unset).
	Limits api.Limits
	// Cases configures the work queue: the control group's share
	// (CHURN_HOLDOUT_SHARE, default 0.10; 0 turns it off) and salt
	// (CHURN_HOLDOUT_SALT), the play table (CHURN_PLAYS_FILE, a JSON file;
	// the defaults otherwise), how often outcomes are recorded
	// (CHURN_CASE_SETTLE_EVERY), and CHURN_CASES=false to open none.
	Cases     app.CaseConfig
	PlaysFile string
}

// loadConfig reads the flags in args and the environment through getenv and
// checks them. Bad flags are reported by the flag package on stderr; every
// other problem is reported together in one usageError.
func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := config.NewEnv(getenv)
	var c Config
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", env.String("CHURN_ADDR", "127.0.0.1:8080"), "listen address (env CHURN_ADDR)")
	fs.StringVar(&c.ModelsDir, "models", env.String("CHURN_MODELS_DIR", "models"), "models directory holding current and the versions (env CHURN_MODELS_DIR)")
	fs.StringVar(&c.PagesFile, "pages", getenv("CHURN_PAGE_PATTERNS"), "JSON file of risk-page patterns replacing the defaults; use the training run's file (env CHURN_PAGE_PATTERNS)")
	fs.StringVar(&c.LoadDir, "load", "", "load the customers and event history of this data directory (the contract's CSV files) into the store at start")
	if err := fs.Parse(args); err != nil {
		return Config{}, usageError{err}
	}
	if fs.NArg() > 0 {
		env.Problemf("unexpected argument %q", fs.Arg(0))
	}

	keys := getenv("CHURN_API_KEYS")
	if keys != "" {
		k, err := api.ParseKeys(keys) // its errors name CHURN_API_KEYS, never a key
		if err != nil {
			env.Problemf("%v", err)
		}
		c.Keys, c.keyRoles = k, keyRoles(keys)
	}
	if host, _, err := net.SplitHostPort(c.Addr); err != nil {
		env.Problemf("--addr %q: %v", c.Addr, err)
	} else if ip := net.ParseIP(host); keys == "" && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		env.Problemf("--addr %s: without API keys (CHURN_API_KEYS) the server listens on loopback only (127.0.0.1, ::1 or localhost)", c.Addr)
	}
	if c.PagesFile != "" {
		p, err := signals.LoadCategorizer(c.PagesFile)
		if err != nil {
			env.Problemf("--pages: %v", err)
		}
		c.Pages = p
	}

	c.Store = env.Store()
	c.AllowPrivateWebhooks = env.Bool("CHURN_WEBHOOK_ALLOW_PRIVATE", false)
	c.WebhookSchedule = webhook.DefaultSchedule()
	if v := getenv("CHURN_WEBHOOK_SCHEDULE"); v != "" {
		s, err := webhook.ParseSchedule(v)
		if err != nil {
			env.Problemf("CHURN_WEBHOOK_SCHEDULE: %v", err)
		} else {
			c.WebhookSchedule = s
		}
	}
	c.KeepTicketText = env.Bool("CHURN_KEEP_TICKET_TEXT", true)
	c.ModelPoll = env.Duration("CHURN_MODEL_POLL", 5*time.Second)
	c.ShutdownDrain = env.Duration("CHURN_SHUTDOWN_DRAIN", 0)
	c.ShutdownTimeout = env.Duration("CHURN_SHUTDOWN_TIMEOUT", 15*time.Second)
	c.Account = store.Account{NameAttribute: env.String("CHURN_NAME_ATTRIBUTE", store.DefaultNameAttribute),
		OwnerAttribute: env.String("CHURN_OWNER_ATTRIBUTE", store.DefaultOwnerAttribute)}
	c.Limits = limits(env)

	c.Cases.Off = !env.Bool("CHURN_CASES", true)
	c.Cases.Holdout = cases.Holdout{Share: env.Float("CHURN_HOLDOUT_SHARE", cases.DefaultHoldoutShare),
		Salt: env.String("CHURN_HOLDOUT_SALT", "churn-holdout-1")}
	if sh := c.Cases.Holdout.Share; !(sh >= 0 && sh <= 0.5) {
		env.Problemf("CHURN_HOLDOUT_SHARE: %v is not a share from 0 to 0.5 (0 turns the control group off)", sh)
	}
	c.Cases.SettleEvery = env.Duration("CHURN_CASE_SETTLE_EVERY", app.DefaultSettleEvery)
	if c.PlaysFile = getenv("CHURN_PLAYS_FILE"); c.PlaysFile != "" {
		plays, err := cases.LoadPlays(c.PlaysFile)
		if err != nil {
			env.Problemf("CHURN_PLAYS_FILE: %v", err)
		}
		c.Cases.Plays = plays
	}

	if err := env.Err(); err != nil {
		return Config{}, usageError{err}
	}
	return c, nil
}

// limits reads the fair-use limits, each defaulting to api.DefaultLimits.
func limits(env *config.Env) api.Limits {
	l := api.DefaultLimits()
	for _, p := range []struct {
		name string
		to   *api.Policy
	}{{"CHURN_SCORE_LIMIT", &l.Score}, {"CHURN_EVENTS_LIMIT", &l.Events}} {
		if v := env.String(p.name, ""); v != "" {
			if got, err := api.ParsePolicy(v); err != nil {
				env.Problemf("%s=%v", p.name, err)
			} else {
				*p.to = got
			}
		}
	}
	l.MaxTextBytes = env.Int("CHURN_MAX_TEXT_BYTES", l.MaxTextBytes, 1)
	l.HeavySlots = env.Int("CHURN_HEAVY_SLOTS", l.HeavySlots, 1)
	l.HeavyWait = env.Duration("CHURN_HEAVY_WAIT", l.HeavyWait)
	return l
}

// keyRoles returns the role part of each "role:key" entry of CHURN_API_KEYS,
// lower-cased: what the log may show of the keys.
func keyRoles(v string) []string {
	var roles []string
	for _, entry := range strings.Split(v, ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			role, _, ok := strings.Cut(entry, ":")
			if !ok {
				role = "?" // not role:key: the entry may be a key
			}
			roles = append(roles, strings.ToLower(strings.TrimSpace(role)))
		}
	}
	return roles
}

// LogValue is the configuration as the start-up log shows it: secrets
// masked (the store without the URL's credentials, the keys' roles without
// the keys).
func (c Config) LogValue() slog.Value {
	keys := "none: authentication off"
	if c.Keys != nil {
		keys = fmt.Sprintf("%d (%s)", len(c.keyRoles), strings.Join(c.keyRoles, ","))
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("models_dir", c.ModelsDir),
		slog.String("page_patterns", c.PagesFile),
		slog.String("load", c.LoadDir),
		slog.String("api_keys", keys),
		slog.String("store", c.Store.Describe()),
		slog.String("redis_prefix", c.Store.Prefix),
		slog.String("redis_timeout", c.Store.Timeout.String()),
		slog.Bool("webhook_allow_private", c.AllowPrivateWebhooks),
		slog.String("webhook_schedule", c.WebhookSchedule.String()),
		slog.Bool("keep_ticket_text", c.KeepTicketText),
		slog.String("model_poll", c.ModelPoll.String()),
		slog.String("shutdown_drain", c.ShutdownDrain.String()),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.String("name_attribute", c.Account.NameAttribute),
		slog.String("owner_attribute", c.Account.OwnerAttribute),
		slog.String("score_limit", c.Limits.Score.String()),
		slog.String("events_limit", c.Limits.Events.String()),
		slog.Int("max_text_bytes", c.Limits.MaxTextBytes),
		slog.Int("heavy_slots", c.Limits.HeavySlots),
		slog.String("heavy_wait", c.Limits.HeavyWait.String()),
		slog.Bool("cases", !c.Cases.Off),
		slog.Float64("holdout_share", c.Cases.Holdout.Share),
		slog.String("plays_file", c.PlaysFile),
		slog.String("case_settle_every", c.Cases.SettleEvery.String()),
	)
}
