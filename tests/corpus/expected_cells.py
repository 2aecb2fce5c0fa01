"""A plan document against its hand-keyed cells (`NAME.expected.csv`, in the columns of
`plan_cells.csv`; `table` holds the table's caption): the one comparison the real development
set, the published-style corpus and the hold-out tables use."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from flows.extract import ExtractedDocument, extract_document


def caption(text: str) -> str:
    """A caption with its runs of white space as one space (HTML collapses them)."""
    return re.sub(r"\s+", " ", text).strip()


def as_written(doc: ExtractedDocument, column: str, cell: object) -> str:
    """A cell's column as the expected CSV writes it."""
    if column == "table":
        return caption({t.table: t.title or "" for t in doc.tables}[cell.table])  # type: ignore[attr-defined]
    value = getattr(cell, column)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def expected_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """The columns (all but `doc`) and the rows of a hand-keyed expected CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c != "doc"] if rows else []
    return columns, [tuple(caption(r[c]) if c == "table" else r[c] for c in columns) for r in rows]


def assert_extracts_to(source: Path, expected: Path) -> ExtractedDocument:
    """Extract `source` and check its cells equal the hand-keyed ones exactly: none missing,
    none extra (every column compared). Returns the document for further checks."""
    columns, wanted = expected_rows(expected)
    doc = extract_document(source)
    got = [tuple(as_written(doc, c, cell) for c in columns) for cell in doc.cells]
    missing, extra = Counter(wanted) - Counter(got), Counter(got) - Counter(wanted)
    assert not missing and not extra, (
        f"{source.name}: {len(wanted) - sum(missing.values())}/{len(wanted)} right\n"
        + "\n".join(f"missing {m}" for m in sorted(missing)[:6])
        + "\n"
        + "\n".join(f"extra   {e}" for e in sorted(extra)[:6])
    )
    return doc
