"""The digests of a yearly mart (rows and the sum of their rows' hashes, year by year) that "what
changed" compares (flows/report/changes.py), remembered beside the warehouse for the next night.

Tonight's published file is tomorrow's previous one (a hard link in history/: the same file,
untouched), so the digests computed for it tonight are read back tomorrow instead of scanning its
10-million-row fact again. A remembered digest is used only for the very file it was computed on:
it is keyed on the file's identity (device, inode, size, modification time in nanoseconds) and
DuckDB's version (its `hash`), and on the table and the columns hashed. A file written since (any
DuckDB write changes its size or time) or a new column is scanned again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import duckdb

from flows.warehouse.db import sql_identifier
from flows.warehouse.layout import WarehouseLayout

Digest = dict[int | None, tuple[int, int]]  # year -> (rows, sum of the rows' hashes)
FILE_NAME = ".year_digests.json"  # in the report's folder beside the warehouse


def digest_file(warehouse: Path) -> Path:
    """Where the digests of a warehouse's files are remembered."""
    return WarehouseLayout(Path(warehouse)).report_dir / FILE_NAME


def file_identity(path: Path) -> str:
    """The file as it is now: a write, a copy or another file in its place changes this."""
    st = Path(path).stat()
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:duckdb {duckdb.__version__}"


def year_digest(
    con: duckdb.DuckDBPyConnection, relation: tuple[str, ...], columns: list[str]
) -> Digest:
    """One aggregate pass over a table (database, schema, name): its rows and the sum of their
    hashes, year by year."""
    cols = ", ".join(sql_identifier(c) for c in columns)
    table = sql_identifier(*relation)
    rows = con.execute(f"""
        with
        final as (
            select year, count(*) as n, sum(hash({cols})::hugeint) as h
            from {table}
            group by year
        )
        select * from final
    """).fetchall()  # fmt: skip
    return {year: (int(n), int(h)) for year, n, h in rows}


class YearDigests:
    """The digests remembered for a comparison's files, read once and written back with those
    computed tonight (atomically; only the files of the comparison are kept)."""

    def __init__(self, store: Path, files: dict[str, Path]) -> None:
        self.store = store
        self.identities = {name: file_identity(path) for name, path in files.items()}
        self.computed = 0  # digests computed by scanning (not read back)
        try:
            known = json.loads(store.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        # a file of another shape (edited, or written by another version) is not read
        self.known: dict[str, Any] = {
            i: t for i, t in known.items() if isinstance(t, dict)
        } if isinstance(known, dict) else {}  # fmt: skip

    def get(
        self, con: duckdb.DuckDBPyConnection, side: str, table: str, columns: list[str]
    ) -> Digest:
        """The digest of `table` in the file attached as `side`: remembered, else computed."""
        entry = f"{table}\n" + "\n".join(columns)
        tables = self.known.setdefault(self.identities[side], {})
        if entry in tables:
            try:
                return {year: (int(n), int(h)) for year, n, h in tables[entry]}
            except (TypeError, ValueError):
                pass  # not a digest: computed again
        digest = year_digest(con, (side, "marts", table), columns)
        self.computed += 1
        tables[entry] = [[year, n, h] for year, (n, h) in digest.items()]
        return digest

    def save(self) -> None:
        """Keep the digests of this comparison's files only; a failure to write is harmless
        (the next night scans again)."""
        kept = {i: self.known[i] for i in self.identities.values() if i in self.known}
        staged = self.store.with_name(f".{self.store.name}.{os.getpid()}.tmp")
        try:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(json.dumps(kept), encoding="utf-8")
            staged.replace(self.store)
        except OSError:
            staged.unlink(missing_ok=True)
