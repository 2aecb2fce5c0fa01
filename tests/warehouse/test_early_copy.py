"""The build's copy made while `eduplan run` starts up (flows/warehouse/early_copy.py): used by
prepare-build only when it is whole and the published file is still the one it copied; a copy
that failed raises in prepare-build and leaves nothing; one no step took is removed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from flows.config import settings
from flows.nightly import prepare_build
from flows.warehouse import early_copy
from flows.warehouse.build_info import stamp_build
from flows.warehouse.db import create_warehouse, open_warehouse
from flows.warehouse.layout import wal_of
from flows.warehouse.publish import publish
from tests.warehouse.test_publish import build_of, night_of


def _published(warehouse: Path, night: int) -> Path:
    """A published warehouse prepare-build copies (the raw schema stamped), holding `night`."""
    build = build_of(warehouse)
    build.unlink(missing_ok=True)
    create_warehouse(build)
    with open_warehouse(build) as con:
        stamp_build(con)
        con.execute("create table night as select ? as n", [night])
    publish(build, warehouse)
    return warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return _published(tmp_path / "wh" / "warehouse.duckdb", 1)


@pytest.fixture(autouse=True)
def _nothing_pending():
    yield
    early_copy.discard()


def _no_copy_here(*_: object) -> None:
    raise AssertionError("prepare-build copied the published file again")


def test_prepare_build_takes_the_early_copy(warehouse: Path, monkeypatch) -> None:
    config = settings(warehouse=warehouse)
    early_copy.start(config.warehouse, config.build_file).wait()
    monkeypatch.setattr("flows.nightly.shutil.copyfile", _no_copy_here)
    build, warning = prepare_build.fn(config, intact=True)
    assert warning is None and build == config.build_file
    assert night_of(build) == 1
    assert early_copy.take(config.warehouse, config.build_file) is None, "taken once"


def test_a_published_file_changed_since_the_copy_is_copied_again(warehouse: Path) -> None:
    config = settings(warehouse=warehouse)
    early_copy.start(config.warehouse, config.build_file).wait()
    _published(warehouse, 2)  # another night published meanwhile (a rollback, a writer)
    build, _ = prepare_build.fn(config, intact=True)
    assert night_of(build) == 2, "the early copy of the older file was used"


def test_a_stale_build_file_and_wal_go_before_the_copy(warehouse: Path) -> None:
    config = settings(warehouse=warehouse)
    config.build_file.write_bytes(b"a killed night's half copy")
    wal_of(config.build_file).write_bytes(b"a stale log")
    early_copy.start(config.warehouse, config.build_file).wait()
    assert not wal_of(config.build_file).exists()
    build, _ = prepare_build.fn(config, intact=True)
    assert night_of(build) == 1


def test_a_failed_copy_raises_in_prepare_build_and_leaves_nothing(
    warehouse: Path, monkeypatch
) -> None:
    def half_then_full(source: Path, target: Path) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    config = settings(warehouse=warehouse)
    monkeypatch.setattr("flows.warehouse.early_copy.shutil.copyfile", half_then_full)
    with pytest.raises(OSError):
        early_copy.start(config.warehouse, config.build_file).wait()
    assert not config.build_file.exists(), "a partial copy was left"
    with pytest.raises(OSError) as raised:
        prepare_build.fn(config, intact=True)
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.undo()
    build, _ = prepare_build.fn(config, intact=True)  # the task's retry copies as always
    assert night_of(build) == 1


def test_a_copy_the_checks_refuse_is_not_used(warehouse: Path, monkeypatch) -> None:
    config = settings(warehouse=warehouse)
    early_copy.start(config.warehouse, config.build_file).wait()
    monkeypatch.setattr("flows.nightly.quick_problem", lambda _: "a zeroed header")
    build, warning = prepare_build.fn(config, intact=True)
    assert warning and "corrupted" in warning
    with open_warehouse(build, read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables()").fetchall()
    assert ("night",) not in tables, "built from the early copy of a damaged file"


def test_a_copy_nobody_took_is_removed_and_none_begun_removes_nothing(warehouse: Path) -> None:
    config = settings(warehouse=warehouse)
    early_copy.start(config.warehouse, config.build_file).wait()
    assert config.build_file.exists()
    early_copy.discard()
    assert not config.build_file.exists(), "an untaken copy stayed in the build folder"

    config.build_file.write_bytes(b"a failed night's build, kept to look at")
    early_copy.start(config.warehouse, config.build_file, when=lambda: False).wait()
    early_copy.discard()
    assert config.build_file.exists(), "removed a build file no early copy wrote"


def test_another_warehouses_copy_is_not_taken_and_is_removed(
    warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    """prepare-build of one warehouse never builds on a copy made for another: that copy is
    removed and this build is copied as usual."""
    other = settings(warehouse=_published(tmp_path / "other" / "warehouse.duckdb", 2))
    early_copy.start(other.warehouse, other.build_file).wait()
    config = settings(warehouse=warehouse)
    assert early_copy.take(config.warehouse, config.build_file) is None
    assert not other.build_file.exists(), "the other warehouse's copy stayed"
    build, _ = prepare_build.fn(config, intact=True)
    assert night_of(build) == 1


@pytest.mark.parametrize("nothing_new", ["", "nothing new tonight"])
def test_the_early_check_starts_the_gates_import_only_when_a_night_runs(
    warehouse: Path, nothing_new: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`eduplan run`: when the early check finds a night to run, Great Expectations is imported
    while the process waits for Prefect's server (not over the copy and the load); a night with
    nothing new never imports it."""
    import argparse
    from types import SimpleNamespace

    from flows.cli import _start_early_copy

    imports: list[str] = []
    check = SimpleNamespace(nothing_new=nothing_new, published_intact=True)
    monkeypatch.setattr("flows.nothing_new.check_early", lambda *_, **__: check)
    monkeypatch.setattr("flows.validate.import_in_background", lambda: imports.append("gx"))
    args = argparse.Namespace(full_refresh=False, raw=warehouse.parent / "raw",
                              warehouse=warehouse, engine="duckdb")  # fmt: skip
    _start_early_copy(args)
    early = early_copy.take(warehouse, settings(warehouse=warehouse).build_file)
    assert early is not None
    early.wait()
    assert imports == ([] if nothing_new else ["gx"])
    assert early.copied == (not nothing_new)
