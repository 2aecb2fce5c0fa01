# Two commands do all set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-long test-fast test-spark spark java lint lock bench bench-engines clean cjk-font browser bi-reader demo reliability mutate

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

# Two processes (pytest-xdist); a test file stays on one, and so do the files of a folder that
# share a session fixture (its conftest.py sets ONE_WORKER; tests/conftest.py groups them).
test: $(STAMP) cjk-font browser bi-reader
	$(BIN)/python -m pytest -q -n 2 --durations=15 -m "not long and not spark"

# The cases that need nights of their own (signals, the hostile night, kill -9, the soak, at
# short counts): CI runs them after `make test` (.ci/run), which stays under 8 minutes.
test-long: $(STAMP) cjk-font browser bi-reader
	$(BIN)/python -m pytest -q -n 2 --durations=10 -m long

# The Spark stack, for the spark target of the dbt project (docs/spark.md): its own
# virtualenv (.venv-spark: pyspark and dbt-spark[session], held to the main lock's dbt-core and
# adapters by -c requirements.lock) and Java 17 from Debian when no java is installed. Only the
# targets that need Spark depend on it: `make run` and `make test` never install it.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed-stamp
SPARK_PINS := pyspark==4.3.0 "dbt-spark[session]==1.11.0"
spark: $(SPARK_STAMP) java

$(SPARK_STAMP): requirements.lock
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c requirements.lock $(SPARK_PINS) $$(grep -E '^dbt-(core|adapters|common)==' requirements.lock)
	@touch $(SPARK_STAMP)

java:
	@command -v java >/dev/null || { \
	  echo "installing openjdk-17-jre-headless (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; }

# The same marts on Spark as on DuckDB (tests/transform/test_spark_parity.py): the seeds and a harder data
# set built on both engines and compared mart by mart. CI runs it after `make test-long`.
test-spark: $(STAMP) spark
	$(BIN)/python -m pytest -q -s -m spark --durations=5 tests/transform/test_spark_parity.py

# The edit loop: everything but the tests marked slow, server, browser or reliability.
test-fast: $(STAMP) cjk-font
	$(BIN)/python -m pytest -q -n 2 -m "not slow and not server and not browser and not reliability and not spark"

# The reliability tests at full length (`make test` runs them with few iterations, and leaves out
# those marked `long`: a night or more each: signals, the hostile night, Data Docs): 20 kills
# of `eduplan run` and of `eduplan rollback`, a disk that fills during dbt as well as during the
# copy, and 60 soak nights. Needs root for the tmpfs of the full-disk test. Takes hours here.
reliability: $(STAMP)
	EDUPLAN_CRASH_KILLS=20 EDUPLAN_RELIABILITY_FULL=1 EDUPLAN_SOAK_NIGHTS=60 \
		$(BIN)/python -m pytest -q -s -m reliability

# The report's browser test needs Debian's chromium and a CJK font: installed when missing.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-wqy-microhei; \
	fi

# Mutation testing of the modules that decide what users see (scripts/mutate.py): the value
# grammar, the semantic reader, publish, the names layer, the progress and quarantine models and
# the report's status rendering. On demand, not in CI: 5 min on two cores shared with other
# busy sessions (load 7), 15 min at load 10-12. Prints the score and minutes per module and
# the surviving mutants (docs/architecture.md). One module: `make mutate MODULES=publish`.
MODULES ?=
mutate: $(STAMP)
	$(BIN)/python scripts/mutate.py $(MODULES)

# The oldest DuckDB the published warehouse promises to open (flows/warehouse/db.py
# STORAGE_VERSION), for tests/warehouse/test_bi_readers.py: a DuckDB 1.x client beside the venv's 2.x.
BI_READER_DUCKDB := 1.1.3
BI_READER := $(VENV)/bi-reader-duckdb-$(BI_READER_DUCKDB)
bi-reader: $(STAMP)
	@test -d $(BI_READER)/duckdb || $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --target $(BI_READER) duckdb==$(BI_READER_DUCKDB)

# A demo night: the real plans plus synthetic 2021-2025 figures (warehouse/demo/).
demo: $(STAMP)
	$(BIN)/eduplan demo

# sqlfluff compiles the dbt project (dbt templater): it needs a profile path, not a warehouse.
# scripts/lint_cross_db.py: no DuckDB-only construct outside dbt/macros/cross_db.sql (Spark).
lint: $(STAMP)
	$(BIN)/ruff check flows tests benchmarks scripts expectations
	$(BIN)/ruff format --check flows tests benchmarks scripts expectations
	EDUPLAN_BUILD_DB=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint dbt/models dbt/tests --processes 1
	$(BIN)/python scripts/lint_cross_db.py

# Re-resolve the dependencies and rewrite the lock (needs the package index).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	rm -rf .lock-venv

# Four nights (full, one new year's file, that file corrected, nothing new) at 1M and 10M rows,
# each against a floor doing the same work in plain DuckDB, with the peak memory of the process
# tree and issue 25's done-when checks (docs/performance.md); its budget is 15 minutes. One size:
# `make bench BENCH_ROWS=1000000`. The other benchmarks: `.venv/bin/python -m benchmarks
# [extract|formats|actuals|fixed]`.
BENCH_ROWS ?= 1000000,10000000
bench: $(STAMP)
	$(BIN)/python -m benchmarks night --rows $(BENCH_ROWS)

# dbt on DuckDB against dbt on Spark local at the seeds and at 1M rows (needs Spark: installs it).
ENGINE_ROWS ?= seeds,1000000
bench-engines: $(STAMP) spark
	$(BIN)/python -m benchmarks engines --rows $(ENGINE_ROWS)

clean:
	rm -rf $(VENV) $(SPARK_VENV) warehouse/spark warehouse/*.duckdb* warehouse/*.json warehouse/.build warehouse/history \
		warehouse/report warehouse/demo warehouse/docs dbt/target dbt/logs
