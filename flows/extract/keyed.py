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

import csv
import re
from dataclasses import fields, replace
from pathlib import Path

import polars as pl

from flows.extract.facts import document_facts, read_metadata
from flows.extract.models import ExtractedDocument, PlanCell, PlanTableError, TableInfo
from flows.extract.output import PLAN_CELL_SCHEMA
from flows.extract.plan_files import KEYED_SUFFIX, is_keyed, metadata_path
from flows.vocabulary import vocabulary

__all__ = ["KEYED_SUFFIX", "REQUIRED_COLUMNS", "KeyedCellsError", "is_keyed", "read_keyed"]

# What a cell cannot be loaded without; every other column of plan_cells.csv may be left out.
REQUIRED_COLUMNS = (
    "table",
    "indicator",
    "year",
    "role",
    "raw_value",
    "comparator",
    "value",
    "source_ref",
)
# Columns a newer plan_cells.csv carries before this checkout's PlanCell has them: accepted and
# checked, loaded once PlanCell declares them.
LATER_COLUMNS: dict[str, pl.DataType] = {"needs_review": pl.String(), "is_cumulative": pl.Boolean()}
COLUMNS: dict[str, pl.DataType] = {**LATER_COLUMNS, **PLAN_CELL_SCHEMA}
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_YEAR = re.compile(r"^\d{4}$")
_DIGIT = re.compile(r"[0-9０-９]")  # a number written in raw_value must be keyed in value
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")
MAX_PROBLEMS = 20  # listed in one refusal; the count of the rest follows


class KeyedCellsError(PlanTableError):
    """A hand-keyed cells file refused whole: the first problem's line, and every problem found
    (`file:line: what`) in the message."""


def _integer(text: str, *, positive: bool = True) -> str | None:
    if not text.isdigit() or (positive and int(text) < 1):
        return f"{text!r} is not a {'positive ' if positive else ''}whole number"
    return None


def _check(row: dict[str, str]) -> list[tuple[str, str]]:
    """(column, what was wrong) for every problem of one row."""
    problems: list[tuple[str, str]] = []
    roles, comparators = vocabulary("role"), vocabulary("comparator")
    table = row["table"]
    if (problem := _integer(table)) is not None:
        problems.append(("table", f"table {problem}"))
    for name in ("row_order", "line"):
        if row.get(name) and (problem := _integer(row[name])) is not None:
            problems.append((name, f"{name} {problem}"))
    if not row["indicator"]:
        problems.append(("indicator", "indicator is empty"))
    if not _YEAR.match(row["year"]):
        problems.append(("year", f"year {row['year']!r} is not a 4-digit year"))
    if row["role"] not in roles:
        problems.append(("role", f"role {row['role']!r} is not one of {', '.join(roles)}"))
    comparator, value, raw = row["comparator"], row["value"], row["raw_value"]
    if comparator and comparator not in comparators:
        known = " ".join(dict.fromkeys(comparators.values()))
        problems.append(("comparator", f"comparator {comparator!r} is not one of {known}"))
    if value and not _DECIMAL.match(value):
        problems.append(("value", f"value {value!r} is not a plain number (e.g. 95, 0.250, -3)"))
    if value and not comparator:
        problems.append(("comparator", f"value {value} has no comparator (= for a plain figure)"))
    if comparator and not value:
        problems.append(("value", f"comparator {comparator} has no value"))
    if not raw:
        problems.append(("raw_value", "raw_value is empty: write the cell as the plan prints it"))
    elif not value and _DIGIT.search(raw):
        problems.append(
            ("value", f"raw_value {raw!r} holds a number but value is empty: key it in value")
        )
    upper = row.get("value_upper", "")
    if upper and (not _DECIMAL.match(upper) or not value):
        problems.append(("value_upper", f"value_upper {upper!r} is not a number above a value"))
    for name in ("attribute", "evaluation"):
        if row.get(name) and row[name] not in vocabulary(name):
            known = ", ".join(vocabulary(name))
            problems.append((name, f"{name} {row[name]!r} is not one of {known}"))
    for name, dtype in COLUMNS.items():
        if dtype == pl.Boolean() and row.get(name, "").lower() not in _TRUE + _FALSE:
            problems.append((name, f"{name} {row[name]!r} is not true or false"))
    if not row["source_ref"]:
        problems.append(
            ("source_ref", "source_ref is empty: say where the plan prints it (page 3, table 1)")
        )
    return problems


