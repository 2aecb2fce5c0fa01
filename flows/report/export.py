"""`eduplan export`: the marts as Parquet or CSV files, for BI tools without a DuckDB driver.

Parquet comes straight from DuckDB's COPY. CSV is written row by row so that a cell a
spreadsheet would run as a formula (beginning with = + - @, or a tab or carriage return) is
escaped with a leading apostrophe (OWASP "CSV injection"); numbers are left as numbers (-0.5
stays a number). `bom=True` writes UTF-8 with a byte-order mark, which Excel needs to read
Chinese text from a CSV correctly. The warehouse is opened read-only.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from flows.warehouse.db import connect

FORMATS = ("parquet", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 10_000


@dataclass(frozen=True)
class ExportedTable:
    table: str
    path: Path
    rows: int


def escape_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text beginning with a formula character gets a
    leading apostrophe; numbers, dates and NULLs are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return escape_cell(value)


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def _write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path, *, bom: bool) -> int:
    result = con.execute(f'select * from marts."{table}"')
    header = [d[0] for d in result.description]
    rows = 0
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        while batch := result.fetchmany(_BATCH):
            writer.writerows([_cell(v) for v in row] for row in batch)
            rows += len(batch)
    return rows


def export_marts(
    warehouse: Path, out: Path, *, fmt: str = "parquet", bom: bool = False
) -> list[ExportedTable]:
    """Write every mart of `warehouse` to out/<table>.<fmt> (each file replaced atomically)."""
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not Path(warehouse).exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    out.mkdir(parents=True, exist_ok=True)
    exported = []
    con = connect(warehouse, read_only=True)
    try:
        for table in mart_tables(con):
            path = out / f"{table}.{fmt}"
            staged = path.with_name(f".{path.name}.tmp")
            if fmt == "parquet":
                target = str(staged).replace("'", "''")  # a path is a string literal here
                con.execute(
                    f"copy (select * from marts.\"{table}\") to '{target}' (format parquet)"
                ).fetchall()
                rows = int(con.execute(f'select count(*) from marts."{table}"').fetchall()[0][0])
            else:
                rows = _write_csv(con, table, staged, bom=bom)
            os.replace(staged, path)
            exported.append(ExportedTable(table, path, rows))
    finally:
        con.close()
    return exported
