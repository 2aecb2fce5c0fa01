"""Yearly actuals (raw/actuals/*.csv) -> raw.actuals, exactly as written, incrementally by file
content hash.

Python checks files only (flows/load/actuals_contract.py: encoding, header, content hash): an
unchanged file (same sha256 as its last load; the hash remembered by the file's identity on
disk, flows/load/file_hashes.py, so an unchanged file is not read at all) is skipped, a changed
file replaces its earlier rows in one transaction, a file that breaks the contract is rejected
whole (raw.actuals_load_audit says why, naming the file and line). Every record of an accepted
file lands in raw.actuals with its file and line and its fields as written (text; a record with
the wrong number of fields keeps its text in `malformed`). What the rows mean is dbt's: region
and indicator resolution, unit conversion, ranges, duplicates and the quarantine are dbt models
(int_actuals_checked, mart_actuals_quarantine). Files are read by DuckDB
(flows/load/actuals_stage.py), so memory stays
flat for 10 million rows; the contract is docs/actuals_contract.md."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.config import duckdb_memory_limit
from flows.errors import InputFileError
from flows.input_files import checked_input, list_inputs, shown_name
from flows.load.actuals_audit import LATEST_AUDIT, LATEST_OUTCOME
from flows.load.actuals_contract import (
    CONTRACT_COLUMNS,
    ActualsContractError,
    inspect_file,
)
from flows.load.actuals_stage import stage_file
from flows.load.file_hashes import FileHashes, FileIdentity
from flows.load.raw_tables import ACTUALS_TABLES, ddl
from flows.warehouse.db import scalar

# DuckDB's own memory during a load; with Python, Arrow and the CSV reader's buffers the
# process peaks near 1.5x this (benchmarks/bench_actuals_load.py measures it).

__all__ = ["DDL", "ActualsContractError", "ActualsLoadResult", "load_actuals"]

DDL = ddl(ACTUALS_TABLES)  # the actuals tables, as flows/load/raw_tables.py declares them

_LAND = f"""
insert into raw.actuals
select $file as file, line, malformed, {", ".join(CONTRACT_COLUMNS)}
from _actuals_rows
"""


@dataclass(frozen=True)
class ActualsLoadResult:
    """What one load did: files loaded (their rows landed), skipped (unchanged sha256), rejected
    (broke the contract: nothing landed) and removed (gone from raw/actuals: rows dropped)."""

    files_seen: int
    files_loaded: int
    files_skipped: int
    rows_landed: int
    files_rejected: int = 0
    files_removed: int = 0
    notes: tuple[str, ...] = ()  # what in the folder is not read (subfolders), for the summary

    def as_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in asdict(self).items() if k != "notes"}


def _last_shas(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Each audited file's sha256 as its latest audit row has it (before tonight's load)."""
    rows = con.execute(f"select file, sha256 from ({LATEST_AUDIT}) as latest").fetchall()
    return dict(rows)


def _audit(
    con: duckdb.DuckDBPyConnection,
    file: str,
    sha256: str | None,
    status: str,
    rows_in: int,
    *,
    error: ActualsContractError | None = None,
    detail: str | None = None,
) -> None:
    con.execute(
        "insert into raw.actuals_load_audit values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file,
            sha256,
            status,
            rows_in,
            datetime.now(UTC).replace(tzinfo=None),
            error.line if error else None,
            error.reason if error else None,
            str(error) if error else detail,
        ],
    )


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection, file: str) -> Iterator[None]:
    """Replace a file's rows in one transaction: its earlier rows go, the new ones come."""
    con.execute("begin")
    try:
        con.execute("delete from raw.actuals where file = ?", [file])
        yield
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop view if exists _actuals_rows")
        con.execute("drop table if exists _actuals_stage")


