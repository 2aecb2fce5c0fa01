"""A plan published as a text PDF -> `LaidOutDocument`.

Tables are the ruled tables pdfplumber finds from the drawn lines; a cell box that spans several
column or row lines is a merged cell. A table that ends its page and goes on at the top of the
next one, same columns, is one grid: the header rows the next page repeats are dropped. Text
outside the tables is running text, one block per line, cited by page and line number on the page
(`SourceRef.page`, `SourceRef.row`); table cells cite page, row within the table on that page,
and column. Glyphs printed twice in place (a bold faked by overprinting) are read once. A PDF
without a text layer (scanned images) or behind a password is refused with a
message that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException

from flows.extract.formats.cells import (
    SpanCell,
    caption_above,
    clean_text,
    expand,
    note_row,
    title_row,
)
from flows.extract.grid import Grid, GridCell, LaidOutDocument, SourceRef, TextBlock
from flows.extract.models import PlanTableError

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+\s*(页)?([/／]\s*\d+|\s*共\s*\d+\s*页)?[-—–\s]*$")
_SAME_X = 3.0  # points: a table's edges on the next page line up within this


@dataclass
class _PageTable:
    """One ruled table on one page: its rows (row indices local to the page) and its extent."""

    rows: list[tuple[GridCell, ...]]
    title: GridCell | None  # a first row across the whole table: its title
    bbox: tuple[float, float, float, float]
    xs: list[float]  # the left edges of its columns
    page: int
    ends_low: bool  # reaches the bottom quarter of its page: it may go on over the page


def _column_edges(table: pdfplumber.table.Table) -> list[float]:
    return sorted({cell[0] for cell in table.cells})


def _index(edges: list[float], x: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - x))


def _table_rows(
    table: pdfplumber.table.Table, page: pdfplumber.page.Page, number: int, xs: list[float]
) -> _PageTable:
    """A pdfplumber table as rows of grid cells on the column edges `xs`, merged boxes
    expanded (a box over several edges spans those columns)."""
    tops = sorted({cell[1] for cell in table.cells})
    texts = table.extract()  # rows by top, cells by x0: None where no box starts

    def ref(r: int, c: int) -> SourceRef:
        return SourceRef(page=page.page_number, table=number, row=r + 1, column=c + 1)

    spans: list[SpanCell] = []
    for r, row in enumerate(table.rows):
        for own, box in enumerate(row.cells):
            if box is None:
                continue
            c = _index(xs, box[0])
            rowspan = sum(1 for t in tops if box[1] <= t < box[3] - _SAME_X)
            colspan = sum(1 for x in xs if box[0] - _SAME_X <= x < box[2] - _SAME_X)
            text = clean_text(texts[r][own] or "")
            spans.append(SpanCell(r, c, text, ref(r, c), max(rowspan, 1), max(colspan, 1)))
    rows, title = title_row(expand(spans, ref))
    return _PageTable(
        rows=rows,
        title=title,
        bbox=table.bbox,
        xs=xs,
        page=page.page_number,
        ends_low=table.bbox[3] >= 0.75 * float(page.height),
    )


def _effective(rows: list[tuple[GridCell, ...]], r: int) -> list[str]:
    """Row r's texts as a reader sees them: a covered cell reads as its merge origin."""
    texts = []
    for cell in rows[r]:
        if cell.merged_from is not None:
            origin_row, origin_column = cell.merged_from
            texts.append(rows[origin_row][origin_column].text)
        else:
            texts.append(cell.text)
    return texts


def _repeated_header(
    grid: list[tuple[GridCell, ...]], page_rows: list[tuple[GridCell, ...]]
) -> int:
    """How many of the continuation's first rows repeat the grid's first rows (its header)."""
    k = 0
    most = min(len(grid), len(page_rows) - 1, 3)
    while k < most and _effective(page_rows, k) == _effective(grid, k):
        k += 1
    return k


def _append(grid: list[tuple[GridCell, ...]], page_rows: list[tuple[GridCell, ...]]) -> None:
    """Add a continuation's rows to the grid, its repeated header dropped, merges re-based."""
    skip = _repeated_header(grid, page_rows)
    offset = len(grid) - skip
    for row in page_rows[skip:]:
        grid.append(
            tuple(
                GridCell(cell.text, cell.ref, (cell.merged_from[0] + offset, cell.merged_from[1]))
                if cell.merged_from and cell.merged_from[0] >= skip
                else GridCell(cell.text, cell.ref)
                if cell.merged_from
                else cell
                for cell in row
            )
        )


