"""A new source's spellings, end to end: a declared synonym rule brings 普惠性幼儿园儿童覆盖率 to
Haining's binding target 普惠性幼儿园儿童覆盖面; names no rule resolves are printed by the run and
by `eduplan names` with their best candidates, and resolve after `eduplan names accept`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.config import DBT_PROJECT_DIR
from flows.nightly import nightly_load
from flows.unresolved_names import AliasError, accept_alias, unresolved_names
from tests.conftest import REPO_ROOT

NEW_SOURCE = (
    "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
    "海宁市,普惠性幼儿园儿童覆盖率,,2023,88.2,％,https://example.org/hn,海宁2023教育统计\n"
    "海宁市,公办园儿童覆盖率,,2023,61.5,%,https://example.org/hn,海宁2023教育统计\n"
    "海宁,高中段毛入学率,,2023,99.1,%,https://example.org/hn,海宁2023教育统计\n"
    # the catalogue's own names: Chinese, English and code resolve as they are
    "海宁市,学位数,,2023,12.5,万个,https://example.org/hn,海宁2023教育统计\n"
    "海宁市,Full-time teachers,,2023,0.61,万人,https://example.org/hn,海宁2023教育统计\n"
    "海宁市,education_staff,,2023,0.72,万人,https://example.org/hn,海宁2023教育统计\n"
    # a region nothing in the catalogue resembles: no candidates, not 110000 0.00
    "Atlantis,学校数,,2023,120,所,https://example.org/hn,海宁2023教育统计\n"
)
LATEST = """
select latest_year, latest_value, latest_source_ref, attribute
from marts.mart_indicator_progress
where region_code = ? and indicator_code = ? and role = 'target' and year = 2025
"""


pytestmark = pytest.mark.usefixtures("prefect_backend")  # tests/conftest.py: one per session


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the dbt project (names accept writes its seeds), used by the flow and the CLI."""
    copy = tmp_path_factory.mktemp("project") / "dbt"
    shutil.copytree(
        DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EDUPLAN_DBT_DIR", str(copy))
        yield copy


@pytest.fixture(scope="module")
def first_run(project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(REPO_ROOT / "raw", raw, dirs_exist_ok=True)
    (raw / "actuals" / "haining_2023.csv").write_text(NEW_SOURCE, encoding="utf-8")
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert summary.published, summary.format()
    return raw, warehouse, summary.format()


def test_a_synonym_rule_brings_a_new_spelling_to_its_binding_target(
    first_run: tuple[Path, Path, str],
) -> None:
    _, warehouse, _ = first_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(LATEST, ["330481", "inclusive_kindergarten_coverage"]).fetchall()
    assert [(y, float(v), ref, a) for y, v, ref, a in rows] == [
        (2023, 88.2, "haining_2023.csv:2", "binding")
    ]


def test_unresolved_names_are_printed_with_their_best_candidates(
    first_run: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, warehouse, run_output = first_run
    names = {(n.kind, n.name): n for n in unresolved_names(warehouse)}
    indicator = names[("indicator", "公办园儿童覆盖率")]
    assert indicator.candidates[0].code == "public_kindergarten_coverage"
    assert len(indicator.candidates) == 3
    assert indicator.candidates[0].similarity > indicator.candidates[1].similarity
    assert indicator.first_source_ref == "haining_2023.csv:3"
    region = names[("region", "海宁")]
    assert region.candidates[0].code == "330481"
    assert names[("region", "Atlantis")].candidates == ()
    assert "'Atlantis' (1 row(s), haining_2023.csv:8): no similar name" in run_output
    # its row is held back, and the summary names the file, line and reason (issue 22)
    assert "haining_2023.csv:4, 8: unknown_region (2 problem(s))" in run_output
    assert ("indicator", "普惠性幼儿园儿童覆盖率") not in names  # the synonym rule resolved it
    assert not {n for (kind, n) in names if kind == "indicator"} & {
        "学位数",
        "Full-time teachers",
        "education_staff",
        "学校数",
    }  # the catalogue's own names

    # dbt's warning is named, with what it means (its SQL file's comment), not a bare "1 warn"
    assert "warning assert_every_indicator_name_is_catalogued: Got " in run_output
    assert "it still loads, as an indicator of its own" in run_output
    run_lines = [line for line in run_output.splitlines() if "公办园儿童覆盖率" in line]
    assert len(run_lines) == 1 and "public_kindergarten_coverage" in run_lines[0]

    assert main(["names", "--warehouse", str(warehouse)]) == 0
    listed = capsys.readouterr().out.splitlines()
    (line,) = [line for line in listed if "公办园儿童覆盖率" in line]
    first = line.split("candidates ", 1)[1].split(",")[0]
    assert first.startswith("public_kindergarten_coverage ")
    assert any("'海宁'" in line and "330481" in line for line in listed)


def test_accepted_names_resolve_on_the_next_run(
    first_run: tuple[Path, Path, str], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, warehouse, _ = first_run
    assert main(["names", "accept", "公办园儿童覆盖率", "public_kindergarten_coverage"]) == 0
    assert main(["names", "accept", "--region", "海宁", "330481"]) == 0
    capsys.readouterr()
    # validated: a name is accepted once, and only for a code the catalogue has
    assert main(["names", "accept", "公办园儿童覆盖率", "public_kindergarten_coverage"]) == 1
    assert "already has an alias" in capsys.readouterr().err
    with pytest.raises(AliasError, match="not in .*indicators.csv"):
        accept_alias("indicator", "某新指标", "no_such_indicator", seeds_dir=project / "seeds")
    with pytest.raises(AliasError, match="not in .*regions.csv"):
        accept_alias("region", "某地", "999999", seeds_dir=project / "seeds")
    assert "公办园儿童覆盖率,public_kindergarten_coverage" in (
        project / "seeds" / "indicator_aliases.csv"
    ).read_text(encoding="utf-8")

    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert summary.published, summary.format()
    assert "公办园儿童覆盖率" not in summary.format()
    # the unchanged file's held-back row is still named, in the summary, status and report
    held = "haining_2023.csv:8: unknown_region (1 problem(s))"
    assert held in summary.format()
    assert main(["status", "--warehouse", str(warehouse)]) == 0
    assert held in capsys.readouterr().out
    assert summary.report and held in summary.report.read_text(encoding="utf-8")
    resolved = {(n.kind, n.name) for n in unresolved_names(warehouse)}
    assert not resolved & {("indicator", "公办园儿童覆盖率"), ("region", "海宁")}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (public,) = con.execute(
            "select value from marts.fct_indicator_actual "
            "where region_code = '330481' and indicator_code = 'public_kindergarten_coverage' "
            "and year = 2023"
        ).fetchall()
        (senior,) = con.execute(
            "select source_ref from marts.fct_indicator_actual "
            "where source_ref = 'haining_2023.csv:4'"
        ).fetchall()
    assert float(public[0]) == 61.5
    assert senior == ("haining_2023.csv:4",)


def test_the_catalogues_own_names_resolve_to_their_code(first_run: tuple[Path, Path, str]) -> None:
    """学位数 (Chinese name), Full-time teachers (English name), education_staff (code): each is
    the catalogue's own name of an indicator, so it resolves with no alias (lines 5-7)."""
    _, warehouse, _ = first_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select source_ref, indicator_code from marts.fct_indicator_actual "
            "where source_ref in ('haining_2023.csv:5', 'haining_2023.csv:6', "
            "'haining_2023.csv:7') order by source_ref"
        ).fetchall()
    assert rows == [
        ("haining_2023.csv:5", "school_places"),
        ("haining_2023.csv:6", "full_time_teachers"),
        ("haining_2023.csv:7", "education_staff"),
    ]
