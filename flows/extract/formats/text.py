"""The layout reader for plain text (.txt, .md): running text and table grids, every cell with
its line.

A table starts at a line (or a run of one-cell lines) that reads as a header through the
vocabulary, in any of these layouts:

* tabbed: one row per line, cells separated by tabs;
* stacked: one cell per line, with or without a leading tab, rows separated by blank lines or
  not (then every row has the header's number of lines, a blank or lone-tab line being an
  empty cell); a line without a leading tab continues the cell above it (`\\t公平与` + `均衡`);
* pipe (Markdown) tables, with or without the `|---|` rule;
* columns separated by runs of spaces, or by single spaces (see text_columns).

A table goes on after a blank line when its header is repeated (a table split over two parts);
a table whose header repeats the previous table's, with no new plan period named in between,
continues that table. Several tables with prose between them are separate grids.
"""

from __future__ import annotations

from functools import lru_cache

from flows.extract.formats.text_columns import (
    Row,
    has_wide_gaps,
    is_pipe_line,
    is_rule,
    join_spaced_letters,
    merge_wrapped,
    pipe_cells,
    pipe_row,
    space_row,
    spans,
)
from flows.extract.formats.text_lines import LineKind, line_kind, next_nonblank, split_lines
from flows.extract.formats.text_lines import stacked_row as _stacked_row
from flows.extract.grid import Grid, GridCell, LaidOutDocument, SourceRef, TextBlock
from flows.extract.headers import (
    header_column,
    is_table_header,
    normalise_header,
    period_in_text,
    schedule_columns,
)
from flows.extract.labels import finishes_name, part_marker
from flows.extract.values import clean_cell, looks_like_value

Found = tuple[list[Row], int]  # the grid's rows (header first) and the index after the table


@lru_cache(maxsize=262144)
def _ref(line: int) -> SourceRef:
    """One SourceRef per line (cells of a line share it; SourceRef is immutable)."""
    return SourceRef(line=line)


def _grid_row(row: object) -> Row:
    return tuple(GridCell(c.text, _ref(c.line)) for c in row.cells)  # type: ignore[attr-defined]


def _tab_row(lines: list[str], index: int) -> Row:
    ref = _ref(index + 1)
    return tuple(GridCell(clean_cell(t), ref) for t in lines[index].split("\t"))


def _key(row: Row) -> list[str]:
    return [normalise_header(c.text) for c in row]


def _same(row: Row, wanted: list[str]) -> bool:
    """Does the row repeat the header?"""
    return len(row) == len(wanted) and _key(row) == wanted


def _is_header_word(text: str) -> bool:
    return header_column(text) is not None


def _tabbed(lines: list[str], i: int) -> Found | None:
    header = _tab_row(lines, i)
    if is_pipe_line(lines[i]) or not is_table_header([c.text for c in header]):
        return None
    rows, wanted, j = [header], _key(header), i + 1
    while j < len(lines):
        kind = line_kind(lines[j])
        if kind is LineKind.TABBED:
            row = _tab_row(lines, j)
            if not _same(row, wanted):  # a repeated header is dropped
                rows.append(row)
            j += 1
        elif kind is LineKind.BLANK:
            k = next_nonblank(lines, j)
            if k < len(lines) and line_kind(lines[k]) is LineKind.TABBED:
                again = _tab_row(lines, k)
                if _same(again, wanted):
                    j = k + 1  # the table goes on after a page break
                    continue
                if not is_table_header([c.text for c in again]) and _row_like(again, rows[-1]):
                    j = k  # rows with blank lines between them
                    continue
            break
        elif kind is LineKind.PLAIN and (wrapped := _wrapped_into(rows, lines[j])) is not None:
            rows[-1] = wrapped
            j += 1  # a label wrapped onto a line of its own (`覆盖率` + `（%）`)
        else:
            break
    return rows, j


_WRAPPED_END = 10  # the most characters the wrapped end of a name (`率（%）`) is taken to have


def _wrapped_into(rows: list[Row], line: str) -> Row | None:
    """The last row of a tabbed table with a line that has no tab joined to it, when that line
    ends the row's name: as merge_wrapped reads wrapped cells (an open bracket above, a unit in
    brackets), or a measure finishing a name that names none (`免疫规划` + `疫苗接种率`). None
    when it does not: then the table ends there. The end of a name is short: a longer line (a
    note in brackets under the table) is none."""
    if len(rows) < 2 or len(clean_cell(line)) > _WRAPPED_END:
        return None
    last = rows[-1]
    merged = merge_wrapped([rows[0], last, _tab_row([line], 0)])
    if len(merged) == 2:
        return merged[1]
    names = [i for i, c in enumerate(last) if c.text and not looks_like_value(c.text)]
    if not names:
        return None
    name = max(names, key=lambda i: len(last[i].text))
    if not finishes_name(last[name].text, line):
        return None
    cell = last[name]
    joined = GridCell(cell.text + clean_cell(line), cell.ref, cell.merged_from)
    return (*last[:name], joined, *last[name + 1 :])


