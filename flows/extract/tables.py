"""Find tables in a document by their headers and read their rows in either layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flows.extract.headers import (
    Column,
    ScheduleColumns,
    indicator_columns,
    normalise_header,
    period_in_text,
    schedule_columns,
)
from flows.extract.layout import LineKind, Row, line_kind, next_nonblank, stacked_row, tabbed_row
from flows.extract.models import PlanTableError


@dataclass(frozen=True)
class FoundTable:
    """A table's header, its rows in reading order, and the title line above it (if any)."""

    kind: str  # indicators | schedule
    header: Row
    rows: list[Row]
    title: str | None
    period: tuple[int, int] | None  # named in the title
    columns: list[Column] | None = None
    schedule: ScheduleColumns | None = None

    @property
    def last_line(self) -> int:
        last = self.rows[-1] if self.rows else self.header
        return max(cell.line for cell in last.cells) if last.cells else last.line


def _classify(
    doc: str, header: Row
) -> tuple[str, list[Column] | None, ScheduleColumns | None] | None:
    texts = header.texts
    try:
        columns = indicator_columns(texts)
    except ValueError as error:
        raise PlanTableError(doc, header.line, str(error)) from None
    if columns is not None:
        return "indicators", columns, None
    schedule = schedule_columns(texts)
    if schedule is not None:
        return "schedule", None, schedule
    return None


def _title_above(lines: list[str], index: int) -> str | None:
    """The nearest non-blank plain line within three lines above the header."""
    for i in range(index - 1, max(index - 4, -1), -1):
        kind = line_kind(lines[i])
        if kind is LineKind.PLAIN:
            text = lines[i].strip()
            return text if len(text) <= 80 else None
        if kind is not LineKind.BLANK:
            return None
    return None


def _tabbed_rows(lines: list[str], index: int, header: Row) -> tuple[list[Row], int]:
    """Rows after a tabbed header until a blank line not followed by the same header again."""
    rows: list[Row] = []
    wanted = [normalise_header(t) for t in header.texts]
    i = index
    while i < len(lines):
        kind = line_kind(lines[i])
        if kind is LineKind.TABBED:
            row = tabbed_row(lines, i)
            if [normalise_header(t) for t in row.texts] != wanted:  # a repeated header
                rows.append(row)
            i += 1
        elif kind is LineKind.BLANK:
            j = next_nonblank(lines, i)
            if j < len(lines) and line_kind(lines[j]) is LineKind.TABBED:
                again = [normalise_header(t) for t in tabbed_row(lines, j).texts]
                if again == wanted:  # the table goes on after a page break
                    i = j + 1
                    continue
            break
        else:
            break
    return rows, i


def _stacked_rows(lines: list[str], index: int, width: int) -> tuple[list[Row], int]:
    """Stacked rows after a stacked header until something that is not a stacked row."""
    rows: list[Row] = []
    i = index
    while True:
        j = next_nonblank(lines, i)
        if j >= len(lines) or line_kind(lines[j]) is not LineKind.STACKED:
            return rows, i
        row, after = stacked_row(lines, j, width=width)
        if len(row.cells) <= 1:  # a lone tabbed line (a box title), not a row
            return rows, i
        rows.append(row)
        i = after


def find_tables(doc: str, lines: list[str]) -> Iterator[FoundTable]:
    """Every indicator table and milestone schedule in the document, in order."""
    i = 0
    while i < len(lines):
        kind = line_kind(lines[i])
        if kind is LineKind.TABBED:
            header = tabbed_row(lines, i)
            after_header = i + 1
        elif kind is LineKind.STACKED and (
            i == 0 or line_kind(lines[i - 1]) is not LineKind.STACKED
        ):
            header, after_header = stacked_row(lines, i)
        else:
            i += 1
            continue
        classified = _classify(doc, header)
        if classified is None:
            i = max(after_header, i + 1)
            continue
        table_kind, columns, schedule = classified
        if kind is LineKind.TABBED:
            rows, end = _tabbed_rows(lines, after_header, header)
        else:
            rows, end = _stacked_rows(lines, after_header, len(header.cells))
        if not rows:
            raise PlanTableError(doc, header.line, "table header is not followed by any row")
        title = _title_above(lines, i)
        period = period_in_text(title) if title else None
        yield FoundTable(table_kind, header, rows, title, period, columns, schedule)
        i = max(end, i + 1)
