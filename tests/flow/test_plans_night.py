"""One real night (Prefect flow, DuckDB, dbt build, GX gates, publication) over plans in every
new shape raw/plans/ takes: a workbook (.xlsx) and a CSV plan table read by their layout readers;
a plan's `eduplan extract --out` cells keyed back as `NAME.cells.csv`; a hand-keyed table with a
figure the plan reports itself (role actual); and a broken hand-keyed file, refused whole while
the night goes on and publishes the others."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.nightly import RunRecord, nightly_load
from tests.conftest import PLANS_DIR, REPO_ROOT
from tests.corpus.render_formats import render_seed

pytestmark = pytest.mark.usefixtures("prefect_backend")  # tests/conftest.py: one per session

HEADER = (
    "table,row_order,indicator,breakdown,unit,year,role,raw_value,comparator,value,source_ref,"
    "is_cumulative"
)
REPORTED = [  # Yuecheng's own figures for 2023 as a later plan reports them, and its target
    "1,1,学前教育毛入园率,,%,2023,actual,107.5,=,107.5,page 4,false",
    "1,1,学前教育毛入园率,,%,2025,target,>100,>,100,page 4,",
    "1,2,初中毕业生升入高中段比例,,%,2023,actual,-,,,page 4,",  # reported as not available
    "1,2,初中毕业生升入高中段比例,,%,2022,actual,〔5〕,=,5,page 4,true",  # a total, not a level
]
BROKEN = ["1,1,学前教育毛入园率,,%,20x5,target,>100,>,100,page 4,"]
YUECHENG_TOML = (PLANS_DIR / "yuecheng-2021-2025.toml").read_text(encoding="utf-8")
KEYS = "indicator_code, breakdown, year, role, target_value, comparator, target_text, unit"


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunRecord, Path]:
    root = tmp_path_factory.mktemp("plans-night")
    plans = root / "raw" / "plans"
    plans.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "raw" / "actuals", root / "raw" / "actuals")
    haining = PLANS_DIR / "haining-2021-2025.txt"
    for path in (haining, haining.with_suffix(".toml")):
        shutil.copy(path, plans)
    # the same plan keyed back from `eduplan extract --out`
    assert main(["extract", str(haining), "--out", str(root / "out")]) == 0
    shutil.copy(root / "out" / "plan_cells.csv", plans / "haining-keyed.cells.csv")
    shutil.copy(haining.with_suffix(".toml"), plans / "haining-keyed.toml")
    # the document no reader gets right stays beside its keyed cells, and is not read
    (plans / "haining-keyed.pdf").write_bytes(b"%PDF-1.4 scanned, no text layer")
    for name, rows in (("reported", REPORTED), ("broken", BROKEN)):
        (plans / f"{name}.cells.csv").write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
        (plans / f"{name}.toml").write_text(YUECHENG_TOML, encoding="utf-8")
    spreadsheets = (
        ("jiaxing-2021-2025", "xlsx"),
        ("yuecheng-2021-2025", "csv"),
        ("shaoxing-schedule-2021-2025", "xlsx"),
    )
    for stem, fmt in spreadsheets:
        render_seed(PLANS_DIR / f"{stem}.txt", plans, fmt)
        shutil.copy(PLANS_DIR / f"{stem}.toml", plans)
    warehouse = root / "warehouse" / "warehouse.duckdb"
    return nightly_load(raw_dir=str(root / "raw"), warehouse=str(warehouse)), warehouse


def rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_night_publishes_and_names_the_refused_file(night) -> None:
    summary, warehouse = night
    assert summary.published and not summary.input_errors, summary.format()
    refused = [w for w in summary.warnings if "broken.cells.csv" in w]
    assert len(refused) == 1 and "broken.cells.csv:2: year '20x5' is not a 4-digit" in refused[0]
    assert "broken.cells.csv:2: year '20x5'" in summary.format()
    plans = {p for (p,) in rows(warehouse, "select plan_id from marts.dim_plan")}
    assert plans == {
        "haining-2021-2025",
        "haining-keyed",
        "reported",
        "jiaxing-2021-2025",
        "yuecheng-2021-2025",
        "shaoxing-schedule-2021-2025",
    }


def test_extract_out_keyed_back_gives_the_same_targets(night) -> None:
    """The round trip: the same fct_indicator_target rows as the document (provenance aside);
    the keyed rows cite the keyed file's line and, in source_ref, the document's line."""
    _, warehouse = night

    def targets(plan: str) -> list[tuple]:
        return rows(
            warehouse,
            f"select {KEYS}, region_code, attribute, evaluation_reported, baseline_year, "
            "target_value_upper, is_approximate, target_kind, table_no "
            f"from marts.fct_indicator_target where plan_id = '{plan}' order by {KEYS}",
        )

    original = targets("haining-2021-2025")
    assert len(original) > 40 and targets("haining-keyed") == original
    refs = rows(
        warehouse,
        "select k.source_file, k.source_line, k.source_ref, o.source_ref "
        "from marts.fct_indicator_target as k join marts.fct_indicator_target as o "
        "using (indicator_code, breakdown, year, role) "
        "where k.plan_id = 'haining-keyed' and o.plan_id = 'haining-2021-2025'",
    )
    assert len(refs) == len(original)
    for source_file, line, ref, original_ref in refs:
        assert source_file.endswith("raw/plans/haining-keyed.cells.csv") and line > 1
        assert ref == f"haining-2021-2025.txt: {original_ref}"


def test_a_plans_reported_figure_is_an_actual_not_a_target(night) -> None:
    _, warehouse = night
    reported = rows(
        warehouse,
        "select region_code, indicator_code, year, value, source_ref, source_title "
        "from marts.fct_indicator_actual where source_kind = 'plan_reported'",
    )
    assert len(reported) == 1  # the `-` (no figure) is not a figure, nor a five-year total
    region, indicator, year, value, source_ref, title = reported[0]
    assert (region, indicator, year, float(value)) == (
        "330602",
        "preschool_gross_enrolment_rate",
        2023,
        107.5,
    )
    assert source_ref.endswith("raw/plans/reported.cells.csv:2") and title == "reported"
    assert rows(
        warehouse, "select role, year from marts.fct_indicator_target where plan_id = 'reported'"
    ) == [("target", 2025)]
    for table in ("fct_indicator_target", "mart_indicator_progress"):
        assert rows(warehouse, f"select count(*) from marts.{table} where role = 'actual'") == [
            (0,)
        ]
    progress = rows(
        warehouse,
        "select latest_year, latest_source_kind from marts.mart_indicator_progress "
        "where plan_id = 'reported'",
    )
    assert progress == [(2023, "plan_reported")]


def test_spreadsheet_plans_are_read_by_the_night(night) -> None:
    _, warehouse = night
    counts = rows(
        warehouse,
        "select plan_id, count(*), count(*) filter (where source_ref like 'sheet %'), "
        "count(*) filter (where source_ref like 'row %, column %') from raw.plan_cells "
        "where plan_id in ('jiaxing-2021-2025', 'yuecheng-2021-2025') group by all order by 1",
    )
    assert counts == [("jiaxing-2021-2025", 96, 96, 0), ("yuecheng-2021-2025", 50, 0, 50)]
    # every target, progress row and milestone cites its cell (no line in a spreadsheet)
    for table, plans in (
        ("fct_indicator_target", "'jiaxing-2021-2025', 'yuecheng-2021-2025'"),
        ("mart_indicator_progress", "'jiaxing-2021-2025', 'yuecheng-2021-2025'"),
        ("fct_milestone", "'shaoxing-schedule-2021-2025'"),
    ):
        cited = rows(
            warehouse,
            f"select count(*), count(*) filter (where source_ref similar to "
            f"'(sheet [^,]+, )?row [0-9]+, column [0-9]+' and source_line is null) "
            f"from marts.{table} where plan_id in ({plans})",
        )
        assert cited[0][0] > 0 and cited[0][0] == cited[0][1], (table, cited)
