"""What every format reader shares: cell text cleaning, merged-cell expansion and captions.

Each reader finds its tables' cells with their spans (HTML rowspan/colspan, Word gridSpan/vMerge,
PDF cell boxes); `expand` turns them into a `Grid`'s rows the same way for all three, so the
semantic layer sees one shape whatever the format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flows.extract.grid import GridCell, SourceRef, TextBlock

# A line break between two Latin letters was a space between words; anywhere else (CJK text,
# full-width punctuation, a number wrapped in a narrow column: `20` + `21`) it is only the
# layout's wrap and the two lines join without a space.
_LATIN = re.compile(r"[A-Za-z]")
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_TRIM = " \t\r\n\f\v\xa0\u3000"

CAPTION_MAX_CHARS = 80  # a table's title is a short line; a longer paragraph above it is prose


def clean_text(raw: str) -> str:
    """A cell's or paragraph's text as one line: runs of spaces collapsed, each line trimmed
    (full-width spaces too), lines joined without a space except between Latin words, so a
    label wrapped by the layout reads as it was written."""
    if "\n" not in raw:
        return _SPACES.sub(" ", raw).strip(_TRIM)
    out = ""
    for line in raw.split("\n"):
        text = _SPACES.sub(" ", line).strip(_TRIM)
        if not text:
            continue
        if out and _LATIN.match(out[-1]) and _LATIN.match(text[0]):
            out += " "
        out += text
    return out


def own_lines(raw: str) -> tuple[str, ...]:
    """The lines of a cell broken on purpose (<br>, paragraphs), each cleaned; () for one line."""
    if "\n" not in raw:
        return ()
    lines = tuple(t for t in (_SPACES.sub(" ", line).strip(_TRIM) for line in raw.split("\n")) if t)
    return lines if len(lines) > 1 else ()


@dataclass(frozen=True)
class SpanCell:
    """A cell as a document states it: where it starts in the grid (0-based), how far it spans,
    its text (already cleaned) and its source position."""

    row: int
    column: int
    text: str
    ref: SourceRef
    rowspan: int = 1
    colspan: int = 1
    lines: tuple[str, ...] = ()  # its lines when broken on purpose (<br>, Word paragraphs)


def expand(
    cells: list[SpanCell], covered_ref: Callable[[int, int], SourceRef]
) -> list[tuple[GridCell, ...]]:
    """Rows of grid cells: each merged cell's text at its first position, every position it
    covers an empty cell with `merged_from` = (row, column) of that first position.

    `covered_ref(row, column)` gives the source position of a covered slot (0-based in, the
    format's own numbering out). Rows keep their own length: a row is as long as its last cell.
    """
    slots: dict[tuple[int, int], GridCell] = {}
    for cell in cells:
        slots[(cell.row, cell.column)] = GridCell(cell.text, cell.ref, None, cell.lines)
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.column, cell.column + cell.colspan):
                if (r, c) != (cell.row, cell.column) and (r, c) not in slots:
                    slots[(r, c)] = GridCell("", covered_ref(r, c), (cell.row, cell.column))
    if not slots:
        return []
    widths: dict[int, int] = {}
    for r, c in slots:
        widths[r] = max(widths.get(r, 0), c + 1)
    rows: list[tuple[GridCell, ...]] = []
    for r in range(max(widths) + 1):
        width = widths.get(r, 0)
        rows.append(
            tuple(slots.get((r, c)) or GridCell("", covered_ref(r, c)) for c in range(width))
        )
    return rows


Rows = list[tuple[GridCell, ...]]


def _across(rows: Rows, r: int) -> bool:
    """Row r is one cell with text across the whole table (of three rows or more)."""
    width = max((len(row) for row in rows), default=0)
    if len(rows) < 3 or width < 2 or len(rows[r]) != width or not rows[r][0].text:
        return False
    return all(cell.merged_from == (r, 0) for cell in rows[r][1:])


def note_row(rows: Rows) -> tuple[Rows, GridCell | None]:
    """A last row that is one cell across the whole table (`注：带*为约束性指标`) is a note under
    the table, not data (a category row never ends a table): return the rows without it and the
    note cell, which the reader keeps as running text after the table."""
    last = len(rows) - 1
    if last < 0 or not _across(rows, last):
        return rows, None
    return rows[:-1], rows[-1][0]


def title_row(rows: Rows) -> tuple[Rows, GridCell | None]:
    """A first row that is one cell across the whole table (`表1 主要指标` typeset inside the
    ruling) is the table's title, not its header: return the rows without it (merges re-based)
    and the title cell. Cells keep citing their own rows."""
    if not rows or not _across(rows, 0):
        return rows, None
    if any(cell.merged_from is not None and cell.merged_from[0] == 0 for cell in rows[1]):
        return rows, None  # the title cell also covers the next row: not a plain title
    rebased = [
        tuple(
            GridCell(c.text, c.ref, (c.merged_from[0] - 1, c.merged_from[1]))
            if c.merged_from
            else c
            for c in row
        )
        for row in rows[1:]
    ]
    return rebased, rows[0][0]


def caption_above(blocks: list[TextBlock], since: int) -> TextBlock | None:
    """The table's title: the nearest short text block above it, not reaching back past the
    previous table (`since` = how many blocks came before that table)."""
    for block in reversed(blocks[since:]):
        if len(block.text) <= CAPTION_MAX_CHARS:
            return block
    return None
