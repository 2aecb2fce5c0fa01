"""Extracted plan documents -> raw.plan_documents, raw.plan_tables, raw.plan_cells,
raw.plan_milestones. Every night the plan rows are replaced as a whole: the files in raw/plans are
the truth, and a removed file takes its rows with it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from flows.config import REPO_ROOT
from flows.extract import ExtractedDocument
from flows.extract.output import cells_frame, documents_frame, milestones_frame, tables_frame
from flows.load.raw_tables import PLAN_TABLES, ddl
from flows.warehouse.db import replace_rows

DDL = ddl(PLAN_TABLES)  # the plan tables, as flows/load/raw_tables.py declares them


@dataclass(frozen=True)
class PlanSource:
    """A plan file as loaded: its id (file stem), repo-relative path and content hash."""

    plan_id: str
    source_file: str
    sha256: str


def plan_source(path: Path) -> PlanSource:
    resolved = path.resolve()
    try:
        shown = resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        shown = resolved.as_posix()
    return PlanSource(path.stem, shown, hashlib.sha256(path.read_bytes()).hexdigest())


def _with_source(
    frame: pl.DataFrame, sources: dict[str, PlanSource], *, file: bool
) -> pl.DataFrame:
    plan_ids = {doc: s.plan_id for doc, s in sources.items()}
    files = {doc: s.source_file for doc, s in sources.items()}
    extra = [pl.col("doc").replace_strict(plan_ids, return_dtype=pl.String).alias("plan_id")]
    if file:
        extra.append(
            pl.col("doc").replace_strict(files, return_dtype=pl.String).alias("source_file")
        )
    return frame.with_columns(extra)


def load_plans(
    con: duckdb.DuckDBPyConnection,
    documents: list[ExtractedDocument],
    sources: dict[str, PlanSource],
) -> dict[str, int]:
    """Replace every plan row in the raw schema; returns rows written per table."""
    con.execute(DDL)
    docs = _with_source(documents_frame(documents), sources, file=True).with_columns(
        pl.col("doc").replace_strict({d: s.sha256 for d, s in sources.items()}).alias("sha256"),
        pl.lit(datetime.now(UTC).replace(tzinfo=None)).alias("loaded_at"),
    )
    con.execute("BEGIN")
    try:
        counts = {
            "plan_documents": replace_rows(con, "raw.plan_documents", docs),
            "plan_tables": replace_rows(
                con,
                "raw.plan_tables",
                _with_source(tables_frame(documents), sources, file=False).rename(
                    {"table": "table_no"}
                ),
            ),
            "plan_cells": replace_rows(
                con,
                "raw.plan_cells",
                _with_source(cells_frame(documents), sources, file=True).rename(
                    {"table": "table_no"}
                ),
            ),
            "plan_milestones": replace_rows(
                con,
                "raw.plan_milestones",
                _with_source(milestones_frame(documents), sources, file=True),
            ),
        }
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return counts
