# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM ?= npm
TS := clients/typescript
NODE_STAMP := $(TS)/node_modules/.installed
SDK := build/sdk
CODE := src tests migrations $(wildcard bench)

.PHONY: run test test-fast check lint format install sdk bench browser clean

# Not --quiet: pip names each package as it fetches and installs it (the first install
# takes a minute or two, and would otherwise print nothing until it is done).
$(STAMP): pyproject.toml constraints.txt
	@echo "Installing taskservice and its dependencies into $(VENV)/ ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -c constraints.txt -e '.[dev,otel]'
	@touch $(STAMP)
	@echo "Installed. The command is $(BIN)/taskservice (or run \`. $(BIN)/activate\` first)."

# The TypeScript tools (openapi-typescript, tsc), exactly as package-lock.json pins them.
$(NODE_STAMP): $(TS)/package.json $(TS)/package-lock.json
	cd $(TS) && $(NPM) ci --no-audit --no-fund
	@touch $(NODE_STAMP)

install: $(STAMP)

# SDKs from the live schema: build/sdk/openapi.json, build/sdk/python (a project:
# `pip install build/sdk/python`) and build/sdk/typescript/schema.d.ts, which the
# hand-written clients/typescript/usage.ts must compile against.
sdk: $(STAMP) $(NODE_STAMP)
	@mkdir -p $(SDK)/typescript
	$(BIN)/python -c 'import json; from taskservice.app import create_app; \
		print(json.dumps(create_app().openapi(), indent=2))' > $(SDK)/openapi.json
	$(BIN)/openapi-python-client generate --path $(SDK)/openapi.json --meta pdm \
		--config clients/python/openapi-python-client.yaml --output-path $(SDK)/python \
		--overwrite --fail-on-warning
	$(TS)/node_modules/.bin/openapi-typescript $(SDK)/openapi.json \
		--default-non-nullable false --output $(SDK)/typescript/schema.d.ts
	$(TS)/node_modules/.bin/tsc --noEmit --project $(TS)/tsconfig.json

run: $(STAMP)
	$(BIN)/taskservice serve

# Lint and types over everything we write: the package, the tests and the benchmarks.
# `make test` runs it first; `make check` is the same, on its own.
lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy src tests $(wildcard bench)

format: $(STAMP)
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

test: $(STAMP) $(NODE_STAMP) browser lint
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium (Playwright never downloads a browser).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The in-process tests only (no real server processes, browsers, fuzzing or contract
# runs: those are marked `slow`), on SQLite, on both workers of a 2-core machine: under a
# minute (both databases take twice that: `make test-fast BACKENDS=sqlite,postgresql`;
# `make test` always runs both). tests/contract holds only slow tests, and Schemathesis
# builds its cases while it is collected (15 s), so it is not collected at all here.
BACKENDS ?= sqlite
test-fast: $(STAMP)
	TASKSERVICE_TEST_BACKENDS=$(BACKENDS) \
		$(BIN)/python -m pytest -m "not slow" --ignore=tests/contract -p no:schemathesis -n 2 -q

check: lint

# Benchmarks: writes bench/RESULTS.md and prints it (about 8 minutes; needs PostgreSQL at
# 127.0.0.1:5432 as `make test` does, and wrk, installed from Debian's packages if missing).
bench: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache $(TS)/node_modules
