"""The one way a warehouse (or an in-memory scratch) DuckDB is opened, and Arrow tables in and
out of it.

Every DuckDB a night opens is capped at duckdb_memory_limit() (EDUPLAN_DUCKDB_MEMORY_LIMIT; DuckDB
spills to disk beyond it): the loader, the gates (through `gx_url`), the comparison with the night
before, the report, the health check. dbt reads the same limit from its profile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from flows.config import duckdb_memory_limit


def connect(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to `path` (None: in memory), capped at the night's memory limit.

    The cap is set after connecting rather than passed as config: DuckDB refuses a second
    connection to an open file with a different config, and a test may hold one."""
    con = duckdb.connect(":memory:" if path is None else str(path), read_only=read_only)
    try:
        con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
    except BaseException:
        con.close()
        raise
    return con


def gx_url(path: Path | str) -> str:
    """Great Expectations' connection string for a warehouse file, capped like the others
    (duckdb-engine passes the URL's query to DuckDB's config)."""
    return f"duckdb:///{path}?memory_limit={duckdb_memory_limit()}"


@contextmanager
def open_warehouse(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file, closed (and so checkpointed) on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=read_only)
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
    finally:
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
