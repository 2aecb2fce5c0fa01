"""Extracted plan documents -> raw.plan_documents, raw.plan_tables, raw.plan_cells,
raw.plan_milestones, raw.plan_commitments (targets stated in prose). Every night the plan rows
are replaced as a whole: the files in raw/plans are the truth, and a removed file takes its rows
with it."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from flows.config import REPO_ROOT
from flows.extract import ExtractedDocument
from flows.extract.output import (
    cells_frame,
    commitments_frame,
    documents_frame,
    milestones_frame,
    tables_frame,
)
from flows.extract.plan_files import plan_stem
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
    return PlanSource(plan_stem(path), shown, hashlib.sha256(path.read_bytes()).hexdigest())


@dataclass(frozen=True)
class PlanSelection:
    """The plan documents a night loads, one per plan, and what was said about the others."""

    documents: list[ExtractedDocument]
    sources: dict[str, PlanSource]
    warnings: list[str]  # a copy left out: the night goes on
    errors: list[str]  # two different files claim one plan id: the night cannot choose


def one_per_plan(
    documents: list[ExtractedDocument], sources: dict[str, PlanSource]
) -> PlanSelection:
    """The rule for duplicate plans, stated once: two files with the same region, the same
    period and the same content (sha256) are one plan: the first by file name is loaded, the
    other named in a warning. Two files that still share a plan id (the file stem, e.g.
    `x.txt` and `x.md`) but differ in content are both refused by name: which is the plan is
    for a person to say."""
    kept: dict[tuple[object, ...], str] = {}
    warnings: list[str] = []
    chosen: list[ExtractedDocument] = []
    for document in sorted(documents, key=lambda d: d.facts.doc):
        facts, source = document.facts, sources[document.facts.doc]
        key = (facts.region_code, facts.period_start_year, facts.period_end_year, source.sha256)
        if key in kept:
            warnings.append(
                f"{source.source_file}: the same plan as {sources[kept[key]].source_file} "
                f"(region {facts.region_code}, {facts.period_start_year}-"
                f"{facts.period_end_year}, identical content sha256 {source.sha256[:12]}): "
                f"not loaded twice; only {sources[kept[key]].source_file} is. Remove one"
            )
            continue
        kept[key] = facts.doc
        chosen.append(document)
    by_id: dict[str, list[str]] = {}
    for document in chosen:
        by_id.setdefault(sources[document.facts.doc].plan_id, []).append(document.facts.doc)
    errors = [
        f"{', '.join(sources[d].source_file for d in docs)}: {len(docs)} different plan files "
        f"share the plan id {plan_id!r} (the file name without its suffix); rename or remove "
        "all but one"
        for plan_id, docs in by_id.items()
        if len(docs) > 1
    ]
    clashing = {d for docs in by_id.values() if len(docs) > 1 for d in docs}
    chosen = [d for d in chosen if d.facts.doc not in clashing]
    return PlanSelection(
        chosen, {d.facts.doc: sources[d.facts.doc] for d in chosen}, warnings, errors
    )


# The raw gate's rule (expectations/raw_suites.py): a plan cell's year lies inside its table's
# period or one year next to it (a baseline year before it). Checked here too, per table, so that
# one table the gate would refuse is refused by name instead of blocking the whole night.
PERIOD_SLACK_YEARS = 1


def loadable_plans(
    documents: list[ExtractedDocument], sources: dict[str, PlanSource]
) -> PlanSelection:
    """Refuse by name, before the raw gate would stop the night for them: a plan whose region
    or period is unknown (the plan), and a table with a year column outside its period (the
    table: e.g. a 2035 long-range 远景 column beside a 2021-2025 plan's, which is not read yet).
    The rest of the plan and the night go on."""
    kept: list[ExtractedDocument] = []
    warnings: list[str] = []
    for document in documents:
        facts, source = document.facts, sources[document.facts.doc]
        missing = [what for what, value in (("region code", facts.region_code),
                                            ("period start year", facts.period_start_year),
                                            ("period end year", facts.period_end_year))
                   if value is None]  # fmt: skip
        if missing:
            warnings.append(
                f"{source.source_file}: no {', '.join(missing)} found in its text or in "
                f"{Path(source.source_file).with_suffix('.toml').name}: the plan is not loaded "
                '(add region_code = "..." / period = "2021-2025" to that file)'
            )
            continue
        refused: dict[int, list[int]] = {}
        periods = {t.table: (t.period_start_year, t.period_end_year) for t in document.tables}
        for cell in document.cells:
            start, end = periods.get(cell.table, (None, None))
            if (
                start is None
                or end is None
                or not start - PERIOD_SLACK_YEARS <= cell.year <= end + PERIOD_SLACK_YEARS
            ):
                refused.setdefault(cell.table, []).append(cell.year)  # fmt: skip
        for table, years in sorted(refused.items()):
            start, end = periods.get(table, (None, None))
            header = next((t.header_ref or f"line {t.header_line}"
                           for t in document.tables if t.table == table), "?")  # fmt: skip
            period = f"{start}-{end}" if start is not None else "unknown"
            warnings.append(
                f"{source.source_file}: table {table} ({header}) has year column(s) "
                f"{', '.join(map(str, sorted(set(years))))} outside its period {period} (a "
                "long-range column such as 2035 is not read yet): the table is not loaded; the "
                "rest of the plan is"
            )
        if refused:
            document = dataclasses.replace(
                document,
                cells=[c for c in document.cells if c.table not in refused],
                tables=[t for t in document.tables if t.table not in refused],
            )
        kept.append(document)
    chosen = {d.facts.doc for d in kept}
    return PlanSelection(kept, {k: v for k, v in sources.items() if k in chosen}, warnings, [])


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
            "plan_commitments": replace_rows(
                con,
                "raw.plan_commitments",
                _with_source(commitments_frame(documents), sources, file=True).with_columns(
                    pl.int_range(1, pl.len() + 1).over("doc").cast(pl.Int32).alias("commitment_no")
                ),
            ),
        }
        con.execute("COMMIT")
    except Exception:
        with contextlib.suppress(duckdb.Error):  # (the error that aborted it is the one to see)
            con.execute("ROLLBACK")
        raise
    return counts
