// Command api serves the churn-risk HTTP API: it ingests events, keeps
// per-customer signal aggregates in the store, and scores customers with the
// current model. See the README for the endpoints and configuration.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
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

// Unwrap returns the error marked.
func (u usageError) Unwrap() error { return u.error }

// run reads the configuration from args and getenv (loadConfig), logs it,
// wires the store, the model and the HTTP server, serves until ctx is
// cancelled, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	log.Info("configuration", "config", cfg)
	if cfg.Keys == nil {
		log.Warn("no API keys configured: authentication is off, listening on loopback only")
	}

	agg := signals.NewAggregator()
	if cfg.Pages != nil {
		agg.Pages = cfg.Pages
	}
	sc := cfg.Store
	var st app.Store
	var hooks webhook.Store = webhook.NewMem()
	if sc.Redis() {
		r, err := sc.OpenRedis(ctx, 0, nil)
		if err != nil {
			return usageError{fmt.Errorf("redis: %w", err)}
		}
		defer r.Close()
		if err := r.Ping(ctx); err != nil {
			log.Warn("redis does not answer or refuses writes yet; requests needing it get 503 until it does", "store", sc.Describe(), "err", err)
		}
		st = r
		hooks = webhook.NewRedis(r.Client(), sc.Prefix)
	} else {
		st = store.NewMem(store.MemOptions{})
	}
	srv := api.New(api.Config{Store: st, ModelsDir: cfg.ModelsDir, Logger: log, Aggregator: agg, Webhooks: hooks, AllowPrivateWebhooks: cfg.AllowPrivateWebhooks,
		Keys: cfg.Keys, ModelPoll: cfg.ModelPoll, DropTicketText: !cfg.KeepTicketText, Account: cfg.Account,
		Limits: cfg.Limits, Cases: cfg.Cases})
	if _, err := srv.App().Models().Load(); err != nil {
		log.Warn("starting without a model: risk requests answer 503 until one is loaded", "err", err)
	}
	if cfg.LoadDir != "" {
		ds, err := data.Load(cfg.LoadDir, data.Options{Aggregator: agg, Excerpts: store.MaxExcerpts, ExcerptText: cfg.KeepTicketText})
		if err != nil {
			return usageError{fmt.Errorf("--load: %w", err)}
		}
		res, err := dataload.Import(ctx, srv.App(), ds)
		if err != nil {
			return fmt.Errorf("--load %s: %w", cfg.LoadDir, err)
		}
		log.Info("data loaded", "dir", cfg.LoadDir, "customers", res.Customers, "days", res.Days, "scored", res.Scored, "flagged", res.Flagged)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
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
	dispatcher := &webhook.Dispatcher{Store: hooks, Client: &http.Client{Transport: webhook.SafeTransport(cfg.AllowPrivateWebhooks)}, Schedule: cfg.WebhookSchedule,
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
	if drain := cfg.ShutdownDrain; drain > 0 {
		log.Info("draining: /readyz answers 503, requests are still served", "for", drain.String())
		time.Sleep(drain)
	}
	log.Info("shutting down: no new connections, waiting for requests in flight", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("requests finished; stopping background work and webhook attempts in flight")
	return nil
}
