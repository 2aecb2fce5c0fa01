"""Plan documents -> typed rows: indicator value cells, milestones, document facts.

Two layers: a layout reader per format turns a document into a `LaidOutDocument` (running text
and table grids, every cell with its position), and the semantic layer (`semantic.read_grid`)
reads every grid the same way, whatever its format. Pure parsing: no DuckDB, no Prefect.
`extract_document` is what the CLI and the flow call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from flows.extract.facts import document_facts, read_metadata
from flows.extract.formats.text import read_text_layout
from flows.extract.formats.text_lines import split_lines
from flows.extract.grid import Grid, LaidOutDocument, SourceRef
from flows.extract.keyed import read_keyed
from flows.extract.models import (
    Commitment,
    DocumentFacts,
    ExtractedDocument,
    Milestone,
    PlanCell,
    PlanTableError,
    TableInfo,
)
from flows.extract.plan_files import is_keyed
from flows.extract.plan_text import read_text
from flows.extract.prose import prose_commitments
from flows.extract.semantic import ReadGrid, read_grid
from flows.extract.stream import StreamTable, read_stream
from flows.extract.vocabulary import normalise_header

__all__ = [
    "READERS",
    "Commitment",
    "DocumentFacts",
    "ExtractedDocument",
    "Milestone",
    "PlanCell",
    "PlanTableError",
    "TableInfo",
    "extract_document",
    "extract_laid_out",
    "extract_text",
    "read_grids",
    "read_tables",
    "read_text",
]

# A layout reader: (path) -> the document as text blocks and grids. One per file suffix; the
# HTML, DOCX and PDF readers (flows/extract/formats/) register here.
LayoutReader = Callable[[Path], LaidOutDocument]

# A plan document is a few MB at most (a scanned-and-OCRed PDF of a long plan perhaps 30): a
# bigger file is not a plan, and reading it whole would cost its size in memory and more.
MAX_DOCUMENT_BYTES = 64 * 10**6


def _read_text_file(path: Path) -> LaidOutDocument:
    return read_text_layout(path.name, read_text(path))


def _read_published_file(path: Path) -> LaidOutDocument:
    """HTML, DOCX, PDF, XLSX and CSV (flows/extract/formats/), imported only when such a file
    is read."""
    from flows.extract.formats import read_laid_out  # lazy: pdfplumber, lxml, openpyxl, ~0.7 s

    return read_laid_out(path, tables_required=False)


READERS: dict[str, LayoutReader] = {
    ".txt": _read_text_file,
    ".md": _read_text_file,
    ".html": _read_published_file,
    ".htm": _read_published_file,
    ".docx": _read_published_file,
    ".pdf": _read_published_file,
    ".xlsx": _read_published_file,
    ".csv": _read_published_file,  # NAME.cells.csv: hand-keyed cells (flows/extract/keyed.py)
}


def read_grids(laid_out: LaidOutDocument, doc_period: tuple[int, int] | None) -> list[ReadGrid]:
    """Every grid that is an indicator table or milestone schedule, read and numbered."""
    read: list[ReadGrid] = []
    for grid in laid_out.grids:
        found = read_grid(laid_out.doc, len(read) + 1, grid, doc_period)
        if found is not None:
            read.append(found)
    return read


@dataclass
class ReadTables:
    """Every table of a document: grids the layout readers drew, and tables the meaning reader
    assembled from the running text they left (flattened pages, PDF text, one cell per line)."""

    grids: list[ReadGrid]
    streams: list[StreamTable]


def _span(grid: Grid) -> range:
    """The lines a text grid spans (its caption to its last cell)."""
    lines = [c.ref.line for row in grid.rows for c in row if c.ref.line is not None]
    first = (
        grid.caption_ref.line
        if grid.caption_ref and grid.caption_ref.line
        else min(lines, default=0)
    )
    return range(first or 0, max(lines, default=-1) + 1)


def _grid_lines(read: ReadGrid) -> range:
    first = read.grid.caption_ref.line if read.grid.caption_ref else read.grid.ref.line
    return range(first or 0, (read.info.last_line or -1) + 1)


def read_tables(
    laid_out: LaidOutDocument,
    doc_period: tuple[int, int] | None,
    *,
    lines: list[str] | None = None,
) -> ReadTables:
    """Read the grids, then assemble by meaning whatever text holds a table header the grids do
    not cover. A grid the semantic layer cannot read is left to the meaning reader: when it
    places every cell of those lines in a row (a cell it is unsure of is kept and marked
    needs_review), meaning wins; otherwise the grid's error stands. Tables are numbered in
    document order."""
    grids: list[ReadGrid] = []
    failed: list[tuple[PlanTableError, Grid]] = []
    for grid in laid_out.grids:
        try:
            found = read_grid(laid_out.doc, len(grids) + 1, grid, doc_period)
        except PlanTableError as problem:
            failed.append((problem, grid))
            continue
        if found is not None:
            grids.append(found)
    if lines is not None:
        covered = {n for read in grids for n in _grid_lines(read)}
        text = ["" if n + 1 in covered else line for n, line in enumerate(lines)]
        streams = read_stream(laid_out.doc, text, lambda n: SourceRef(line=n + 1), doc_period)
    else:
        blocks = laid_out.text
        streams = read_stream(
            laid_out.doc, [b.text for b in blocks], lambda n: blocks[n].ref, doc_period
        )
    for problem, grid in failed:  # the layout read a table it could not make sense of
        span = _span(grid)
        inside = [s for s in streams if s.start in span]
        wanted = "".join(normalise_header(c.text) for c in grid.rows[0])
        if (
            not inside
            or any(s.doubts for s in inside)
            or "".join(normalise_header(t.text) for t in inside[0].header.tokens) != wanted
        ):
            raise problem  # meaning reads another header, or leaves a cell out: the error stands
    if lines is not None:  # one numbering in document order
        order = sorted(
            [(r.grid.ref.line or 0, 0, k) for k, r in enumerate(grids)]
            + [(s.start, 1, k) for k, s in enumerate(streams)]
        )
    else:
        order = [(0, 0, k) for k in range(len(grids))] + [(0, 1, k) for k in range(len(streams))]
    for number, (_, source, k) in enumerate(order, start=1):
        if source == 0:
            grids[k] = renumbered_grid(grids[k], number)
        else:
            streams[k] = renumbered_stream(streams[k], number)
    return ReadTables(grids, streams)


def renumbered_grid(read: ReadGrid, number: int) -> ReadGrid:
    if read.info.table == number:
        return read
    read.info = replace(read.info, table=number)
    read.cells = [replace(c, table=number) for c in read.cells]
    return read


def renumbered_stream(table: StreamTable, number: int) -> StreamTable:
    table.info = replace(table.info, table=number)
    table.cells = [replace(c, table=number) for c in table.cells]
    return table


def extract_laid_out(
    laid_out: LaidOutDocument,
    metadata: dict[str, object] | None = None,
    *,
    lines: list[str] | None = None,
) -> ExtractedDocument:
    """Extract every table of a laid-out document (any format). `lines` are a text document's
    lines (facts cite them); other formats give their running text blocks."""
    doc = laid_out.doc
    facts = document_facts(doc, lines or [b.text for b in laid_out.text], metadata or {})
    doc_period = (
        (facts.period_start_year, facts.period_end_year)
        if facts.period_start_year and facts.period_end_year
        else None
    )
    found = read_tables(laid_out, doc_period, lines=lines if laid_out.format == "txt" else None)
    read, streams = found.grids, found.streams
    tables = sorted([*(r.info for r in read), *(s.info for s in streams)], key=lambda t: t.table)
    prose_warnings: list[str] = []
    try:
        commitments = prose_commitments(
            doc, laid_out.text, skip_lines=table_lines(laid_out, tables), period=doc_period
        )
    except (ValueError, ArithmeticError, IndexError) as error:  # the tables still stand
        commitments = []
        prose_warnings.append(f"{doc}: targets stated in the text not read ({error!r})")
    if not read and not streams and not commitments:
        raise PlanTableError(
            doc, None, "no indicator table, milestone schedule or commitment in the text found"
        )
    cells = [c for r in read for c in r.cells] + [c for s in streams for c in s.cells]
    return ExtractedDocument(
        facts=facts,
        tables=tables,
        cells=sorted(cells, key=lambda c: c.table) if streams else cells,
        milestones=[m for r in read for m in r.milestones],
        warnings=[w for r in read for w in r.warnings]
        + [w for s in streams for w in s.warnings]
        + prose_warnings,
        commitments=commitments,
    )


def table_lines(laid_out: LaidOutDocument, tables: list[TableInfo]) -> set[int]:
    """The lines of a text document that tables take (every grid the layout drew, read or not,
    and every table the readers read, caption to last row): body text is read outside them."""
    lines: set[int] = set()
    for grid in laid_out.grids:
        lines.update(_span(grid))
    for table in tables:
        if table.header_line is not None:
            first = table.header_line - 1 if table.title else table.header_line
            lines.update(range(first, (table.last_line or table.header_line) + 1))
    return lines


def extract_text(
    doc: str, text: str, metadata: dict[str, object] | None = None
) -> ExtractedDocument:
    """Extract every table of one document given as text; `doc` names it in rows and errors."""
    return extract_laid_out(read_text_layout(doc, text), metadata, lines=split_lines(text))


def extract_document(path: Path) -> ExtractedDocument:
    """Extract one plan document file (with its metadata file, if any). Rows name the document
    by its file name; errors name it by its path. A hand-keyed `NAME.cells.csv` is checked and
    read as it is keyed (flows/extract/keyed.py)."""
    reader = READERS.get(path.suffix.lower())
    try:
        if reader is None:
            known = ", ".join(sorted(READERS))
            raise PlanTableError(path.name, None, f"no reader for {path.suffix!r} files ({known})")
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:  # refused before it is read: memory stays bounded
            raise PlanTableError(
                path.name,
                None,
                f"{size / 1e6:.0f} MB: larger than any plan document "
                f"(at most {MAX_DOCUMENT_BYTES // 10**6} MB); refused unread",
            )
        if is_keyed(path):
            return read_keyed(path)
        if reader is _read_text_file:  # read once: the layout and the facts share the lines
            text = read_text(path)
            laid_out, lines = read_text_layout(path.name, text), split_lines(text)
        else:
            laid_out, lines = reader(path), None
        return extract_laid_out(laid_out, read_metadata(path), lines=lines)
    except PlanTableError as error:
        if error.file != path.name:
            raise
        raise PlanTableError(str(path), error.line, error.message) from None
