"""The contract of a hand-keyed cells file (`raw/plans/NAME.cells.csv`, docs/formats.md): its
columns (plan_cells.csv's, `output.PLAN_CELL_SCHEMA`, declared once), the header and every row's
checks. Each check says what was wrong in words a person keying the table can act on; `keyed.py`
gathers them into one refusal naming the file and every problem's line."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl

from flows.controlled_vocabulary import vocabulary
from flows.extract.models import PlanTableError
from flows.extract.output import PLAN_CELL_SCHEMA

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
COLUMNS: dict[str, pl.DataType] = PLAN_CELL_SCHEMA  # every column of plan_cells.csv
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


def check_row(row: dict[str, str]) -> list[tuple[str, str]]:
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


def typed(row: dict[str, str], name: str, dtype: pl.DataType) -> object:
    text = row.get(name, "")
    if dtype == pl.Boolean():
        return text.lower() in _TRUE
    if dtype == pl.Int32():
        return int(text) if text else None
    return text or None


def read_records(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
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


def check_header(path: Path, header: list[str]) -> None:
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


def rows_problems(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int | None, str]]:
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
