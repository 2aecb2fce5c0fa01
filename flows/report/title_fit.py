"""A chart's title as Vega-Lite draws it, with the `limit` (the width past which Vega cuts a line
with an ellipsis) left out when every line certainly fits.

Vega measures every title and subtitle line against the limit, and vl-convert's text
measurement took about a third of a chart's rendering (25 of 85 ms). The subtitles are wrapped
to the width beforehand (`charts.wrapped`), so the cut almost never happens: the lines are
measured here with the font vl-convert lays them out with (the report's first font, found as
fontconfig finds it; its widths are the ones vl-convert measures, to the 1/64 pixel), and the
limit is kept whenever a line might not fit: the font is not installed, a character is outside
the scripts that font covers, or a line is wider than TITLE_MARGIN of the limit. The SVG is the
same either way (tests/report/test_title_fit.py).
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from typing import Any

from PIL import ImageFont

TITLE_SIZE = 13  # px, bold: the chart's title
SUBTITLE_SIZE = 12  # px: Vega's subtitle size (the SVG says so)
TITLE_MARGIN = 0.95  # a line narrower than this share of the limit is not cut, whatever the weight
# Latin, punctuation, CJK symbols, unified ideographs and full-width forms: what the report's
# CJK font draws itself (another character may be drawn by a fallback font of other widths)
_COVERED = re.compile(
    r"[\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*"
)


@cache
def _font(family: str, size: int) -> ImageFont.FreeTypeFont | None:
    """The installed font of `family` at `size` px, or None when fontconfig finds none by that
    name (it would answer with a fallback)."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", family],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout  # fmt: skip
        font = ImageFont.truetype(found, size)
    except (OSError, subprocess.SubprocessError):
        return None
    return font if font.getname()[0] == family else None


def _fits(family: str, size: int, line: str, limit: int) -> bool:
    font = _font(family, size)
    return (
        font is not None
        and _COVERED.fullmatch(line) is not None
        and font.getlength(line) <= TITLE_MARGIN * limit
    )


def title(text: str, subtitle: list[str], *, limit: int, font: str, **style: Any) -> dict[str, Any]:
    """A Vega-Lite title (anchored at the start, TITLE_SIZE px) of `text` and the subtitle's
    lines, cut at `limit` px unless every line fits; `font` is the report's font list."""
    family = font.split(",")[0].strip()
    fits = _fits(family, TITLE_SIZE, text, limit) and all(
        _fits(family, SUBTITLE_SIZE, line, limit) for line in subtitle
    )
    return {
        "text": text, "anchor": "start", "fontSize": TITLE_SIZE,
        **({} if fits else {"limit": limit}), "subtitle": subtitle, **style,
    }  # fmt: skip
