"""The one way a warehouse (or an in-memory scratch) DuckDB is opened, and Arrow tables in and
out of it.

Every DuckDB a night opens is capped at duckdb_memory_limit() (EDUPLAN_DUCKDB_MEMORY_LIMIT; DuckDB
spills to disk beyond it): the loader, the gates (through `gx_url`), the comparison with the night
before, the report, the health check. dbt reads the same limit from its profile."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from flows.config import duckdb_memory_limit

# The storage format every warehouse file is written in. DuckDB 2.0 writes format 69 by default,
# which every DuckDB 1.x reader refuses (the 1.x CLI, the Node client Evidence uses, JDBC...);
# this older format holds everything the marts use and DuckDB 1.1.0 and newer read it
# (tests/warehouse/test_bi_readers.py opens a published file with DuckDB 1.1.3). A file is only ever
# created by create_warehouse; every later connection keeps the format the file has.
STORAGE_VERSION = "v1.1.0"


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


def create_warehouse(path: Path) -> None:
    """Create an empty warehouse file at `path` in STORAGE_VERSION (replacing none: the caller
    removes a stale file first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        con.execute(f"attach '{_quoted(path)}' as created (storage_version '{STORAGE_VERSION}')")
        con.execute("detach created")
    finally:
        con.close()


def storage_version(path: Path) -> str:
    """The storage format a warehouse file is written in, as DuckDB names it ('v1.0.0+')."""
    con = connect()
    try:
        con.execute(f"attach '{_quoted(path)}' as probed (read_only)")
        rows = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'probed'"
        ).fetchall()
    finally:
        con.close()
    return str(rows[0][0]) if rows and rows[0][0] is not None else "unknown"


def readable_by_older_readers(version: str) -> bool:
    """True when a file's storage format is no newer than STORAGE_VERSION (so every reader
    STORAGE_VERSION is chosen for opens it)."""
    return _version_tuple(version) <= _version_tuple(STORAGE_VERSION)


def _version_tuple(version: str) -> tuple[int, ...]:
    digits = version.strip().lstrip("v").rstrip("+").split(".")
    try:
        return tuple(int(d) for d in digits)
    except ValueError:
        return (999,)  # unknown: treated as newer


def sql_literal(text: str | Path) -> str:
    """`text` (a path, a name) as a SQL string literal, its quotes doubled: the one way this
    package writes a value DuckDB cannot take as a parameter (ATTACH, COPY ... TO, read_parquet
    globs) into SQL text."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_identifier(*parts: str) -> str:
    """A (schema-qualified) name as quoted SQL identifiers: `"marts"."dim_plan"`."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _quoted(path: Path) -> str:
    return sql_literal(path)[1:-1]


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
