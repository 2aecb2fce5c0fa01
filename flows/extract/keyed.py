"""Hand-keyed plan cells (`raw/plans/NAME.cells.csv`) -> the same rows as an extracted document.

When no reader gets a plan table right, a person keys it (or corrects `eduplan extract --out`'s
plan_cells.csv) in the columns of plan_cells.csv; the facts come from `NAME.toml` beside it. The
file is checked like an actuals file (docs/formats.md, "Hand-keyed cells"): UTF-8, the header, then
every row (year, role, comparator, value, attribute, ...). A file with any problem is refused
whole, naming the file, the line and what was wrong for every problem found; nothing of it loads.

The columns are plan_cells.csv's (`output.PLAN_CELL_SCHEMA`, declared once); a loaded cell cites
the hand-keyed file: `source_file` is NAME.cells.csv and `line` the row's line in it, while
`source_ref` keeps where the figure sits in the published document, as the keyer wrote it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flows.controlled_vocabulary import vocabulary
from flows.extract.facts import document_facts, read_metadata
from flows.extract.keyed_contract import (
    COLUMNS,
    MAX_PROBLEMS,
    REQUIRED_COLUMNS,
    KeyedCellsError,
    check_header,
    check_row,
    read_records,
    rows_problems,
    typed,
)
from flows.extract.models import ExtractedDocument, PlanCell, PlanTableError, TableInfo
from flows.extract.plan_files import KEYED_SUFFIX, is_keyed, metadata_path
from flows.extract.plan_text import read_text  # one rule for plan text: UTF-8, BOM optional

__all__ = ["KEYED_SUFFIX", "REQUIRED_COLUMNS", "KeyedCellsError", "is_keyed", "read_keyed"]


def _period(cells: list[PlanCell], document: tuple[int, int] | None) -> tuple[int, int] | None:
    """A table's plan period: the document's (NAME.toml) when it ends at the table's target
    year; else the five years ending there (these are five-year plans); a table without a
    target takes the document's period."""
    targets = [cell.year for cell in cells if cell.role == "target"]
    if not targets:
        return document
    end = max(targets)
    if document is not None and document[1] == end:
        return document
    return end - 4, end


def read_keyed(path: Path) -> ExtractedDocument:
    """Check and read one hand-keyed cells file; KeyedCellsError (naming file, line and every
    problem) when any row breaks the contract."""
    if not is_keyed(path):
        raise KeyedCellsError(str(path), None, f"hand-keyed cells files end in {KEYED_SUFFIX}")
    try:
        text = read_text(path)
    except PlanTableError as error:
        raise KeyedCellsError(error.file, error.line, error.message) from None
    header, records = read_records(path, text)
    check_header(path, header)
    problems: list[tuple[int | None, str]] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for line, record in records:
        if len(record) != len(header):
            problems.append((line, f"{len(record)} fields, the header has {len(header)}"))
            continue
        row = {name: field.strip() for name, field in zip(header, record, strict=True)}
        problems += [(line, what) for _, what in check_row(row)]
        rows.append((line, row))
    problems += rows_problems(rows)
    documents = sorted({row["doc"] for _, row in rows if row.get("doc")})
    if len(documents) > 1:
        problems.append(
            (
                rows[0][0],
                f"rows of {len(documents)} documents ({', '.join(documents)}): "
                "one NAME.cells.csv per plan",
            )
        )
    if not rows and not problems:
        problems.append((2, "no rows: a hand-keyed plan has at least one cell"))
    document = None if problems else _document(path, rows, documents, problems)
    if problems:
        problems.sort(key=lambda problem: problem[0] or 0)  # file order; the whole file's first
        shown = [
            f"{path}:{line}: {what}" if line else f"{path}: {what}"
            for line, what in problems[:MAX_PROBLEMS]
        ]
        more = len(problems) - len(shown)
        message = problems[0][1] + "; the file is refused whole (nothing of it loads)"
        if len(problems) > 1:
            message += "\n  " + "\n  ".join(shown) + (f"\n  ... {more} more" if more else "")
        raise KeyedCellsError(str(path), problems[0][0], message)
    assert document is not None
    return document


