"""Atomic publication of an audited warehouse, the history of earlier ones, and rollback.

Readers (BI dashboards, analysts) open `warehouse.duckdb` read-only at any moment, so the file at
that path is only ever swapped whole with `os.replace` (a rename within one directory): a reader
sees last night's file or tonight's, never a mix, and a reader that already has the old file open
keeps reading its snapshot (the old inode lives until it closes). Before the swap the staged file
is checkpointed so no write-ahead log (`.wal`) is left to be replayed onto the wrong file, and the
directory is fsynced so the swap survives a crash.

The replaced warehouse is kept as `history/<stem>-<UTC time>.duckdb` (a hard link: no copy),
newest first, pruned to `keep`. Publication is the rename: once it is done the night is published,
and whatever fails afterwards (pruning an entry that cannot be removed, a dangling link in
`history/`) is a warning in the result, never an error that would make a caller retry the swap.
`rollback(to=N)` puts entry N back the same way, and keeps the warehouse it replaces as the
newest entry, so a rollback can itself be rolled back.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.warehouse.db import connect, scalar, sql_identifier, sql_literal
from flows.warehouse.health import (
    WarehouseCorruptError,
    lock_holder,
    quick_problem,
    warehouse_problem,
)
from flows.warehouse.layout import WarehouseLayout, wal_of

_STAMP = "%Y%m%dT%H%M%S%fZ"
_ENTRY = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{12}Z)(?:-(?P<n>\d+))?$")


@dataclass(frozen=True)
class HistoryEntry:
    """An earlier published warehouse kept for rollback; `replaced_at` is when it stopped being
    the published one."""

    path: Path
    replaced_at: datetime
    size: int

    def __str__(self) -> str:
        when = self.replaced_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{when}  {self.size / 1e6:>9.1f} MB  {self.path}"


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file; raise if one is still left (a writer holds it)."""
    con = connect(database)
    try:
        con.execute("CHECKPOINT").fetchall()
    finally:
        con.close()
    if wal_of(database).exists():
        raise RuntimeError(f"{wal_of(database)} is still there after a checkpoint")


@dataclass(frozen=True)
class Published:
    """A done publication: the published file, and what could not be cleaned up after the swap
    (each a sentence for the run's warnings)."""

    warehouse: Path
    warnings: tuple[str, ...] = ()


def publish(build_file: Path, warehouse: Path, *, keep: int = 7) -> Published:
    """Make the audited build_file the published warehouse; keep the replaced one in history.
    Raises only when the swap did not happen (the published file is then unchanged)."""
    build_file, warehouse = Path(build_file).resolve(), Path(warehouse).resolve()
    staged = WarehouseLayout(warehouse).publishing
    if build_file.exists():
        checkpoint(build_file)
        _fsync_file(build_file)
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        os.replace(build_file, staged)  # beside the warehouse, so the publishing rename is atomic
        _fsync_dir(build_file.parent)
    elif not staged.exists():  # (a retried publish finds the file already staged)
        raise FileNotFoundError(f"no build file to publish at {build_file}")
    # a night whose marts equal the published ones is no new restore point: the file it
    # replaces takes no history slot (idle nights of `serve --interval 60` filled history)
    same = warehouse.exists() and same_marts(staged, warehouse)
    return Published(
        warehouse, tuple(_swap_in(staged, warehouse, keep=keep, keep_replaced=not same))
    )


def same_marts(one: Path, other: Path) -> bool:
    """True when both files hold the same marts, row for row (each table's row count and
    the sum of its rows' hashes: independent of order, and duplicates count); False when
    either has none, or cannot be read now (a writer holds it): then the replaced file is
    kept, as always. The tables are compared smallest first, the counts before any hash, and
    the first difference decides: a night that changed the marts reads no table whole."""
    try:
        with connect() as con:
            con.execute(f"attach {sql_literal(one)} as one (read_only)")
            con.execute(f"attach {sql_literal(other)} as other (read_only)")
            counts = [_mart_counts(con, name) for name in ("one", "other")]
            if not counts[0] or counts[0] != counts[1]:
                return False
            for table in sorted(counts[0], key=lambda t: (counts[0][t], t)):
                if _rows_hash(con, "one", table) != _rows_hash(con, "other", table):
                    return False
    except duckdb.Error:
        return False
    return True


def _mart_counts(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'marts'",
        [database],
    ).fetchall()
    counts = {}
    for (table,) in tables:
        counts[table] = int(
            str(scalar(con, f"select count(*) from {sql_identifier(database, 'marts', table)}"))
        )
    return counts


def _rows_hash(con: duckdb.DuckDBPyConnection, database: str, table: str) -> int:
    hashed = scalar(
        con, f"select sum(hash(t)::hugeint) from {sql_identifier(database, 'marts', table)} as t"
    )
    return int(str(hashed or 0))  # (a sum, not a xor: a xor would cancel pairs of rows)


def history(warehouse: Path) -> list[HistoryEntry]:
    """Kept earlier warehouses, newest first: entry 1 is the one published before the current."""
    folder = WarehouseLayout(Path(warehouse).resolve()).history_dir
    if not folder.is_dir():
        return []
    return [e for e in _entries(folder) if e.readable]


@dataclass(frozen=True)
class _Entry(HistoryEntry):
    readable: bool = True


