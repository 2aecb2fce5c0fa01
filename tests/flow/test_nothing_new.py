"""A night with nothing new (flows/nothing_new.py): when every input is what the published
warehouse was built from, the night stops after one check that reads no data, says so, exits 0
and leaves the published file, its record and its report untouched; and every case that must
still run a night does (new or changed inputs, a changed dbt project or raw schema, a damaged,
missing or rewritten published file, a failed night's inputs, the weekly full pass, the lock)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.config import DBT_PROJECT_DIR, settings
from flows.load.file_hashes import FileHashes, FileIdentity
from flows.nightly import nightly_load
from flows.nothing_new import check_night
from flows.progress import Stage
from flows.report.status import read_record, status_text
from flows.warehouse.build_digest import built_digest, inputs_digest
from flows.warehouse.db import open_warehouse
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.lock import BuildLockedError, build_lock
from flows.warehouse.night_inputs import night_inputs, stamp_inputs, stamped_inputs
from flows.warehouse.publish import history
from tests.prefect_server import BIN, PrefectServer
from tests.reliability.harness import overwrite_header

pytestmark = pytest.mark.usefixtures("prefect_backend")  # tests/conftest.py: one per session

NOTHING_NEW = "nothing new: the published warehouse stands, built from the same inputs on "


def published_copy(
    seed_night: tuple[Path, Path], root: Path, *, copy_raw: bool = True
) -> tuple[Path, Path]:
    """The seed night's raw inputs and warehouse folder copied to `root`, the copy stamped and
    recorded as built from the copied raw/ (its folder is one of the inputs: the plans' rows
    name it) and published there: (raw dir, warehouse). copy_raw False: the seed night's own
    raw/ (read, never changed), so that the copy's dbt inputs are those its marts were built
    from."""
    seed_raw, seed_warehouse = seed_night
    raw = root / "raw" if copy_raw else seed_raw
    if copy_raw:
        shutil.copytree(seed_raw, raw)
    shutil.copytree(
        seed_warehouse.parent, root / "wh", ignore=shutil.ignore_patterns(".build", "history")
    )
    warehouse = root / "wh" / seed_warehouse.name
    layout = WarehouseLayout(warehouse)
    record = read_record(layout.published_record)
    assert record is not None and record.published and record.inputs
    assert stamped_inputs(warehouse) == record.inputs
    parts = night_inputs(settings(raw_dir=raw, warehouse=warehouse), FileHashes())
    moved = ["raw/plans", "raw/actuals"] if copy_raw else []
    assert [p for p in parts if parts[p] != record.inputs[p]] == moved
    with open_warehouse(warehouse) as con:
        stamp_inputs(con, parts)
    record.warehouse, record.report, record.inputs = warehouse, layout.report_index, parts
    record.published_file = str(FileIdentity.of(warehouse))
    layout.published_record.write_text(record.model_dump_json(indent=2), encoding="utf-8")
    return raw, warehouse


@pytest.fixture
def published(seed_night: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    return published_copy(seed_night, tmp_path)


def _why(raw: Path, warehouse: Path, *, full_refresh: bool = False) -> str:
    """Why tonight runs in full ("" when nothing is new), as the flow's first stage finds it."""
    check = check_night(settings(raw_dir=raw, warehouse=warehouse), full_refresh=full_refresh)
    assert bool(check.why) != bool(check.nothing_new)
    return check.why


def test_a_night_with_nothing_new_touches_nothing(published: tuple[Path, Path]) -> None:
    raw, warehouse = published
    layout = WarehouseLayout(warehouse)
    before = os.stat(warehouse)
    record_before = layout.published_record.read_bytes()
    report_before = layout.report_index.stat().st_mtime_ns
    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert summary.nothing_new.startswith(NOTHING_NEW), summary.format()
    assert summary.succeeded and not summary.published
    after = os.stat(warehouse)  # not copied, not rebuilt, not swapped: the same file
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino, before.st_mtime_ns, before.st_size,
    )  # fmt: skip
    assert not layout.build_file.exists() and not layout.publishing.exists()
    assert history(warehouse) == []
    assert list(summary.stage_seconds) == [Stage.CHECK]  # no extract, load, gate, dbt, report
    assert summary.gates == [] and summary.dbt == ""
    assert layout.published_record.read_bytes() == record_before
    assert layout.report_index.stat().st_mtime_ns == report_before
    last = read_record(layout.last_run_record)
    assert last is not None and last.nothing_new == summary.nothing_new
    text = summary.format()
    assert "NOTHING NEW" in text and summary.nothing_new in text and "(unchanged)" in text
    published_record = read_record(layout.published_record)
    assert published_record is not None and summary.mart_rows == published_record.mart_rows
    assert summary.mart_rows
    status = status_text(warehouse)
    assert "NOTHING NEW" in status and summary.nothing_new in status