def _count_lines(path: Path) -> int:
    """Data lines of a file (a last line without a newline counts; the header does not)."""
    lines, last = 0, b"\n"
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def load_actuals(
    con: duckdb.DuckDBPyConnection,
    actuals_dir: Path,
    *,
    memory_limit: str | None = None,
    hashes: FileHashes | None = None,
) -> ActualsLoadResult:
    """Land every *.csv in actuals_dir in raw.actuals, incrementally by file content hash. A
    file's `file` is its name relative to actuals_dir. memory_limit caps DuckDB's memory for
    the load (it spills to disk beyond it; default: the night's, EDUPLAN_DUCKDB_MEMORY_LIMIT) and
    is restored afterwards. `hashes`: the files' hashes known tonight (default: those the
    warehouse remembers); they are written back to the warehouse for the next night."""
    hashes = hashes if hashes is not None else FileHashes.read(con)
    with _memory_limit(con, memory_limit or duckdb_memory_limit()):
        result = _load_all(con, actuals_dir, hashes)
        hashes.write(con)
    return result


@contextmanager
def _memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    if limit is None:
        yield
        return
    before = scalar(con, "select current_setting('memory_limit')")
    con.execute(f"set memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{before}'")


# Files that look like actuals but are not read: refused by name (not silently passed over).
REFUSED_SUFFIXES = {
    ".xlsx": "an Excel workbook: actuals are read from CSV (UTF-8); save the sheet as "
    "CSV UTF-8 beside it. Refused, not read",
    ".xls": "an Excel workbook: actuals are read from CSV (UTF-8); save the sheet as "
    "CSV UTF-8 beside it. Refused, not read",
}


def _reject(con: duckdb.DuckDBPyConnection, file: str, message: str, reason: str) -> None:
    error = ActualsContractError(file, None, message, reason=reason)
    with _transaction(con, file):
        _audit(con, file, None, "rejected", 0, error=error)


_FILES_ON_RECORD = f"""
with latest as (
    {LATEST_OUTCOME}
),

final as (
    select file from latest where status <> 'removed'
    union
    select distinct file from raw.actuals
)

select file from final order by file
"""


def _load_all(
    con: duckdb.DuckDBPyConnection, actuals_dir: Path, hashes: FileHashes
) -> ActualsLoadResult:
    con.execute(DDL)
    listing = list_inputs(actuals_dir, [".csv"], refuse=REFUSED_SUFFIXES)
    paths = listing.files
    names = {shown_name(p, actuals_dir) for p in paths} | {n for n, _, _ in listing.refused}
    totals = dict(loaded=0, skipped=0, rejected=0, removed=0, rows=0)
    last_shas = _last_shas(con)
    for file, why, kind in listing.refused:  # (a GBK name, a workbook: not read at all)
        _reject(con, file, why, "not_utf8" if kind == "name" else "not_csv")
        totals["rejected"] += 1
    for path in paths:
        file = path.relative_to(actuals_dir).as_posix()
        try:
            checked_input(path, actuals_dir)
        except InputFileError as refused:  # (a link out of raw/actuals: not read at all)
            _reject(con, file, refused.message, "not_csv")
            totals["rejected"] += 1
            continue
        identity = FileIdentity.of(path)
        sha = hashes.sha256(path)
        if sha == last_shas.get(file):
            _audit(con, file, sha, "skipped", 0, detail="unchanged since its last load")
            totals["skipped"] += 1
            continue
        try:  # staged outside the transaction; only the writes share it
            info = inspect_file(path, file, sha256=sha)  # (hashed once, not twice)
            if FileIdentity.of(path) != identity:  # changed since it was hashed: hash it again
                info = inspect_file(path, file)
            rows = stage_file(con, path, file, info)
        except ActualsContractError as error:
            with _transaction(con, file):
                _audit(con, file, sha, "rejected", _count_lines(path), error=error)
            totals["rejected"] += 1
            continue
        with _transaction(con, file):
            con.execute(_LAND, {"file": file})
            _audit(con, file, info.sha256, "loaded", rows)
        totals["loaded"] += 1
        totals["rows"] += rows
    # a file gone from raw/actuals: its rows go, and so does its rejection (a full refresh of
    # the same folder would know nothing of it either)
    for (file,) in con.execute(_FILES_ON_RECORD).fetchall():
        if file not in names:
            with _transaction(con, file):
                _audit(con, file, None, "removed", 0, detail="file no longer in raw/actuals")
            totals["removed"] += 1
    return ActualsLoadResult(
        files_seen=len(names),
        files_loaded=totals["loaded"],
        files_skipped=totals["skipped"],
        rows_landed=totals["rows"],
        files_rejected=totals["rejected"],
        files_removed=totals["removed"],
        notes=tuple(listing.notes),
    )
