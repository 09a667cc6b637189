# Veche — make run (serve the demo at http://127.0.0.1:8000), make test, make lint.
# Needs GNU make and Python 3.11 or newer; everything else goes into .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
VECHE   := $(BIN)/veche
HOST    ?= 127.0.0.1
PORT    ?= 8000
# The whole test run (SQLite + PostgreSQL) must end within this (CI limit is 40 min).
TEST_TIMEOUT ?= 35m

# The newest python3.x >= 3.11 on PATH; PYTHON=... overrides.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  2>/dev/null && { echo $$p; break; }; done)

RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev
DEPS          := pyproject.toml constraints.txt

.PHONY: help run serve migrate demo test test-sqlite test-postgres lint clean clean-data python-check \
	bench

help:
	@echo "make run    - set up .venv, migrate, starter word lists, static files, the demo, serve"
	@echo "              at http://$(HOST):$(PORT)/ (prints the demo moderator's credentials)"
	@echo "make test   - ruff, then the test suite on SQLite and (if reachable) PostgreSQL"
	@echo "make lint   - ruff only"
	@echo "make clean  - remove .venv, build files and caches (keeps var/: database, keys)"
	@echo "make clean-data - remove var/ (the SQLite database, secret key, demo password)"

python-check:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "ERROR: Veche needs Python 3.11 or newer; none found on PATH" \
	       "(looked for python3.13, python3.12, python3.11, python3). Install one, or" \
	       "run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "ERROR: $(PYTHON) is Python $$($(PYTHON) -V 2>&1); Veche needs 3.11 or newer." >&2; \
	  exit 1; }

$(PY): | python-check
	$(PYTHON) -m venv $(VENV)
	$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "ERROR: $(VENV) is $$($(PY) -V 2>&1); remove it (make clean) and use Python 3.11+." >&2; \
	  exit 1; }

$(RUNTIME_STAMP): $(DEPS) | $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(DEV_STAMP): $(DEPS) | $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@ $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(VECHE) migrate --noinput
	$(VECHE) install-starter-words
	$(VECHE) collectstatic --noinput --verbosity 0
	$(VECHE) demo
	$(VECHE) serve --host $(HOST) --port $(PORT)

serve: $(RUNTIME_STAMP)
	$(VECHE) serve --host $(HOST) --port $(PORT)

migrate: $(RUNTIME_STAMP)
	$(VECHE) migrate --noinput

demo: $(RUNTIME_STAMP)
	$(VECHE) demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	timeout --kill-after=60s $(TEST_TIMEOUT) bash scripts/test-all $(PY)

test-sqlite: $(DEV_STAMP)
	$(PY) scripts/test-sqlite

test-postgres: $(DEV_STAMP)
	$(PY) scripts/test-postgres

# Not part of `make test`: minutes of load on loopback; report in bench/results/.
bench: $(DEV_STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
	find src tests scripts -name __pycache__ -type d -prune -exec rm -rf {} +

clean-data:
	rm -rf var
