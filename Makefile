# Two commands do all set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint lock bench clean cjk-font

install: $(STAMP) cjk-font

# The CJK font the test corpus embeds in its PDF renderings (tests/corpus/render_formats.py).
# Installed from Debian only when missing; does nothing when the font file is present.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
cjk-font:
	@test -f $(CJK_FONT) || { \
	  echo "installing fonts-wqy-microhei (apt-get)"; \
	  apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei; }

# The venv is (re)built from the lock whenever the lock or pyproject.toml is newer than it.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/eduplan run

test: $(STAMP) cjk-font
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check flows tests benchmarks scripts
	$(BIN)/ruff format --check flows tests benchmarks scripts

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