def _row_like(row: Row, previous: Row) -> bool:
    """A row after a blank line that continues a table: about as many cells as the row before,
    and values (not a tabbed note or the next table's title)."""
    if len([c for c in row if c.text]) < 2 or abs(len(row) - len(previous)) > 1:
        return False
    return any(looks_like_value(c.text) for c in row)


def _chunked(cells: list[tuple[str, int]], width: int) -> list[Row]:
    """Rows of `width` cells from a flat run of one-cell lines (no blank lines between rows)."""
    rows: list[Row] = []
    for at in range(0, len(cells) - width + 1, width):
        rows.append(tuple(GridCell(t, _ref(n)) for t, n in cells[at : at + width]))
    return rows


def _stacked(lines: list[str], i: int) -> Found | None:
    if i > 0 and line_kind(lines[i - 1]) is LineKind.STACKED:
        return None
    first, after = _stacked_row(lines, i)
    texts = [c.text for c in first.cells]
    words = 0
    while words < len(texts) and (_is_header_word(texts[words]) or not texts[words]):
        words += 1
    if schedule_columns(texts) is not None:
        words = len(texts)  # region columns are names, not header words
    if not is_table_header(texts[:words]):
        return None
    header = _grid_row(first)[:words]
    if words == len(texts):  # rows separated by blank lines
        rows, j = [header], after
        while True:
            k = next_nonblank(lines, j)
            if k >= len(lines) or line_kind(lines[k]) is not LineKind.STACKED:
                return rows, j
            row, end = _stacked_row(lines, k, width=len(header))
            if len(row.cells) <= 1:  # a lone tabbed line (a box title), not a row
                return rows, j
            rows.append(_grid_row(row))
            j = end
    # no blank lines: every row has the header's number of lines
    flat: list[tuple[str, int]] = []
    start = j = first.cells[words].line - 1
    while j < len(lines) and line_kind(lines[j]) is LineKind.STACKED:
        flat.append((clean_cell(lines[j]), j + 1))
        j += 1
    rows = _chunked(flat, len(header))
    return [header, *rows], start + len(rows) * len(header)


def _plain_stacked(lines: list[str], i: int) -> Found | None:
    """One cell per line without tabs: a run of header words, then rows."""
    j = i
    while j < len(lines) and line_kind(lines[j]) is LineKind.PLAIN and _is_header_word(lines[j]):
        j += 1
    texts = [clean_cell(line) for line in lines[i:j]]
    if len(texts) < 3 or not is_table_header(texts):
        return None
    width = len(texts)
    header = tuple(GridCell(t, _ref(i + 1 + k)) for k, t in enumerate(texts))
    rows: list[Row] = [header]
    if j < len(lines) and line_kind(lines[j]) is LineKind.BLANK:  # rows between blank lines
        while True:
            k = next_nonblank(lines, j)
            group: list[tuple[str, int]] = []
            while k < len(lines) and line_kind(lines[k]) is LineKind.PLAIN:
                group.append((clean_cell(lines[k]), k + 1))
                k += 1
            if not group or len(group) > width or any(_is_prose(t) for t, _ in group):
                return rows, j
            if [normalise_header(t) for t, _ in group] != _key(header):
                rows.append(tuple(GridCell(t, _ref(n)) for t, n in group))
            j = k
    flat: list[tuple[str, int]] = []  # no blank lines between rows: a blank line is an empty cell
    k = j
    while k < len(lines) and not _is_prose(lines[k]) and line_kind(lines[k]) is not LineKind.TABBED:
        flat.append((clean_cell(lines[k]), k + 1))
        k += 1
    chunks = _chunked(flat, width)
    while chunks and not any(c.text for c in chunks[-1]):
        chunks.pop()
    return [header, *chunks], j + len(chunks) * width


def _is_prose(line: str) -> bool:
    text = clean_cell(line)
    if part_marker(text):  # 其中:研究生 … : a part of the row above, not a sentence
        text = text[len(part_marker(text) or "") :]
    return len(text) > 60 or any(p in text for p in "。；;：:")


