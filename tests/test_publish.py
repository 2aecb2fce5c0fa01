"""Atomic publication, history and rollback on real DuckDB files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows.warehouse.layout import wal_of
from flows.warehouse.publish import history, publish, rollback


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_build(path: Path, night: int, *, leave_wal: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    if leave_wal:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("SET checkpoint_threshold = '10GB'")
    con.execute(
        "CREATE OR REPLACE TABLE night AS SELECT ? AS n, range AS i FROM range(1000)", [night]
    )
    con.close()
    return path


def night_of(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT max(n) FROM night").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


def build_of(warehouse: Path) -> Path:
    return warehouse.parent / ".build" / warehouse.name


def test_first_publish_moves_the_build_file_in(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    assert publish(build_of(warehouse), warehouse) == warehouse
    assert night_of(warehouse) == 1
    assert not build_of(warehouse).exists()
    assert history(warehouse) == []


def test_publish_checkpoints_so_no_wal_is_left(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1, leave_wal=True)
    assert wal_of(build_of(warehouse)).exists(), "the test needs a build file with a WAL"
    publish(build_of(warehouse), warehouse)
    assert not wal_of(warehouse).exists()
    assert not list(warehouse.parent.glob("*.wal"))
    assert night_of(warehouse) == 1


def test_publish_keeps_earlier_nights_and_rollback_restores_them(warehouse: Path) -> None:
    hashes = {}
    for night in (1, 2, 3):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
        hashes[night] = sha256(warehouse)
    assert [night_of(e.path) for e in history(warehouse)] == [2, 1]

    restored = rollback(warehouse)  # 1 = the previous night
    assert sha256(warehouse) == hashes[2]
    assert sha256(restored) == hashes[2]
    assert not wal_of(warehouse).exists()
    # the night rolled back is kept as entry 1, so the rollback can itself be undone
    assert [night_of(e.path) for e in history(warehouse)] == [3, 2, 1]

    rollback(warehouse, to=3)
    assert sha256(warehouse) == hashes[1]


def test_history_is_pruned_to_keep(warehouse: Path) -> None:
    for night in range(1, 6):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse, keep=2)
    assert [night_of(e.path) for e in history(warehouse)] == [4, 3]
    assert len(list((warehouse.parent / "history").iterdir())) == 2


def test_rollback_refuses_what_is_not_there(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    with pytest.raises(FileNotFoundError):
        rollback(warehouse)
    make_build(build_of(warehouse), 2)
    publish(build_of(warehouse), warehouse)
    with pytest.raises(ValueError, match="between 1 and 1"):
        rollback(warehouse, to=2)
    assert night_of(warehouse) == 2


def test_a_reader_keeps_its_snapshot_while_a_new_night_is_published(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(warehouse)!r}, read_only=True)
            q = "SELECT max(n), count(*) FROM night"
            print(con.execute(q).fetchall()[0], flush=True)
            sys.stdin.readline()          # the new night is published meanwhile
            print(con.execute(q).fetchall()[0], flush=True)
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "(1, 1000)"
    make_build(build_of(warehouse), 2)
    publish(build_of(warehouse), warehouse)  # while the reader holds night 1 open
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "(1, 1000)"  # its snapshot, intact
    assert reader.wait(timeout=30) == 0
    assert night_of(warehouse) == 2  # a new reader sees the new night
