# NLF Planner. Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The local OIDC provider for the sign-in browser tests lives in its own environment: its
# dependencies (flask, authlib, uvicorn, ...) would clash with the app's pins.
OIDC_VENV := .venv-oidc
PORT ?= 8501

.PHONY: run test lint bench db chromium clean-db backup restore migrate-to-postgres postgresql haproxy cluster cluster-stop oidc-provider

$(BIN)/python:
	@if ! $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    rm -rf $(VENV); apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	    $(PYTHON) -m venv $(VENV); \
	  else echo "Python venv support is missing: install python3-venv"; exit 1; fi; \
	fi

$(VENV)/.run-deps: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.test-deps: requirements-dev.txt $(VENV)/.run-deps
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(OIDC_VENV)/.installed: | $(BIN)/python
	$(PYTHON) -m venv $(OIDC_VENV)
	$(OIDC_VENV)/bin/pip install -q --disable-pip-version-check oidc-provider-mock==0.3.4
	@touch $@

oidc-provider: $(OIDC_VENV)/.installed

# Browser tests and image exports use Debian's chromium (never a browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for browser tests and image exports"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium'"; exit 1; fi; }

# The local cluster's load balancer and its browser test use Debian's haproxy.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's haproxy for the local cluster"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	  else echo "HAProxy is missing: run 'sudo apt-get install haproxy'"; exit 1; fi; }

# The PostgreSQL backend's tests start a throwaway server from Debian's postgresql binaries
# (tests/pg_server.py); the package's own "main" cluster is never created or started.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "$$NLF_PG_BIN" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's postgresql for the PostgreSQL backend's tests"; \
	    mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL is missing: run 'sudo apt-get install postgresql'"; exit 1; fi; }

# Creates and seeds the default DuckDB file on first run; later runs leave it as it is.
db: $(VENV)/.run-deps
	$(BIN)/python -m nlf_planner.cli.generate

run: db
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address 127.0.0.1

# Style and the layer contract (.importlinter): an import that points up a layer fails here.
lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

test: $(VENV)/.test-deps chromium haproxy postgresql oidc-provider lint
	$(BIN)/pytest

bench: $(VENV)/.test-deps chromium haproxy postgresql
	$(BIN)/python -m bench.run

# PostgreSQL, two app replicas and HAProxy on this machine (docs/DEPLOY.md): the URL is
# http://127.0.0.1:8500; state, logs and the shared cookie secret live in data/cluster/.
cluster: $(VENV)/.run-deps haproxy postgresql
	$(BIN)/python -m tools.cluster start

cluster-stop: $(VENV)/.run-deps
	$(BIN)/python -m tools.cluster stop

clean-db:
	rm -f data/nlf.duckdb data/nlf.duckdb.wal

# One-file backup (zip of Parquet tables + manifest with checksums) into data/backups/.
backup: $(VENV)/.run-deps
	$(BIN)/python -m nlf_planner.cli.backup backup

# Checks FILE, backs up the current state, then swaps the restored database in. Stop the app
# first (DuckDB allows one writing process); the Data page can restore while it runs.
restore: $(VENV)/.run-deps
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=data/backups/nlf-backup-....zip"; exit 1; }
	$(BIN)/python -m nlf_planner.cli.backup restore "$(FILE)"

# Copies the DuckDB file (NLF_DB_PATH, default data/nlf.duckdb) into a PostgreSQL database
# through the portable backup, in one step; then run the app with NLF_DATABASE_URL=URL.
migrate-to-postgres: $(VENV)/.run-deps
	@test -n "$(URL)" || { echo "Usage: make migrate-to-postgres URL=postgresql://user@host:5432/nlf"; exit 1; }
	$(BIN)/python -m nlf_planner.cli.backup migrate --to "$(URL)"
