# Two commands do all set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint lock bench clean

install: $(STAMP)

# The venv is (re)built from the lock whenever the lock or pyproject.toml is newer than it.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/eduplan run

test: $(STAMP)
	$(BIN)/python -m pytest -q

# sqlfluff compiles the dbt project (dbt templater): it needs a profile path, not a warehouse
lint: $(STAMP)
	$(BIN)/ruff check flows tests benchmarks scripts expectations
	$(BIN)/ruff format --check flows tests benchmarks scripts expectations
	EDUPLAN_BUILD_DB=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint dbt/models dbt/tests --processes 1

# Re-resolve the dependencies and rewrite the lock (needs the package index).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	rm -rf .lock-venv

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) warehouse/*.duckdb* warehouse/.build warehouse/history dbt/target dbt/logs
