"""A plan table published or exported as CSV (.csv) -> `LaidOutDocument`.

A CSV is one sheet without merges: a spreadsheet exported to CSV leaves a merged range's
covered cells empty, which the semantic layer reads as "same as above" for labels, as every
format does. The sheet's rows are read like an .xlsx sheet (`sheet.lay_out_sheet`): the rows of
one cell above a table are its title and caption, blank rows separate tables. Each cell cites
`row N, column M` as a spreadsheet numbers them (the record's number: a quoted cell over two
lines is still one row).

UTF-8 only (with or without BOM, as Excel's "CSV UTF-8" saves it): a GBK file is an error naming
its line, never guessed (the same rule as text plans and the actuals contract). Comma-separated;
a file with tabs and no commas in its first lines is tab-separated. A CSV in raw/plans/ is a
plan table: the actuals contract's CSVs (raw/actuals/) and the hand-keyed `NAME.cells.csv`
(flows/extract/keyed.py) are recognised by their header and refused here with where they belong.
"""

from __future__ import annotations

import csv
from pathlib import Path

from flows.extract.formats.cells import SpanCell, clean_text
from flows.extract.formats.sheet import SheetLayout, lay_out_sheet
from flows.extract.grid import LaidOutDocument, SourceRef
from flows.extract.models import PlanTableError
from flows.extract.plan_files import KEYED_SUFFIX
from flows.extract.plan_text import read_text  # one rule for plan text: UTF-8, BOM optional
from flows.load.actuals_contract import REQUIRED_COLUMNS as ACTUALS_COLUMNS


def _delimiter(text: str) -> str:
    head = text[:65536].splitlines()[:50]
    if not any("," in line for line in head) and any("\t" in line for line in head):
        return "\t"
    return ","


def _not_a_plan_table(path: Path, header: list[str]) -> None:
    """Refuse the CSVs of the other contracts by their header, saying where they belong."""
    from flows.extract.keyed_contract import REQUIRED_COLUMNS  # lazy: polars, vocabulary YAML

    names = {name.strip().lower() for name in header}
    if set(ACTUALS_COLUMNS) <= names:
        raise PlanTableError(
            str(path),
            1,
            "this is a CSV of yearly actuals (columns "
            f"{', '.join(ACTUALS_COLUMNS)}), not a plan table: put it in raw/actuals/",
        )
    if set(REQUIRED_COLUMNS) <= names:
        raise PlanTableError(
            str(path),
            1,
            "this is a CSV of plan cells (the columns of `eduplan extract --out` plan_cells.csv), "
            f"not a plan table: name it NAME{KEYED_SUFFIX} to load it as hand-keyed cells",
        )


def read_csv_table(path: Path, *, tables_required: bool = True) -> LaidOutDocument:
    """Read a CSV plan table: running text (one-cell rows) and every table as a grid. With
    `tables_required=False` a CSV with no table is its running text (read by meaning)."""
    text = read_text(path)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=_delimiter(text))
    try:
        records = list(reader)
    except csv.Error as error:
        raise PlanTableError(str(path), reader.line_num, f"not a readable CSV ({error})") from None
    header = next((record for record in records if any(f.strip() for f in record)), [])
    _not_a_plan_table(path, header)
    cells = [
        SpanCell(r, c, text, SourceRef(row=r + 1, column=c + 1))
        for r, record in enumerate(records)
        for c, field in enumerate(record)
        if (text := clean_text(field))
    ]
    layout = SheetLayout()
    lay_out_sheet(
        cells,
        lambda r, c: SourceRef(row=r + 1, column=c + 1),
        lambda number, r: SourceRef(table=number, row=r + 1),
        layout,
    )
    if not layout.grids and tables_required:
        raise PlanTableError(str(path), None, "no table in the CSV (no rows of two cells or more)")
    return LaidOutDocument(doc=path.name, format="csv", text=layout.text, grids=layout.grids)
