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


def source_page(path: Path, relative: str, linked: set[int]) -> str:
    """One source file as an HTML page: each line shown is `<span id="L<n>">`, escaped."""
    data = path.read_bytes()
    depth = relative.count("/") + 1  # sources/<relative>.html -> the report's folder
    back = "../" * depth + "index.html"
    head = (
        '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{html_text(relative)}</title><style>{_STYLE}</style></head><body>"
        f'<p><a href="{back}">← report</a> · source file <code>raw/{html_text(relative)}</code>'
        " as the report was built</p>"
    )
    if b"\0" in data:  # a binary document (DOCX, PDF): its lines are not text
        body = "<p>a binary document: not shown here</p>"
        anchors = "".join(f'<span id="L{n}"></span>' for n in sorted(linked))
        return f"{head}{body}<pre>{anchors}</pre></body></html>\n"
    lines = data.decode("utf-8", errors="replace").splitlines()
    shown = _shown_lines(len(lines), {n for n in linked if 1 <= n <= len(lines)})
    out, previous = [], 0
    for n in shown:
        if n != previous + 1:
            out.append(f'<span class="gap">⋯ lines {previous + 1}-{n - 1} not copied</span>')
        out.append(f'<span id="L{n}"><b>{n}</b>{html_text(lines[n - 1])}</span>')
        previous = n
    if previous < len(lines):
        out.append(f'<span class="gap">⋯ lines {previous + 1}-{len(lines)} not copied</span>')
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
