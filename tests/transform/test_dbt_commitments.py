"""Targets stated in prose in the warehouse: three whole seed plans (../shared/seeds) extracted,
loaded and built by dbt the way the flow runs it, with one actual. A commitment whose subject
resolves (普惠性幼儿园在园儿童覆盖面) joins its indicator and region and takes a status; one that
restates a table target is linked to it; one that resolves to nothing is kept and listed by the
names layer (`eduplan names`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.extract import extract_document
from flows.load.actuals import DDL as ACTUALS_RAW_DDL
from flows.load.plans import load_plans, plan_source
from flows.transform import BUILD, run_dbt
from flows.warehouse.db import open_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]
# seed -> the raw/plans excerpt whose facts (region, period) it carries
PLANS = {
    "001": "yuecheng-2021-2025",
    "003": "shaoxing-schedule-2021-2025",
    "004": "yuhang-2021-2025",
}


def _facts(name: str) -> str:
    """The excerpt's document facts without its excerpt map (the whole document is loaded)."""
    text = (REPO_ROOT / "raw" / "plans" / f"{name}.toml").read_text(encoding="utf-8")
    return text.split("excerpt = [", 1)[0]


@pytest.fixture(scope="module")
def warehouse(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("commitments")
    paths = []
    for number, name in PLANS.items():
        [seed] = seeds_dir.glob(f"{number}_*.txt")
        path = root / f"{name}.txt"
        path.write_bytes(seed.read_bytes())
        (root / f"{name}.toml").write_text(_facts(name), encoding="utf-8")
        paths.append(path)
    database = root / "warehouse.duckdb"
    with open_warehouse(database) as con:
        load_plans(
            con, [extract_document(p) for p in paths], {p.name: plan_source(p) for p in paths}
        )
        con.execute(ACTUALS_RAW_DDL)
        con.execute(
            "insert into raw.actuals (file, line, region, indicator, breakdown, year, value, unit, "
            "source_url, source_title, source_kind) values ('test.csv', 2, '越城区', "
            "'普惠性幼儿园在园儿童覆盖面', null, '2023', '97.0', '%', 'https://example.org', "
            "'test figure', 'synthetic')"
        )
    result = run_dbt(BUILD, database, artifacts_dir=root)  # as the night builds
    assert result.success, result.format()
    return database


def _rows(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_commitment_lands_with_its_quote_and_line(warehouse: Path) -> None:
    counts = dict(
        _rows(warehouse, "select plan_id, count(*) from marts.fct_plan_commitment group by 1")
    )
    raw = dict(_rows(warehouse, "select plan_id, count(*) from raw.plan_commitments group by 1"))
    assert counts == raw and all(n > 5 for n in counts.values())
    assert _rows(
        warehouse,
        "select count(*) from marts.fct_plan_commitment "
        "where source_line is null or quote is null or source_file is null",
    ) == [(0,)]


def test_a_resolved_commitment_takes_a_status_and_restates_its_table_target(
    warehouse: Path,
) -> None:
    rows = _rows(
        warehouse,
        "select indicator_code, region_code, year, value, restates_target_id is not null, status "
        "from marts.mart_commitment_progress "
        "where subject_raw = '普惠性幼儿园在园儿童覆盖面' order by source_line",
    )
    assert rows, "the covered-share commitment of 越城区 did not land"
    for code, region, year, value, restates, status in rows:
        assert (code, region, year) == ("inclusive_kindergarten_coverage", "330602", 2025)
        assert float(value) == 96.5
        assert restates  # the plan's table has the same target: linked, not counted twice
        assert status == "achieved"  # 97.0 in 2023 against >= 96.5


def test_an_unresolved_subject_is_kept_and_listed(warehouse: Path) -> None:
    unresolved = _rows(
        warehouse,
        "select count(*) from marts.fct_plan_commitment where not is_resolved",
    )[0][0]
    assert unresolved > 0
    listed = _rows(
        warehouse,
        "select count(distinct name_raw) from marts.mart_unresolved_names "
        "where name_kind = 'commitment'",
    )[0][0]
    subjects = _rows(
        warehouse,
        "select count(distinct subject_raw) from marts.fct_plan_commitment "
        "where not is_resolved and subject_raw is not null",
    )[0][0]
    assert listed == subjects > 0
