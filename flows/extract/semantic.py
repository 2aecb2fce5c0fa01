"""The semantic layer: one grid (from any format) -> value cells or milestones, via the vocabulary.

It finds the header (one row, or several when a header cell spans the columns below it:
`2025年` over `目标值 | 属性`), gives every column a role, turns section rows (`一、发展水平`,
a lone `学前教育`, a cell spanning the width) into the category of the rows below, reads merged
cells as their first cell's text (labels) or as empty (values: a value is never copied), and
hands the rows to the indicator or schedule reader. It never looks at the format or the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.extract.formats.alignment import align
from flows.extract.grid import Grid, GridCell
from flows.extract.headers import (
    Column,
    ScheduleColumns,
    header_column,
    indicator_columns,
    is_table_header,
    normalise_header,
    period_in_text,
    schedule_columns,
)
from flows.extract.indicators import TableRows, error, table_cells
from flows.extract.models import Milestone, PlanCell, TableInfo
from flows.extract.schedule import schedule_milestones
from flows.extract.values import looks_like_value
from flows.extract.vocabulary import VOCABULARY

Row = tuple[GridCell, ...]
_SECTION_NUMBER = re.compile(r"^[一二三四五六七八九十]+$")
_LABEL_ROLES = ("category", "indicator", "breakdown", "sequence")


@dataclass
class ReadGrid:
    """What the semantic layer made of one grid (also what --explain prints)."""

    info: TableInfo
    grid: Grid
    header_rows: int
    columns: list[Column] | None = None
    schedule: ScheduleColumns | None = None
    cells: list[PlanCell] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _resolved(grid: Grid, r: int, c: int, *, values: bool = False) -> str:
    """A cell's text, a covered cell taking its merge's first cell's (labels only)."""
    cell = grid.rows[r][c]
    if cell.merged_from is None:
        return cell.text
    if values:
        return ""
    origin_r, origin_c = cell.merged_from
    return grid.rows[origin_r][origin_c].text


def _is_header_row(row: Row) -> bool:
    texts = [c.text for c in row if c.text and c.merged_from is None]
    return bool(texts) and all(header_column(t) is not None for t in texts)


def _header_texts(grid: Grid, depth: int) -> list[str]:
    """One text per column: the lowest level naming a role, a year joined with its year word."""
    width = max(len(r) for r in grid.rows[:depth])
    texts: list[str] = []
    for c in range(width):
        stack: list[str] = []
        for r in range(depth):
            text = _resolved(grid, r, c) if c < len(grid.rows[r]) else ""
            if text and (not stack or stack[-1] != text):
                stack.append(text)
        columns = [header_column(t) for t in stack]
        if stack and columns[-1] is not None and columns[-1].role != "year":
            texts.append(stack[-1])
        elif any(col is not None and col.role == "year" for col in columns):
            texts.append("".join(t for t, col in zip(stack, columns, strict=True) if col))
        else:
            texts.append("".join(stack))
    return texts


def _header_start(grid: Grid, *, within: int = 5) -> int:
    """The first row that reads as a header (rows above it are titles); 0 when none does."""
    for r, row in enumerate(grid.rows[:within]):
        if is_table_header([_resolved(grid, r, c) for c in range(len(row))]):
            return r
    return 0


def _depth(grid: Grid) -> int:
    depth = 1
    while depth < len(grid.rows) and _is_header_row(grid.rows[depth]):
        depth += 1
    return depth


