# churn-risk service. `make help` lists the targets.
GO      ?= go
BIN     := bin
DEMO    := demo-data
ADDR    ?= 127.0.0.1:8080
PKGS    := ./...
# packages whose numerical quality tests skip under -race (internal/testenv) and run again without it
NUMERIC := ./internal/model ./internal/training ./cmd/train
# the statistical simulations of the API, skipped under -race and run without it
API_SIMULATIONS := '^(TestRetentionSimulation|TestModelPerformanceReplay)$$'


.PHONY: help build demo test test-short bench bench-flood bench-quality lint fuzz tidy clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/train and bin/api
	$(GO) build -o $(BIN)/train ./cmd/train
	$(GO) build -o $(BIN)/api ./cmd/api

demo: build ## generate demo data, train, start the API on the embedded store
	./$(BIN)/train gen --out $(DEMO) --customers 3000 --days 460
	./$(BIN)/train fit --data $(DEMO) --out models
	./$(BIN)/train score --data $(DEMO) --out $(DEMO)/scores.csv
	@./scripts/demo-requests.sh $(ADDR) $(DEMO)/scores.csv
	./$(BIN)/api --addr $(ADDR) --models models --load $(DEMO)

test: ## run every test (race detector on); starts the test Redis Cluster when redis-server is installed
	$(GO) vet $(PKGS)
	@if [ -z "$$REDIS_CLUSTER_ADDRS" ] && command -v redis-server >/dev/null 2>&1; then \
		./scripts/redis-cluster.sh start >/dev/null && REDIS_CLUSTER_ADDRS=$$(./scripts/redis-cluster.sh addrs) && export REDIS_CLUSTER_ADDRS; \
	fi; \
	echo "go test -race -count=1 -timeout 20m $(PKGS) (REDIS_CLUSTER_ADDRS=$$REDIS_CLUSTER_ADDRS)"; \
	$(GO) test -race -count=1 -timeout 20m $(PKGS) && \
	echo "go test -count=1 $(NUMERIC) (numerical tests, skipped under -race)" && \
	$(GO) test -count=1 -timeout 20m $(NUMERIC) && \
	$(GO) test -count=1 -timeout 20m -run $(API_SIMULATIONS) ./internal/api

test-short: ## quick tests without the race detector
	$(GO) test -short -count=1 $(PKGS)

bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

bench-flood: ## one read key floods POST /v1/score: another client's risk-lookup p99 with and without (needs Redis)
	$(GO) test -run '^$$' -bench BenchmarkFlood -benchtime 1x -count=1 ./internal/api

bench-quality: ## cross-validate on mlc_churn and generated data; writes the table into docs/figures.md
	./scripts/bench-quality.sh

lint: ## go vet, gofmt, staticcheck when installed
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if command -v staticcheck >/dev/null; then staticcheck $(PKGS); else echo "staticcheck not installed: skipped"; fi

FUZZ_TARGETS := internal/signals:FuzzValidateCustomerID internal/data:FuzzLoadCustomers internal/value:FuzzParseTime internal/value:FuzzParseAmount \
	internal/signals:FuzzDetectIntent internal/signals:FuzzCategorize internal/signals:FuzzLoadCategorizer \
	internal/signals:FuzzAnalyze internal/api:FuzzPostEvents internal/api:FuzzIdempotencyKey internal/features:FuzzVector \
	internal/webhook:FuzzCheckURL internal/webhook:FuzzParseRetryAfter internal/webhook:FuzzParseSchedule \
	internal/metrics:FuzzParseMonth internal/metrics:FuzzLedgerExact

fuzz: ## run each fuzz target for a while (FUZZTIME=60s each); make test runs their seeds
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg)"; $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $${FUZZTIME:-60s} ./$$pkg; done

tidy: ## go mod tidy
	$(GO) mod tidy

clean: ## remove built binaries and demo data
	rm -rf $(BIN) $(DEMO)
