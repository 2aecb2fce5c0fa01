"""Text from the data made safe for the pages and artifacts that show it: one owner for escaping.

Plan names, file names, actuals titles and URLs come from files anybody can drop into `raw/`;
the HTML report, the Prefect artifact (markdown, rendered as HTML by the UI) and the docs must
show them as text, never as markup or script. `safe_url` is the one rule for what becomes a link:
only http(s) addresses with a host, and the report's own source pages (built by the code,
`flows/report/sources.py`).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

LINKED_SCHEMES = ("http", "https")
# the markdown that could make a link, an image, code or a table cell out of text (HTML, the other
# way to a link or a script, is escaped as entities); the rest (`_` in file names) is left legible
_MD_SPECIAL = re.compile(r"([\\`*\[\]|])")
# a URL keeps its reserved characters; anything else (quotes, spaces, angle brackets) is encoded
_URL_SAFE = "/:?#[]@!$&()*+,;=%~-._"


def safe_url(url: str | None) -> str | None:
    """`url` as a link target if it is an http(s) address with a host, percent-encoded so that it
    cannot leave an attribute; None for any other scheme (javascript:, data:, vbscript:...)."""
    if not url:
        return None
    text = url.strip()
    if any(ord(c) < 32 or c in "\\" for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINKED_SCHEMES or not parts.netloc:
        return None
    return quote(text, safe=_URL_SAFE)


def html_text(value: object) -> str:
    """A value as literal HTML text (element content or a quoted attribute): `& < > " '` as
    entities."""
    return html.escape("" if value is None else str(value), quote=True)


def md_text(value: object) -> str:
    """A value as literal markdown text: HTML special characters as entities, markdown's
    punctuation backslash-escaped, one line."""
    text = "" if value is None else str(value)
    text = " ".join(text.splitlines())
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=True)


def md_code_block(text: str) -> list[str]:
    """A fenced code block holding `text` literally: the fence is longer than any run of
    backticks inside it, so the text cannot close it."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return [fence, text, fence]
