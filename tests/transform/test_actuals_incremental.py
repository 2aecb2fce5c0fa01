"""Incremental nights: dbt judges only the rows of files loaded since the last build
(int_actuals_judged), yet a changed file replaces its rows, a removed file takes them away and
a duplicate across files is judged again, exactly as a build from scratch would; a night with
nothing new skips `dbt build` altogether (flows/warehouse/build_digest.py), and a night builds
only what its changed raw tables reach (flows/transform.py run_dbt_build)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows import transform
from flows.extract import extract_document
from flows.load.actuals import load_actuals
from flows.load.plans import load_plans, plan_source
from flows.transform import DbtResult, run_dbt, run_dbt_build
from flows.warehouse.db import open_warehouse
from tests.conftest import PLANS_DIR, REPO_ROOT

SOURCE = "https://example.gov.cn/a.html,某某公报"
HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
# a.csv changes, b.csv goes, c.csv stays (its 2021 figure disagrees with b.csv's until b goes),
# d.csv comes, e.csv changes. Names no rule resolves (int_actual_names_counted, per file): b.csv's
# 火星市 goes with it; e.csv's 火星指数 is written twice, then once, and first on another line;
# 月球市 is written in c.csv, then in d.csv too (counted twice, first sighting still c.csv:4)
NIGHT_1 = {
    "a.csv": [f"绍兴市,学校数,,2020,10,所,{SOURCE}", f"绍兴市,学校数,,2021,11,所,{SOURCE}"],
    "b.csv": [f"嘉兴市,学校数,,2021,7,所,{SOURCE}", f"火星市,学校数,,2021,7,所,{SOURCE}"],
    "c.csv": [
        f"嘉兴市,学校数,,2021,8,所,{SOURCE}",
        f"嘉兴市,学校数,,2022,9,所,{SOURCE}",
        f"月球市,学校数,,2023,1,所,{SOURCE}",
    ],
    "e.csv": [f"绍兴市,火星指数,,2020,1,所,{SOURCE}", f"绍兴市,火星指数,,2021,2,所,{SOURCE}"],
}
NIGHT_2 = {
    "a.csv": [f"绍兴市,学校数,,2020,12,所,{SOURCE}"],
    "c.csv": NIGHT_1["c.csv"],
    "d.csv": [
        f"海宁市,学校数,,2021,5,所,{SOURCE}",
        f"海宁市,学校数,,2022,>5,所,{SOURCE}",
        f"月球市,学校数,,2024,3,所,{SOURCE}",
    ],
    "e.csv": [f"绍兴市,学校数,,2019,4,所,{SOURCE}", f"绍兴市,火星指数,,2021,2,所,{SOURCE}"],
}
BUILD = "build --exclude-resource-type test unit_test"  # the models; the tests run elsewhere
MARTS = {
    "checked": "select source_ref, region_code, indicator_code, year, "
    "value_in_catalogue_unit, cast(problems as varchar) from intermediate.int_actuals_checked",
    "figures": "select source_ref, region_code, year, value from marts.fct_indicator_actual",
    "quarantine": "select source_ref, reason, detail from marts.mart_actuals_quarantine",
    "unresolved": "select name_kind, name_raw, occurrences, first_source_ref, candidate_rank, "
    "candidate_code from marts.mart_unresolved_names",
    "names": "select source_file, name_kind, name_raw, occurrences, first_line "
    "from intermediate.int_actual_names_counted",
}


def write_files(folder: Path, files: dict[str, list[str]]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, rows in files.items():
        (folder / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def load(database: Path, actuals: Path, plans: list[Path] | None = None) -> None:
    plans = plans if plans is not None else sorted(PLANS_DIR.glob("*.txt"))
    with open_warehouse(database) as con:
        documents = [extract_document(p) for p in plans]
        load_plans(con, documents, {p.name: plan_source(p) for p in plans})
        load_actuals(con, actuals)


def dbt(database: Path, root: Path) -> None:
    result = run_dbt(BUILD, database, artifacts_dir=root / "dbt")
    assert result.success, result.format()


def rows(database: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(database), read_only=True)
    out = {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in MARTS.items()}
    con.close()
    return out


def every_mart(database: Path) -> dict[str, list[tuple]]:
    """Every table of the marts schema, its rows sorted."""
    con = duckdb.connect(str(database), read_only=True)
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()
    out = {
        t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for (t,) in tables
    }
    con.close()
    return out


def judged_in(database: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(database), read_only=True)
    found = con.execute(
        "select source_file, list(distinct judged_in) from intermediate.int_actuals_judged "
        "group by source_file"
    ).fetchall()
    con.close()
    return {file: set(ids) for file, ids in found}


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two nights as the flow builds them (run_dbt_build: the second builds what its changed
    actuals reach), and a build from scratch of the second night's inputs."""
    root = tmp_path_factory.mktemp("incremental")
    actuals, night = root / "actuals", root / "night.duckdb"
    write_files(actuals, NIGHT_1)
    load(night, actuals)
    first = run_dbt_build(night, artifacts_dir=root / "dbt")
    assert first.success and first.rebuilt and not first.reached_from, first.format()
    shutil.copyfile(night, root / "first.duckdb")
    write_files(actuals, NIGHT_2)
    load(night, actuals)
    second = run_dbt_build(night, artifacts_dir=root / "dbt")
    assert second.success and not second.rebuilt, second.format()
    shutil.copyfile(night, root / "second.duckdb")
    scratch = root / "scratch.duckdb"  # the same files, built from nothing
    load(scratch, actuals)
    dbt(scratch, root / "scratch")
    return {"first": root / "first.duckdb", "night": root / "second.duckdb",
            "scratch": scratch, "second": second, "root": root}  # fmt: skip


