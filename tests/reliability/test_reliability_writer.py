"""A writer is not corruption (issue 21, item 7): a read-write connection left open on the
published file (the DuckDB CLI's default) by another process. The night names that process,
never calls the file corrupted, builds from raw/ afresh (the file cannot be copied consistently
while it is written) and publishes as usual: the swap does not need the old file's lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.config import settings
from flows.nightly import prepare_build
from flows.report.run_outputs import _changes
from flows.warehouse.health import lock_holder
from flows.warehouse.publish import history, publish
from tests.warehouse.test_publish import build_of, make_build, night_of

pytestmark = pytest.mark.reliability


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A published warehouse, and another process holding it open read-write."""
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    code = textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(warehouse)!r})  # read-write, as the DuckDB CLI opens it
        print("open", flush=True)
        sys.stdin.readline()
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout.readline().strip() == "open"
    try:
        yield warehouse, child
    finally:
        child.kill()
        child.wait()


def test_a_writer_is_named_not_called_corruption(writer) -> None:
    warehouse, child = writer
    config = settings(warehouse=warehouse)
    build, warning = prepare_build.fn(config)
    assert warning and "corrupt" not in warning.lower(), warning
    assert f"PID {child.pid}" in warning and "held open for writing" in warning
    assert f"PID {child.pid}" in (lock_holder(warehouse) or "")
    with duckdb.connect(str(build), read_only=True) as con:  # not copied while it is written
        tables = con.execute("select table_name from duckdb_tables()").fetchall()
    assert ("night",) not in tables, "built from raw/ afresh, not from a copy"


def test_the_night_publishes_over_a_file_a_writer_holds(writer) -> None:
    warehouse, child = writer
    make_build(build_of(warehouse), 2)
    published = publish(build_of(warehouse), warehouse)
    assert published.warnings == ()
    assert night_of(warehouse) == 2
    assert len(history(warehouse)) == 1, "kept for rollback (the writer still has it open)"
    assert _changes(warehouse) is None, "not compared with a file being written; no error"
    assert child.poll() is None, "the writer keeps its own file"


def test_no_writer_no_warning(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    assert lock_holder(warehouse) is None
