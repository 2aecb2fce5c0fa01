"""Hand-written tables in the shapes real published plans take (tests/corpus/tables/): PDF text
with wide spacing and page footers, one cell per line with ` |` rules, a table flattened onto one
line, stacked sub-rows, categories written vertically, names wrapped over two lines, 序号
columns, 2035 and 年均增长 columns, cumulative figures in brackets, sentence values, 预计值 /
实际完成 columns; education, economy, social security and environment; 十三五 and 十四五.

Each `NAME.expected.csv` was keyed by hand from `NAME.*` the way a person reads the table (the
columns of plan_cells.csv, `table` holding the caption); every column is compared, and nothing
may be extracted beyond it."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from flows.extract import extract_document
from tests.corpus.expected_cells import as_written, assert_extracts_to

TABLES = Path(__file__).resolve().parents[1] / "corpus" / "tables"
EXPECTED = sorted(TABLES.glob("*.expected.csv"))


def _source(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.csv")
    found = [p for p in TABLES.glob(f"{stem}.*") if p != expected]
    assert len(found) == 1, found
    return found[0]


def test_the_corpus_is_there() -> None:
    assert len(EXPECTED) >= 6


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.removesuffix(".expected.csv"))
def test_published_table_extracts_to_its_hand_keyed_cells(expected: Path) -> None:
    assert_extracts_to(_source(expected), expected)


@pytest.mark.parametrize(
    "stem", ["edu-14fyp-seq-column-cell-per-line", "social-14fyp-cell-per-line"]
)
def test_a_table_flattened_into_word_paragraphs_reads_the_same(stem: str, tmp_path: Path) -> None:
    """The same table as a Word document whose table is one paragraph per cell (no Word table):
    read by meaning from the paragraphs, to the same cells."""
    import docx

    text = (TABLES / f"{stem}.txt").read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    path = tmp_path / f"{stem}.docx"
    document.save(str(path))
    expected = TABLES / f"{stem}.expected.csv"
    with expected.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c != "doc"]
    doc = extract_document(path)
    got = Counter(tuple(as_written(doc, c, cell) for c in columns) for cell in doc.cells)
    assert got == Counter(tuple(r[c] for c in columns) for r in rows)
