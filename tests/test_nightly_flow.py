"""The nightly-load flow end to end under Prefect, on the real raw inputs and a real warehouse."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.nightly import RunSummary, nightly_load
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module", autouse=True)
def prefect_backend() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def raw_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(REPO_ROOT / "raw", raw, dirs_exist_ok=True)
    return raw


@pytest.fixture(scope="module")
def first_night(raw_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> RunSummary:
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    return nightly_load(raw_dir=str(raw_copy), warehouse=str(warehouse))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clean_inputs_publish_a_star_schema(first_night: RunSummary) -> None:
    assert first_night.published, first_night.format()
    assert first_night.warehouse.exists()
    assert not first_night.warehouse.with_name(first_night.warehouse.name + ".wal").exists()
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
        assert len(marts) >= 5
        assert {"dim_region", "dim_indicator", "dim_plan", "fct_indicator_target"} <= marts
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
    first_night: RunSummary, raw_copy: Path, tmp_path: Path
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


def test_served_deployment_is_scheduled_nightly_without_overlap() -> None:
    from flows.nightly import nightly_deployment

    deployment = nightly_deployment(cron="30 3 * * *", timezone="Asia/Shanghai")
    assert deployment.name == "nightly-load"
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 3 * * *", "Asia/Shanghai")
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
