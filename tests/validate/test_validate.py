"""The gates on real warehouses: the seed plans pass, each kind of bad input fails the named
expectation, and a failed gate leaves the published warehouse byte-identical."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from flows.validate import GateResult, validate_marts, validate_raw
from flows.warehouse.layout import wal_of
from flows.warehouse.publish import publish

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def gx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gates' run state (results, Data Docs) for these tests: beside their warehouses, the
    committed context in expectations/ is only read."""
    return tmp_path_factory.mktemp("gx")


def load_plans_into(path: Path) -> Path:
    from flows.extract import extract_document
    from flows.load.plans import load_plans, plan_source
    from flows.warehouse.db import open_warehouse

    plans = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    with open_warehouse(path) as con:
        load_plans(
            con, [extract_document(p) for p in plans], {p.name: plan_source(p) for p in plans}
        )
    return path


@pytest.fixture(scope="session")
def plans_only_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Only the plan tables: raw.actuals absent (not raw.duckdb: the catalog would shadow `raw`)."""
    return load_plans_into(tmp_path_factory.mktemp("plans") / "plans.duckdb")


@pytest.fixture(scope="session")
def raw_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw schema as the flow loads it: the repo's plans and actuals."""
    from flows.load.actuals import load_actuals
    from flows.warehouse.db import open_warehouse

    path = load_plans_into(tmp_path_factory.mktemp("raw") / "loaded.duckdb")
    with open_warehouse(path) as con:
        load_actuals(con, REPO_ROOT / "raw" / "actuals")
    return path


@pytest.fixture(scope="session")
def marts_db(tmp_path_factory: pytest.TempPathFactory, raw_db: Path) -> Path:
    """raw_db with the marts built by `dbt build`, run the way the flow runs it; a build that
    fails fails the tests that need it (never a skip)."""
    from flows.transform import BUILD, run_dbt

    folder = tmp_path_factory.mktemp("marts")
    path = folder / "built.duckdb"  # not marts.duckdb (catalog vs schema)
    shutil.copyfile(raw_db, path)
    result = run_dbt(BUILD, path, artifacts_dir=folder)  # unit tests: test_dbt_marts.py
    assert result.success, result.format()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mutated(source: Path, folder: Path, sql: str) -> Path:
    """A build file: a copy of `source` with `sql` applied."""
    build = folder / "warehouse" / ".build" / "warehouse.duckdb"
    build.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, build)
    con = duckdb.connect(str(build))
    con.execute(sql)
    con.close()
    return build


def gate_then_publish(
    gates: list[Callable[..., GateResult]], build: Path, warehouse: Path, gx_dir: Path
) -> list[GateResult]:
    """What the flow does after dbt: every gate, then publish only if all passed."""
    results = [gate(build, gx_dir=gx_dir) for gate in gates]
    if all(r.passed for r in results):
        publish(build, warehouse)
    return results


def failed_names(results: list[GateResult]) -> list[str]:
    return [f.expectation for r in results for f in r.failures]


# ---------------------------------------------------------------- clean inputs publish


def test_seed_inputs_pass_the_raw_gate(raw_db: Path, gx_dir: Path) -> None:
    result = validate_raw(raw_db, gx_dir=gx_dir)
    assert result.passed, result.format()
    assert result.skipped == []
    # by hand, expectations/raw_suites.py: plan_cells 17, plan_documents 11, plan_tables 3,
    # plan_milestones 8, actuals 5, actuals_files 2
    assert result.evaluated == 17 + 11 + 3 + 8 + 5 + 2
    assert result.docs_path and result.docs_path.is_file()
    # GX closed its connection: this process can open the file for writing again
    duckdb.connect(str(raw_db)).close()


