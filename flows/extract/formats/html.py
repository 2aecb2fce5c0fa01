"""A plan published as a web page (.html) -> `LaidOutDocument`.

Government pages put the plan's tables in `<table>`s with `rowspan`/`colspan`, `<thead>`, inline
styles and `<br>` or `<p>` inside cells, and the document's facts (title, 文号, date, issuer) in
the running text around them. Pages are UTF-8 or declare their charset (GBK/GB2312 is common on
.gov.cn). A `<table>` that holds other tables, or has a single row or column, lays out the page:
its text is running text and its inner tables are read as tables.
"""

from __future__ import annotations

import codecs
import re
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

_CHARSET = re.compile(
    rb"""<meta[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# GB2312 and GBK pages often use characters only their superset GB18030 has a name for.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}

_SKIP = frozenset({"script", "style", "noscript", "template", "select", "textarea", "iframe"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCKS = frozenset(
    "address article aside blockquote body caption center dd div dl dt figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section table tbody td tfoot th "
    "thead title tr ul".split()
)
_ROWS = "./tr|./thead/tr|./tbody/tr|./tfoot/tr"
_MAX_SPAN = 1000  # a span beyond any real table: clamp rather than allocate


def decode_html(path: Path, data: bytes) -> str:
    """The page's text: BOM first; then UTF-8 if every byte reads as UTF-8 (a page saved as
    UTF-8 under a stale `charset=gb2312` is common, and GBK text never passes as UTF-8); then the
    charset the page declares; nothing declared and not UTF-8 is an error naming the line."""
    if not data.startswith(codecs.BOM_UTF16_LE):
        try:
            return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        except UnicodeDecodeError:
            pass
    match = None
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        if data.startswith(bom):
            data, declared = data[len(bom) :], encoding
            break
    else:
        match = _CHARSET.search(data[:8192])
        declared = (match.group(1) or match.group(2)).decode("ascii") if match else "utf-8"
    name = _SUPERSETS.get(declared.lower(), declared)
    try:
        codecs.lookup(name)
    except LookupError:
        line = data[: match.start()].count(b"\n") + 1 if match else None
        raise PlanTableError(
            str(path), line, f"the page declares unknown charset {declared!r}"
        ) from None
    try:
        return data.decode(name)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        said = f"declared charset {declared}" if match else "UTF-8 (no charset declared)"
        raise PlanTableError(
            str(path), line, f"bytes at offset {error.start} are not valid {said}"
        ) from None


def _unseen(node: lxml.etree._Element) -> bool:
    """Comments, scripts and styles, and elements a browser hides (`hidden`, display:none,
    visibility:hidden, height 0)."""
    if not isinstance(node.tag, str) or node.tag in _SKIP:
        return True
    if not node.attrib:
        return False
    style = node.get("style")
    if node.get("hidden") is not None or node.get("height", "").strip() in ("0", "0px"):
        return True
    return bool(style and _HIDDEN.search(style))


def _cells(tr: lxml.etree._Element) -> list[lxml.etree._Element]:
    return [child for child in tr if child.tag in ("td", "th") and not _unseen(child)]


def _rows(table: lxml.etree._Element) -> list[lxml.etree._Element]:
    """A table's own rows (not a nested table's), without hidden ones (Word's web pages end
    their tables with a `display:none` row of empty width-setting cells)."""
    return [tr for tr in table.xpath(_ROWS) if not _unseen(tr)]


def _spans(cell: lxml.etree._Element, name: str, most: int) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip())
    except ValueError:
        return 1
    return most if value == 0 else max(1, min(value, most, _MAX_SPAN))


def _raw_text(element: lxml.etree._Element) -> str:
    """An element's text with a line break at every <br> and block boundary."""
    parts: list[str] = []

    def visit(node: lxml.etree._Element) -> None:
        if _unseen(node):
            return
        if node.tag == "br":
            parts.append("\n")
            return
        block = node.tag in _BLOCKS
        if block:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            visit(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")

    visit(element)
    return "".join(parts)


class _PageReader:
    """Walks a page in document order, collecting running text blocks and data tables."""

    def __init__(self) -> None:
        self.blocks: list[TextBlock] = []
        self.grids: list[Grid] = []
        self._buffer: list[str] = []
        self._line: int | None = None
        self._blocks_before_last_table = 0

    def _add(self, text: str | None, line: int | None) -> None:
        """Running text; spaces between inline elements count once a line has begun."""
        if not text or (not self._buffer and not text.strip()):
            return
        if not self._buffer:
            self._line = line
        self._buffer.append(text)

    def flush(self) -> None:
        text = clean_text("".join(self._buffer))
        if text:
            self.blocks.append(TextBlock(text, SourceRef(line=self._line)))
        self._buffer = []

    def line_break(self, line: int | None) -> None:
        """A <br> in running text ends a line (a title over two lines, issuer over date)."""
        self.flush()
        self._line = line

    def walk(self, node: lxml.etree._Element) -> None:
        if _unseen(node):
            return
        if node.tag == "br":
            self.line_break(node.sourceline)
            return
        if node.tag == "table" and self._is_data_table(node):
            self.flush()
            self._table(node)
            return
        block = node.tag in _BLOCKS
        if block:
            self.flush()
        self._add(node.text, node.sourceline)
        for child in node:
            self.walk(child)
            self._add(child.tail, child.sourceline)
        if block:
            self.flush()

    @staticmethod
    def _is_data_table(table: lxml.etree._Element) -> bool:
        """A table of data: two rows and two columns at least, and no tables inside it."""
        rows = _rows(table)
        if len(rows) < 2 or table.xpath(".//table"):
            return False
        return max(len(_cells(row)) for row in rows) >= 2

    def _table(self, table: lxml.etree._Element) -> None:
        number = len(self.grids) + 1
        rows = _rows(table)
        caption_element = table.find("caption")
        caption_text = clean_text(_raw_text(caption_element)) if caption_element is not None else ""
        cells: list[SpanCell] = []
        taken: set[tuple[int, int]] = set()
        for r, tr in enumerate(rows):
            c = 0
            for td in _cells(tr):
                while (r, c) in taken:
                    c += 1
                rowspan = _spans(td, "rowspan", len(rows) - r)
                colspan = _spans(td, "colspan", _MAX_SPAN)
                taken.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
                ref = SourceRef(table=number, row=r + 1, column=c + 1)
                raw = _raw_text(td)
                cells.append(SpanCell(r, c, clean_text(raw), ref, rowspan, colspan, own_lines(raw)))
                c += colspan
        grid_rows = expand(cells, lambda r, c: SourceRef(table=number, row=r + 1, column=c + 1))
        grid_rows, title = title_row(grid_rows)
        grid_rows, note = note_row(grid_rows)
        if caption_text:
            caption: TextBlock | None = TextBlock(
                caption_text, SourceRef(line=caption_element.sourceline)
            )
        elif title is not None:
            caption = TextBlock(title.text, title.ref)
        else:
            caption = caption_above(self.blocks, self._blocks_before_last_table)
        self.grids.append(
            Grid(
                rows=grid_rows,
                ref=SourceRef(line=table.sourceline, table=number),
                caption=caption.text if caption else None,
                caption_ref=caption.ref if caption else None,
            )
        )
        if note is not None:  # a note under the table: running text after it
            self.blocks.append(TextBlock(note.text, note.ref))
        self._blocks_before_last_table = len(self.blocks)


def read_html(path: Path, *, tables_required: bool = True) -> LaidOutDocument:
    """Read one web page: its running text and every data table as a grid. With
    `tables_required=False` a page with no <table> is its running text (a table flattened into
    paragraphs is then read by meaning, flows/extract/assemble.py)."""
    text = _XML_DECLARATION.sub("", decode_html(path, path.read_bytes()))
    if not text.strip():
        raise PlanTableError(str(path), None, "empty HTML document")
    try:
        root = lxml.etree.fromstring(text, lxml.etree.HTMLParser())
    except (lxml.etree.ParserError, ValueError) as error:
        raise PlanTableError(str(path), None, f"not a readable HTML page ({error})") from None
    if root is None:
        raise PlanTableError(str(path), None, "not a readable HTML page (no elements)")
    reader = _PageReader()
    title = root.find("head/title")
    if title is not None:
        reader.walk(title)
    body = root.find("body")
    reader.walk(body if body is not None else root)
    reader.flush()
    if not reader.grids and tables_required:
        raise PlanTableError(
            str(path), None, "no table in the page (no <table> of 2x2 cells or more)"
        )
    return LaidOutDocument(doc=path.name, format="html", text=reader.blocks, grids=reader.grids)
