"""Which raw schema a warehouse file was built with, and when: a published file built with other
raw table definitions cannot be carried over into tonight's build (its tables would lack
columns). Kept apart from flows/warehouse/db.py, which the loaders import: this module imports
the loaders (for their DDL), so that no module imports its own callers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from flows.load import actuals, plans
from flows.warehouse.db import read_stamp, write_stamp


def raw_schema_fingerprint() -> str:
    """A hash of the raw tables' definitions (the loaders' DDL)."""
    return hashlib.sha256((plans.DDL + actuals.DDL).encode()).hexdigest()[:16]


def stamp_build(con: duckdb.DuckDBPyConnection) -> None:
    """Record which raw schema this build has, and when it was built (eduplan.build_info)."""
    write_stamp(con, "build_info", "raw_schema", raw_schema_fingerprint())


def build_raw_schema(path: Path) -> str | None:
    """The raw schema fingerprint a warehouse file was built with (None if unknown)."""
    return read_stamp(path, "build_info", "raw_schema")
