"""Which raw schema a warehouse file was built with, and when: a published file built with other
raw table definitions cannot be carried over into tonight's build (its tables would lack
columns). Kept apart from flows/load/warehouse.py, which the loaders import: this module imports
the loaders (for their DDL), so that no module imports its own callers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from flows.load import actuals, plans
from flows.load.warehouse import open_warehouse, scalar

BUILD_INFO_DDL = """
create schema if not exists eduplan;
create or replace table eduplan.build_info (
    raw_schema varchar not null, built_at timestamp not null
);
"""


def raw_schema_fingerprint() -> str:
    """A hash of the raw tables' definitions (the loaders' DDL)."""
    return hashlib.sha256((plans.DDL + actuals.DDL).encode()).hexdigest()[:16]


def stamp_build(con: duckdb.DuckDBPyConnection) -> None:
    """Record which raw schema this build has, and when it was built."""
    con.execute(BUILD_INFO_DDL)
    con.execute(
        "insert into eduplan.build_info values (?, current_timestamp::timestamp)",
        [raw_schema_fingerprint()],
    )


def build_raw_schema(path: Path) -> str | None:
    """The raw schema fingerprint a warehouse file was built with (None if unknown)."""
    with open_warehouse(path, read_only=True) as con:
        try:
            return str(scalar(con, "select raw_schema from eduplan.build_info"))
        except duckdb.CatalogException:
            return None
