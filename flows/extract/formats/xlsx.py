"""A plan table published as an Excel workbook (.xlsx) -> `LaidOutDocument`.

Every visible sheet is read in order (openpyxl), merged ranges as merges, each cell citing its
sheet, row and column as Excel numbers them (`sheet 指标, row 7, column 4`). A cell reads as
Excel displays it: a number through its number format (0.25 formatted `0.000` reads `0.250`,
0.955 formatted `0.0%` reads `95.5%`), so a value keeps the digits the publisher wrote. Hidden
sheets, rows and columns are not read (like hidden HTML). Formulas read as their last computed
value; a formula never computed (no cached value) is an empty cell.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flows.extract.formats.cells import SpanCell, clean_text
from flows.extract.formats.sheet import SheetLayout, lay_out_sheet
from flows.extract.grid import LaidOutDocument, SourceRef
from flows.extract.models import PlanTableError

# A number format Excel shows as digits: optional thousands grouping, decimals, a percent sign
# (`0`, `0.000`, `#,##0.00`, `0.0%`); any other format (dates, currencies, text) reads General.
_NUMBER_FORMAT = re.compile(r"^[#0]*(,[#0]*)?(?:\.(0+))?(%?)$")


def _positive_section(number_format: str) -> str:
    """The part of a number format that shows a positive number, without what only pads or
    colours it (`0.00_ `, `#,##0.00_);[Red](#,##0.00)`, `[$-804]0.0%`) or literal text."""
    section = number_format.split(";")[0]
    section = re.sub(r"\[[^\]]*\]|_.|\\.|\"[^\"]*\"|[()]", "", section)
    return section.strip()


def _number(value: float, number_format: str) -> str:
    """A number as Excel shows it under its format (General: up to 15 significant digits)."""
    number_format = _positive_section(number_format)
    match = _NUMBER_FORMAT.match(number_format)
    if match and number_format != "General" and "0" in number_format:
        # as Excel rounds: the number's 15 significant digits, half away from zero (2.675 -> 2.68)
        exact = Decimal(format(value, ".15g")) * (100 if match.group(3) else 1)
        shown = exact.quantize(Decimal(1).scaleb(-len(match.group(2) or "")), ROUND_HALF_UP)
        grouping = "," if match.group(1) is not None else ""
        return f"{shown:{grouping}f}" + match.group(3)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def cell_text(value: object, number_format: str) -> str:
    """What a cell shows: text cleaned as every reader cleans it, numbers by their format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number(value, number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return clean_text(str(value))


def _load(path: Path):  # -> openpyxl.Workbook
    import openpyxl  # lazy: openpyxl costs ~0.3 s to import, only workbooks need it

    try:
        with warnings.catch_warnings():  # openpyxl warns of parts it drops (data validation...)
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=True)
    except zipfile.BadZipFile:
        head = path.read_bytes()[:8]
        said = (
            "an old binary .xls workbook (save it as .xlsx)"
            if head.startswith(b"\xd0\xcf\x11\xe0")
            else "not an .xlsx workbook (not a zip package)"
        )
        raise PlanTableError(str(path), None, said) from None
    except Exception as error:  # any parse failure (a missing part, bad XML, an entity bomb)
        said = f"not a readable .xlsx workbook ({type(error).__name__}: {error})"
        raise PlanTableError(str(path), None, said) from None


def _read_sheet(sheet, layout: SheetLayout) -> None:  # sheet: openpyxl Worksheet
    """One visible sheet's text and tables, hidden rows and columns left out."""
    name = sheet.title
    # the cells the file holds (iter_rows would create every empty cell of the used rectangle:
    # 17 billion for a stray value in XFD1048576); sorted in reading order
    values = sorted(
        (cell for cell in sheet._cells.values() if cell.value is not None),
        key=lambda cell: (cell.row, cell.column),
    )
    ranges = list(sheet.merged_cells.ranges)
    # a merge reaching past the last filled row or column covers nothing there: cut it
    last_row = max([c.row for c in values] + [m.min_row for m in ranges], default=0)
    last_column = max([c.column for c in values] + [m.min_col for m in ranges], default=0)
    hidden_rows = {r for r, d in sheet.row_dimensions.items() if d.hidden}
    hidden_columns = _hidden_columns(sheet)
    filled = {c.row for c in values} | {
        r for m in ranges for r in range(m.min_row, min(m.max_row, last_row) + 1)
    }
    rows = [  # a run of empty rows reads as one blank row (they only separate blocks)
        r
        for r in range(1, last_row + 1)
        if r not in hidden_rows and (r in filled or r - 1 in filled or r == 1)
    ]
    columns = [c for c in range(1, last_column + 1) if c not in hidden_columns]
    row_at = {r: i for i, r in enumerate(rows)}
    column_at = {c: i for i, c in enumerate(columns)}

    def ref(r: int, c: int) -> SourceRef:
        return SourceRef(sheet=name, row=rows[r], column=columns[c])

    def table_ref(number: int, r: int) -> SourceRef:
        return SourceRef(sheet=name, table=number, row=rows[r])

    cells: list[SpanCell] = []
    merged: set[tuple[int, int]] = set()
    for merge in ranges:
        span_rows = [
            r for r in range(merge.min_row, min(merge.max_row, last_row) + 1) if r in row_at
        ]
        span_cols = [
            c for c in range(merge.min_col, min(merge.max_col, last_column) + 1) if c in column_at
        ]
        merged.update((r, c) for r in span_rows for c in span_cols)
        if merge.min_row not in row_at or merge.min_col not in column_at:
            continue  # its first cell is hidden: a hidden merge is not read
        first = sheet.cell(merge.min_row, merge.min_col)
        r, c = row_at[merge.min_row], column_at[merge.min_col]
        text = cell_text(first.value, first.number_format)
        cells.append(SpanCell(r, c, text, ref(r, c), len(span_rows), len(span_cols)))
    for cell in values:
        if (cell.row, cell.column) in merged:
            continue
        if cell.row not in row_at or cell.column not in column_at:
            continue
        text = cell_text(cell.value, cell.number_format)
        if text:
            r, c = row_at[cell.row], column_at[cell.column]
            cells.append(SpanCell(r, c, text, ref(r, c)))
    lay_out_sheet(cells, ref, table_ref, layout)


def read_xlsx(path: Path, *, tables_required: bool = True) -> LaidOutDocument:
    """Read every visible sheet of a workbook: running text and every table as a grid. With
    `tables_required=False` a workbook with no table is its running text (read by meaning)."""
    workbook = _load(path)
    layout = SheetLayout()
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            _read_sheet(sheet, layout)
    if not layout.grids and tables_required:
        raise PlanTableError(
            str(path), None, "no table in the workbook (no rows of two cells or more)"
        )
    return LaidOutDocument(doc=path.name, format="xlsx", text=layout.text, grids=layout.grids)


def _hidden_columns(sheet) -> set[int]:  # sheet: openpyxl Worksheet
    """Column numbers hidden in the sheet (a dimension may cover a range of columns)."""
    from openpyxl.utils import column_index_from_string  # lazy: as openpyxl above

    hidden: set[int] = set()
    for letter, dimension in sheet.column_dimensions.items():
        if dimension.hidden:
            first = column_index_from_string(letter)
            last = max(dimension.max or first, first)
            hidden.update(range(max(dimension.min or first, first), last + 1))
    return hidden
