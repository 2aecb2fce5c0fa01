"""One build at a time, and a published file carried into tonight's build only when its raw
tables have tonight's definitions."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import duckdb
import pytest

from flows.config import settings
from flows.nightly import prepare_build
from flows.warehouse.build_info import build_raw_schema, raw_schema_fingerprint, stamp_build
from flows.warehouse.db import (
    STORAGE_VERSION,
    create_warehouse,
    open_warehouse,
    readable_by_older_readers,
    storage_version,
)
from flows.warehouse.lock import BuildLockedError, build_lock


def _hold_lock(
    build_dir: str,
    ready: multiprocessing.synchronize.Event,
    done: multiprocessing.synchronize.Event,
) -> None:
    with build_lock(Path(build_dir)):
        ready.set()
        done.wait(30)


def test_a_second_run_cannot_take_the_build_folder(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, done))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(BuildLockedError, match=rf"pid {holder.pid}\) is building"):
            with build_lock(tmp_path):
                pass
    finally:
        done.set()
        holder.join(30)
    with build_lock(tmp_path):  # released when the holder finished
        pass


def _published(path: Path, *, stamped: bool, storage: str | None = STORAGE_VERSION) -> None:
    """A published file with a marker table; storage None: DuckDB 2.0's default format."""
    if storage is not None:
        create_warehouse(path)
    with open_warehouse(path) as con:
        con.execute("CREATE TABLE marker AS SELECT 42 AS answer")
        if stamped:
            stamp_build(con)


def test_published_file_with_the_same_raw_schema_is_carried_over(tmp_path: Path) -> None:
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse.duckdb")
    _published(config.warehouse, stamped=True)
    assert build_raw_schema(config.warehouse) == raw_schema_fingerprint()
    build, _ = prepare_build.fn(config)
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("SELECT answer FROM marker").fetchall() == [(42,)]
    assert readable_by_older_readers(storage_version(build))


def test_published_file_from_other_raw_definitions_is_not_carried_over(tmp_path: Path) -> None:
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse.duckdb")
    _published(config.warehouse, stamped=False)  # built before build_info existed
    assert build_raw_schema(config.warehouse) is None
    build, _ = prepare_build.fn(config)
    _assert_empty_in_older_format(build)  # tonight starts from an empty file and reloads raw/


def _assert_empty_in_older_format(build: Path) -> None:
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from duckdb_tables()").fetchall() == [(0,)]
    assert readable_by_older_readers(storage_version(build)), storage_version(build)


def test_published_file_in_duckdb_2_format_is_rebuilt_in_the_older_one(tmp_path: Path) -> None:
    """A file published before the storage format was pinned (DuckDB 2.0's default, which
    DuckDB 1.x readers refuse) is not carried over: tonight rebuilds from raw/ in the older
    format, so the next published file opens everywhere."""
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse.duckdb")
    _published(config.warehouse, stamped=True, storage=None)
    assert not readable_by_older_readers(storage_version(config.warehouse))
    build, _ = prepare_build.fn(config)
    _assert_empty_in_older_format(build)


def test_full_refresh_starts_from_an_empty_file(tmp_path: Path) -> None:
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse.duckdb")
    _published(config.warehouse, stamped=True)
    _assert_empty_in_older_format(prepare_build.fn(config, full_refresh=True)[0])


def test_bad_plan_documents_are_all_reported_with_path_and_line(tmp_path: Path) -> None:
    from flows.nightly import extract_plans
    from tests.conftest import PLANS_DIR

    plans = tmp_path / "plans"
    plans.mkdir()
    good = PLANS_DIR / "yuhang-2021-2025.txt"
    (plans / good.name).write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    meta = good.with_suffix(".toml")  # its region code
    (plans / meta.name).write_text(meta.read_text(encoding="utf-8"), encoding="utf-8")
    (plans / "a-no-year.txt").write_text(
        "维度\t主要指标\t指标属性\n学段\t学位数\t预期性\n", encoding="utf-8"
    )
    (plans / "b-gbk.txt").write_bytes("维度\t主要指标\t2025年\n学段\t学位数\t3\n".encode("gbk"))
    documents, sources, errors, _ = extract_plans.fn(plans)
    assert [d.facts.doc for d in documents] == ["yuhang-2021-2025.txt"]
    assert errors == [
        f"{plans / 'a-no-year.txt'}:1: header has no year column: 维度 | 主要指标 | 指标属性",
        f"{plans / 'b-gbk.txt'}:1: not UTF-8 text (GBK? convert with: iconv -f GBK -t UTF-8)",
    ]


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    """`eduplan run` takes the lock, then the flow takes it again in the same process."""
    with build_lock(tmp_path), build_lock(tmp_path):
        pass
    with build_lock(tmp_path):  # and released by the outer one
        pass


def test_a_second_run_fails_at_once_before_prefect_starts(tmp_path: Path) -> None:
    """A manual `eduplan run` during a night meets the lock before it imports Prefect or starts
    its temporary server (it used to meet it after ~26 s of start-up)."""
    import subprocess
    import sys

    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    build_dir = tmp_path / ".build"
    holder = ctx.Process(target=_hold_lock, args=(str(build_dir), ready, done))
    holder.start()
    try:
        assert ready.wait(30)
        code = (
            "import sys; from flows.cli import main; "
            f"rc = main(['run', '--warehouse', {str(tmp_path / 'warehouse.duckdb')!r}]); "
            "print(rc, 'prefect.flows' in sys.modules)"
        )
        second = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
    finally:
        done.set()
        holder.join(30)
    assert second.stdout.split() == ["1", "False"], second.stdout + second.stderr
    assert f"(pid {holder.pid}) is building" in second.stderr


def test_an_intact_published_file_is_copied_after_a_glance_not_a_full_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The published file the last night left, unchanged on disk since (flows/nothing_new.py):
    tonight's copy needs no read of every row first (at 10M rows that read cost ~1.5 s); any
    other file is read whole, and a damaged one is refused either way."""
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse.duckdb")
    _published(config.warehouse, stamped=True)
    read_whole: list[Path] = []
    monkeypatch.setattr("flows.nightly.warehouse_problem", lambda p, **_: read_whole.append(p))
    build, warning = prepare_build.fn(config, intact=True)
    assert read_whole == [] and warning is None
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("SELECT answer FROM marker").fetchall() == [(42,)]
    prepare_build.fn(config)
    assert read_whole == [config.warehouse]
    with config.warehouse.open("r+b") as handle:  # a zeroed header: seen at a glance
        handle.write(b"\0" * 4096)
    build, warning = prepare_build.fn(config, intact=True)
    assert warning is not None and "corrupted" in warning
    _assert_empty_in_older_format(build)
