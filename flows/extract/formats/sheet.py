"""What the spreadsheet readers (.xlsx, .csv) share: one sheet of cells -> running text and grids.

A sheet is one big grid. A plan typed into a spreadsheet puts its title, 文号 and date in rows of
one cell above the table, a blank row between tables, and sometimes a note of one cell under a
table. The rules a person reading the sheet follows:
* blank rows separate blocks; in a block, the rows before the first row with two cells or more of
  text are running text (one cell each: the title, the table's caption), the table runs from that
  row to the last such row, and rows of one cell after it are running text again (a note);
* a block that starts right away with table rows after a table, within its columns and without
  a header of its own, goes on with that table (a spacer row is not the end of a table);
* a table is cut to the columns it uses and every row padded to that width (a sheet is
  rectangular; an exported CSV drops nothing but trailing commas);
* merged cells are expanded as in every other format (`cells.expand`), and a first row merged
  across the whole table is its title, a last one its note (`cells.title_row`, `cells.note_row`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flows.extract.formats.cells import (
    Rows,
    SpanCell,
    caption_above,
    expand,
    note_row,
    title_row,
)
from flows.extract.grid import Grid, GridCell, SourceRef, TextBlock
from flows.extract.headers import is_table_header


@dataclass
class SheetLayout:
    """Running text and grids of a workbook's sheets, in reading order, tables numbered across
    the workbook."""

    text: list[TextBlock] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    since: int = 0  # text blocks before the end of the last table: a caption is looked for after


def _filled(row: tuple[GridCell, ...]) -> list[GridCell]:
    """The cells of a row that hold text of their own (a merge counts once)."""
    return [cell for cell in row if cell.text and cell.merged_from is None]


def _blank(row: tuple[GridCell, ...]) -> bool:
    return not any(cell.text or cell.merged_from for cell in row)


def _blocks(rows: Rows) -> list[tuple[int, int]]:
    """(first, end) row ranges of the runs of non-blank rows."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for r, row in enumerate([*rows, ()]):
        if _blank(row):
            if start is not None:
                blocks.append((start, r))
            start = None
        elif start is None:
            start = r
    return blocks


def _columns(rows: Rows, indices: list[int]) -> tuple[int, int]:
    """The columns rows use: (first, end)."""
    used = [c for r in indices for c, cell in enumerate(rows[r]) if cell.text or cell.merged_from]
    return min(used), max(used) + 1


def _cut(rows: Rows, indices: list[int], ref: Callable[[int, int], SourceRef]) -> Rows:
    """The rows at `indices` cut to the columns they use, padded to that width; merges re-based
    to the cut (a merge reaching in from outside it reads as an empty cell)."""
    left, right = _columns(rows, indices)
    position = {r: i for i, r in enumerate(indices)}
    cut: Rows = []
    for r in indices:
        row = rows[r]
        cells = []
        for c in range(left, right):
            cell = row[c] if c < len(row) else GridCell("", ref(r, c))
            origin = cell.merged_from
            if origin is not None:
                inside = origin[0] in position and left <= origin[1] < right
                origin = (position[origin[0]], origin[1] - left) if inside else None
                cell = GridCell(cell.text, cell.ref, origin)
            cells.append(cell)
        cut.append(tuple(cells))
    return cut


def _continues(rows: Rows, table: list[int], first: int, last: int) -> bool:
    """Rows after a blank row go on with the table above when nothing stands between (no title
    or caption line), they keep within its columns and they do not start with a header of
    their own (a spacer row in a table, not a new table)."""
    left, right = _columns(rows, table)
    start, end = _columns(rows, list(range(first, last)))
    texts = [cell.text for cell in rows[first] if cell.text]
    return left <= start and end <= right and not is_table_header(texts)


def lay_out_sheet(
    cells: list[SpanCell],
    ref: Callable[[int, int], SourceRef],
    table_ref: Callable[[int, int], SourceRef],
    into: SheetLayout,
) -> None:
    """Add one sheet's running text and tables to `into`. `cells` are the sheet's non-empty and
    merged cells (0-based positions), `ref(row, column)` the source position of any slot,
    `table_ref(table number, first row)` a grid's own position."""
    rows = expand(cells, ref)
    table: list[int] = []  # the rows of the table being read (blank rows left out)

    def end_table() -> None:
        if table:
            _table(_cut(rows, table, ref), table_ref(len(into.grids) + 1, table[0]), into)
            into.since = len(into.text)
            table.clear()

    for top, end in _blocks(rows):
        multi = [r for r in range(top, end) if len(_filled(rows[r])) >= 2]
        if not multi:
            end_table()
            into.text += [_block(rows[r]) for r in range(top, end) if _filled(rows[r])]
            continue
        first, last = multi[0], multi[-1] + 1
        if not (table and first == top and _continues(rows, table, first, last)):
            end_table()
            into.text += [_block(rows[r]) for r in range(top, first) if _filled(rows[r])]
        table.extend(range(first, last))
        if last < end:  # one-cell rows under the table: a note; the table ends there
            end_table()
            into.text += [_block(rows[r]) for r in range(last, end) if _filled(rows[r])]
            into.since = len(into.text)
    end_table()


def _block(row: tuple[GridCell, ...]) -> TextBlock:
    cell = _filled(row)[0]
    return TextBlock(cell.text, cell.ref)


def _table(rows: Rows, grid_ref: SourceRef, into: SheetLayout) -> None:
    """One table: its title row or the text above as caption, its note row as text after it."""
    rows, title = title_row(rows)
    rows, note = note_row(rows)
    caption = TextBlock(title.text, title.ref) if title else caption_above(into.text, into.since)
    into.grids.append(
        Grid(
            rows=rows,
            ref=grid_ref,
            caption=caption.text if caption else None,
            caption_ref=caption.ref if caption else None,
        )
    )
    if note is not None:
        into.text.append(TextBlock(note.text, note.ref))
