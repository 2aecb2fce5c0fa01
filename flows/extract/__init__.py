"""Plan documents -> typed rows: indicator value cells, milestones, document facts.

Two layers: a layout reader per format turns a document into a `LaidOutDocument` (running text
and table grids, every cell with its position), and the semantic layer (`semantic.read_grid`)
reads every grid the same way, whatever its format. Pure parsing: no DuckDB, no Prefect.
`extract_document` is what the CLI and the flow call.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

from flows.extract.facts import document_facts, read_metadata
from flows.extract.formats.text import read_text_layout
from flows.extract.formats.text_lines import split_lines
from flows.extract.grid import LaidOutDocument
from flows.extract.models import (
    DocumentFacts,
    ExtractedDocument,
    Milestone,
    PlanCell,
    PlanTableError,
    TableInfo,
)
from flows.extract.semantic import ReadGrid, read_grid

__all__ = [
    "READERS",
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
]

# A layout reader: (path) -> the document as text blocks and grids. One per file suffix; the
# HTML, DOCX and PDF readers (flows/extract/formats/) register here.
LayoutReader = Callable[[Path], LaidOutDocument]

# A plan document is a few MB at most (a scanned-and-OCRed PDF of a long plan perhaps 30): a
# bigger file is not a plan, and reading it whole would cost its size in memory and more.
MAX_DOCUMENT_BYTES = 64 * 10**6


def read_text(path: Path) -> str:
    """A document's text: UTF-8 (with or without BOM); anything else is a clear error."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PlanTableError(
            str(path), 1, "UTF-16 text, not UTF-8 (convert with: iconv -f UTF-16 -t UTF-8)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PlanTableError(
            str(path), line, "not UTF-8 text (GBK? convert with: iconv -f GBK -t UTF-8)"
        ) from None


def _read_text_file(path: Path) -> LaidOutDocument:
    return read_text_layout(path.name, read_text(path))


def _read_published_file(path: Path) -> LaidOutDocument:
    """HTML, DOCX and PDF (flows/extract/formats/), imported only when such a file is read."""
    from flows.extract.formats import read_laid_out  # lazy: pdfplumber and lxml, ~0.7 s

    return read_laid_out(path)


READERS: dict[str, LayoutReader] = {
    ".txt": _read_text_file,
    ".md": _read_text_file,
    ".html": _read_published_file,
    ".htm": _read_published_file,
    ".docx": _read_published_file,
    ".pdf": _read_published_file,
}


def read_grids(laid_out: LaidOutDocument, doc_period: tuple[int, int] | None) -> list[ReadGrid]:
    """Every grid that is an indicator table or milestone schedule, read and numbered."""
    read: list[ReadGrid] = []
    for grid in laid_out.grids:
        found = read_grid(laid_out.doc, len(read) + 1, grid, doc_period)
        if found is not None:
            read.append(found)
    return read


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
    read = read_grids(laid_out, doc_period)
    if not read:
        raise PlanTableError(doc, None, "no indicator table or milestone schedule found")
    return ExtractedDocument(
        facts=facts,
        tables=[r.info for r in read],
        cells=[c for r in read for c in r.cells],
        milestones=[m for r in read for m in r.milestones],
        warnings=[w for r in read for w in r.warnings],
    )


def extract_text(
    doc: str, text: str, metadata: dict[str, object] | None = None
) -> ExtractedDocument:
    """Extract every table of one document given as text; `doc` names it in rows and errors."""
    return extract_laid_out(read_text_layout(doc, text), metadata, lines=split_lines(text))


def extract_document(path: Path) -> ExtractedDocument:
    """Extract one plan document file (with its metadata file, if any). Rows name the document
    by its file name; errors name it by its path."""
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
