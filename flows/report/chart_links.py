"""A chart's points linked to their sources after Vega has drawn it.

Vega draws a point with a link as `<a xlink:href=...>` around its symbol, but passes every
link through its loader first, one call per point, which cost a third of vl-convert's time
per chart (measured: 57 -> 41 ms a chart on the report's own charts). The specifications
therefore carry no links: each point carries its label as its description, which Vega writes as
the symbol's aria-label, in the order of the data; `link_points` finds the symbols by that
label and wraps each that has a source in the same `<a>` Vega would have written."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

# a point symbol as Vega writes it: its aria-label first (Vega-Lite's `description` channel)
_POINT = re.compile(
    r'<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"[^>]*/>'
)


def link_points(svg: str, points: Sequence[dict[str, Any]]) -> str | None:
    """`svg` with each point symbol whose point has an `href` inside a link to it; `points` are
    the chart's points in the order of its data (with `label` and `href`). None when the symbols
    are not those points, label for label (Vega left one out, or drew them in another order):
    the chart is then drawn with Vega's own links (charts._render_keyed)."""
    symbols = list(_POINT.finditer(svg))
    if [html.unescape(m.group(1)) for m in symbols] != [p["label"] for p in points]:
        return None
    parts: list[str] = []
    done = 0
    for symbol, point in zip(symbols, points, strict=True):
        if not point.get("href"):
            continue
        href = html.escape(point["href"], quote=True)
        parts += [svg[done : symbol.start()], f'<a xlink:href="{href}">', symbol.group(0), "</a>"]
        done = symbol.end()
    return "".join(parts) + svg[done:]
