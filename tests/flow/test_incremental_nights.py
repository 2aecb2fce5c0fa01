"""A sequence of nights on one warehouse (a file added, a new year's file, a file corrected, a
duplicate across files that holds back a figure of an unchanged file, the duplicate removed, a
file removed, bad rows, nothing new, then --full-refresh) equals, after every night, a build
from scratch of the same files: every mart, row for row (scripts/compare_marts.py), and the
checked actuals. Each incremental night recomputes only the figures its files touch
(int_actual_figures_keyed, fct_indicator_actual)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.extract import extract_document
from flows.load.actuals import load_actuals
from flows.load.plans import load_plans, plan_source
from flows.transform import DbtResult, run_dbt, run_dbt_build
from flows.warehouse.db import open_warehouse
from scripts.compare_marts import compare
from tests.conftest import PLANS_DIR

SOURCE = "https://example.gov.cn/a.html,某某公报"
HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
COVERAGE = "普惠性幼儿园在园儿童覆盖面"  # Haining has a target for it (90% in 2025)
SCHOOLS = "省义务教育标准化学校比例"  # and for this one (100% in 2025)


def row(region: str, indicator: str, year: int | str, value: str, unit: str = "%") -> str:
    return f"{region},{indicator},,{year},{value},{unit},{SOURCE}"


A = [
    row("海宁市", COVERAGE, 2021, "87"),
    row("海宁市", COVERAGE, 2022, "88"),
    row("海宁市", SCHOOLS, 2022, "98.5"),
]
BAD = [
    row("火星市", COVERAGE, 2022, "50"),
    row("海宁市", COVERAGE, 2022, "约90"),
    row("海宁市", SCHOOLS, "2021-2022", "99"),
]
NEW_YEAR = [row("海宁市", COVERAGE, 2023, "89"), row("海宁市", SCHOOLS, 2023, "99")]
CORRECTED = [row("海宁市", COVERAGE, 2023, "91"), row("嘉兴市", COVERAGE, 2023, "80")]
DISAGREES = [row("海宁市", COVERAGE, 2022, "85"), row("海宁市", SCHOOLS, 2022, "98.5")]
# night -> the files in the actuals folder that night
NIGHTS: list[tuple[str, dict[str, list[str]]]] = [
    ("first night, with bad rows", {"a.csv": A, "bad.csv": BAD}),
    ("a new year's file", {"a.csv": A, "bad.csv": BAD, "y2023.csv": NEW_YEAR}),
    ("the new file corrected", {"a.csv": A, "bad.csv": BAD, "y2023.csv": CORRECTED}),
    (
        "a duplicate across files holds back a figure of an unchanged file",
        {"a.csv": A, "bad.csv": BAD, "y2023.csv": CORRECTED, "z.csv": DISAGREES},
    ),
    ("nothing new", {"a.csv": A, "bad.csv": BAD, "y2023.csv": CORRECTED, "z.csv": DISAGREES}),
    ("the duplicate removed", {"a.csv": A, "bad.csv": BAD, "y2023.csv": CORRECTED}),
    ("a file removed", {"bad.csv": BAD, "y2023.csv": CORRECTED}),
    ("the file back, a bad file fixed", {"a.csv": A, "bad.csv": A[:1], "y2023.csv": CORRECTED}),
]
BUILD = "build --exclude-resource-type test unit_test"  # the models; their tests run elsewhere
FULL_PASS = ["--vars", "{full_tests: true}"]  # every row tested, as on the flow's full pass
CHECKED = (
    "select source_ref, region_code, indicator_code, year, value_in_catalogue_unit, "
    "cast(problems as varchar) from intermediate.int_actuals_checked"
)


def write_files(folder: Path, files: dict[str, list[str]]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, rows in files.items():
        (folder / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def dbt(database: Path, artifacts: Path, *extra: str) -> None:
    result = run_dbt(" ".join([BUILD, *extra]), database, artifacts_dir=artifacts)
    assert result.success, result.format()


def checked(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return sorted(con.execute(CHECKED).fetchall(), key=repr)


def differences(night: Path, scratch: Path) -> list[str]:
    lines = compare(scratch, night, schema="marts", ignore=set())
    found = [line for line in lines if not line.startswith("same")]
    if checked(night) != checked(scratch):
        found.append("int_actuals_checked differs")
    return found


def generations(database: Path) -> dict[int, int]:
    """Rows of int_actual_figures_keyed per generation (the build that last judged them)."""
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute(
            "select generation, count(*) from intermediate.int_actual_figures_keyed group by 1"
        ).fetchall()
    return dict(found)


@pytest.fixture(scope="module")
def plans_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the plans loaded and no actuals, copied for every build."""
    database = tmp_path_factory.mktemp("plans") / "plans.duckdb"
    plans = sorted(PLANS_DIR.glob("haining*.txt"))
    with open_warehouse(database) as con:
        load_plans(
            con, [extract_document(p) for p in plans], {p.name: plan_source(p) for p in plans}
        )
    return database


