"""A corrupted published file (header overwritten, truncated, garbage in the middle, a `.wal`
of another file beside it) is detected before tonight's build copies it, and rollback refuses a
corrupted history entry, naming it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.config import settings
from flows.nightly import prepare_build
from flows.warehouse.build_info import stamp_build
from flows.warehouse.db import create_warehouse, open_warehouse
from flows.warehouse.health import WarehouseCorruptError, quick_problem, warehouse_problem
from flows.warehouse.layout import wal_of
from flows.warehouse.publish import history, publish, rollback
from tests.reliability.harness import CORRUPTIONS

pytestmark = pytest.mark.reliability


def _night(path: Path, night: int) -> Path:
    """A stamped warehouse file of a few blocks (so damage in its middle hits table data), in
    the storage format the night creates files in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create_warehouse(path)
    with open_warehouse(path) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.night as "
            "select ? as n, range as i, 'row ' || range as s from range(200000)",
            [night],
        )
        stamp_build(con)
    return path


def _night_of(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return int(con.execute("select max(n) from marts.night").fetchall()[0][0])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


CASES = sorted(CORRUPTIONS.items())


def test_a_healthy_warehouse_passes(tmp_path: Path) -> None:
    path = _night(tmp_path / "w.duckdb", 1)
    assert quick_problem(path) is None
    assert warehouse_problem(path) is None


@pytest.mark.parametrize(("name", "damage"), CASES, ids=[n for n, _ in CASES])
def test_health_check_finds_the_damage(
    name: str, damage: Callable[[Path], None], tmp_path: Path
) -> None:
    path = _night(tmp_path / "w.duckdb", 1)
    damage(path)
    problem = warehouse_problem(path)
    assert problem is not None, name
    assert "Traceback" not in problem


@pytest.mark.parametrize(("name", "damage"), CASES, ids=[n for n, _ in CASES])
def test_a_corrupted_published_file_is_not_tonights_starting_point(
    name: str, damage: Callable[[Path], None], tmp_path: Path
) -> None:
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "wh" / "warehouse.duckdb")
    _night(config.warehouse, 1)
    damage(config.warehouse)
    build, warning = prepare_build.fn(config)
    with duckdb.connect(str(build), read_only=True) as con:  # a new, empty file: not a copy
        tables = con.execute("select count(*) from duckdb_tables()").fetchall()
    assert tables == [(0,)], "a corrupted file was copied as tonight's starting point"
    assert warning is not None and "corrupted" in warning and str(config.warehouse) in warning

    # tonight's build (from raw/) is published over it; the damaged file is not kept as a
    # night to roll back to unless it looks whole at a glance (then rollback refuses it)
    _night(build, 2)
    publish(build, config.warehouse, keep=3)
    assert _night_of(config.warehouse) == 2
    assert not wal_of(config.warehouse).exists()
    assert warehouse_problem(config.warehouse) is None
    if name != "garbage_in_the_middle":
        assert history(config.warehouse) == []


def test_a_healthy_published_file_is_still_carried_over(tmp_path: Path) -> None:
    config = settings(raw_dir=tmp_path / "raw", warehouse=tmp_path / "wh" / "warehouse.duckdb")
    _night(config.warehouse, 1)
    build, warning = prepare_build.fn(config)
    assert warning is None and _night_of(build) == 1


@pytest.mark.parametrize(("name", "damage"), CASES, ids=[n for n, _ in CASES])
def test_rollback_refuses_a_corrupted_history_entry_and_names_it(
    name: str,
    damage: Callable[[Path], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    build = warehouse.parent / ".build" / warehouse.name
    for night in (1, 2, 3):
        publish(_night(build, night), warehouse)
    entry = history(warehouse)[0].path  # night 2
    damage(entry)
    before = _sha(warehouse)
    with pytest.raises(WarehouseCorruptError, match="corrupted"):
        rollback(warehouse, to=1)
    assert main(["rollback", "--warehouse", str(warehouse), "--to", "1"]) == 1
    err = capsys.readouterr().err
    assert str(entry) in err and "corrupted" in err and "Traceback" not in err
    assert _sha(warehouse) == before and _night_of(warehouse) == 3
    assert not (warehouse.parent / f".{warehouse.name}.rollback").exists()
    # the healthy entry further back is still there to roll back to
    assert main(["rollback", "--warehouse", str(warehouse), "--to", "2"]) == 0
    assert _night_of(warehouse) == 1
