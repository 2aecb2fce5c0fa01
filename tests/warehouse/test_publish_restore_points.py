"""History keeps restore points, not copies: a night whose marts equal the published ones
replaces the file without taking a history slot (idle nights of `eduplan serve --interval 60`
filled 3 of 7 slots in three minutes); a night that changed a mart keeps the one it replaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.warehouse.db import create_warehouse, open_warehouse
from flows.warehouse.publish import history, publish, same_marts


def _build(path: Path, rows: list[tuple[str, int]], *, loaded_at: str = "night") -> Path:
    """A build with one mart and one raw table (raw differs every night: its load time)."""
    path.unlink(missing_ok=True)
    create_warehouse(path)
    with open_warehouse(path) as con:
        con.execute("create schema marts; create schema raw")
        con.execute("create table marts.fct (region varchar, value integer)")
        con.executemany("insert into marts.fct values (?, ?)", rows)
        con.execute("create table raw.audit as select ? as loaded_at", [loaded_at])
    return path


def test_a_night_that_changed_no_mart_takes_no_history_slot(tmp_path: Path) -> None:
    warehouse, build = tmp_path / "wh" / "warehouse.duckdb", tmp_path / "build.duckdb"
    publish(_build(build, [("a", 1), ("b", 2)], loaded_at="1"), warehouse)
    publish(_build(build, [("b", 2), ("a", 1)], loaded_at="2"), warehouse)  # same rows
    publish(_build(build, [("a", 1), ("b", 2)], loaded_at="3"), warehouse)
    assert history(warehouse) == []
    with open_warehouse(warehouse, read_only=True) as con:  # tonight's file is the one published
        assert con.execute("select loaded_at from raw.audit").fetchall() == [("3",)]
    publish(_build(build, [("a", 1), ("b", 3)]), warehouse)  # a changed value: a restore point
    assert len(history(warehouse)) == 1
    publish(_build(build, [("a", 1)]), warehouse)  # a removed row too
    assert len(history(warehouse)) == 2


def test_same_marts_compares_every_table_and_row(tmp_path: Path) -> None:
    one = _build(tmp_path / "one.duckdb", [("a", 1), ("a", 1)])
    assert same_marts(one, _build(tmp_path / "two.duckdb", [("a", 1), ("a", 1)]))
    assert not same_marts(one, _build(tmp_path / "three.duckdb", [("a", 1)]))  # a duplicate
    assert not same_marts(one, _build(tmp_path / "four.duckdb", [("a", 2), ("a", 1)]))
    # pairs must not cancel out: {x, x, y} is not {y, z, z}
    xxy = _build(tmp_path / "xxy.duckdb", [("x", 1), ("x", 1), ("y", 1)])
    assert not same_marts(xxy, _build(tmp_path / "yzz.duckdb", [("y", 1), ("z", 1), ("z", 1)]))
    empty = tmp_path / "empty.duckdb"
    create_warehouse(empty)
    assert not same_marts(empty, empty)  # no marts: keep the replaced file, as always
    assert not same_marts(one, tmp_path / "missing.duckdb")


def test_rollback_list_says_what_each_entry_would_undo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    warehouse, build = tmp_path / "wh" / "warehouse.duckdb", tmp_path / "build.duckdb"
    publish(_build(build, [("a", 1)]), warehouse)
    publish(_build(build, [("a", 1), ("b", 2)]), warehouse)  # the night after entry 1: +1 row
    capsys.readouterr()
    assert main(["rollback", "--list", "--warehouse", str(warehouse)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("  1  ")
    assert listed[1].strip().startswith("the next night changed: fct +1 ")