def test_data_docs_written_in_the_background_are_waited_for_and_their_failure_is_a_warning(
    raw_db: Path, gx_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The night's gates return their verdict first and write their pages while dbt runs:
    finish_data_docs waits for the pages, and a failure writing them is a warning, never a
    changed verdict."""
    import flows.gx.runner as runner
    from flows.validate import finish_data_docs

    result = validate_raw(raw_db, gx_dir=gx_dir, docs_in_background=True)
    assert result.passed, result.format()
    assert finish_data_docs() == []
    assert result.docs_path and result.docs_path.is_file()
    pages = list((result.docs_path.parent / "validations").rglob("*.html"))
    assert pages, "tonight's validation pages are written"

    def broken(*args: object, **kwargs: object) -> list[str]:
        raise OSError("No space left on device")

    monkeypatch.setattr(runner, "_render_docs", broken)
    again = validate_raw(raw_db, gx_dir=gx_dir, docs_in_background=True)
    assert again.passed, again.format()
    warnings = finish_data_docs()
    assert len(warnings) == 1 and "raw_inputs gate's Data Docs could not be written" in warnings[0]
    assert "No space left on device" in warnings[0]
    assert finish_data_docs() == [], "each warning is said once"


def test_suites_whose_rules_and_tables_are_as_they_passed_stand_until_the_full_pass(
    raw_db: Path, tmp_path: Path, gx_dir: Path
) -> None:
    """The night's raw gate runs a suite only when its rules or its tables changed since it
    last passed in this warehouse, or when the full pass is due: a new actuals file leaves the
    plan suites standing; a changed plan table runs its suites again, and a bad row in it fails."""
    from flows.transform import FULL_TESTS
    from flows.warehouse.db import open_warehouse, write_stamp

    build = tmp_path / "build.duckdb"
    shutil.copyfile(raw_db, build)
    every = {
        f"raw_inputs.{table}"
        for table in ("actuals", "actuals_files", "plan_cells", "plan_documents",
                      "plan_milestones", "plan_tables")
    }  # fmt: skip
    first = validate_raw(build, gx_dir=gx_dir, stand_unchanged=True)
    assert first.passed and first.standing == [], first.format()  # the full pass is due
    assert validate_raw(build, gx_dir=gx_dir, stand_unchanged=True).standing == []
    with open_warehouse(build) as con:  # what dbt's full pass stamps
        write_stamp(con, FULL_TESTS, "pass", "every row")
    unchanged = validate_raw(build, gx_dir=gx_dir, stand_unchanged=True)
    assert unchanged.passed and set(unchanged.standing) == every, unchanged.format()
    assert unchanged.evaluated == 0 and "stand, their rules and tables" in unchanged.format()

    with open_warehouse(build) as con:  # a plan's document changes: its two suites run again
        con.execute("update raw.plan_documents set title = title || ' (revised)'")
    revised = validate_raw(build, gx_dir=gx_dir, stand_unchanged=True)
    assert revised.passed, revised.format()
    assert every - set(revised.standing) == {
        "raw_inputs.plan_documents",
        "raw_inputs.plan_milestones",
    }
    with open_warehouse(build) as con:  # a bad cell in a table whose suite stood
        con.execute(f"update raw.plan_cells set value = '9..5' where rowid = {FIRST_TARGET}")
    bad = validate_raw(build, gx_dir=gx_dir, stand_unchanged=True)
    assert not bad.passed and "raw_inputs.plan_cells" not in bad.standing
    assert any(f.suite == "raw_inputs.plan_cells" for f in bad.failures), bad.format()
    again = validate_raw(build, gx_dir=gx_dir, stand_unchanged=True)
    assert not again.passed, "a failed suite is never recorded as passed"


def test_absent_actuals_skip_their_suite(plans_only_db: Path, gx_dir: Path) -> None:
    result = validate_raw(plans_only_db, gx_dir=gx_dir)
    assert result.passed, result.format()
    assert result.skipped == ["raw_inputs.actuals", "raw_inputs.actuals_files"]
    assert "skipped raw_inputs.actuals" in result.format()


def test_actuals_rows_are_checked_where_tonight_changed_them(
    raw_db: Path, tmp_path: Path, gx_dir: Path
) -> None:
    """The actuals row suite validates the rows of files loaded tonight; whole-table checks stay
    cheap (a count per file), and the gate says which suite ran on which."""
    with duckdb.connect(str(raw_db), read_only=True) as con:
        [(landed,)] = con.execute("SELECT count(*) FROM raw.actuals").fetchall()
    fresh = validate_raw(raw_db, gx_dir=gx_dir)
    assert fresh.passed, fresh.format()
    assert fresh.on_changed_rows() == ["raw_inputs.actuals"]
    assert "raw_inputs.actuals_files" in fresh.on_whole_tables()
    assert "raw_inputs.plan_cells" in fresh.on_whole_tables()
    # every file was loaded tonight: raw/actuals/published_actuals.csv, 63 lines after its header
    assert fresh.rows["raw_inputs.actuals"] == landed == 63
    assert f"raw_inputs.actuals ({landed:,} rows)" in fresh.format()

    quiet = validate_raw(mutated(raw_db, tmp_path, NOTHING_NEW), gx_dir=gx_dir)
    assert quiet.passed, quiet.format()
    assert quiet.rows["raw_inputs.actuals"] == 0  # nothing loaded tonight: no row to check
    assert quiet.rows["raw_inputs.actuals_files"] == 1  # one row per file (raw/actuals holds one)


def test_clean_build_publishes(marts_db: Path, tmp_path: Path, gx_dir: Path) -> None:
    build = mutated(marts_db, tmp_path, "SELECT 1")
    warehouse = build.parent.parent / "warehouse.duckdb"
    results = gate_then_publish([validate_raw, validate_marts], build, warehouse, gx_dir)
    assert all(r.passed for r in results), "\n".join(r.format() for r in results)
    assert warehouse.exists() and not wal_of(warehouse).exists()


# ---------------------------------------------------------------- bad inputs block publication

FIRST_TARGET = (
    "(SELECT rowid FROM raw.plan_cells WHERE role = 'target' AND value IS NOT NULL "
    "ORDER BY source_file, line LIMIT 1)"
)
NOTHING_NEW = (  # what a load that finds every file unchanged audits
    "INSERT INTO raw.actuals_load_audit SELECT DISTINCT file, NULL, 'skipped', 0, "
    "now()::timestamp + INTERVAL 1 DAY, NULL, NULL, 'unchanged' FROM raw.actuals"
)
RAW_CASES = {
    "value cell that fails to parse": (
        f"UPDATE raw.plan_cells SET raw_value = '≥9O.5', comparator = NULL, value = NULL "
        f"WHERE rowid = {FIRST_TARGET}",
        "every value cell parsed or explicitly non-numeric",
    ),
    "number that is not a number": (
        f"UPDATE raw.plan_cells SET value = '9..5' WHERE rowid = {FIRST_TARGET}",
        "every value cell parsed or explicitly non-numeric",
    ),
    "unknown region": (
        "UPDATE raw.plan_documents SET region_code = '339999' WHERE plan_id = 'jiaxing-2021-2025'",
        "plan_documents.region_code is a known region (dbt/seeds/regions.csv)",
    ),
    "duplicated target": (
        f"INSERT INTO raw.plan_cells SELECT * FROM raw.plan_cells WHERE rowid = {FIRST_TARGET}",
        "one plan cell per table row, breakdown, year and role",
    ),
    "comparator outside the set": (
        f"UPDATE raw.plan_cells SET comparator = '≈' WHERE rowid = {FIRST_TARGET}",
        "plan_cells.comparator is in the allowed set",
    ),
    "invalid role": (
        f"UPDATE raw.plan_cells SET role = 'wish' WHERE rowid = {FIRST_TARGET}",
        "plan_cells.role is a valid role",
    ),
    "actuals row landed twice": (
        "INSERT INTO raw.actuals SELECT * FROM raw.actuals LIMIT 1",
        "one row per file and line",
    ),
    "actuals row lost": (
        "DELETE FROM raw.actuals WHERE rowid = (SELECT min(rowid) FROM raw.actuals)",
        "rows landed per actuals file equal the rows its last load counted",
    ),
    # a later night that loaded nothing (every file `skipped`): the row suite sees no rows, the
    # whole-table count per file still sees a row landed twice in an earlier night's file
    "earlier night's actuals row landed twice": (
        f"{NOTHING_NEW}; INSERT INTO raw.actuals SELECT * FROM raw.actuals LIMIT 1",
        "rows landed per actuals file equal the rows its last load counted",
    ),
    "year far from the plan period": (
        f"UPDATE raw.plan_cells SET year = 2035 WHERE rowid = {FIRST_TARGET}",
        "plan_cells.year inside or next to its table's plan period",
    ),
}


@pytest.fixture
def published(raw_db: Path, tmp_path: Path) -> Path:
    """A published warehouse (last night's), whose hash a failed gate must not change."""
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copyfile(raw_db, warehouse)
    return warehouse


@pytest.mark.parametrize("case", RAW_CASES, ids=list(RAW_CASES))
def test_bad_raw_input_blocks_publication(
    case: str, raw_db: Path, published: Path, tmp_path: Path, gx_dir: Path
) -> None:
    sql, expectation = RAW_CASES[case]
    before = sha256(published)
    build = mutated(raw_db, tmp_path, sql)
    [result] = gate_then_publish([validate_raw], build, published, gx_dir)
    assert not result.passed
    assert expectation in failed_names([result]), result.format()
    assert sha256(published) == before
    assert build.exists()  # kept for inspection
    failure = next(f for f in result.failures if f.expectation == expectation)
    assert failure.sample_rows, "a failure shows a few offending rows"
    assert expectation in result.format()


# only what dbt's own tests do not check (keys, relationships and accepted values are dbt's)
MART_CASES = {
    "target with a line 0": (
        "UPDATE marts.fct_indicator_target SET source_line = 0 "
        "WHERE target_id = (SELECT min(target_id) FROM marts.fct_indicator_target)",
        "source_line is a 1-based line",
    ),
    "percentage above 100": (
        "UPDATE marts.fct_indicator_target SET target_value = 1000 "
        "WHERE target_id = (SELECT min(target_id) FROM marts.fct_indicator_target "
        "WHERE unit = '%' AND target_value IS NOT NULL)",
        "target values plausible for their unit",
    ),
    "actual from an implausible year": (
        "UPDATE marts.fct_indicator_actual SET year = 1950 "
        "WHERE source_ref = (SELECT min(source_ref) FROM marts.fct_indicator_actual)",
        "actual years within 15 years before the earliest plan table and the last plan year + 1",
    ),
    "indicator names not mapped to the catalogue": (
        "UPDATE marts.dim_indicator SET is_catalogued = false",
        "at least 90% of raw indicator names map to a catalogue code",
    ),
}


@pytest.mark.parametrize("case", MART_CASES, ids=list(MART_CASES))
def test_bad_marts_block_publication(
    case: str, marts_db: Path, published: Path, tmp_path: Path, gx_dir: Path
) -> None:
    sql, expectation = MART_CASES[case]
    before = sha256(published)
    build = mutated(marts_db, tmp_path, sql)
    results = gate_then_publish([validate_raw, validate_marts], build, published, gx_dir)
    assert results[0].passed and not results[1].passed
    assert expectation in failed_names(results), results[1].format()
    assert sha256(published) == before


# ---------------------------------------------------------------- one case per gate rule
# Every expectation of expectations/raw_suites.py and mart_suites.py has a case that trips it.
# The cases of the common kinds are generated from the expectation itself (a NULL for a not-null
# rule, a value outside the set, one below the minimum, a copied row for a uniqueness rule, a
# table emptied, a column dropped or added); rules written as SQL have a case by description
# here. A new rule without a case fails test_every_gate_rule_has_a_case. Cases change distinct
# rows (CTAS first: the DDL's NOT NULL would refuse some), so they share a few gate runs.

ROW = "{row}"  # replaced by the rowid of a row of the case's own
HAND_CASES: dict[str, tuple[str, ...]] = {  # description -> (table, SQL[, batch])
    "one plan cell per table row, breakdown, year and role": (
        "raw.plan_cells",
        f"INSERT INTO raw.plan_cells SELECT * FROM raw.plan_cells WHERE rowid = {ROW}",
    ),
    "every value cell parsed or explicitly non-numeric": (
        "raw.plan_cells",
        "UPDATE raw.plan_cells SET raw_value = '≥9O.5', comparator = NULL, value = NULL "
        f"WHERE rowid = {ROW}",
    ),
    "plan_cells.year inside or next to its table's plan period": (
        "raw.plan_cells",
        f"UPDATE raw.plan_cells SET year = 2035 WHERE rowid = {ROW}",
    ),
    "plan_documents.region_code is a known region (dbt/seeds/regions.csv)": (
        "raw.plan_documents",
        f"UPDATE raw.plan_documents SET region_code = '339999' WHERE rowid = {ROW}",
    ),
    "plan_documents.sha256 is 64 hex digits": (
        "raw.plan_documents",
        f"UPDATE raw.plan_documents SET sha256 = 'not a digest' WHERE rowid = {ROW}",
    ),
    "plan_milestones.region is a known region name or a word for the plan's own region "
    "(全市创建; vocabulary region_scope)": (
        "raw.plan_milestones",
        f"UPDATE raw.plan_milestones SET region = '火星区' WHERE rowid = {ROW}",
    ),
    "plan_milestones.year inside or next to the plan period": (
        "raw.plan_milestones",
        f"UPDATE raw.plan_milestones SET year = 2035 WHERE rowid = {ROW}",
    ),
    "rows landed per actuals file equal the rows its last load counted": (
        "raw.actuals",
        f"DELETE FROM raw.actuals WHERE rowid = {ROW}",
        "counts",  # alone: a row copied by another case would even out the file's count
    ),
    "target values plausible for their unit": (
        "marts.fct_indicator_target",
        "UPDATE marts.fct_indicator_target SET unit = '%', target_value = 1000 "
        f"WHERE rowid = {ROW}",
    ),
    "actual values plausible for their unit": (
        "marts.fct_indicator_actual",
        f"UPDATE marts.fct_indicator_actual SET unit = '所', value = -1 WHERE rowid = {ROW}",
    ),
    "actual years within 15 years before the earliest plan table and the last plan year + 1": (
        "marts.fct_indicator_actual",
        f"UPDATE marts.fct_indicator_actual SET year = 1950 WHERE rowid = {ROW}",
    ),
    "at least 90% of raw indicator names map to a catalogue code": (
        "marts.dim_indicator",
        "UPDATE marts.dim_indicator SET is_catalogued = false",
    ),
}
# Rules no data can trip, with the reason (a rule here that a case can trip should get one)
UNTRIPPABLE = {
    "one count per file": "actuals_files groups by file: its query yields one row per file",
    "actuals.file is set": "the suite selects rows by file (loaded tonight): a row without a file "
    "is never in its batch (actuals_files counts it as landed by no load)",
}


def gate_rules() -> list[tuple[str, object, object]]:
    """(gate, suite spec, expectation) for every rule of both gates, as expectations/ declares."""
    import sys

    sys.path.insert(0, str(REPO_ROOT / "expectations"))
    try:
        from mart_suites import mart_suites
        from raw_suites import raw_suites
    finally:
        sys.path.remove(str(REPO_ROOT / "expectations"))
    return [
        (gate, spec, expectation)
        for gate, specs in (("raw_inputs", raw_suites()), ("marts", mart_suites()))
        for spec in specs
        for expectation in spec.build()
    ]


def generated_case(spec: object, e: object) -> tuple[str, str, str] | None:
    """(batch, table, SQL) that trips expectation e of a suite, from what e checks; None for a
    kind of rule this does not know (then it needs a HAND_CASES entry)."""
    table = spec.requires[0]  # type: ignore[attr-defined]
    kind = type(e).__name__
    where = f"WHERE rowid = {ROW}"
    if kind == "ExpectColumnValuesToNotBeNull":
        return "rows", table, f"UPDATE {table} SET {e.column} = NULL {where}"
    if kind == "ExpectColumnValuesToBeInSet":
        return "rows", table, f"UPDATE {table} SET {e.column} = 'no such word' {where}"
    if kind == "ExpectColumnValuesToBeBetween" and e.min_value is not None:
        return "rows", table, f"UPDATE {table} SET {e.column} = {e.min_value - 1} {where}"
    if kind in ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"):
        return "rows", table, f"INSERT INTO {table} SELECT * FROM {table} {where}"
    if kind == "ExpectColumnPairValuesAToBeGreaterThanB":
        sql = f"UPDATE {table} SET {e.column_A} = {e.column_B} - 1 {where}"
        return "rows", table, sql
    if kind == "ExpectTableRowCountToBeBetween" and e.min_value == 1:
        return "empty", table, f"DELETE FROM {table}"
    if kind == "ExpectTableColumnsToMatchSet":
        if e.exact_match:
            return "columns", table, f"ALTER TABLE {table} ADD COLUMN unexpected INTEGER"
        # a required column that the suite's query does not name (else the query fails)
        column = next(c for c in e.column_set if c not in spec.query)  # type: ignore[attr-defined]
        return "columns", table, f"ALTER TABLE {table} DROP COLUMN {column}"
    return None


def gate_cases(gate: str, database: Path) -> dict[tuple[str, int], list[tuple[str, str, str]]]:
    """(batch, round) -> [(description, table, SQL)]: a table's n-th case changes its n-th row
    (round n // rows, so a small table's cases never share a row)."""
    con = duckdb.connect(str(database), read_only=True)
    sizes: dict[str, int] = {}
    used: dict[str, int] = {}
    batches: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
    try:
        for rule_gate, spec, e in gate_rules():
            description = e.description  # type: ignore[attr-defined]
            if rule_gate != gate or description in UNTRIPPABLE:
                continue
            if description in HAND_CASES:
                table, sql, batch = (*HAND_CASES[description], "rows")[:3]
            else:
                found = generated_case(spec, e)
                assert found, f"no case trips {description!r}: add one to HAND_CASES"
                batch, table, sql = found
            if table not in sizes:
                [(sizes[table],)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            n = used.get(table, 0) if batch == "rows" else 0
            used[table] = n + (batch == "rows")
            row = f"(SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET {n % sizes[table]})"
            batches.setdefault((batch, n // sizes[table]), []).append(
                (description, table, sql.replace(ROW, row))
            )
    finally:
        con.close()
    return batches


def test_every_gate_rule_has_a_case() -> None:
    rules = [e.description for _, _, e in gate_rules()]  # type: ignore[attr-defined]
    assert len(rules) == len(set(rules)), "each rule is named by its description"
    stale = (set(HAND_CASES) | set(UNTRIPPABLE)) - set(rules)
    assert not stale, f"cases for rules that no suite declares: {sorted(stale)}"
    without = [
        d
        for gate, spec, e in gate_rules()
        if (d := e.description) not in HAND_CASES  # type: ignore[attr-defined]
        and d not in UNTRIPPABLE
        and generated_case(spec, e) is None
    ]
    assert without == [], f"rules no case trips: {without}"


@pytest.mark.parametrize("gate", ["raw_inputs", "marts"])
def test_every_gate_rule_is_tripped_by_its_case(
    gate: str, raw_db: Path, marts_db: Path, tmp_path: Path, gx_dir: Path
) -> None:
    source = raw_db if gate == "raw_inputs" else marts_db
    validate = validate_raw if gate == "raw_inputs" else validate_marts
    batches = gate_cases(gate, source)
    described = [d for cases in batches.values() for d, _, _ in cases]
    rules = [e.description for g, _, e in gate_rules() if g == gate]  # type: ignore[attr-defined]
    assert sorted(described) == sorted(set(rules) - set(UNTRIPPABLE))
    for (batch, round_), cases in sorted(batches.items()):
        tables = sorted({table for _, table, _ in cases})
        unconstrained = "; ".join(
            f"CREATE OR REPLACE TABLE {t} AS SELECT * FROM {t}" for t in tables
        )
        sql = "; ".join([unconstrained, *(s for _, _, s in cases)])
        build = mutated(source, tmp_path / f"{batch}-{round_}", sql)
        result = validate(build, gx_dir=gx_dir)
        failed = set(failed_names([result]))
        missed = [d for d, _, _ in cases if d not in failed]
        assert missed == [], f"{batch} round {round_}: not tripped {missed}\n{result.format()}"


DERIVED = "('plan_baseline', 'plan_reported')"  # vocabulary derived_source_kind (dbt_project.yml)
NOTHING_TAKEN = (  # a night that judged no actual figure again: only the plans' figures taken
    "UPDATE intermediate.fct_indicator_actual__taken SET taken_from = "
    "(SELECT max(generation) FROM intermediate.int_actual_figures_keyed)"
)
KEPT_ROW = f"(SELECT min(rowid) FROM marts.fct_indicator_actual WHERE source_kind NOT IN {DERIVED})"


def _dbt_taken_tonight(database: Path, folder: Path) -> int:
    """How many rows of the fact dbt's own rule (macros/figures_taken.sql) says tonight's build
    took: what the fact's dbt tests check on a night that is no full pass."""
    import subprocess

    from flows.transform import dbt_invocation

    sql = (
        "select count(*) as n from {{ ref('fct_indicator_actual') }} as t "
        "where {{ figures_taken_tonight('t', none) }}"
    )
    args, env = dbt_invocation(
        "show", database, artifacts_dir=folder, extra_args=["--inline", sql, "--output", "json"]
    )
    args.remove("--quiet")
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    shown = done.stdout[done.stdout.index("{") : done.stdout.rindex("}") + 1]
    return int(json.loads(shown)["show"][0]["n"])


def test_the_fact_is_checked_on_tonights_rows_but_on_a_full_pass(
    marts_db: Path, tmp_path: Path, gx_dir: Path
) -> None:
    """On a night that is no full pass, the fact's row-local rule reads the rows tonight's build
    took (dbt's rule, the same count), its years every row; a full pass reads every row."""
    build = mutated(marts_db, tmp_path / "built", NOTHING_TAKEN)
    with duckdb.connect(str(build), read_only=True) as con:
        [(rows, derived)] = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE source_kind IN " + DERIVED + ") "
            "FROM marts.fct_indicator_actual"
        ).fetchall()
    assert 0 < derived < rows, "the seed's fact needs plan figures and actual figures"
    full = validate_marts(build, gx_dir=gx_dir)
    assert full.passed, full.format()
    assert full.on_changed_rows() == []
    assert "marts.fct_indicator_actual" in full.on_whole_tables()
    tonight = validate_marts(build, gx_dir=gx_dir, changed_rows=True)
    assert tonight.passed, tonight.format()
    assert tonight.on_changed_rows() == ["marts.fct_indicator_actual"]
    assert "marts.fct_indicator_actual_years" in tonight.on_whole_tables()
    assert "on tonight's changed rows: marts.fct_indicator_actual" in tonight.format()
    # the committed query of tonight's rows selects what dbt's rule selects
    suite = REPO_ROOT / "expectations" / "expectations" / "marts" / "fct_indicator_actual.json"
    query = json.loads(suite.read_text(encoding="utf-8"))["meta"]["changed_rows"]["query"]
    with duckdb.connect(str(build), read_only=True) as con:
        [(taken,)] = con.execute(f"SELECT count(*) FROM ({query})").fetchall()
    assert taken == derived == _dbt_taken_tonight(build, tmp_path / "dbt")
    whole = mutated(marts_db, tmp_path / "whole", "SELECT 1")  # built whole: every row taken
    with duckdb.connect(str(whole), read_only=True) as con:
        [(taken,)] = con.execute(f"SELECT count(*) FROM ({query})").fetchall()
    assert taken == rows == _dbt_taken_tonight(whole, tmp_path / "dbt-whole")

    # a kept row: checked by the full pass only; its year, every night
    bad = f"UPDATE marts.fct_indicator_actual SET unit = '所', value = -1 WHERE rowid = {KEPT_ROW}"
    kept = mutated(build, tmp_path / "kept", bad)
    assert validate_marts(kept, gx_dir=gx_dir, changed_rows=True).passed
    assert failed_names([validate_marts(kept, gx_dir=gx_dir)]) == [
        "actual values plausible for their unit"
    ]
    old = f"UPDATE marts.fct_indicator_actual SET year = 1950 WHERE rowid = {KEPT_ROW}"
    moved = validate_marts(mutated(build, tmp_path / "old", old), gx_dir=gx_dir, changed_rows=True)
    assert failed_names([moved]) == [
        "actual years within 15 years before the earliest plan table and the last plan year + 1"
    ]
    # a figure judged again tonight (a generation after the one taken) is checked
    again = (
        f"{bad}; UPDATE intermediate.fct_indicator_actual__taken SET taken_from = taken_from - 1"
    )
    judged = validate_marts(mutated(marts_db, tmp_path / "again", again), gx_dir=gx_dir,
                            changed_rows=True)  # fmt: skip
    assert failed_names([judged]) == ["actual values plausible for their unit"], judged.format()
