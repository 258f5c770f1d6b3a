# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

# Django 6 needs Python 3.12+; the machine's default python3 may be older.
PYTHON := $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; break; fi; done)

.PHONY: run test install install-dev migrate seed serve worker bench loadtest e2e-deps lint check-python clean

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "ERROR: Python 3.12 or newer is required (Django 6). Found only: $$(python3 --version 2>&1)."; \
	  echo "Install Python 3.13 (e.g. 'pyenv install 3.13') and run make again."; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## make run: create the environment, migrate, load the demo and serve web + worker + beat.
run: seed
	@mkdir -p var/broker/queue var/broker/processed var/broker/control
	@echo ""
	@echo "  Portal: http://127.0.0.1:$(PORT)/   (logins above; password demo-pass-123)"
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

## make test: install what the tests need and run the whole suite.
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: scale benchmarks; prints a table.
bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

## make loadtest: the main list pages under 50 users (gunicorn + PostgreSQL + wrk); prints a table.
loadtest: install-dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var staticfiles
