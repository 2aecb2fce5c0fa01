"""Is a warehouse file whole? Checked before it is trusted: before tonight's build starts as a
copy of the published file, before a history entry is rolled back to, before a replaced file is
kept in history.

A file is healthy when DuckDB opens it read-only, `pragma database_size` answers, and every
row of every table can be read (a hash over all columns of each table forces every block to be
read and its checksum verified). A `.wal` beside a published or kept file is itself a fault:
publication checkpoints the file, so a log there was written by something else (a writer that
crashed, or a log of another file copied beside it) and replaying it could corrupt the data.

DuckDB can abort the whole process on some damaged files instead of raising, so the check runs
in a child process (`python -m flows.warehouse.health FILE`): whatever happens there, the caller
gets a verdict, and a night never dies of the file it was about to replace.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flows.warehouse.db import connect
from flows.warehouse.layout import wal_of

CHECK_TIMEOUT_SECONDS = 600.0
# DuckDB's storage layout: 3 headers of 4 KiB ("DUCK" at byte 8), then blocks of 256 KiB
_MAGIC = b"DUCK"
_HEADER_BYTES = 3 * 4096
_BLOCK_BYTES = 256 * 1024


class WarehouseCorruptError(RuntimeError):
    """A warehouse file that cannot be trusted: names the file and what is wrong with it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path} is corrupted: {problem}")


def read_everything(path: Path) -> None:
    """Open `path` read-only and read every row of every table; raises whatever DuckDB raises.

    Runs in the child process (see module docstring)."""
    con = connect(path, read_only=True)
    try:
        con.execute("pragma database_size").fetchall()
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and not temporary"
        ).fetchall()
        for schema, table in tables:
            # names come from the file's own catalog: quoted as identifiers, never as values
            ident = ".".join('"' + name.replace('"', '""') + '"' for name in (schema, table))
            con.execute(f"select count(*), bit_xor(hash(t)) from {ident} as t").fetchall()
    finally:
        con.close()


def quick_problem(path: Path) -> str | None:
    """What a glance shows is wrong with a warehouse file (no DuckDB, no full read): a `.wal`
    beside it, a header without DuckDB's magic bytes, or a size that is not a whole number of
    blocks (a truncated file). None when it looks whole; `warehouse_problem` reads it all."""
    path = Path(path)
    if wal_of(path).exists():
        return f"a write-ahead log {wal_of(path).name} lies beside it (not written by publication)"
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    if head[8:12] != _MAGIC:
        return "its header is not a DuckDB header (overwritten?)"
    size = path.stat().st_size
    if size < _HEADER_BYTES or (size - _HEADER_BYTES) % _BLOCK_BYTES:
        return f"its size ({size} bytes) is not a whole number of blocks (truncated?)"
    return None


def warehouse_problem(path: Path, *, timeout: float = CHECK_TIMEOUT_SECONDS) -> str | None:
    """What is wrong with the warehouse file at `path`, or None when it is healthy."""
    path = Path(path)
    if not path.is_file():
        return "no such file"
    glance = quick_problem(path)
    if glance is not None:
        return glance
    try:
        child = subprocess.run(
            [sys.executable, "-m", "flows.warehouse.health", str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"reading it took over {timeout:.0f} s"
    if child.returncode == 0:
        return None
    lines = [line for line in (child.stderr or "").strip().splitlines() if line.strip()]
    if child.returncode < 0:
        return f"reading it crashed DuckDB (signal {-child.returncode})"
    return lines[-1] if lines else f"reading it failed (exit {child.returncode})"


def _main(argv: list[str]) -> int:
    try:
        read_everything(Path(argv[0]))
    except Exception as error:  # the verdict goes to the parent as one line
        message = " ".join(str(error).split())
        print(f"{type(error).__name__}: {message[:500]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