def test_an_incremental_night_equals_a_build_from_scratch(nights: dict[str, Any]) -> None:
    night, scratch = rows(nights["night"]), rows(nights["scratch"])
    assert night == scratch
    assert every_mart(nights["night"]) == every_mart(nights["scratch"])
    refs = {ref for ref, *_ in night["checked"]}
    assert not any(ref.startswith("b.csv:") for ref in refs)  # the removed file's rows are gone
    assert "a.csv:3" not in refs  # the changed file's dropped line is gone
    assert ("a.csv:2", "330600", 2020, 12) in {
        (r[0], r[1], r[2], int(r[3])) for r in night["figures"]
    }  # and its new value replaced the old one
    # c.csv:2 disagreed with b.csv:2 on the first night; with b.csv gone it is a figure
    first = rows(nights["first"])
    assert "c.csv:2" in {ref for ref, *_ in first["quarantine"]}
    assert "c.csv:2" in {ref for ref, *_ in night["figures"]}
    held_back = {(ref, reason) for ref, reason, _ in night["quarantine"]}
    assert ("d.csv:3", "value_not_a_number") in held_back


def test_an_incremental_night_lists_the_names_of_tonights_files(nights: dict[str, Any]) -> None:
    """The unresolved names come from the names per file (int_actual_names_counted): a removed
    file's names go, a changed file's are counted again, a new file's are added to an unchanged
    file's (occurrences summed, the first sighting the first of all files)."""
    first, night = rows(nights["first"]), rows(nights["night"])
    before = {(kind, name): (n, ref) for kind, name, n, ref, *_ in first["unresolved"]}
    after = {(kind, name): (n, ref) for kind, name, n, ref, *_ in night["unresolved"]}
    assert before[("region", "火星市")] == (1, "b.csv:3")
    assert ("region", "火星市") not in after
    assert before[("indicator", "火星指数")] == (2, "e.csv:2")
    assert after[("indicator", "火星指数")] == (1, "e.csv:3")
    assert before[("region", "月球市")] == (1, "c.csv:4")
    assert after[("region", "月球市")] == (2, "c.csv:4")
    assert not any(file == "b.csv" for file, *_ in night["names"])


def test_an_incremental_night_judges_only_new_and_changed_files(nights: dict[str, Any]) -> None:
    first, night = judged_in(nights["first"]), judged_in(nights["night"])
    assert night["c.csv"] == first["c.csv"]  # unchanged: judged on the first night only
    assert night["a.csv"] != first["a.csv"] and len(night["a.csv"]) == 1
    assert night["d.csv"] == night["a.csv"]  # judged in tonight's build
    assert "b.csv" not in night


PLAN_MODELS = {
    "dim_plan", "fct_milestone", "stg_raw__plan_documents", "int_milestones_parsed",
    # the plans' names are resolved from the plans alone (macros/names_resolved.sql)
    "int_plan_cells_normalized", "fct_indicator_target", "fct_plan_commitment",
}  # fmt: skip
SEEDS = {"regions", "indicators", "unit_conversions"}


