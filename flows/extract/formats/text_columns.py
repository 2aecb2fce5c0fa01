"""Text tables whose columns are drawn with pipes or spaces, and cells wrapped over lines.

* pipe (Markdown) tables: `| 指标 | 2020年 |`, with or without the `|---|` rule;
* space-aligned columns: cells separated by runs of two or more spaces; a row with fewer cells
  than the header puts each cell under the header column its middle lies under (display width:
  a CJK character counts two);
* single spaces: when the header's cells are all header words, cells are split on single spaces
  (units and numbers have no spaces, so the columns are unambiguous) and short rows are aligned
  by the semantic layer like any shifted row.
"""

from __future__ import annotations

import re
import unicodedata

from flows.extract.grid import GridCell, SourceRef
from flows.extract.headers import header_column
from flows.extract.values import clean_cell, looks_like_value
from flows.extract.vocabulary import VOCABULARY

Row = tuple[GridCell, ...]
_RULE_CELL = re.compile(r"^:?-{2,}:?$")
_WIDE_GAP = re.compile(r"(?: {2,}|\t|\u3000+)")
_CN_NUMERAL = re.compile(r"^[一二三四五六七八九十]+$")


def is_pipe_line(line: str) -> bool:
    """A row of a pipe (Markdown) table: outer pipes optional, full-width ｜ too."""
    text = line.strip().replace("｜", "|")
    return text.count("|") >= 2 and "\t" not in text


def pipe_cells(line: str) -> list[str]:
    """Cell texts of a pipe row (outer pipes optional)."""
    text = line.strip().replace("｜", "|")
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") else text
    return [clean_cell(part) for part in text.split("|")]


def is_rule(line: str) -> bool:
    """A Markdown rule row `|---|:---:|`."""
    cells = pipe_cells(line)
    return is_pipe_line(line) and all(_RULE_CELL.match(c.replace(" ", "")) or not c for c in cells)


def pipe_row(line: str, number: int) -> Row:
    return tuple(GridCell(text, SourceRef(line=number)) for text in pipe_cells(line))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def spans(line: str, *, wide: bool) -> list[tuple[str, int, int]]:
    """Cells of a space-separated line as (text, display start, display end)."""
    found: list[tuple[str, int, int]] = []
    pattern = _WIDE_GAP if wide else re.compile(r"[ \t\u3000]+")
    position = 0
    for part in pattern.split(line.rstrip()):
        start = line.index(part, position) if part else position
        if part.strip():
            prefix = _width(line[:start])
            found.append((part.strip(), prefix, prefix + _width(part.strip())))
        position = start + len(part)
    return found


def join_spaced_letters(cells: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Header cells written with spaces inside (`指  标`, `单  位`): two one-character cells
    close together are one cell."""
    out: list[tuple[str, int, int]] = []
    for text, start, end in cells:
        if out and len(text) == 1 and len(out[-1][0]) == 1 and start - out[-1][2] <= 4:
            out[-1] = (out[-1][0] + text, out[-1][1], end)
        else:
            out.append((text, start, end))
    return out


def has_wide_gaps(line: str) -> bool:
    return bool(re.search(r"\S(?: {2,}|\u3000+)\S", line))


def space_row(
    line: str, number: int, header: list[tuple[str, int, int]] | None, *, wide: bool
) -> Row:
    """A space-separated row; with the header's spans, short rows are placed by position."""
    cells = spans(line, wide=wide)
    ref = SourceRef(line=number)
    if header is None or len(cells) >= len(header) or not wide:
        return tuple(GridCell(text, ref) for text, _, _ in cells)
    bounds = [
        (
            (header[k - 1][2] + header[k][1]) / 2 if k else float("-inf"),
            (header[k][2] + header[k + 1][1]) / 2 if k + 1 < len(header) else float("inf"),
        )
        for k in range(len(header))
    ]
    placed: list[str] = [""] * len(header)
    for text, start, end in cells:
        middle = (start + end) / 2
        k = next(i for i, (low, high) in enumerate(bounds) if low <= middle < high)
        if placed[k]:  # two cells under one column: the positions say nothing, keep the order
            return tuple(GridCell(t, ref) for t, _, _ in cells)
        placed[k] = text
    return tuple(GridCell(text, ref) for text in placed)


def _is_label_fragment(previous: str, fragment: str) -> bool:
    """Does `fragment` end the label above it rather than start a section of the table?"""
    if previous.count("（") + previous.count("(") > previous.count("）") + previous.count(")"):
        return True  # the bracket above is still open
    return fragment[:1] in "（()）%％" or bool(re.search(r"[（(][^（()）]{1,6}[）)]$", fragment))


def _first_label(header: Row) -> int:
    for position, cell in enumerate(header):
        column = header_column(cell.text)
        if column is not None and column.role in ("category", "indicator"):
            return position
    return 0


def merge_wrapped(rows: list[Row]) -> list[Row]:
    """Join rows that continue the cells of the data row above them (a cell wrapped over lines).

    A continuation has no value, only text under columns the row above fills, and is not a
    numbered section row. Text in the first label column (category, else indicator) is taken as a
    continuation only when it visibly ends the label above (an open bracket, a unit in
    brackets): otherwise a lone label there is a section row (学前教育) and stays a row.
    """
    merged: list[Row] = list(rows[:1])
    first_label = _first_label(rows[0]) if rows else 0
    for row in rows[1:]:
        previous = merged[-1] if len(merged) > 1 else None
        filled = [i for i, c in enumerate(row) if c.text]
        if (
            previous is not None
            and filled
            and not any(looks_like_value(row[i].text) for i in filled)
            and any(looks_like_value(c.text) for c in previous)
            and all(i < len(previous) and previous[i].text for i in filled)
            and not VOCABULARY.is_section(row[filled[0]].text)
            and not _CN_NUMERAL.match(row[filled[0]].text)
            and (
                len(filled) > 1
                or filled[0] > first_label
                or _is_label_fragment(previous[filled[0]].text, row[filled[0]].text)
            )
        ):
            cells = list(previous)
            for i in filled:
                cells[i] = GridCell(cells[i].text + row[i].text, cells[i].ref, cells[i].merged_from)
            merged[-1] = tuple(cells)
        else:
            merged.append(row)
    return merged
