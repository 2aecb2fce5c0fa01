"""Extracted rows -> Polars frames and the CSV files of `eduplan extract`."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path

import polars as pl

from flows.extract.models import (
    Commitment,
    DocumentFacts,
    ExtractedDocument,
    Milestone,
    PlanCell,
    TableInfo,
)

PLAN_CELL_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.String(),
    "table": pl.Int32(),
    "row_order": pl.Int32(),
    "category": pl.String(),
    "indicator": pl.String(),
    "breakdown": pl.String(),
    "unit": pl.String(),
    "year": pl.Int32(),
    "role": pl.String(),
    "raw_value": pl.String(),
    "comparator": pl.String(),
    "value": pl.String(),
    "attribute": pl.String(),
    "evaluation": pl.String(),
    "line": pl.Int32(),
    "value_upper": pl.String(),
    "is_approximate": pl.Boolean(),
    "source_ref": pl.String(),
    "needs_review": pl.String(),
    "is_cumulative": pl.Boolean(),
}
MILESTONE_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.String(),
    "program": pl.String(),
    "year": pl.Int32(),
    "region": pl.String(),
    "milestone_text": pl.String(),
    "line": pl.Int32(),
    "source_ref": pl.String(),
}
TABLE_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.String(),
    "table": pl.Int32(),
    "kind": pl.String(),
    "title": pl.String(),
    "header_line": pl.Int32(),
    "last_line": pl.Int32(),
    "period_start_year": pl.Int32(),
    "period_end_year": pl.Int32(),
    "header_ref": pl.String(),
}
DOCUMENT_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.String(),
    "title": pl.String(),
    "document_number": pl.String(),
    "issuer": pl.String(),
    "issued_on": pl.Date(),
    "period_start_year": pl.Int32(),
    "period_end_year": pl.Int32(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "source_document": pl.String(),
}

COMMITMENT_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.String(),
    "line": pl.Int32(),
    "quote": pl.String(),
    "subject": pl.String(),
    "comparator": pl.String(),
    "value": pl.String(),
    "value_upper": pl.String(),
    "unit": pl.String(),
    "year": pl.Int32(),
    "year_basis": pl.String(),
    "is_change": pl.Boolean(),
    "per": pl.String(),
    "direction": pl.String(),
    "is_approximate": pl.Boolean(),
    "section": pl.String(),
    "source_ref": pl.String(),
}

assert list(COMMITMENT_SCHEMA) == [f.name for f in fields(Commitment)]
assert list(PLAN_CELL_SCHEMA) == [f.name for f in fields(PlanCell)]
assert list(MILESTONE_SCHEMA) == [f.name for f in fields(Milestone)]
assert list(TABLE_SCHEMA) == [f.name for f in fields(TableInfo)]


def _frame(rows: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def cells_frame(documents: list[ExtractedDocument]) -> pl.DataFrame:
    return _frame([asdict(c) for d in documents for c in d.cells], PLAN_CELL_SCHEMA)


def milestones_frame(documents: list[ExtractedDocument]) -> pl.DataFrame:
    return _frame([asdict(m) for d in documents for m in d.milestones], MILESTONE_SCHEMA)


def tables_frame(documents: list[ExtractedDocument]) -> pl.DataFrame:
    return _frame([asdict(t) for d in documents for t in d.tables], TABLE_SCHEMA)


def _facts_row(facts: DocumentFacts) -> dict[str, object]:
    return {key: getattr(facts, key) for key in DOCUMENT_SCHEMA}


def documents_frame(documents: list[ExtractedDocument]) -> pl.DataFrame:
    return _frame([_facts_row(d.facts) for d in documents], DOCUMENT_SCHEMA)


def commitments_frame(documents: list[ExtractedDocument]) -> pl.DataFrame:
    """Targets stated in prose: one row per number a document's body text commits to."""
    return _frame([asdict(c) for d in documents for c in d.commitments], COMMITMENT_SCHEMA)


def write_csvs(documents: list[ExtractedDocument], out: Path) -> dict[str, int]:
    """Write plan_cells.csv, milestones.csv, plan_tables.csv, plan_documents.csv and
    prose_targets.csv (the body text's commitments) to `out`."""
    out.mkdir(parents=True, exist_ok=True)
    frames = {
        "plan_cells": cells_frame(documents),
        "milestones": milestones_frame(documents),
        "plan_tables": tables_frame(documents),
        "plan_documents": documents_frame(documents),
        "prose_targets": commitments_frame(documents),
    }
    for name, frame in frames.items():
        frame.write_csv(out / f"{name}.csv")
    return {name: frame.height for name, frame in frames.items()}