def test_an_actuals_night_builds_what_the_actuals_reach(nights: dict[str, Any]) -> None:
    """Only the actuals changed on the second night: it built the models and tests downstream of
    raw.actuals and raw.actuals_load_audit, not the plans' own models (their cells, targets and
    commitments: the plans' names resolve without the actuals') nor the seeds; the large
    per-row tests of the actuals checked tonight's rows; its marts equal a build from scratch
    (above)."""
    second: DbtResult = nights["second"]
    assert second.reached_from == ("actuals", "actuals_load_audit"), second.format()
    ran = {name.split(".")[-1] for name in second.node_seconds}
    assert {"stg_raw__actuals", "int_actuals_judged", "fct_indicator_actual"} <= ran
    assert {"int_indicator_names_resolved", "mart_indicator_progress", "dim_indicator"} <= ran
    assert not ran & (PLAN_MODELS | SEEDS), sorted(ran & (PLAN_MODELS | SEEDS))
    assert 0 < sum(second.counts.values()) < second.nodes_in_project
    tested = "; ".join(second.tonights_rows_tests)
    for model in ("stg_raw__actuals", "int_actuals_judged", "fct_indicator_actual"):
        assert f"{model} (" in tested, tested
    summary = second.format()
    assert f"of {second.nodes_in_project}, what tonight's changed raw tables reach" in summary
    assert "raw.actuals, raw.actuals_load_audit" in summary
    assert "tests on tonight's rows: fct_indicator_actual (" in summary


def test_a_plan_night_rebuilds_what_the_plans_reach(nights: dict[str, Any]) -> None:
    """A night whose only change is a plan gone: the plans' models are rebuilt (dim_plan, the
    milestones), with what reads them, and every mart equals a build from scratch."""
    root: Path = nights["root"]
    night = root / "plans-night.duckdb"
    shutil.copyfile(nights["night"], night)
    plans = sorted(PLANS_DIR.glob("*.txt"))[1:]  # one plan fewer
    load(night, root / "actuals", plans)
    built = run_dbt_build(night, artifacts_dir=root / "dbt")
    assert built.success and not built.rebuilt, built.format()
    assert built.reached_from and not {"actuals", "actuals_load_audit"} & set(built.reached_from)
    assert "plan_documents" in built.reached_from, built.reached_from
    ran = {name.split(".")[-1] for name in built.node_seconds}
    assert {"dim_plan", "fct_milestone", "fct_indicator_actual"} <= ran
    assert not ran & (SEEDS | {"stg_raw__actuals", "stg_raw__actuals_load_audit"})
    scratch = root / "plans-scratch.duckdb"
    load(scratch, root / "actuals", plans)
    dbt(scratch, root / "plans-scratch")
    assert every_mart(night) == every_mart(scratch)


UNIQUE_LINES = (
    "test --select stg_raw__actuals int_actuals_judged,test_name:unique_combination_of_columns"
)


def test_the_unique_line_tests_check_the_files_loaded_tonight(nights: dict[str, Any]) -> None:
    """On the second night a.csv and d.csv were loaded, c.csv was not (unchanged): a line of
    d.csv landed twice fails stg_raw__actuals' and int_actuals_judged's unique (file, line)
    tests on that night; one of c.csv is left to the full pass, since the loader replaces a
    file's rows whole and c.csv's passed the test on the night it came (macros/test_where.sql).
    """
    root: Path = nights["root"]
    database = root / "twice.duckdb"

    def twice(file: str) -> DbtResult:
        shutil.copyfile(nights["night"], database)
        with open_warehouse(database) as con:
            con.execute(f"insert into raw.actuals select * from raw.actuals "
                        f"where file = '{file}' and line = 2")  # fmt: skip
            con.execute(
                "insert into intermediate.int_actuals_judged select * from "
                f"intermediate.int_actuals_judged where source_file = '{file}' and source_line = 2"
            )
        return run_dbt(UNIQUE_LINES, database, artifacts_dir=root / "twice")

    tonight = twice("d.csv")
    assert not tonight.success and len(tonight.failures) == 2, tonight.format()
    assert len(tonight.tonights_rows_tests) == 2, tonight.tonights_rows_tests
    earlier = twice("c.csv")
    assert earlier.success and len(earlier.tonights_rows_tests) == 2, earlier.format()
    full = run_dbt(UNIQUE_LINES, database, artifacts_dir=root / "twice", full_tests=True)
    assert not full.success and len(full.failures) == 2, full.format()
    assert not full.tonights_rows_tests


