"""Line-level primitives of the tabbed and stacked text layouts (text_layout.py uses them).

* tabbed: one row per line, cells separated by tabs (`维度\t主要指标\t\t2020年...`);
* stacked: one cell per line, each line starting with a tab, rows separated by blank lines.
  A line without a leading tab continues the cell above it (`\t公平与` + `均衡`), also across a
  blank line while the row is still short of cells (`\t普通` + `` + `高中`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flows.extract.values import clean_cell
from flows.extract.vocabulary import VOCABULARY


class LineKind(Enum):
    BLANK = "blank"
    PLAIN = "plain"  # no tab: prose, titles, or a continuation of a stacked cell
    STACKED = "stacked"  # one leading tab and nothing else tab-separated: one cell
    TABBED = "tabbed"  # several tab-separated cells: one row


@dataclass(frozen=True)
class Cell:
    text: str
    line: int


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    line: int  # the row's first line

    @property
    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]


def split_lines(text: str) -> list[str]:
    """Lines of a document (CRLF, CR or LF), without a byte-order mark."""
    return text.lstrip("\ufeff").splitlines()


_PAGE_MARK_LONGEST = 16  # page footers are short: longer lines are never tested against them


def _is_page_mark(text: str) -> bool:
    return any(p.match(text) for p in VOCABULARY.page_marks)


def line_kind(line: str) -> LineKind:
    """How a line takes part in a table. A page footer (`- 12 -`, `第3页`) is a blank line: a
    table printed over a page break goes on after it."""
    if "\t" not in line:
        text = clean_cell(line)
        if text == "" or (len(text) <= _PAGE_MARK_LONGEST and _is_page_mark(text)):
            return LineKind.BLANK
        return LineKind.PLAIN
    if line.startswith("\t") and line.count("\t") == 1:
        return LineKind.STACKED
    return LineKind.TABBED


def _is_continuation(line: str) -> bool:
    """A short label fragment that continues a stacked cell, never a sentence of prose."""
    text = clean_cell(line)
    return 0 < len(text) <= 24 and not any(p in text for p in "。；;：:，")


def stacked_row(lines: list[str], index: int, *, width: int | None = None) -> tuple[Row, int]:
    """Read the stacked row starting at line `index`; return it and the index after it.

    `width` is the number of cells a complete row has (None for a header): a row still short of
    cells continues its last cell with a plain line that follows a blank line.
    """
    cells: list[Cell] = []
    i = index
    n = len(lines)
    while i < n:
        kind = line_kind(lines[i])
        if kind is LineKind.STACKED:
            cells.append(Cell(clean_cell(lines[i][1:]), i + 1))
            i += 1
        elif kind is LineKind.PLAIN and cells and _is_continuation(lines[i]):
            last = cells[-1]  # an empty cell continued below is cited where its text is
            cells[-1] = Cell(last.text + clean_cell(lines[i]), last.line if last.text else i + 1)
            i += 1
        elif kind is LineKind.BLANK and width is not None and 0 < len(cells) < width:
            j = i
            while j < n and line_kind(lines[j]) is LineKind.BLANK:
                j += 1
            if j < n and line_kind(lines[j]) is LineKind.PLAIN and _is_continuation(lines[j]):
                i = j  # a cell split over blank lines: the plain line continues it
                continue
            break
        else:
            break
    return Row(tuple(cells), index + 1), i


def next_nonblank(lines: list[str], index: int) -> int:
    """Index of the first non-blank line at or after `index` (len(lines) if none)."""
    while index < len(lines) and line_kind(lines[index]) is LineKind.BLANK:
        index += 1
    return index
