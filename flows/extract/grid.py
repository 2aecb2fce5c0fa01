"""The layout layer's output: any plan document (text, HTML, DOCX, PDF) as text blocks and grids.

A layout reader turns one document into a `LaidOutDocument`: the document's running text (titles,
prose, signatures: what the facts reader needs) and its tables as `Grid`s, rows x cells, every
cell with its exact source position. The semantic layer reads grids through the header
vocabulary and never looks at the format they came from.

Merged cells (HTML rowspan/colspan, Word vMerge/gridSpan, PDF spanning cells) are expanded: the
cell where the merge starts holds the text, every covered position holds an empty cell with
`merged_from` pointing at it (row, column, 0-based within the grid). Readers never guess values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceRef:
    """Where a piece of text sits in its document, as precisely as the format allows.

    Text: `line`. HTML and DOCX: `table`, `row`, `column` (1-based, as a person counts them in the
    document). PDF: `page` and `row` (the row's position within the table on that page), and
    `column`. Unused parts are None.

    What the format readers (flows/extract/formats) put where:
    * table cells: HTML and DOCX `table`, `row`, `column` (the grid column, merges counted); PDF
      `page`, `table`, `row` (counting the repeated header on a continuation page) and `column`;
      `table` counts the document's grids from 1;
    * a grid's own ref: HTML `line` of its `<table>` tag and `table`; DOCX `table`; PDF `page`
      (where it starts) and `table`;
    * text blocks and captions: HTML `line` in the page's source; DOCX `line` = the paragraph's
      number in the document (from 1); PDF `page` and `row` = the line's number on that page.
    """

    line: int | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        parts = [
            f"{name} {value}"
            for name, value in (
                ("page", self.page),
                ("table", self.table),
                ("row", self.row),
                ("column", self.column),
            )
            if value is not None
        ]
        return ", ".join(parts) if parts else "unknown position"


@dataclass(frozen=True)
class GridCell:
    """One cell: its text (whitespace-trimmed; a cell wrapped over lines is joined without the
    line breaks) and where it came from."""

    text: str
    ref: SourceRef
    merged_from: tuple[int, int] | None = None  # (row, column) of the merge's first cell
    # the cell's own lines when the document breaks them on purpose (<br>, paragraphs in a Word
    # cell): a cell of stacked sub-rows (`其中:小学` / `初中`, `34.52%` / `77.34%`); else ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grid:
    """One table as a reader found it: rows in reading order, header row(s) first.

    Rows may have different lengths (a reader keeps what the document has; the semantic layer
    aligns). `caption` is the nearest title above the table (an HTML <caption> or heading, the
    paragraph before a Word table, the line above a text table), used for the table's period.
    """

    rows: list[tuple[GridCell, ...]]
    ref: SourceRef  # where the table starts
    caption: str | None = None
    caption_ref: SourceRef | None = None


@dataclass(frozen=True)
class TextBlock:
    """A paragraph or line of running text outside the tables, in reading order."""

    text: str
    ref: SourceRef


@dataclass(frozen=True)
class LaidOutDocument:
    """A document as the layout layer sees it: running text and tables, both in reading order."""

    doc: str  # the file name rows are tagged with
    format: str  # txt | html | docx | pdf
    text: list[TextBlock]
    grids: list[Grid]
