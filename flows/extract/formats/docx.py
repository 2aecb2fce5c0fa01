"""A plan published as a Word document (.docx) -> `LaidOutDocument`.

The body is read in order, paragraphs interleaved with tables, so a table's caption is the
paragraph above it and the document's facts come from the paragraphs around. Merged cells are
Word's own: `w:gridSpan` spans columns, `w:vMerge` (restart / continue) spans rows, `w:gridBefore`
skips leading grid columns. Text blocks cite their paragraph number (`SourceRef.line`, counting
the document's paragraphs from 1); table cells cite table, row and grid column.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import lxml.etree
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from flows.extract.formats.cells import SpanCell, caption_above, clean_text, expand
from flows.extract.grid import Grid, LaidOutDocument, SourceRef, TextBlock
from flows.extract.models import PlanTableError

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_VAL = qn("w:val")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an old binary .doc, or a password-protected .docx


def _int_property(parent: lxml.etree._Element | None, path: str, default: int) -> int:
    found = parent.find(path) if parent is not None else None
    try:
        return max(1 if default else 0, int(found.get(_VAL))) if found is not None else default
    except (TypeError, ValueError):
        return default


def _vmerge(tc: lxml.etree._Element) -> str | None:
    """'restart' where a vertical merge starts, 'continue' where it goes on, None otherwise."""
    found = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    if found is None:
        return None
    return "restart" if found.get(_VAL) == "restart" else "continue"


class _BodyReader:
    """Walks the document body: paragraphs become text blocks, data tables become grids."""

    def __init__(self, document: docx.document.Document) -> None:
        self.document = document
        self.blocks: list[TextBlock] = []
        self.grids: list[Grid] = []
        self.paragraphs = 0
        self._blocks_before_last_table = 0

    def walk(self, element: lxml.etree._Element) -> None:
        for child in element.iterchildren():
            if child.tag == _P:
                self._paragraph(child)
            elif child.tag == _TBL:
                self._table(child)
            elif child.tag == _SDT:  # a content control: its content is body content
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.walk(content)

    def _paragraph(self, p: lxml.etree._Element) -> None:
        self.paragraphs += 1
        ref = SourceRef(line=self.paragraphs)
        for line in Paragraph(p, self.document).text.split("\n"):  # manual line breaks
            text = clean_text(line)
            if text:
                self.blocks.append(TextBlock(text, ref))

    def _table(self, tbl: lxml.etree._Element) -> None:
        rows = tbl.findall(_TR)
        widest = max((len(tr.findall(_TC)) for tr in rows), default=0)
        if len(rows) < 2 or widest < 2 or tbl.find(f".//{_TBL}") is not None:
            for tr in rows:  # a table that lays out the page: its text is running text
                for tc in tr.findall(_TC):
                    self.walk(tc)
            return
        number = len(self.grids) + 1
        caption = caption_above(self.blocks, self._blocks_before_last_table)
        cells: dict[tuple[int, int], dict] = {}
        origin_at: dict[tuple[int, int], tuple[int, int]] = {}  # grid slot -> its merge origin
        for r, tr in enumerate(rows):
            c = _int_property(tr.find(qn("w:trPr")), qn("w:gridBefore"), 0)
            for tc in tr.findall(_TC):
                span = _int_property(tc.find(qn("w:tcPr")), qn("w:gridSpan"), 1)
                above = origin_at.get((r - 1, c))
                if _vmerge(tc) == "continue" and above is not None:
                    origin = cells[above]
                    origin["rowspan"] = r - above[0] + 1
                    key = above
                else:
                    text = clean_text(
                        "\n".join(Paragraph(p, self.document).text for p in tc.iter(_P))
                    )
                    key = (r, c)
                    cells[key] = {"text": text, "rowspan": 1, "colspan": span}
                for j in range(span):
                    origin_at[(r, c + j)] = key
                c += span
        spans = [
            SpanCell(
                r,
                c,
                cell["text"],
                SourceRef(table=number, row=r + 1, column=c + 1),
                cell["rowspan"],
                cell["colspan"],
            )
            for (r, c), cell in cells.items()
        ]
        grid_rows = expand(spans, lambda r, c: SourceRef(table=number, row=r + 1, column=c + 1))
        self.grids.append(
            Grid(
                rows=grid_rows,
                ref=SourceRef(table=number),
                caption=caption.text if caption else None,
                caption_ref=caption.ref if caption else None,
            )
        )
        self._blocks_before_last_table = len(self.blocks)


def read_docx(path: Path) -> LaidOutDocument:
    """Read one Word document: its paragraphs and every data table as a grid."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == _OLE_MAGIC:
        raise PlanTableError(
            str(path),
            None,
            "an old binary Word file (.doc) or a password-protected .docx: "
            "save it as an unprotected .docx",
        )
    try:
        document = docx.Document(str(path))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        lxml.etree.XMLSyntaxError,
    ) as error:
        raise PlanTableError(str(path), None, f"not a valid .docx file ({error})") from None
    reader = _BodyReader(document)
    reader.walk(document.element.body)
    if not reader.grids:
        raise PlanTableError(
            str(path), None, f"no table in the document ({reader.paragraphs} paragraphs read)"
        )
    return LaidOutDocument(doc=path.name, format="docx", text=reader.blocks, grids=reader.grids)
