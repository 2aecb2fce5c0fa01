"""The nightly-load flow end to end under Prefect, on the real raw inputs and a real warehouse."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from flows import warm_dbt
from flows.nightly import RunRecord, nightly_load
from flows.warehouse.layout import wal_of
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.usefixtures("prefect_backend")  # tests/conftest.py: one per session


@pytest.fixture(scope="module")
def raw_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(REPO_ROOT / "raw", raw, dirs_exist_ok=True)
    return raw


@pytest.fixture(scope="module")
def first_night(raw_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> RunRecord:
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    return nightly_load(raw_dir=str(raw_copy), warehouse=str(warehouse))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dbt_processes() -> list[int]:
    """This process's children that are dbt's warm process (flows/warm_dbt.py), still running."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z" and b"flows.dbt_worker" in command:
            found.append(int(entry))
    return found


def test_clean_inputs_publish_a_star_schema(first_night: RunRecord) -> None:
    assert first_night.published, first_night.format()
    assert first_night.warehouse.exists()
    assert not wal_of(first_night.warehouse).exists()
    assert all(gate.passed for gate in first_night.gates)
    assert first_night.raw_rows["plan_cells"] == 257
    assert first_night.raw_rows["plan_milestones"] == 34
    with duckdb.connect(str(first_night.warehouse), read_only=True) as con:
        marts = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        # exactly the models of dbt/models/marts/ (13: 4 dim_, 4 fct_, 5 mart_)
        assert marts == {p.stem for p in (REPO_ROOT / "dbt" / "models" / "marts").glob("*.sql")}
        assert len(marts) == 13
        # a target traced to its file and line: Jiaxing 校际优质均衡系数 初中段 2025 < 0.24
        rows = con.execute(
            "select comparator, target_value, source_file, source_line "
            "from marts.fct_indicator_target "
            "where indicator_name_raw = '校际优质均衡系数' and region_code = '330400' "
            "and year = 2025 and role = 'target' order by target_value"
        ).fetchall()
    assert [(c, float(v)) for c, v, _, _ in rows] == [("<", 0.24), ("<", 0.28)]
    source_file, source_line = rows[0][2], rows[0][3]
    line = (REPO_ROOT / source_file).read_text(encoding="utf-8").splitlines()[source_line - 1]
    assert "<0.24" in line
    text = first_night.format()
    assert "PUBLISHED" in text and str(first_night.warehouse) in text


def test_a_bad_input_blocks_publication_and_leaves_the_warehouse_untouched(
    first_night: RunRecord, raw_copy: Path, tmp_path: Path
) -> None:
    bad_raw = tmp_path / "raw"
    shutil.copytree(raw_copy, bad_raw)
    plan = bad_raw / "plans" / "jiaxing-2021-2025.txt"
    # an unknown region code in the plan's metadata: the raw gate must stop it
    meta = plan.with_suffix(".toml")
    meta.write_text(meta.read_text(encoding="utf-8").replace("330400", "339999"), encoding="utf-8")
    before = sha256(first_night.warehouse)
    summary = nightly_load(raw_dir=str(bad_raw), warehouse=str(first_night.warehouse))
    assert not summary.published
    assert sha256(first_night.warehouse) == before
    assert any(not gate.passed for gate in summary.gates)
    assert "NOT PUBLISHED" in summary.format()
    assert dbt_processes() == []  # dbt's warm process, started for the build, was stopped