def _document(
    path: Path,
    rows: list[tuple[int, dict[str, str]]],
    documents: list[str],
    problems: list[tuple[int | None, str]],
) -> ExtractedDocument | None:
    """The rows as an extracted document, facts from NAME.toml; adds to `problems` what only
    the whole file shows (a table with no period, a year outside it, no region)."""
    metadata = read_metadata(path)
    if documents and not metadata.get("source_document"):
        metadata = {**metadata, "source_document": documents[0]}
    facts = document_facts(path.name, [], metadata)
    comparators = vocabulary("comparator")
    cells: list[PlanCell] = []
    for order, (line, row) in enumerate(rows, start=1):
        values = {name: typed(row, name, dtype) for name, dtype in COLUMNS.items()}
        ref = row["source_ref"]
        values.update(
            doc=path.name,
            table=int(row["table"]),
            row_order=int(row["row_order"]) if row.get("row_order") else order,
            year=int(row["year"]),
            comparator=comparators.get(row["comparator"]) if row["comparator"] else None,
            line=line,
            # where the published document prints it, naming the document when the row does
            source_ref=f"{row['doc']}: {ref}" if row.get("doc") else ref,
        )
        cells.append(PlanCell(**values))  # type: ignore[arg-type]
    declared_period = (
        (facts.period_start_year, facts.period_end_year)
        if facts.period_start_year and facts.period_end_year
        else None
    )
    periods = {
        number: _period([c for c in cells if c.table == number], declared_period)
        for number in sorted({cell.table for cell in cells})
    }
    for number, period in periods.items():
        table_cells = [c for c in cells if c.table == number]
        if period is None:
            problems.append(
                (
                    table_cells[0].line,
                    f"table {number} has no target year and {metadata_path(path).name} gives "
                    "no period_start_year / period_end_year: its plan period is unknown",
                )
            )
            continue
        problems += [
            (
                c.line,
                f"year {c.year} is outside table {number}'s plan period {period[0]}-"
                f"{period[1]} (a baseline may be the year before it)",
            )
            for c in table_cells
            if not period[0] - 1 <= c.year <= period[1] + 1
        ]
    if not facts.region_code:
        problems.append((None, f"{metadata_path(path).name} beside it gives no region_code"))
    if problems:
        return None
    known = [p for p in periods.values() if p is not None]
    if declared_period is None and known:  # the plan's period: its latest table's
        latest = max(known, key=lambda p: p[1])
        sources = {"period_start_year": "cells", "period_end_year": "cells"}
        facts = replace(
            facts,
            period_start_year=latest[0],
            period_end_year=latest[1],
            fact_sources={**facts.fact_sources, **sources},
        )
    tables = [
        TableInfo(
            doc=path.name,
            table=number,
            kind="indicators",
            title=None,
            header_line=1,
            last_line=max(c.line or 0 for c in cells if c.table == number),
            period_start_year=period[0] if period else None,
            period_end_year=period[1] if period else None,
            header_ref="line 1",
        )
        for number, period in periods.items()
    ]
    return ExtractedDocument(facts=facts, tables=tables, cells=cells, milestones=[])


def explain_keyed(path: Path) -> tuple[str, bool]:
    """What `eduplan extract --explain` says of a hand-keyed file: each table's period and cell
    count, or every problem that refuses it."""
    try:
        document = read_keyed(path)
    except KeyedCellsError as error:
        return f"{path} (hand-keyed cells): refused\nERROR {error}", False
    out = [
        f"{path} (hand-keyed cells): {len(document.cells)} cells, "
        f"facts from {metadata_path(path).name}"
    ]
    for table in document.tables:
        cells = [c for c in document.cells if c.table == table.table]
        roles = ", ".join(
            f"{n} {role}"
            for role in dict.fromkeys(c.role for c in cells)
            if (n := sum(c.role == role for c in cells))
        )
        out.append(
            f"table {table.table}: period {table.period_start_year}-{table.period_end_year}, "
            f"{len(cells)} cells ({roles})"
        )
    return "\n".join(out), True
