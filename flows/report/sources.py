"""The report's source pages: each number of the report links to the line it came from, as a
page copied into the report's own folder (`sources/<file under raw/>.html`, one `id="L<n>"` per
line), so the folder still works when it is moved, zipped or served over http. A `file://` link
would name the machine that built the report, and a text file cannot be opened at a line.

`source_href` is the one rule for what a source reference links to; `write_source_pages` writes
the pages for the links a rendered page holds (every link of the report, whoever drew it). Only
files of the night's raw folder are copied (`raw_folder`, set while a report is written; by
default the configured one), never a file elsewhere that a reference might name. Text from the
files is escaped (`flows.markup.html_text`): anybody can put a file into raw/.
"""

from __future__ import annotations

import os
import re
import shutil
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import quote, unquote

from flows.config import REPO_ROOT, settings
from flows.markup import html_text

SOURCES = "sources"  # the pages' folder, beside the report's index.html
_RAW_FOLDER: ContextVar[Path | None] = ContextVar("raw_folder", default=None)
WHOLE_FILE_LINES = 3000  # a longer file is copied as excerpts around the lines linked
CONTEXT_LINES = 15  # lines shown either side of a linked line in an excerpt
_PIECE = 1 << 16  # bytes read at a time by a source page (_pieces)
# bytes of the line breaks `str.splitlines` knows besides \n and \r (\v, \f, \x1c-\x1e, and the
# last bytes of U+0085, U+2028, U+2029): a piece without any is counted on its bytes (_counted)
_RARE_BREAK_BYTES = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x85", b"\xa8", b"\xa9")
_PAGE_LINK = re.compile(r'(?:xlink:)?href="' + SOURCES + r'/([^"#]+)\.html(?:#L(\d+))?"')
# the same policy as the report: no script, no request, styles inline
_CSP = (
    "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; style-src 'unsafe-inline'"
)
_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#111}"
    "pre{font:13px/1.5 ui-monospace,monospace;white-space:pre-wrap}"
    "pre span{display:block}pre span:target{background:#fef3c7}"
    "pre b{display:inline-block;width:4.5em;color:#6b7280;font-weight:normal;user-select:none}"
    ".gap{color:#6b7280}"
)


@contextmanager
def raw_folder(folder: Path | None) -> Iterator[None]:
    """While a report is written: the raw folder its night read (None: the configured one)."""
    token = _RAW_FOLDER.set(folder)
    try:
        yield
    finally:
        _RAW_FOLDER.reset(token)


def raw_root() -> Path:
    """The raw folder of the report being written (`raw_folder`), else the configured one."""
    return (_RAW_FOLDER.get() or settings().raw_dir).resolve()


def source_file(ref: str | None) -> tuple[Path, int | None] | None:
    """(file, line) of a source reference: a plan file (repo-relative or absolute, as the loader
    wrote it) or an actuals file (relative to raw/actuals/), with or without `:line`. None when
    it names no file of the raw folder (never a file elsewhere)."""
    if not ref:
        return None
    path, _, line = ref.rpartition(":")
    if not line.isdigit():
        path, line = ref, ""
    root = raw_root()
    for candidate in (REPO_ROOT / path, root / "actuals" / path):
        resolved = candidate.resolve()
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved, int(line) if line else None
    return None


def source_href(ref: str | None) -> str | None:
    """The link of a source reference, relative to the report's folder:
    `sources/plans/x.txt.html#L48`; None when the reference names no file of the raw folder."""
    found = source_file(ref)
    if found is None:
        return None
    path, line = found
    page = quote(f"{SOURCES}/{path.relative_to(raw_root()).as_posix()}.html", safe="/")
    return page + (f"#L{line}" if line else "")


def _shown_lines(count: int, linked: set[int]) -> list[int]:
    """The line numbers a page shows: all of a short file, else those near a linked line."""
    if count <= WHOLE_FILE_LINES:
        return list(range(1, count + 1))
    near = {
        n
        for line in linked
        for n in range(max(1, line - CONTEXT_LINES), min(count, line + CONTEXT_LINES) + 1)
    }
    return sorted(near)


def _pieces(path: Path) -> Iterator[bytes]:
    """The file in pieces of about _PIECE bytes, each ending just after a newline (the last: at
    the end of the file), so that no line break and no UTF-8 character is cut in two. A piece
    is as long as the longest line when a line is longer."""
    carry: list[bytes] = []  # the start of a line that a block cut
    with path.open("rb") as fh:
        while block := fh.read(_PIECE):
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry.append(block)
                continue
            yield b"".join([*carry, block[:cut]]) if carry else block[:cut]
            carry = [block[cut:]] if cut < len(block) else []
    if carry:
        yield b"".join(carry)


