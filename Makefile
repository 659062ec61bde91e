# The two commands a new developer needs are `make run` and `make test`.
# Everything here works with only Go installed, except `make assets` (Node)
# and `make lint`'s first run, which builds golangci-lint (about two minutes).

GO       ?= go
BIN      := bin/referrals
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
TEMPL    := $(GO) tool templ
LINT     := $(GO) tool -modfile=tools/go.mod golangci-lint

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## serve the demo directory on http://localhost:8080 (SQLite in ./data)
	REFERRALS_DEMO=true $(GO) run ./cmd/referrals serve

.PHONY: test
test: check-generated ## run every test (PostgreSQL ones need TEST_DATABASE_URL)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 12m ./...

.PHONY: bench
bench: ## API and directory search benchmarks at 10,000 and 100,000 services (slow; not part of make test)
	$(GO) test -run '^$$' -bench 'BenchmarkAPI|BenchmarkServicePerPage|BenchmarkDirectorySearch' -benchtime 200x -timeout 60m ./handlers/

.PHONY: bench-import
bench-import: ## import benchmarks: 10,000 and 100,000 services from a data package and from a local API feed (slow; not part of make test)
	IMPORT_BENCH_SERVICES=10000,100000 $(GO) test -run '^$$' -bench 'BenchmarkImport(DataPackage|API)$$' -benchtime 1x -timeout 60m ./models/importer/

FUZZTIME ?= 30s
.PHONY: fuzz
fuzz: ## fuzz every parser for FUZZTIME each (30s by default; not part of make test, which runs their seeds)
	@set -e; for target in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //'); do \
		pkg=$$(dirname $$(grep -rlE "^func $$target\(" --include='*_test.go' .)); \
		echo "== $$target ($$pkg)"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

.PHONY: mailpit
mailpit: ## a local mail sink: SMTP on 127.0.0.1:1025, messages at http://127.0.0.1:8025 (see docs/email.md)
	$(GO) tool -modfile=tools/go.mod mailpit --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 --disable-version-check

.PHONY: build
build: ## build a static binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/referrals

.PHONY: generate
generate: ## regenerate templ code (commit the *_templ.go files)
	$(TEMPL) generate

# check-generated fails when the committed templ output is stale: it
# regenerates and asks git whether anything changed.
.PHONY: check-generated
check-generated:
	@$(TEMPL) generate >/dev/null 2>&1 || { echo "templ generate failed; run make generate"; exit 1; }
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		changed=$$(git status --porcelain -- '*_templ.go'); \
		if [ -n "$$changed" ]; then \
			echo "Generated templ files are stale or uncommitted; commit them:"; echo "$$changed"; exit 1; \
		fi; \
	fi

.PHONY: lint
lint: ## gofmt, go vet and golangci-lint
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(LINT) run ./...

.PHONY: assets
assets: ## rebuild the vendored CSS and JavaScript in static/ (needs Node and npm)
	./static/build.sh

.PHONY: clean
clean: ## remove build output and the local demo database
	rm -rf bin data
