// Command api serves the churn-risk HTTP API: it ingests events, keeps
// per-customer signal aggregates in the store, and scores customers with the
// current model. See the README for the endpoints and configuration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/churnrisk/churn/internal/api"
	"github.com/churnrisk/churn/internal/app"
	"github.com/churnrisk/churn/internal/app/dataload"
	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/signals"
	"github.com/churnrisk/churn/internal/store"
	"github.com/churnrisk/churn/internal/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks bad flags or configuration (exit code 2).
type usageError struct{ error }

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// run parses flags and environment, wires the store, the model and the HTTP
// server, serves until ctx is cancelled, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr(getenv, "CHURN_ADDR", "127.0.0.1:8080"), "listen address (env CHURN_ADDR)")
	modelsDir := fs.String("models", envOr(getenv, "CHURN_MODELS_DIR", "models"), "models directory holding current and the versions (env CHURN_MODELS_DIR)")
	pages := fs.String("pages", getenv("CHURN_PAGE_PATTERNS"), "JSON file of risk-page patterns replacing the defaults; use the training run's file (env CHURN_PAGE_PATTERNS)")
	loadDir := fs.String("load", "", "load the customers and event history of this data directory (the contract's CSV files) into the store at start")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	var keys *api.Keys
	if v := getenv("CHURN_API_KEYS"); v != "" {
		k, err := api.ParseKeys(v)
		if err != nil {
			return usageError{err}
		}
		keys = k
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr %q: %w", *addr, err)}
	}
	if keys == nil {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return usageError{fmt.Errorf("--addr %s: without API keys (CHURN_API_KEYS) the server listens on loopback only (127.0.0.1, ::1 or localhost)", *addr)}
		}
		log.Warn("no API keys configured: authentication is off, listening on loopback only")
	} else {
		log.Info("API keys configured: every /v1 route needs a key with its role")
	}

	agg := signals.NewAggregator()
	if *pages != "" {
		c, err := signals.LoadCategorizer(*pages)
		if err != nil {
			return usageError{fmt.Errorf("--pages: %w", err)}
		}
		agg.Pages = c
	}
	sc := store.ConfigFromEnv(getenv)
	var st app.Store
	var hooks webhook.Store = webhook.NewMemStore()
	if sc.Redis() {
		r, err := sc.OpenRedis(ctx, 0, nil)
		if err != nil {
			return usageError{fmt.Errorf("redis: %w", err)}
		}
		defer r.Close()
		if err := r.Ping(ctx); err != nil {
			log.Warn("redis does not answer yet; requests needing it get 503 until it does", "store", sc.Describe(), "err", err)
		}
		st = r
		hooks = webhook.NewRedisStore(r.Client(), sc.Prefix)
	} else {
		st = store.NewMem(store.MemOptions{})
	}
	log.Info("store", "kind", sc.Describe(), "prefix", sc.Prefix)
	allowPrivate, err := strconv.ParseBool(envOr(getenv, "CHURN_WEBHOOK_ALLOW_PRIVATE", "false"))
	if err != nil {
		return usageError{fmt.Errorf("CHURN_WEBHOOK_ALLOW_PRIVATE: %w", err)}
	}
	keepText, err := strconv.ParseBool(envOr(getenv, "CHURN_KEEP_TICKET_TEXT", "true"))
	if err != nil {
		return usageError{fmt.Errorf("CHURN_KEEP_TICKET_TEXT: %w", err)}
	}
	if !keepText {
		log.Info("ticket text is not kept (CHURN_KEEP_TICKET_TEXT=false): signals show ticket dates and kinds only")
	}
	schedule := webhook.DefaultSchedule()
	if v := getenv("CHURN_WEBHOOK_SCHEDULE"); v != "" {
		if schedule, err = webhook.ParseSchedule(v); err != nil {
			return usageError{fmt.Errorf("CHURN_WEBHOOK_SCHEDULE: %w", err)}
		}
	}
	poll, err := envDuration(getenv, "CHURN_MODEL_POLL", 5*time.Second)
	if err != nil {
		return err
	}
	drain, err := envDuration(getenv, "CHURN_SHUTDOWN_DRAIN", 0)
	if err != nil {
		return err
	}
	shutdownTimeout, err := envDuration(getenv, "CHURN_SHUTDOWN_TIMEOUT", 15*time.Second)
	if err != nil {
		return err
	}
	srv := api.New(api.Config{Store: st, ModelsDir: *modelsDir, Logger: log, Aggregator: agg, Webhooks: hooks, AllowPrivateWebhooks: allowPrivate,
		Keys: keys, ModelPoll: poll, DropTicketText: !keepText,
		Account: store.Account{NameAttribute: envOr(getenv, "CHURN_NAME_ATTRIBUTE", store.DefaultNameAttribute),
			OwnerAttribute: envOr(getenv, "CHURN_OWNER_ATTRIBUTE", store.DefaultOwnerAttribute)}})
	if _, err := srv.App().Models().Load(); err != nil {
		log.Warn("starting without a model: risk requests answer 503 until one is loaded", "err", err)
	}
	if *loadDir != "" {
		ds, err := data.Load(*loadDir, data.Options{Aggregator: agg, Excerpts: store.MaxExcerpts, ExcerptText: keepText})
		if err != nil {
			return usageError{fmt.Errorf("--load: %w", err)}
		}
		res, err := dataload.Import(ctx, srv.App(), ds)
		if err != nil {
			return fmt.Errorf("--load %s: %w", *loadDir, err)
		}
		log.Info("data loaded", "dir", *loadDir, "customers", res.Customers, "days", res.Days, "scored", res.Scored, "flagged", res.Flagged)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	go srv.App().Run(bg)
	hostname, _ := os.Hostname()
	dispatcher := &webhook.Dispatcher{Store: hooks, Client: &http.Client{Transport: webhook.SafeTransport(allowPrivate)}, Schedule: schedule,
		Consumer: fmt.Sprintf("%s-%d-%d", hostname, os.Getpid(), time.Now().UnixNano()%1e6), Log: log, Metrics: srv.WebhookMetrics()}
	dispatchDone := make(chan struct{})
	go func() { defer close(dispatchDone); dispatcher.Run(bg) }()
	defer func() { stopBG(); <-dispatchDone }()
	log.Info("listening", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "churn api listening on http://%s\n", ln.Addr())

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Shutdown: readiness fails first so that load balancers stop sending
	// (requests arriving meanwhile are still served), then the listener
	// closes and the requests in flight finish; the deferred calls then stop
	// the background work and wait for the webhook attempts in flight.
	srv.Drain()
	if drain > 0 {
		log.Info("draining: /readyz answers 503, requests are still served", "for", drain.String())
		time.Sleep(drain)
	}
	log.Info("shutting down: no new connections, waiting for requests in flight", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("requests finished; stopping background work and webhook attempts in flight")
	return nil
}

// envDuration reads a duration such as "5s" from the environment.
func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, usageError{fmt.Errorf("%s=%q: want a duration such as 5s", key, v)}
	}
	return d, nil
}