def _entries(folder: Path) -> list[_Entry]:
    """Every file named like a history entry, newest first, also those that are not a regular
    file one can read (a dangling link, a folder): listing them must not fail, pruning removes
    them."""
    entries = []
    for path in folder.glob("*.duckdb"):
        match = _ENTRY.match(path.stem)
        if match:
            when = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            try:
                size, readable = path.stat().st_size, path.is_file()
            except OSError:  # a dangling link, a loop, no permission
                size, readable = 0, False
            entries.append(_Entry(path, when, size, readable))
    return sorted(entries, key=lambda e: (e.replaced_at, e.path.name), reverse=True)


def unreadable_entries(warehouse: Path) -> list[Path]:
    """Names in history/ that look like entries but are no readable file (listed apart)."""
    folder = WarehouseLayout(Path(warehouse).resolve()).history_dir
    return [e.path for e in _entries(folder) if not e.readable] if folder.is_dir() else []


def rollback(warehouse: Path, *, to: int | None = None, keep: int | None = None) -> Path:
    """Put history entry `to` (1 = the previous night, the default) back as the published file.

    The entry is copied (history stays intact) and swapped in atomically; the warehouse it
    replaces becomes history entry 1. Returns the path of the entry restored.
    """
    warehouse = Path(warehouse).resolve()
    entries = history(warehouse)
    number = 1 if to is None else to
    if not entries:
        raise FileNotFoundError(
            f"no earlier warehouses kept in {WarehouseLayout(warehouse).history_dir}"
        )
    if not 1 <= number <= len(entries):
        raise ValueError(f"--to must be between 1 and {len(entries)}, not {number}")
    chosen = entries[number - 1]
    problem = warehouse_problem(chosen.path)
    if problem is not None:  # never publish a file that cannot be read
        raise WarehouseCorruptError(chosen.path, f"{problem}; choose another with --to")
    staged = WarehouseLayout(warehouse).rollback_copy
    try:
        shutil.copyfile(chosen.path, staged)  # created under the umask, never chmod-ed wider
        _fsync_file(staged)
    except BaseException:  # (a full disk) no half-written copy is left behind
        staged.unlink(missing_ok=True)
        raise
    # the replaced warehouse is added to history: prune only if asked (never the restored entry)
    _swap_in(staged, warehouse, keep=len(entries) + 1 if keep is None else max(keep, number + 1))
    return chosen.path


def _swap_in(staged: Path, warehouse: Path, *, keep: int, keep_replaced: bool = True) -> list[str]:
    """Keep the current warehouse in history (hard link), then rename staged over it
    (keep_replaced False: the current one is not kept, its marts equal staged's).

    A current file that is plainly damaged (flows/warehouse/health.py `quick_problem`: a stray
    write-ahead log, an overwritten header, a truncated size) is not kept: it could never be
    rolled back to, and its log must not be replayed onto the file that replaces it. A file
    another process holds open for writing is not damaged: it is kept (its log is the writer's)."""
    busy = warehouse.exists() and lock_holder(warehouse) is not None
    if warehouse.exists() and not busy and quick_problem(warehouse) is not None:
        wal_of(warehouse).unlink(missing_ok=True)
    elif warehouse.exists() and keep_replaced:
        folder = WarehouseLayout(warehouse).history_dir
        folder.mkdir(parents=True, exist_ok=True)
        _link_or_copy(warehouse, _history_name(folder, warehouse))
        _fsync_dir(folder)
    os.replace(staged, warehouse)
    # published: from here on a failure is a warning about the clean-up, not about the night
    warnings = []
    try:
        _fsync_dir(warehouse.parent)
    except OSError as error:
        warnings.append(f"published, but the folder could not be synced ({error})")
    return warnings + _prune(warehouse, keep=keep)


def _history_name(folder: Path, warehouse: Path) -> Path:
    stamp = datetime.now(UTC).strftime(_STAMP)
    candidate = folder / f"{warehouse.stem}-{stamp}.duckdb"
    n = 1
    while candidate.exists():
        candidate = folder / f"{warehouse.stem}-{stamp}-{n}.duckdb"
        n += 1
    return candidate


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a filesystem without hard links: copy, then make it durable
        try:
            shutil.copy2(source, target)
            _fsync_file(target)
        except BaseException:  # (a full disk) no half-written history entry is left
            target.unlink(missing_ok=True)
            raise


def _prune(warehouse: Path, *, keep: int) -> list[str]:
    """Remove history beyond `keep` readable entries and every name that is no readable entry;
    returns a warning for each that could not be removed (the night stays published)."""
    folder = WarehouseLayout(warehouse).history_dir
    entries = _entries(folder) if folder.is_dir() else []
    readable = [e for e in entries if e.readable]
    doomed = readable[max(keep, 0) :] + [e for e in entries if not e.readable]
    warnings = []
    for entry in doomed:
        try:
            entry.path.unlink(missing_ok=True)
            wal_of(entry.path).unlink(missing_ok=True)
        except OSError as error:
            what = "kept night" if entry.readable else "name that is no readable history entry"
            warnings.append(
                f"history: could not remove the {what} {entry.path} "
                f"({error.strerror or error}); remove it by hand"
            )
    return warnings


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