def _wanted_ranges(linked: set[int]) -> list[tuple[int, int]]:
    """The line ranges (first, last) a page may show, merged and sorted: the first
    WHOLE_FILE_LINES lines (all of them when the file is no longer) and CONTEXT_LINES either
    side of a linked line."""
    spans = sorted([(1, WHOLE_FILE_LINES)] + [
        (max(1, n - CONTEXT_LINES), n + CONTEXT_LINES) for n in linked if n >= 1
    ])  # fmt: skip
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _counted(piece: bytes) -> int | None:
    """The lines of a piece counted on its bytes (newlines, CRLF as one break), without decoding
    it; None when it may hold another break `str.splitlines` knows."""
    if any(byte in piece for byte in _RARE_BREAK_BYTES):
        return None
    returns = piece.count(b"\r")
    if returns and returns != piece.count(b"\r\n"):  # a lone carriage return
        return None
    return piece.count(b"\n") + (not piece.endswith(b"\n"))


def _read_lines(path: Path, linked: set[int]) -> tuple[dict[int, str], int, bool] | None:
    """(the lines a page may show by number, the lines read, whether that is the whole file) of
    a text file, read piece by piece, and only as far as the last line a page may show: memory
    holds a piece and the lines kept, never the file, and a page linking to the start of a
    10-million-line file reads its start. Lines are what `str.splitlines` makes of the UTF-8
    text (the rule the plan extractor numbers lines by); only the pieces holding a wanted line
    are decoded, the others are counted. None for a binary document (a NUL byte)."""
    ranges = _wanted_ranges(linked)
    starts, ends = [low for low, _ in ranges], [high for _, high in ranges]
    enough = max(ends[-1], WHOLE_FILE_LINES)  # read past this: the file is excerpted
    kept: dict[int, str] = {}
    count = 0  # lines before the current piece
    for piece in _pieces(path):
        if b"\0" in piece:
            return None
        size = _counted(piece)
        lines: list[str] | None = None
        if size is None:
            lines = piece.decode("utf-8", errors="replace").splitlines()
            size = len(lines)
        first, last = count + 1, count + size
        # the wanted ranges that meet lines first..last (disjoint and sorted)
        for low, high in ranges[bisect_left(ends, first) : bisect_right(starts, last)]:
            if lines is None:
                lines = piece.decode("utf-8", errors="replace").splitlines()
            for n in range(max(low, first), min(high, last) + 1):
                kept[n] = lines[n - first]
        count = last
        if count > enough:
            return kept, count, False
    return kept, count, True


def source_page(path: Path, relative: str, linked: set[int]) -> str:
    """One source file as an HTML page: each line shown is `<span id="L<n>">`, escaped. The
    file is read piece by piece (`_read_lines`): a page of a 10-million-line file costs the
    lines it shows, not the file."""
    depth = relative.count("/") + 1  # sources/<relative>.html -> the report's folder
    back = "../" * depth + "index.html"
    head = (
        '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{html_text(relative)}</title><style>{_STYLE}</style></head><body>"
        f'<p><a href="{back}">← report</a> · source file <code>raw/{html_text(relative)}</code>'
        " as the report was built</p>"
    )
    found = _read_lines(path, linked)
    if found is None:  # a binary document (DOCX, PDF): its lines are not text
        body = "<p>a binary document: not shown here</p>"
        anchors = "".join(f'<span id="L{n}"></span>' for n in sorted(linked))
        return f"{head}{body}<pre>{anchors}</pre></body></html>\n"
    kept, count, whole = found
    shown = _shown_lines(count, {n for n in linked if 1 <= n <= count})
    out, previous = [], 0
    for n in shown:
        if n != previous + 1:
            out.append(f'<span class="gap">⋯ lines {previous + 1}-{n - 1} not copied</span>')
        out.append(f'<span id="L{n}"><b>{n}</b>{html_text(kept[n])}</span>')
        previous = n
    if not whole:  # not read to its end: how many lines follow is not known
        out.append(f'<span class="gap">⋯ lines {previous + 1} to the end not copied</span>')
    elif previous < count:
        out.append(f'<span class="gap">⋯ lines {previous + 1}-{count} not copied</span>')
    return f"{head}<pre>{''.join(out)}</pre></body></html>\n"


def linked_sources(html: str) -> dict[str, set[int]]:
    """The source pages a rendered page links to (file under raw/ -> lines linked)."""
    pages: dict[str, set[int]] = {}
    for page, line in _PAGE_LINK.findall(html):
        lines = pages.setdefault(unquote(page), set())
        if line:
            lines.add(int(line))
    return pages


def write_source_pages(html: str, folder: Path) -> int:
    """Write `folder/sources/` for every source page `html` links to, replacing the folder (a
    page of an earlier night does not linger); returns the number of pages."""
    staged = folder / f".{SOURCES}.tmp"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    root = raw_root()
    pages = linked_sources(html)
    for relative, lines in pages.items():
        path = (root / relative).resolve()
        if not (path.is_relative_to(root) and path.is_file()):
            raise ValueError(f"the report links to {relative}, which is not a file of {root}")
        out = staged / f"{relative}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(source_page(path, relative, lines), encoding="utf-8")
    final, old = folder / SOURCES, folder / f".{SOURCES}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staged, final)
    shutil.rmtree(old, ignore_errors=True)
    return len(pages)
