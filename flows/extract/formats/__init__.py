"""Layout readers for the formats governments publish plans in: web pages, Word and PDF.

Each reader turns one file into a `LaidOutDocument` (flows/extract/grid.py): running text in
reading order and every table as a `Grid` of cells with exact source positions. `read_laid_out`
picks the reader by the file's suffix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.extract.formats.docx import read_docx
from flows.extract.formats.html import read_html
from flows.extract.formats.pdf import read_pdf
from flows.extract.grid import LaidOutDocument
from flows.extract.models import PlanTableError

__all__ = ["READERS", "read_docx", "read_html", "read_laid_out", "read_pdf"]

READERS: dict[str, Callable[[Path], LaidOutDocument]] = {
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
}


def read_laid_out(path: Path, *, tables_required: bool = True) -> LaidOutDocument:
    """Read a published plan document with the reader its suffix names. With
    `tables_required=False` a page or Word document with no table comes back as its running
    text, for the meaning reader (a table flattened into paragraphs)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise PlanTableError(str(path), None, f"not a format these readers know ({known})")
    if reader in (read_html, read_docx):
        return reader(path, tables_required=tables_required)  # type: ignore[call-arg]
    return reader(path)
