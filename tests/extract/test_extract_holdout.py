"""A hold-out check of the meaning reader and the grid reader (tests/corpus/holdout/).

Eight tables written after the reader was built, in the shapes real plan pages take, not
modelled on any table the reader had been tried on (other renderings of the same table in
brackets):
- a province's 经济社会发展主要指标, one cell per line, with a 年均增长〔累计〕 column
  (a PDF page: categories beside each group's first row, a `- 3 -` footer between rows);
- a city's 序号 table with a 2022 milestone column in single spaces
  (a <table> with colspan section rows and rowspan 序号 / 属性 cells);
- a county table flattened onto one line with stacked 小学 / 初中 parts;
- a PDF conversion with wide space runs, a `- 12 -` footer and its header split over two
  lines (`2020 年` over `基数`) (the next page with `第 12 页`, `（续表）` and the header
  repeated, a name's bracket wrapped just before the break);
- a cell-per-line page with ` |` rules and names wrapped inside a cell
  (a <table> with 维度 merged down and <br> inside names);
- a health table with `其中:` lists (a <table> with 领域 merged down; tab-separated with
  a name's end on a line of its own; one cell per line, blank lines between, its caption
  several blank lines above the header);
- an environment table with `<0.28`, `≥92.5`, `控制在2天以内`, `—`, `不减少`, `〔18〕`
  (a PDF page with its categories one character per row, 环 / 境 / 质 / 量, and a unit
  the vocabulary lacks under 单位);
- a 十三五 review with 2020年实际（预计） and 完成情况 columns, a name wrapped onto a line
  of its own and sentence values (a web page that lost its <table>: one paragraph per
  cell, two sentences filling a row's last value columns before 完成).

Each `NAME.expected.csv` was keyed by hand before the reader was run on it, the way a person
reads the table (the columns of plan_cells.csv, `table` holding the caption). Every column is
compared for every rendering of the table (`NAME.txt`, `NAME.html`, `NAME.pdf-layout.txt`,
`NAME.tabbed.txt`, `NAME.cell-per-line.txt`, `NAME.continued.txt`), and nothing may be
extracted beyond it. HTML collapses white space, so captions are compared with runs of white
space as one space."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from flows.extract import extract_document
from tests.corpus.expected_cells import as_written, assert_extracts_to, caption

HOLDOUT = Path(__file__).resolve().parents[1] / "corpus" / "holdout"
EXPECTED = sorted(HOLDOUT.glob("*.expected.csv"))
SOURCES = [
    (expected, source)
    for expected in EXPECTED
    for source in sorted(HOLDOUT.glob(expected.name.removesuffix(".expected.csv") + ".*"))
    if source != expected
]


def test_the_holdout_is_there() -> None:
    assert len(EXPECTED) == 8
    assert len(SOURCES) == 17  # four also as web pages, three as PDF pages, two more layouts


@pytest.mark.parametrize(("expected", "source"), SOURCES, ids=lambda p: p.name)
def test_holdout_table_extracts_to_its_hand_keyed_cells(expected: Path, source: Path) -> None:
    assert_extracts_to(source, expected)


@pytest.mark.parametrize(
    "stem", ["prov-14fyp-econ-cell-per-line", "county-edu-14fyp-one-line", "health-14fyp-spaced"]
)
def test_a_holdout_table_as_word_paragraphs_reads_the_same(stem: str, tmp_path: Path) -> None:
    """The page's text saved as a Word document, one paragraph per non-empty line (no Word
    table): read by meaning from the paragraphs, to the same cells."""
    import docx

    document = docx.Document()
    for line in (HOLDOUT / f"{stem}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line)
    path = tmp_path / f"{stem}.docx"
    document.save(str(path))
    with (HOLDOUT / f"{stem}.expected.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c != "doc"]
    doc = extract_document(path)
    got = Counter(tuple(as_written(doc, c, cell) for c in columns) for cell in doc.cells)
    assert got == Counter(
        tuple(caption(r[c]) if c == "table" else r[c] for c in columns) for r in rows
    )


def test_a_holdout_table_as_a_word_table_with_merged_cells_reads_the_same(tmp_path: Path) -> None:
    """The health table as a Word table: 领域 merged down over its rows, a `其中:` list."""
    import docx

    text = (HOLDOUT / "health-14fyp-spaced.txt").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(text) if line.startswith("领域"))
    end = text.index("", header)
    table_lines = text[header:end]
    grid = [re.split(r" {2,}", line.strip()) for line in table_lines]
    width = len(grid[0])
    rows: list[list[str]] = []
    for row in grid:
        if len(row) == 1:  # the end of a name wrapped onto a line of its own: one Word cell
            rows[-1][1] += row[0]
        else:
            rows.append(row if len(row) == width else ["", *row])
    document = docx.Document()
    document.add_paragraph("某市卫生健康事业发展“十四五”规划")
    document.add_paragraph("表1 “十四五”时期卫生健康事业发展主要指标")
    table = document.add_table(rows=len(rows), cols=width)
    start = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for r in range(2, len(rows) + 1):  # 领域 merged down to the row before the next one
        if r == len(rows) or rows[r][0]:
            if r - 1 > start:
                table.cell(start, 0).merge(table.cell(r - 1, 0))
                table.cell(start, 0).text = rows[start][0]
            start = r
    path = tmp_path / "health.docx"
    document.save(str(path))
    with (HOLDOUT / "health-14fyp-spaced.expected.csv").open(encoding="utf-8") as handle:
        wanted = list(csv.DictReader(handle))
    columns = [c for c in wanted[0] if c not in ("doc", "table")]
    doc = extract_document(path)
    got = Counter(tuple(as_written(doc, c, cell) for c in columns) for cell in doc.cells)
    assert got == Counter(tuple(r[c] for c in columns) for r in wanted)