def test_a_file_touched_but_not_changed_is_nothing_new(published: tuple[Path, Path]) -> None:
    raw, warehouse = published
    actuals = next((raw / "actuals").glob("*.csv"))
    actuals.write_bytes(actuals.read_bytes())  # rewritten, same bytes: new times, same hash
    assert _why(raw, warehouse) == ""


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("new actuals file", "raw/actuals"),
        ("changed actuals file", "raw/actuals"),
        ("removed actuals file", "raw/actuals"),
        ("changed plan", "raw/plans"),
        ("full refresh", "--full-refresh"),
        ("no published file", "no warehouse is published yet"),
        ("damaged published file", "looks damaged"),
        ("published file written to", "changed on disk since it was published"),
        ("published file rolled back", "changed on disk since it was published"),
        ("record of an older version", "no record says what the published file was built from"),
        ("report not written", "report was not written"),
        ("full pass due", "the full pass of the tests is due"),
    ],
)
def test_a_night_runs_when_something_is_new(
    published: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, change: str, why: str
) -> None:
    raw, warehouse = published
    layout = WarehouseLayout(warehouse)
    actuals = next((raw / "actuals").glob("*.csv"))
    if change == "new actuals file":
        (raw / "actuals" / "new.csv").write_text(actuals.read_text(encoding="utf-8"), "utf-8")
    elif change == "changed actuals file":
        text = actuals.read_text(encoding="utf-8")
        actuals.write_text(text + text.splitlines()[-1] + "\n", encoding="utf-8")
    elif change == "removed actuals file":
        actuals.unlink()
    elif change == "changed plan":
        plan = next((raw / "plans").glob("*.txt"))
        plan.write_text(plan.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "no published file":
        warehouse.unlink()
    elif change == "damaged published file":
        overwrite_header(warehouse)
    elif change == "published file written to":
        with duckdb.connect(str(warehouse)) as con:
            con.execute("create table main.scribble as select 1 as x")
    elif change == "published file rolled back":  # another file put in its place
        shutil.copyfile(warehouse, warehouse.with_name("older.duckdb"))
        os.replace(warehouse.with_name("older.duckdb"), warehouse)
    elif change in {"record of an older version", "report not written"}:
        record = read_record(layout.published_record)
        assert record is not None
        if change == "report not written":
            record.report, record.report_error = None, "OSError: no space left on device"
        else:
            record.published_file, record.inputs = "", {}
        layout.published_record.write_text(record.model_dump_json(), encoding="utf-8")
    elif change == "full pass due":
        monkeypatch.setenv("EDUPLAN_FULL_TESTS_EVERY_DAYS", "0")
    assert why in _why(raw, warehouse, full_refresh=change == "full refresh")


def test_a_changed_dbt_project_or_raw_schema_runs_a_night(
    published: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, warehouse = published
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setenv("EDUPLAN_DBT_DIR", str(project))
    assert _why(raw, warehouse) == ""  # a copy of the same project: nothing new
    model = next((project / "models" / "marts").glob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    assert "dbt project" in _why(raw, warehouse)
    monkeypatch.delenv("EDUPLAN_DBT_DIR")
    assert _why(raw, warehouse) == ""
    monkeypatch.setattr("flows.warehouse.night_inputs.raw_schema_fingerprint", lambda: "other")
    assert "raw schema" in _why(raw, warehouse)


def test_a_writer_holding_the_published_file_runs_a_night(published: tuple[Path, Path]) -> None:
    raw, warehouse = published
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(warehouse)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert "held open for writing" in _why(raw, warehouse)
    finally:
        holder.kill()
        holder.wait()


def test_a_failed_night_is_not_taken_for_nothing_new(published: tuple[Path, Path]) -> None:
    """A night whose inputs failed the gates published nothing: the next night with the same
    inputs runs (and fails) again; with the published inputs back, nothing is new."""
    raw, warehouse = published
    before = os.stat(warehouse).st_mtime_ns
    meta = next((raw / "plans").glob("*.toml"))
    good = meta.read_text(encoding="utf-8")
    region = good.split('region_code = "', 1)[1].split('"', 1)[0]
    meta.write_text(good.replace(region, "339999"), encoding="utf-8")  # no such region
    for _ in range(2):
        failed = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
        assert not failed.succeeded and not failed.nothing_new, failed.format()
        assert any(not gate.passed for gate in failed.gates)
        assert "NOT PUBLISHED" in failed.format()
    assert os.stat(warehouse).st_mtime_ns == before
    meta.write_text(good, encoding="utf-8")
    again = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert again.nothing_new.startswith(NOTHING_NEW), again.format()


def test_the_weekly_full_pass_runs_the_whole_night(
    seed_night: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Due, the full pass runs every stage (dbt too, its tests on every row, though dbt's own
    inputs did not change: else it would stay due every night after) and publishes."""
    raw, warehouse = published_copy(seed_night, tmp_path, copy_raw=False)
    assert built_digest(warehouse) == inputs_digest(warehouse)  # dbt would have nothing to do
    monkeypatch.setenv("EDUPLAN_FULL_TESTS_EVERY_DAYS", "0")
    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert summary.published and not summary.nothing_new, summary.format()
    assert tuple(summary.stage_seconds) == tuple(Stage)
    assert "tests: full pass (every row)" in summary.dbt, summary.dbt
    monkeypatch.delenv("EDUPLAN_FULL_TESTS_EVERY_DAYS")
    assert _why(raw, warehouse) == ""  # done: the next night has nothing new


def _hold(build_dir: str, ready: multiprocessing.synchronize.Event,
          done: multiprocessing.synchronize.Event) -> None:  # fmt: skip
    with build_lock(Path(build_dir)):
        ready.set()
        done.wait(60)


def test_nothing_new_still_waits_for_no_one_else_building(published: tuple[Path, Path]) -> None:
    """The lock comes first: while another run builds, a night fails at once, nothing new or
    not (the other run may be about to publish other inputs)."""
    raw, warehouse = published
    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    build_dir = str(WarehouseLayout(warehouse).build_dir)
    holder = ctx.Process(target=_hold, args=(build_dir, ready, done))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(BuildLockedError):
            nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    finally:
        done.set()
        holder.join(60)


def test_eduplan_run_says_nothing_new_and_exits_0(
    published: tuple[Path, Path], prefect_server: PrefectServer
) -> None:
    raw, warehouse = published
    run = subprocess.run(
        [str(BIN / "eduplan"), "run", "--raw", str(raw), "--warehouse", str(warehouse)],
        env=prefect_server.env(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "eduplan nightly-load: NOTHING NEW" in run.stdout
    assert NOTHING_NEW in run.stdout
