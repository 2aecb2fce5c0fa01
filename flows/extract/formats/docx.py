"""A plan published as a Word document (.docx) -> `LaidOutDocument`.

The body is read in order, paragraphs interleaved with tables, so a table's caption is the
paragraph above it and the document's facts come from the paragraphs around. Merged cells are
Word's own: `w:gridSpan` spans columns, `w:vMerge` (restart / continue) spans rows, `w:gridBefore`
skips leading grid columns. Text blocks cite their paragraph number (`SourceRef.line`, counting
the document's paragraphs from 1); table cells cite table, row and grid column.

The package is read with zipfile and plain lxml: python-docx's element classes cost ten times the
XML parse on a long table, and reading needs none of them (the test corpus writes with python-docx).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.etree

from flows.extract.formats.cells import (
    SpanCell,
    caption_above,
    clean_text,
    expand,
    note_row,
    own_lines,
    title_row,
)
from flows.extract.grid import Grid, LaidOutDocument, SourceRef, TextBlock
from flows.extract.models import PlanTableError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAIN = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",  # strict OOXML
)


def qn(name: str) -> str:
    """`w:tag` -> lxml's {namespace}tag."""
    return _W + name.removeprefix("w:")


_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_VAL = qn("w:val")
_R, _T, _TAB, _BR, _CR = qn("w:r"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_TC_PR, _V_MERGE, _GRID_SPAN = qn("w:tcPr"), qn("w:vMerge"), qn("w:gridSpan")
_TR_PR, _GRID_BEFORE = qn("w:trPr"), qn("w:gridBefore")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an old binary .doc, or a password-protected .docx


def _int_property(parent: lxml.etree._Element | None, path: str, default: int) -> int:
    found = parent.find(path) if parent is not None else None
    try:
        return max(1 if default else 0, int(found.get(_VAL))) if found is not None else default
    except (TypeError, ValueError):
        return default


def paragraph_text(p: lxml.etree._Element) -> str:
    """A paragraph's visible text: its runs' text (hyperlinks and fields included), a tab for
    w:tab and a line break for w:br/w:cr inside runs (tab stops in the paragraph's properties
    are not text). Deleted text (w:delText) is not read."""
    parts: list[str] = []
    for node in p.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            parts.append(node.text or "")
        elif node.getparent().tag == _R:
            parts.append("\t" if node.tag == _TAB else "\n")
    return "".join(parts)


def _vmerge(tc: lxml.etree._Element) -> str | None:
    """'restart' where a vertical merge starts, 'continue' where it goes on, None otherwise."""
    properties = tc.find(_TC_PR)
    found = properties.find(_V_MERGE) if properties is not None else None
    if found is None:
        return None
    return "restart" if found.get(_VAL) == "restart" else "continue"


class _BodyReader:
    """Walks the document body: paragraphs become text blocks, data tables become grids."""

    def __init__(self) -> None:
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
        for line in paragraph_text(p).split("\n"):  # manual line breaks
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
        cells: dict[tuple[int, int], dict] = {}
        origin_at: dict[tuple[int, int], tuple[int, int]] = {}  # grid slot -> its merge origin
        for r, tr in enumerate(rows):
            c = _int_property(tr.find(_TR_PR), _GRID_BEFORE, 0)
            for tc in tr.findall(_TC):
                span = _int_property(tc.find(_TC_PR), _GRID_SPAN, 1)
                above = origin_at.get((r - 1, c))
                if _vmerge(tc) == "continue" and above is not None:
                    origin = cells[above]
                    origin["rowspan"] = r - above[0] + 1
                    key = above
                else:
                    raw = "\n".join(paragraph_text(p) for p in tc.iter(_P))
                    key = (r, c)
                    cells[key] = {
                        "text": clean_text(raw),
                        "rowspan": 1,
                        "colspan": span,
                        "lines": own_lines(raw),
                    }
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
                cell.get("lines", ()),
            )
            for (r, c), cell in cells.items()
        ]
        grid_rows = expand(spans, lambda r, c: SourceRef(table=number, row=r + 1, column=c + 1))
        grid_rows, title = title_row(grid_rows)
        grid_rows, note = note_row(grid_rows)
        if title is not None:
            caption: TextBlock | None = TextBlock(title.text, title.ref)
        else:
            caption = caption_above(self.blocks, self._blocks_before_last_table)
        self.grids.append(
            Grid(
                rows=grid_rows,
                ref=SourceRef(table=number),
                caption=caption.text if caption else None,
                caption_ref=caption.ref if caption else None,
            )
        )
        if note is not None:  # a note under the table: running text after it
            self.blocks.append(TextBlock(note.text, note.ref))
        self._blocks_before_last_table = len(self.blocks)


def _body(path: Path) -> lxml.etree._Element:
    """The w:body of the package's main document part (named by _rels/.rels)."""
    try:
        with zipfile.ZipFile(path) as package:
            rels = lxml.etree.fromstring(package.read("_rels/.rels"))
            targets = [
                rel.get("Target", "").lstrip("/") for rel in rels if rel.get("Type") in _MAIN
            ]
            if not targets:
                raise PlanTableError(str(path), None, "not a Word document (no main document part)")
            root = lxml.etree.fromstring(package.read(targets[0]))
    except (zipfile.BadZipFile, KeyError, lxml.etree.XMLSyntaxError) as error:
        raise PlanTableError(str(path), None, f"not a valid .docx file ({error})") from None
    body = root.find(qn("w:body"))
    if body is None:
        raise PlanTableError(str(path), None, "not a Word document (its main part has no body)")
    return body


def read_docx(path: Path, *, tables_required: bool = True) -> LaidOutDocument:
    """Read one Word document: its paragraphs and every data table as a grid. With
    `tables_required=False` a document with no table is its paragraphs (read by meaning)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == _OLE_MAGIC:
        raise PlanTableError(
            str(path),
            None,
            "an old binary Word file (.doc) or a password-protected .docx: "
            "save it as an unprotected .docx",
        )
    body = _body(path)
    reader = _BodyReader()
    reader.walk(body)
    if not reader.grids and tables_required:
        raise PlanTableError(
            str(path), None, f"no table in the document ({reader.paragraphs} paragraphs read)"
        )
    return LaidOutDocument(doc=path.name, format="docx", text=reader.blocks, grids=reader.grids)