def test_a_night_with_nothing_new_skips_dbt(tmp_path: Path) -> None:
    actuals, database = tmp_path / "actuals", tmp_path / "w.duckdb"
    write_files(actuals, {"a.csv": NIGHT_1["a.csv"]})
    load(database, actuals)
    built = run_dbt_build(database, artifacts_dir=tmp_path / "dbt")
    assert built.success and not built.skipped, built.format()
    load(database, actuals)  # the same file again: skipped by the loader
    again = run_dbt_build(database, artifacts_dir=tmp_path / "dbt")
    assert again.skipped and again.success
    write_files(actuals, {"a.csv": NIGHT_2["a.csv"]})  # a changed file: dbt builds
    load(database, actuals)
    changed = run_dbt_build(database, artifacts_dir=tmp_path / "dbt")
    assert changed.success and not changed.skipped, changed.format()


# long: three whole builds of a copied project (~50 s), run by `make test-long` in CI
@pytest.mark.long
def test_a_changed_dbt_project_rebuilds_every_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A night after a code change (here a staging model edited in a copy of the project):
    every model is rebuilt from scratch, so an unchanged file is judged again by the new rules,
    and the marts equal a build from scratch; the next night is incremental again."""
    project = tmp_path / "dbt"
    shutil.copytree(
        REPO_ROOT / "dbt", project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml")
    )
    monkeypatch.setenv("EDUPLAN_DBT_DIR", str(project))
    commands: list[list[str]] = []  # the arguments of each real dbt build the flow ran

    def run_dbt_seen(command: str, database: Path, **options: Any) -> DbtResult:
        commands.append([*command.split(), *(options.get("extra_args") or [])])
        return run_dbt(command, database, **options)

    monkeypatch.setattr(transform, "run_dbt", run_dbt_seen)
    actuals, database = tmp_path / "actuals", tmp_path / "w.duckdb"
    write_files(actuals, NIGHT_1)
    load(database, actuals)
    first = run_dbt_build(database, artifacts_dir=tmp_path / "artifacts")
    assert first.success and first.rebuilt, first.format()  # a first build
    before = judged_in(database)
    with open_warehouse(database) as con:  # state the old code left that the new one would not
        con.execute(
            "insert into marts.fct_indicator_actual by name select * replace "
            "('999999' as region_code) from marts.fct_indicator_actual limit 1"
        )
    staging = project / "models" / "staging" / "stg_raw__actuals.sql"
    staging.write_text(staging.read_text(encoding="utf-8") + "\n-- a code change\n", "utf-8")
    write_files(actuals, {**NIGHT_1, "a.csv": NIGHT_2["a.csv"]})  # and one file changes
    load(database, actuals)
    changed = run_dbt_build(database, artifacts_dir=tmp_path / "artifacts")
    assert changed.success and changed.rebuilt and changed.full_tests, changed.format()
    assert "rebuilt from scratch" in changed.format()
    after = judged_in(database)
    assert after["c.csv"] != before["c.csv"]  # unchanged, yet judged again by the new code
    with open_warehouse(database, read_only=True) as con:  # nothing kept from the old state
        left = con.execute(
            "select count(*) from marts.fct_indicator_actual where region_code = '999999'"
        ).fetchall()
    assert left == [(0,)]
    # the new rules judged every row in a build from scratch, not inside an incremental one
    # (at ten million rows that takes more memory than the night has: flows/transform.py)
    assert "--full-refresh" in commands[-1]
    scratch = tmp_path / "scratch.duckdb"
    load(scratch, actuals)
    dbt(scratch, tmp_path / "scratch")
    assert rows(database) == rows(scratch)
    write_files(actuals, {**NIGHT_1, "a.csv": NIGHT_2["a.csv"], "d.csv": NIGHT_2["d.csv"]})
    load(database, actuals)
    again = run_dbt_build(database, artifacts_dir=tmp_path / "artifacts")
    assert again.success and not again.rebuilt, again.format()  # the same code: incremental
    assert "--full-refresh" not in commands[-1]
    assert judged_in(database)["c.csv"] == after["c.csv"]