def test_a_dbt_process_that_dies_fails_the_night_saying_so(
    first_night: RunRecord, raw_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's warm process (flows/warm_dbt.py) killed before the build: nothing is published,
    and the night says what happened to it."""
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    shutil.copytree(raw_copy, raw)
    shutil.copyfile(first_night.warehouse, warehouse)
    (raw / "actuals" / "haining_2023.csv").write_text(
        "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
        "海宁市,普惠性幼儿园儿童覆盖面,,2023,85.1,%,https://example.org/hn,海宁2023教育统计\n",
        encoding="utf-8",
    )
    start = warm_dbt.start

    def start_and_kill(args: list[str], env: dict[str, str]) -> warm_dbt.WarmDbt:
        worker = start(args, env)
        worker.process.kill()
        return worker

    monkeypatch.setattr(warm_dbt, "start", start_and_kill)
    before = sha256(warehouse)
    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert not summary.published and sha256(warehouse) == before
    assert "dbt build: FAILED" in summary.dbt, summary.dbt
    assert "dbt's warm process (pid" in summary.dbt, summary.dbt
    assert "killed by SIGKILL before it ran `dbt build`" in summary.dbt, summary.dbt
    assert dbt_processes() == []


def test_served_deployment_is_scheduled_nightly_without_overlap() -> None:
    from flows.nightly import nightly_deployment

    deployment = nightly_deployment(cron="30 3 * * *", timezone="Asia/Shanghai")
    assert deployment.name == "nightly-load"
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 3 * * *", "Asia/Shanghai")
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"


def test_a_new_actuals_file_reaches_the_progress_mart_and_loads_once(
    first_night: RunRecord, raw_copy: Path, tmp_path: Path
) -> None:
    """Drop Haining 2023 figures into raw/actuals: one run puts them in the marts and rates the
    binding targets with them; the next run finds nothing new."""
    raw = tmp_path / "raw"
    shutil.copytree(raw_copy, raw)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(first_night.warehouse, warehouse)
    (raw / "actuals" / "haining_2023.csv").write_text(
        "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
        "海宁市,普惠性幼儿园儿童覆盖面,,2023,85.1,%,https://example.org/hn,海宁2023教育统计\n"
        "330481,学生近视人数比例,,2023,57.1,%,https://example.org/hn,海宁2023教育统计\n"
        "海宁市,学生近视人数比例,,2018-2022,58,%,https://example.org/hn,海宁2023教育统计\n",
        encoding="utf-8",
    )
    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert summary.published, summary.format()
    assert (summary.actuals["files_loaded"], summary.actuals["rows_landed"]) == (1, 3)
    query = (REPO_ROOT / "docs" / "queries" / "haining_binding_behind.sql").read_text()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        behind = con.execute(query).fetchall()
        held_back = con.execute(
            "select source_line, reason from marts.mart_actuals_quarantine "
            "where source_file = 'haining_2023.csv'"
        ).fetchall()
    statuses = {(row[1], row[6]): row[-1] for row in behind}  # (indicator, latest_year) -> status
    # 86.4 (2020) -> 85.1 (2023) against 90 by 2025: falling away from the target
    assert statuses[("普惠性幼儿园在园儿童覆盖面", 2023)] == "deterioration"
    # myopia 58.22 -> 57.1 against <55 (lower is better): improving, but too slowly
    assert statuses[("儿童青少年总体近视率", 2023)] in {"needs_acceleration", "limited_progress"}
    assert held_back == [(4, "year_is_range")]
    # the marts gate read the big fact's rows of tonight only (no full pass); the first night,
    # a full pass, read them all (expectations/mart_suites.py)
    marts = {gate.suite: gate.text for gate in summary.gates}["marts"]
    assert "on tonight's changed rows: marts.fct_indicator_actual" in marts, marts
    first = {gate.suite: gate.text for gate in first_night.gates}["marts"]
    assert "changed rows" not in first and "marts.fct_indicator_actual," in first, first

    # the next run finds nothing new (tests/test_nothing_new.py): it loads nothing at all
    again = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert again.nothing_new and not again.published, again.format()
    assert again.raw_rows["actuals"] == summary.raw_rows["actuals"]


def test_the_shipped_night_is_quiet(first_night: RunRecord) -> None:
    """A fresh clone's first night (the shipped raw/) reports no problem: what the shipped
    actuals hold back or leave unresolved is declared beside the file with why (its
    `published_actuals.toml`), listed as expected, and dbt's one warning says it counts only
    those. A newcomer can tell the set-up is right."""
    from flows.expected import read_notes

    assert first_night.held_back == [] and first_night.unresolved_names == []
    assert first_night.warnings == []
    notes, problems = read_notes(REPO_ROOT / "raw" / "actuals")
    assert problems == [] and len(first_night.expected) == len(notes) > 0
    warnings = [line for line in first_night.dbt.splitlines() if "- warning" in line]
    assert warnings and all("(expected:" in line for line in warnings), first_night.dbt
    text = first_night.format()
    assert "expected (declared beside the data file" in text and "held back (" not in text


def test_the_record_returned_is_the_record_written(first_night: RunRecord) -> None:
    """The flow returns the night's one record, every stage timed (the report's too), and the
    same record is dumped beside the warehouse."""
    from flows.progress import STAGES
    from flows.report.status import read_record
    from flows.warehouse.layout import WarehouseLayout

    assert tuple(first_night.stage_seconds) == STAGES
    assert first_night.report is not None and first_night.report.exists()
    written = read_record(WarehouseLayout(first_night.warehouse).published_record)
    assert written is not None
    assert written.report == first_night.report and written.gates == first_night.gates
    assert written.expected == first_night.expected and written.changes == first_night.changes
