# Development tasks for casemgmt. Every target builds .venv first if it is missing or out of date.
#
#   make demo            migrate the SQLite database, seed the demo bank, serve it on 127.0.0.1:8000 (PORT=...)
#   make test            run the test suite (SQLite unless DATABASE_URL is set)
#   make test-postgres   run the test suite on a new, uniquely named PostgreSQL database
#   make install         create .venv and install requirements-dev.txt
#   make bench           run the access benchmarks on PostgreSQL (manage.py bench_access)

PYTHON ?= python3.11
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install, so the install runs again only when a requirements file changes.
INSTALL_STAMP := $(VENV)/.requirements-installed

PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432
PYTEST_ARGS ?=
BENCH_DATABASE ?= casemgmt_bench
BENCH_ARGS ?=

.PHONY: help install demo test test-postgres bench

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

$(VENV_PYTHON):
	@command -v $(PYTHON) >/dev/null || { \
		echo "$(PYTHON) was not found. Install Python 3.11, or run make PYTHON=/path/to/python3.11." >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): $(VENV_PYTHON) requirements.txt requirements-dev.txt
	$(VENV_PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(INSTALL_STAMP)

demo: install
	DEBUG=1 $(VENV_PYTHON) manage.py migrate --no-input
	DEBUG=1 $(VENV_PYTHON) manage.py seed_demo
	DEBUG=1 $(VENV_PYTHON) manage.py runserver 127.0.0.1:$(PORT)

# Playwright drives Debian's /usr/bin/chromium (see tests/browser/conftest.py), so no target runs
# `playwright install`.
test: install
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

# pytest-django creates test_<name> from this URL and drops it at the end. The name carries the time and
# the shell's process id, so parallel runs never share a database.
test-postgres: install
	DATABASE_URL="$(POSTGRES_URL)/casemgmt_make_$$(date +%s)_$$$$" $(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

# bench_access needs PostgreSQL. Its dataset stays in BENCH_DATABASE and is reused by later runs.
bench: install
	@psql "$(POSTGRES_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DATABASE)'" | grep -q 1 \
		|| psql "$(POSTGRES_URL)/postgres" -c 'CREATE DATABASE "$(BENCH_DATABASE)"'
	DEBUG=1 DATABASE_URL="$(POSTGRES_URL)/$(BENCH_DATABASE)" $(VENV_PYTHON) manage.py migrate --no-input
	DEBUG=1 DATABASE_URL="$(POSTGRES_URL)/$(BENCH_DATABASE)" $(VENV_PYTHON) manage.py bench_access $(BENCH_ARGS)