def _pipe(lines: list[str], i: int) -> Found | None:
    if not is_pipe_line(lines[i]) or not is_table_header(pipe_cells(lines[i])):
        return None
    header = pipe_row(lines[i], i + 1)
    rows, wanted, j = [header], _key(header), i + 1
    while j < len(lines):
        if is_pipe_line(lines[j]):
            if not is_rule(lines[j]) and _key(pipe_row(lines[j], j + 1)) != wanted:
                rows.append(pipe_row(lines[j], j + 1))
            j += 1
            continue
        k = next_nonblank(lines, j)
        if k < len(lines) and k > j and is_pipe_line(lines[k]):
            again = pipe_row(lines[k], k + 1)
            if _key(again) == wanted:  # the header repeated: the table goes on
                j = k + 1
                continue
            if not is_table_header([c.text for c in again]):  # rows with blank lines between
                j = k
                continue
        break
    return [rows[0], *merge_wrapped(rows)[1:]], j


def _spaced(lines: list[str], i: int) -> Found | None:
    wide = has_wide_gaps(lines[i])
    cells = join_spaced_letters(spans(lines[i], wide=wide))
    texts = [t for t, _, _ in cells]
    if len(texts) < 3 or not is_table_header(texts):
        return None
    if not wide and not all(_is_header_word(t) for t in texts):
        return None
    header = tuple(GridCell(t, _ref(i + 1)) for t in texts)
    rows, wanted, j = [header], _key(header), i + 1
    while j < len(lines):
        kind = line_kind(lines[j])
        if kind is LineKind.PLAIN and not _is_prose(" ".join(lines[j].split())):
            row = space_row(lines[j], j + 1, cells, wide=wide)
            if _key(row) != wanted:
                rows.append(row)
            j += 1
            continue
        k = next_nonblank(lines, j)
        if kind is LineKind.BLANK and k < len(lines):
            again = space_row(lines[k], k + 1, None, wide=wide)
            if _key(again) == wanted:
                j = k + 1
                continue
            if (  # rows with blank lines between: the next line is a row of this table
                line_kind(lines[k]) is LineKind.PLAIN
                and (has_wide_gaps(lines[k]) or not wide)
                and len(again) >= 2
                and not _is_prose(" ".join(lines[k].split()))
                and not is_table_header([c.text for c in again])
            ):
                j = k
                continue
        break
    return [rows[0], *merge_wrapped(rows)[1:]], j


def _table_at(lines: list[str], i: int) -> Found | None:
    kind = line_kind(lines[i])
    if is_pipe_line(lines[i]):
        return _pipe(lines, i)
    if kind is LineKind.TABBED:
        return _tabbed(lines, i)
    if kind is LineKind.STACKED:
        return _stacked(lines, i)
    if kind is LineKind.PLAIN:
        return _spaced(lines, i) or _plain_stacked(lines, i)
    return None


def _caption(lines: list[str], index: int) -> tuple[str, int] | None:
    """The nearest non-blank plain line within three lines above the header."""
    for i in range(index - 1, max(index - 4, -1), -1):
        kind = line_kind(lines[i])
        if kind is LineKind.PLAIN and not is_pipe_line(lines[i]):
            text = lines[i].strip()
            return (text, i + 1) if len(text) <= 80 else None
        if kind is not LineKind.BLANK:
            return None
    return None


def _continues(previous: Grid, grid: Grid, between: list[str]) -> bool:
    """A header repeating the previous table's, with no new period named in between."""
    return _key(previous.rows[0]) == _key(grid.rows[0]) and not any(
        period_in_text(line) for line in between
    )


def read_text_layout(doc: str, text: str) -> LaidOutDocument:
    """Split a text document into running-text blocks and table grids."""
    lines = split_lines(text)
    grids: list[Grid] = []
    blocks: list[TextBlock] = []
    last_end = 0
    i = 0
    while i < len(lines):
        found = _table_at(lines, i)
        if found is None:
            if line_kind(lines[i]) is not LineKind.BLANK:
                blocks.append(TextBlock(lines[i].strip(), SourceRef(line=i + 1)))
            i += 1
            continue
        rows, end = found
        caption = _caption(lines, i)
        grid = Grid(
            rows=rows,
            ref=SourceRef(line=i + 1),
            caption=caption[0] if caption else None,
            caption_ref=SourceRef(line=caption[1]) if caption else None,
        )
        if grids and _continues(grids[-1], grid, lines[last_end:i]):
            grids[-1].rows.extend(rows[1:])
        else:
            grids.append(grid)
        last_end = max(end, i + 1)
        i = last_end
    return LaidOutDocument(doc=doc, format="txt", text=blocks, grids=grids)
