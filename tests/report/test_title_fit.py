"""A chart title's `limit` is left out only when every line certainly fits (Vega would not cut
it, and measuring it cost a third of a chart's rendering): then the SVG is the one drawn with
the limit; a line that may not fit keeps the limit and is cut with an ellipsis as before."""

from __future__ import annotations

from typing import Any

from flows.report.charts import FONT
from flows.report.svg import render_spec
from flows.report.title_fit import title


def _svg(title_spec: dict[str, Any]) -> str:
    return render_spec({
        "data": {"values": [{"x": 1, "y": 2}]}, "mark": "point",
        "encoding": {"x": {"field": "x", "type": "quantitative"},
                     "y": {"field": "y", "type": "quantitative"}},
        "width": 340, "height": 170, "title": title_spec, "config": {"font": FONT},
    })  # fmt: skip


def test_a_title_that_fits_draws_as_it_did_with_its_limit() -> None:
    spec = title("普惠性幼儿园在园儿童覆盖面", ["Share of kindergarten children · unit: %"],
                 limit=380, font=FONT)  # fmt: skip
    assert "limit" not in spec, "the report's font is installed (make install) and it fits"
    assert _svg(spec) == _svg({**spec, "limit": 380})


def test_a_line_that_may_not_fit_keeps_its_limit_and_is_cut() -> None:
    long = "Share of teachers with a postgraduate degree including a master's degree " * 2
    spec = title("标题", [long], limit=380, font=FONT)
    assert spec["limit"] == 380
    assert "…" in _svg(spec)  # Vega cuts it, as it did
    wide_title = title("学校教师中研究生学历的比例" * 3, ["Share"], limit=380, font=FONT)
    assert wide_title["limit"] == 380


def test_characters_the_font_may_not_draw_keep_the_limit() -> None:
    assert title("标题 🎓", ["x"], limit=380, font=FONT)["limit"] == 380
    assert title("标题", ["𠀀"], limit=380, font=FONT)["limit"] == 380  # CJK extension B
    assert title("标题", ["x"], limit=380, font="No Such Font, sans-serif")["limit"] == 380
