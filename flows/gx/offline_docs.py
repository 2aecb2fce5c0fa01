"""Great Expectations Data Docs that work offline.

GX writes its Data Docs pages with their CSS, scripts and fonts loaded from CDNs (jsDelivr,
unpkg, cdnjs, stackpath, code.jquery.com) and its logo from S3 with the context id in the
query. Offline, or where those hosts are slow or blocked (as for many users of Chinese plans),
the index then shows no results (its table is drawn by bootstrap-table) and no pass/fail icons.
This module copies the same files, vendored in `data_docs_assets/` (versions as GX asks for
them; MIT, Apache-2.0, and Font Awesome Free's CC-BY-4.0/OFL-1.1/MIT), into the site's
`static/vendor/` and points every page at them, dropping the subresource-integrity attributes
that only apply to the CDN copies. The vega scripts go when a page draws no chart with them.
"""

from __future__ import annotations

import re
import shutil
from os.path import relpath
from pathlib import Path

ASSETS_DIR = Path(__file__).with_name("data_docs_assets")
VENDOR_DIR = Path("static") / "vendor"

# the address GX writes -> the vendored file (relative to ASSETS_DIR)
LOCAL_COPIES: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "bootstrap-prefers-dark.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "css/fontawesome-all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": "bootstrap-table-filter-control.min.js",
}
VEGA_SCRIPT = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\s*')
GX_LOGO = re.compile(r'src="https://great-expectations-web-assets\.[^"]*"')
SUBRESOURCE = re.compile(r'(<(?:script|link|img)\b[^>]*?\b(?:src|href)=")(https?://[^"]+)("[^>]*>)')
INTEGRITY = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"')
LOGO_FILE = "gx-logo.svg"
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="28">'
    '<text x="0" y="20" font-family="sans-serif" font-size="16" fill="#ff6310">'
    "Great Expectations</text></svg>\n"
)


def make_offline(site: Path) -> list[str]:
    """Copy the vendored assets into `site` and point its pages at them. Returns what is still
    loaded from the network (`page: address`, for a warning; empty when the site is offline):
    a new GX version may ask for a file with no vendored copy."""
    vendor = site / VENDOR_DIR
    shutil.copytree(ASSETS_DIR, vendor, dirs_exist_ok=True)
    (vendor / LOGO_FILE).write_text(LOGO_SVG, encoding="utf-8")
    remote: list[str] = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        local = _localised(text, relpath(vendor, page.parent), page, remote)
        if local != text:
            page.write_text(local, encoding="utf-8")
    return remote


def _localised(html: str, vendor: str, page: Path, remote: list[str]) -> str:
    if "vegaEmbed" not in html:
        html = VEGA_SCRIPT.sub("", html)
    html = GX_LOGO.sub(f'src="{vendor}/{LOGO_FILE}"', html)

    def local(match: re.Match[str]) -> str:
        tag_start, url, tag_end = match.groups()
        if match.group(0).startswith("<link") and 'rel="stylesheet"' not in match.group(0):
            return match.group(0)  # a link to a page, not a file the page loads
        copy = LOCAL_COPIES.get(url)
        if copy is None:
            remote.append(f"{page}: {url}")
            return match.group(0)
        return INTEGRITY.sub("", f"{tag_start}{vendor}/{copy}{tag_end}")

    return SUBRESOURCE.sub(local, html)