def _typed(row: dict[str, str], name: str, dtype: pl.DataType) -> object:
    text = row.get(name, "")
    if dtype == pl.Boolean():
        return text.lower() in _TRUE
    if dtype == pl.Int32():
        return int(text) if text else None
    return text or None


def _records(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (trimmed, lower case) and every non-blank record with its first line."""
    reader = csv.reader(text.splitlines(keepends=True))
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line = 1
    try:
        for record in reader:
            if any(field.strip() for field in record):
                if header is None:
                    header = [name.strip().lower() for name in record]
                else:
                    records.append((line, record))
            line = reader.line_num + 1
    except csv.Error as error:
        raise KeyedCellsError(str(path), line, f"not a readable CSV ({error})") from None
    if header is None:
        raise KeyedCellsError(str(path), None, "empty file (no header)")
    return header, records


def _check_header(path: Path, header: list[str]) -> None:
    duplicated = sorted({name for name in header if header.count(name) > 1})
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    for problem, names in (
        ("appears twice in the header", duplicated),
        ("is not a column of plan_cells.csv", unknown),
    ):
        if names:
            raise KeyedCellsError(str(path), 1, f"{', '.join(map(repr, names))} {problem}")
    if missing:
        raise KeyedCellsError(
            str(path),
            1,
            f"missing required column(s) {', '.join(missing)}; the columns are those of "
            f"`eduplan extract --out` plan_cells.csv ({', '.join(PLAN_CELL_SCHEMA)})",
        )


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


def _rows_problems(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int | None, str]]:
    """Problems between rows: one cell per table row, breakdown, year and role."""
    problems: list[tuple[int | None, str]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, row in rows:
        if not row.get("row_order"):
            continue  # rows without row_order are numbered in file order: never the same
        key = tuple(row.get(k, "") for k in ("table", "row_order", "breakdown", "year", "role"))
        if key in seen:
            problems.append(
                (line, f"same table, row_order, breakdown, year and role as line {seen[key]}")
            )
        seen.setdefault(key, line)
    return problems


def read_keyed(path: Path) -> ExtractedDocument:
    """Check and read one hand-keyed cells file; KeyedCellsError (naming file, line and every
    problem) when any row breaks the contract."""
    from flows.extract import read_text  # one rule for plan text: UTF-8, BOM optional

    if not is_keyed(path):
        raise KeyedCellsError(str(path), None, f"hand-keyed cells files end in {KEYED_SUFFIX}")
    try:
        text = read_text(path)
    except PlanTableError as error:
        raise KeyedCellsError(error.file, error.line, error.message) from None
    header, records = _records(path, text)
    _check_header(path, header)
    problems: list[tuple[int | None, str]] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for line, record in records:
        if len(record) != len(header):
            problems.append((line, f"{len(record)} fields, the header has {len(header)}"))
            continue
        row = {name: field.strip() for name, field in zip(header, record, strict=True)}
        problems += [(line, what) for _, what in _check(row)]
        rows.append((line, row))
    problems += _rows_problems(rows)
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
    declared = {f.name for f in fields(PlanCell)}
    comparators = vocabulary("comparator")
    cells: list[PlanCell] = []
    for order, (line, row) in enumerate(rows, start=1):
        values = {
            name: _typed(row, name, dtype) for name, dtype in COLUMNS.items() if name in declared
        }
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