def _section(grid: Grid, r: int, columns: list[Column]) -> str | None:
    """The heading a section row gives the rows below it, or None for an ordinary row."""
    row = grid.rows[r]
    filled = [(c, cell.text) for c, cell in enumerate(row) if cell.text and not cell.merged_from]
    if len(filled) == 2 and _SECTION_NUMBER.match(filled[0][1]):
        filled = filled[1:]  # 一 | 发展水平
    if len(filled) != 1 or looks_like_value(filled[0][1]):
        return None
    position, text = filled[0]
    heading = text
    for marker in VOCABULARY.section_markers:
        heading = marker.sub("", heading, count=1)
    if VOCABULARY.is_section(text):
        return heading.strip() or text
    spans = len(row) > 2 and all(
        cell.merged_from == (r, position) for c, cell in enumerate(row) if c != position
    )
    if spans:
        return text
    if position >= len(columns) or columns[position].role not in _LABEL_ROLES:
        return None
    if any(c.role == "category" for c in columns):
        return None  # the category column carries it (and it may be an indicator's parent)
    for below in grid.rows[r + 1 :]:  # a heading when the next row names its own indicator
        aligned = align(below, columns)
        if aligned is None:
            return None
        cols, placed = aligned
        indicator = next(
            (
                cell.text
                for col, cell in zip(cols, placed, strict=True)
                if col.role == "indicator" and cell
            ),
            None,
        )
        return text if indicator else None
    return None


def _body(
    grid: Grid, depth: int, columns: list[Column], header_key: list[str], *, sections: bool = True
) -> list[Row | str]:
    body: list[Row | str] = []
    for r in range(depth, len(grid.rows)):
        row = grid.rows[r]
        if _is_header_row(row) or (
            len(row) == len(header_key) and [normalise_header(c.text) for c in row] == header_key
        ):
            continue  # the header (or a level of it) repeated after a page break
        heading = _section(grid, r, columns) if sections else None
        if heading is not None:
            body.append(heading)
            continue
        if not any(cell.merged_from for cell in row):
            body.append(row)
            continue
        resolved = []
        for c, cell in enumerate(row):
            is_value = c >= len(columns) or columns[c].role in ("year", "rate")
            text = _resolved(grid, r, c, values=is_value)
            resolved.append(GridCell(text, cell.ref) if text != cell.text else cell)
        body.append(tuple(resolved))
    return body


def read_grid(
    doc: str, table_no: int, grid: Grid, doc_period: tuple[int, int] | None
) -> ReadGrid | None:
    """Read one grid; None when it is not an indicator table or milestone schedule."""
    start = _header_start(grid)
    if start:  # title rows above the header (a caption drawn as a table row)
        caption = " ".join(c.text for row in grid.rows[:start] for c in row if c.text)
        grid = Grid(grid.rows[start:], grid.ref, grid.caption or caption, grid.caption_ref)
    depth = _depth(grid)
    texts = _header_texts(grid, depth)
    header_ref = grid.rows[0][0].ref if grid.rows[0] else grid.ref
    try:
        columns = indicator_columns(texts)
    except ValueError as problem:
        raise error(doc, header_ref, str(problem)) from None
    schedule = None if columns is not None else schedule_columns(texts)
    if columns is None and schedule is None:
        return None
    if len(grid.rows) <= depth:
        raise error(doc, header_ref, "table header is not followed by any row")
    period = (period_in_text(grid.caption) if grid.caption else None) or doc_period
    last = grid.rows[-1]
    last_ref = max((c.ref for c in last), key=lambda ref: ref.line or 0, default=grid.ref)
    info = TableInfo(
        doc=doc,
        table=table_no,
        kind="indicators" if columns is not None else "schedule",
        title=grid.caption,
        header_line=header_ref.line,
        last_line=last_ref.line,
        period_start_year=period[0] if period else None,
        period_end_year=period[1] if period else None,
        header_ref=str(header_ref),
    )
    read = ReadGrid(info, grid, depth, columns, schedule)
    header_key = [normalise_header(c.text) for c in grid.rows[0]]
    if columns is not None:
        body = _body(grid, depth, columns, header_key)
        read.sections = [b for b in body if isinstance(b, str)]
        table = TableRows(table_no, columns, header_ref, body)
        read.cells = table_cells(doc, table, period, read.warnings)
    else:
        assert schedule is not None
        label_columns = [Column("sequence", "")] * (max(schedule.regions) + 1)
        for position in (schedule.program, schedule.time):
            label_columns[position] = Column("indicator", "")
        for position in schedule.regions:
            label_columns[position] = Column("year", "")
        body = _body(grid, depth, label_columns, header_key, sections=False)
        rows = [b for b in body if not isinstance(b, str)]
        read.milestones = schedule_milestones(doc, schedule, header_ref, rows)
    return read
