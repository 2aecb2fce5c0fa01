"""The warehouse's files have one owner (flows/warehouse/layout.py) and DuckDB one opener
(flows/warehouse/db.py): the opener applies the night's memory cap, the clean-up after a full
disk removes exactly what the layout names as a night's leftovers."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.config import settings
from flows.warehouse.db import connect, open_warehouse
from flows.warehouse.diskspace import remove_build_leftovers
from flows.warehouse.layout import WarehouseLayout, wal_of


def _limit_bytes(con: duckdb.DuckDBPyConnection, size: str) -> bool:
    """Does the connection's memory_limit equal `size` (as DuckDB normalises it)?"""
    scratch = duckdb.connect()
    scratch.execute(f"set memory_limit = '{size}'")
    expected = scratch.execute("select current_setting('memory_limit')").fetchall()[0][0]
    scratch.close()
    return con.execute("select current_setting('memory_limit')").fetchall()[0][0] == expected


def test_every_connection_gets_the_memory_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EDUPLAN_DUCKDB_MEMORY_LIMIT", "123MB")
    con = connect()
    try:
        assert _limit_bytes(con, "123MB")
    finally:
        con.close()
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert _limit_bytes(con, "123MB")
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as con:
        assert _limit_bytes(con, "123MB")


def test_the_layout_keeps_every_file_beside_the_warehouse(tmp_path: Path) -> None:
    layout = settings(warehouse=tmp_path / "wh" / "warehouse.duckdb").layout
    paths = [
        layout.wal,
        layout.build_file,
        layout.build_wal,
        layout.dbt_artifacts_dir,
        layout.publishing,
        layout.rollback_copy,
        layout.history_dir,
        layout.report_index,
        layout.report_history_dir,
        layout.chart_cache_dir,
        layout.gx_dir,
        layout.dbt_docs_index,
        layout.last_run_record,
        layout.published_record,
    ]
    assert len(set(paths)) == len(paths)
    assert all(layout.folder in p.parents for p in paths)
    assert layout.build_wal == wal_of(layout.build_file)


def test_a_full_disk_clean_up_removes_the_leftovers_and_nothing_else(tmp_path: Path) -> None:
    layout = WarehouseLayout(tmp_path / "warehouse.duckdb")
    layout.warehouse.write_bytes(b"published")
    layout.history_dir.mkdir()
    leftovers = [layout.build_file, layout.build_wal, layout.publishing, layout.rollback_copy]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (layout.dbt_artifacts_dir / "target").mkdir(parents=True)
    removed = remove_build_leftovers(layout)
    assert set(removed) == {*leftovers, layout.dbt_artifacts_dir}
    assert not any(p.exists() for p in removed)
    assert layout.warehouse.read_bytes() == b"published" and layout.history_dir.is_dir()