def _continues(
    previous: _PageTable | None, table: pdfplumber.table.Table, page: int, first_on_page: bool
) -> bool:
    """The table at the top of this page goes on from the table that ended the last page: same
    left and right edges, and no column edge the earlier part does not have."""
    return (
        previous is not None
        and first_on_page
        and page == previous.page + 1
        and abs(table.bbox[0] - previous.bbox[0]) <= _SAME_X
        and abs(table.bbox[2] - previous.bbox[2]) <= _SAME_X
        and all(any(abs(x - edge) <= _SAME_X for edge in previous.xs) for x in _column_edges(table))
    )


def read_pdf(path: Path) -> LaidOutDocument:
    """Read one text PDF: every page's running text lines and ruled tables, in reading order."""
    try:
        return _read(path)
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        name = type(cause).__name__
        if "Password" in name or "Encrypt" in name:
            message = "an encrypted PDF (needs a password): save an unprotected copy"
        else:
            message = f"not a valid PDF ({name}: {cause})"
        raise PlanTableError(str(path), None, message) from None


def _running_line(text: str, top: float, previous_page: dict[str, float]) -> bool:
    """A page number, or a running header or footer: the same line at the same height as on
    the previous page. Neither ends a table that goes on over the page."""
    if _PAGE_NUMBER.match(text):
        return True
    return text in previous_page and abs(previous_page[text] - top) <= _SAME_X


def _page_items(page: pdfplumber.page.Page) -> list[tuple[str, float, Any]]:
    """A page's text lines outside its ruled tables and the tables, top to bottom."""
    found = page.find_tables()
    boxes = [t.bbox for t in found]

    def outside(obj: dict) -> bool:
        mid_x, mid_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= mid_x <= b[2] and b[1] <= mid_y <= b[3] for b in boxes)

    text_page = page.filter(outside) if found else page
    items: list[tuple[str, float, Any]] = [
        ("line", line["top"], line) for line in text_page.extract_text_lines(return_chars=False)
    ]
    items += [("table", t.bbox[1], t) for t in found]
    return sorted(items, key=lambda item: item[1])


def _read(path: Path) -> LaidOutDocument:
    blocks: list[TextBlock] = []
    grids: list[list[tuple[GridCell, ...]]] = []
    meta: list[tuple[SourceRef, TextBlock | None]] = []
    ends: list[int] = []  # for each grid: how many text blocks came before its last row
    blocks_before_last_table = 0
    chars = 0
    with pdfplumber.open(path) as pdf:
        open_table: _PageTable | None = None  # the table that ended the previous page
        running: dict[str, float] = {}  # the previous page's lines: text -> top
        for number, printed in enumerate(pdf.pages, start=1):
            chars += len(printed.chars)
            page = printed.dedupe_chars()  # bold faked by printing each glyph twice
            items = _page_items(page)
            line_number = 0
            last_kind = None
            on_this_page: dict[str, float] = {}
            for kind, top, item in items:
                if kind == "line":
                    line_number += 1
                    text = clean_text(item["text"])
                    if not text:
                        continue
                    blocks.append(TextBlock(text, SourceRef(page=number, row=line_number)))
                    on_this_page[text] = top
                    if not _running_line(text, top, running):
                        last_kind = "line"
                        open_table = None
                    continue
                table = None
                if _continues(open_table, item, number, first_on_page=last_kind is None):
                    table = _table_rows(item, page, len(grids), open_table.xs)
                    if open_table.ends_low or _repeated_header(grids[-1], table.rows):
                        _append(grids[-1], table.rows)
                        ends[-1] = len(blocks)
                    else:  # a new table that happens to start the page
                        table = None
                if table is None:
                    table = _table_rows(item, page, len(grids) + 1, _column_edges(item))
                    caption = (
                        TextBlock(table.title.text, table.title.ref)
                        if table.title
                        else caption_above(blocks, blocks_before_last_table)
                    )
                    grids.append(list(table.rows))
                    ends.append(len(blocks))
                    meta.append((SourceRef(page=number, table=len(grids)), caption))
                blocks_before_last_table = len(blocks)
                open_table = table
                last_kind = "table"
            if last_kind != "table":
                open_table = None
            running = on_this_page
        pages = len(pdf.pages)
    if chars == 0:
        raise PlanTableError(
            str(path),
            None,
            f"no text layer on any of its {pages} pages (an image-only, scanned PDF): OCR it first",
        )
    if not grids:
        raise PlanTableError(
            str(path),
            None,
            f"no ruled table on any of its {pages} pages (tables without drawn lines are not read)",
        )
    for i in reversed(range(len(grids))):  # a note under a table: running text after it
        grids[i], note = note_row(grids[i])
        if note is not None:
            blocks.insert(ends[i], TextBlock(note.text, note.ref))
    return LaidOutDocument(
        doc=path.name,
        format="pdf",
        text=blocks,
        grids=[
            Grid(
                rows=rows,
                ref=ref,
                caption=caption.text if caption else None,
                caption_ref=caption.ref if caption else None,
            )
            for rows, (ref, caption) in zip(grids, meta, strict=True)
        ],
    )