@pytest.mark.long
def test_every_night_equals_a_build_from_scratch(plans_only: Path, tmp_path: Path) -> None:
    night, actuals = tmp_path / "night.duckdb", tmp_path / "actuals"
    shutil.copyfile(plans_only, night)
    for number, (label, files) in enumerate(NIGHTS):
        write_files(actuals, files)
        with open_warehouse(night) as con:
            load_actuals(con, actuals)
        dbt(night, tmp_path / "dbt")
        scratch = tmp_path / f"scratch{number}.duckdb"
        shutil.copyfile(plans_only, scratch)
        with open_warehouse(scratch) as con:
            load_actuals(con, actuals)
        dbt(scratch, tmp_path / "dbt-scratch")
        assert differences(night, scratch) == [], f"night {number}: {label}"
        if label == "a new year's file":  # only the new year's two figures were judged again
            assert generations(night) == {1: len(A), 2: len(NEW_YEAR)}
        scratch.unlink()
    # --full-refresh on the same warehouse builds everything again, to the same marts
    shutil.copyfile(night, tmp_path / "before.duckdb")
    dbt(night, tmp_path / "dbt", "--full-refresh")
    assert differences(night, tmp_path / "before.duckdb") == []
    assert set(generations(night)) == {1}


def _in_vocabulary_failure(result: DbtResult) -> str:
    found = [f for f in result.failures if "in_vocabulary_fct_indicator_actual_source_kind" in f]
    assert len(found) == 1, result.format()
    return found[0]


# long: three nights of the flow (~35 s), run by `make test-long` in CI
@pytest.mark.long
def test_tests_check_tonights_rows_and_every_row_on_a_full_pass(
    plans_only: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A night that is not a full pass tests the fact's rows it inserted (a figure of an
    unchanged file that tonight's duplicate touches included) and not the rows it kept; a full
    pass (the first night, then when `full_tests_every_days` have gone by) tests every row. Two
    rows are spoiled by hand: one the night inserts again, one it keeps."""
    database, actuals = tmp_path / "w.duckdb", tmp_path / "actuals"
    shutil.copyfile(plans_only, database)
    write_files(actuals, {"a.csv": A})
    with open_warehouse(database) as con:
        load_actuals(con, actuals)
    first = run_dbt_build(database, artifacts_dir=tmp_path / "dbt")
    assert first.success and first.full_tests, first.format()
    assert "tests: full pass" in first.format()
    with duckdb.connect(str(database)) as con:
        con.execute(  # a row the night takes again: its figure gets a duplicate tonight
            "update intermediate.int_actuals_judged set source_kind = 'spoiled' "
            "where source_file = 'a.csv' and source_line = 2"
        )
        con.execute(  # a row the night keeps
            "update marts.fct_indicator_actual set source_kind = 'spoiled' "
            "where source_ref = 'a.csv:4'"
        )
    write_files(actuals, {"a.csv": A, "z.csv": A[:1]})
    with open_warehouse(database) as con:
        load_actuals(con, actuals)
    night = run_dbt_build(database, artifacts_dir=tmp_path / "dbt")
    assert not night.success and night.full_tests is False
    assert "Got 1 result" in _in_vocabulary_failure(night)
    assert "tests on tonight's rows: fct_indicator_actual (" in night.format()
    monkeypatch.setenv("EDUPLAN_FULL_TESTS_EVERY_DAYS", "0")
    full = run_dbt_build(database, artifacts_dir=tmp_path / "dbt")
    assert not full.success and full.full_tests
    assert "Got 2 results" in _in_vocabulary_failure(full)


PLACEMENT = "test --select assert_every_landed_actual_is_placed"


def _placement_failures(result: DbtResult) -> str:
    found = [f for f in result.failures if "assert_every_landed_actual_is_placed" in f]
    assert len(found) == 1, result.format()
    return found[0]


@pytest.mark.long
def test_placement_checks_tonights_rows_and_every_row_on_a_full_pass(
    plans_only: Path, tmp_path: Path
) -> None:
    """The placement test (every landed row a figure or held back) on a night that is not a full
    pass checks the rows judged tonight and the rows of figures judged again, not the rows it
    kept; a full pass checks every row. Two figures are lost by hand after the night's models:
    one of tonight's new file, one of an unchanged file that nothing touched tonight."""
    database, actuals, artifacts = tmp_path / "w.duckdb", tmp_path / "actuals", tmp_path / "dbt"
    shutil.copyfile(plans_only, database)
    write_files(actuals, {"a.csv": A})
    with open_warehouse(database) as con:
        load_actuals(con, actuals)
    first = run_dbt_build(database, artifacts_dir=artifacts)
    assert first.success and first.full_tests, first.format()
    write_files(actuals, {"a.csv": A, "y2023.csv": NEW_YEAR})
    with open_warehouse(database) as con:
        load_actuals(con, actuals)
    dbt(database, artifacts)  # tonight's models
    assert run_dbt(PLACEMENT, database, artifacts_dir=artifacts).success
    with duckdb.connect(str(database)) as con:
        con.execute(  # a figure of tonight's file, and one of a file nothing touched
            "delete from marts.fct_indicator_actual where source_ref in ('y2023.csv:2', 'a.csv:4')"
        )
    tonight = run_dbt(PLACEMENT, database, artifacts_dir=artifacts)
    assert not tonight.success
    assert "Got 1 result" in _placement_failures(tonight)
    full = run_dbt(PLACEMENT, database, artifacts_dir=artifacts, extra_args=FULL_PASS)
    assert not full.success
    assert "Got 2 results" in _placement_failures(full)
