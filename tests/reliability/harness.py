"""Helpers shared by the reliability tests: damaging a warehouse file the ways disks and people
do, a content hash of every mart, and the invariants a published warehouse must keep."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from flows.warehouse.health import warehouse_problem
from flows.warehouse.layout import wal_of
from flows.warehouse.publish import history


def overwrite_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"\0" * 4096)


def truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def garbage_in_the_middle(path: Path) -> None:
    """64 KiB of random bytes over the middle block: the header and size still look right."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(min(65536, size // 4)))


def foreign_wal(path: Path) -> None:
    """A write-ahead log of another database file, placed beside `path`."""
    other = path.with_name("other-file.duckdb")
    con = duckdb.connect(str(other))
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute("create table elsewhere as select range as i from range(1000)")
    con.close()
    shutil.copyfile(wal_of(other), wal_of(path))
    other.unlink()
    wal_of(other).unlink()


CORRUPTIONS = {
    "header_overwritten": overwrite_header,
    "truncated": truncate_half,
    "garbage_in_the_middle": garbage_in_the_middle,
    "foreign_wal": foreign_wal,
}


def marts_hash(path: Path) -> str:
    """sha256 over every mart's name, columns and rows (sorted): equal for equal content."""
    digest = hashlib.sha256()
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name"
        ).fetchall()
        for (table,) in tables:
            result = con.execute(f'select * from marts."{table}" order by all')
            digest.update(repr((table, [d[0] for d in result.description])).encode())
            for row in result.fetchall():
                digest.update(repr(row).encode())
    finally:
        con.close()
    return digest.hexdigest()


def assert_published_whole(warehouse: Path, *, keep: int) -> None:
    """The published file and every kept one open and read whole, no `.wal` anywhere beside
    them, and the history holds no more than `keep` entries."""
    assert warehouse_problem(warehouse) is None, warehouse_problem(warehouse)
    assert not wal_of(warehouse).exists()
    entries = history(warehouse)
    assert len(entries) <= keep, entries
    for entry in entries:
        assert warehouse_problem(entry.path) is None, (entry, warehouse_problem(entry.path))
    assert not [e for e in history(warehouse) if wal_of(e.path).exists()]
