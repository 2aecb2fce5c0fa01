"""Opening a warehouse file for writing, and Arrow tables in and out of it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl


@contextmanager
def open_warehouse(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, closed (and so checkpointed) on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, *, where: str = "true"
) -> int:
    """Delete the rows matching `where` from `table` and insert `frame` (columns by name)."""
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("_eduplan_rows", frame.to_arrow())
    try:
        con.execute(f"delete from {table} where {where}")
        con.execute(f"insert into {table} ({columns}) select {columns} from _eduplan_rows")
    except duckdb.Error:
        # in a failed transaction the unregister fails too ("Current transaction is aborted"):
        # that must not hide the error that says what was wrong (e.g. a duplicate key)
        with contextlib.suppress(duckdb.Error):
            con.unregister("_eduplan_rows")
        raise
    con.unregister("_eduplan_rows")
    return frame.height


def table_counts(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    """Row counts of every table in a schema, by table name."""
    names = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [schema],
    ).fetchall()
    return {name: scalar(con, f'select count(*) from "{schema}"."{name}"') for (name,) in names}


def scalar(
    con: duckdb.DuckDBPyConnection, query: str, params: list[object] | None = None
) -> object:
    """The single value a query returns. (duckdb 2.0: a result read with fetchone() stays open
    and blocks the connection, so results are always read whole.)"""
    rows = con.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


def write_stamp(con: duckdb.DuckDBPyConnection, table: str, column: str, value: str) -> None:
    """Record one fact a build keeps about itself, `eduplan.<table>(<column>, built_at)`,
    replacing the earlier one (table and column are names from code, never from input)."""
    con.execute(
        f"create schema if not exists eduplan; create or replace table eduplan.{table} "
        f"({column} varchar not null, built_at timestamp not null)"
    )
    con.execute(f"insert into eduplan.{table} values (?, current_timestamp::timestamp)", [value])


def read_stamp(path: Path, table: str, column: str) -> str | None:
    """The fact write_stamp recorded in a warehouse file (None: never recorded)."""
    with open_warehouse(path, read_only=True) as con:
        try:
            return str(scalar(con, f"select {column} from eduplan.{table}"))
        except duckdb.CatalogException:
            return None
