"""A hold-out check of the meaning reader and the grid reader (tests/corpus/holdout/): eight
tables written after the reader was built, in the shapes real plan pages take and not modelled
on any table the reader had been tried on: a province's 经济社会发展主要指标 one cell per line with
a 年均增长〔累计〕 column; a city's 序号 table with a 2022 milestone column in single spaces (and
as a CMS serves it: a <table> with colspan section rows and rowspan 序号 / 属性 cells); a county
table flattened onto one line with stacked 小学 / 初中 parts; a PDF conversion with wide space
runs, a `- 12 -` footer and its header split over two lines (`2020 年` over `基数`); a cell-per-
line page with ` |` rules and names wrapped inside a cell; a health table with `其中:` lists (and
as a <table> with its 领域 merged down); an environment table with `<0.28`, `≥92.5`,
`控制在2天以内`, `—`, `不减少`, `〔18〕`; a 十三五 review with 2020年实际（预计） and 完成情况
columns, a name wrapped onto a line of its own and sentence values.

Each `NAME.expected.csv` was keyed by hand before the reader was run on it, the way a person
reads the table (the columns of plan_cells.csv, `table` holding the caption). Every column is
compared for every rendering of the table (`NAME.txt`, `NAME.html`), and nothing may be
extracted beyond it. HTML collapses white space, so captions are compared with runs of white
space as one space."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from flows.extract import ExtractedDocument, extract_document

HOLDOUT = Path(__file__).parent / "corpus" / "holdout"
EXPECTED = sorted(HOLDOUT.glob("*.expected.csv"))
SOURCES = [
    (expected, source)
    for expected in EXPECTED
    for source in sorted(HOLDOUT.glob(expected.name.removesuffix(".expected.csv") + ".*"))
    if source != expected
]


def _caption(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _written(doc: ExtractedDocument, column: str, cell: object) -> str:
    if column == "table":
        return _caption({t.table: t.title or "" for t in doc.tables}[cell.table])  # type: ignore[attr-defined]
    value = getattr(cell, column)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def test_the_holdout_is_there() -> None:
    assert len(EXPECTED) == 8
    assert len(SOURCES) == 10  # two tables also as web pages


@pytest.mark.parametrize(("expected", "source"), SOURCES, ids=lambda p: p.name)
def test_holdout_table_extracts_to_its_hand_keyed_cells(expected: Path, source: Path) -> None:
    with expected.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c != "doc"]
    wanted = Counter(tuple(_caption(r[c]) if c == "table" else r[c] for c in columns) for r in rows)
    doc = extract_document(source)
    got = Counter(tuple(_written(doc, c, cell) for c in columns) for cell in doc.cells)
    missing, extra = wanted - got, got - wanted
    assert not missing and not extra, (
        f"{sum(wanted.values()) - sum(missing.values())}/{sum(wanted.values())} right\n"
        + "\n".join(f"missing {m}" for m in sorted(missing)[:6])
        + "\n"
        + "\n".join(f"extra   {e}" for e in sorted(extra)[:6])
    )
