"""A chart whose every character the report's first font draws is drawn with that family alone
(vl-convert then no longer looks each text's font up in the whole list, a tenth of a chart's
rendering) and its SVG gets the list back: the same bytes as drawn with the list. A character
the first font may not draw keeps the list."""

from __future__ import annotations

from typing import Any

from flows.report.charts import FONT, series_spec, shared_spec
from flows.report.svg import render_spec

_ACTUALS = [
    {"year": 2020, "value": 90.5, "source_kind": "plan_baseline", "source_url": None,
     "source_ref": "plans/上海.txt:3"},
    {"year": 2022, "value": 93.25, "source_kind": "published",
     "source_url": "https://x.gov.cn/a", "source_ref": "a.csv:2"},
    {"year": 2023, "value": 91.0, "source_kind": "synthetic", "source_url": None,
     "source_ref": "synthetic_actuals.csv:9"},
]  # fmt: skip
_TARGETS = [
    {"year": 2025, "target_value": 95.0, "role": "target", "target_text": "≥95% 🎓",
     "source_file": "plans/上海.txt", "source_line": 4, "baseline_year": 2020,
     "baseline_value": 90.5, "path_is_compound": True, "path_growth": None, "comparator": ">="},
]  # fmt: skip
_ROWS = [
    {"region": "上海市 Shanghai · 城镇", "value": 14.5, "kind": "target", "href": None,
     "label": "上海市 target 2025: 14.5"},
    {"region": "北京市 Beijing", "value": 12.25, "kind": "published",
     "href": "https://x.gov.cn/b", "label": "北京市 2022: 12.25"},
]  # fmt: skip


def _with_the_list(spec: dict[str, Any]) -> dict[str, Any]:
    """The specification as drawn before: the whole font list, no usermeta."""
    plain = {k: v for k, v in spec.items() if k != "usermeta"}
    return {**plain, "config": {**spec["config"], "font": FONT}}


def test_a_chart_drawn_with_the_first_font_alone_is_the_svg_drawn_with_the_list() -> None:
    series = series_spec("普惠性幼儿园在园儿童覆盖面", ["Share of children · 城镇"], "%",
                         _ACTUALS, _TARGETS)  # fmt: skip
    shared = shared_spec("学前教育毛入园率", ["Gross enrolment ratio"], "%", _ROWS)
    first = FONT.split(",")[0]
    for spec in (series, shared):
        assert spec["config"]["font"] == first, "the report's font is installed (make install)"
        svg = render_spec(spec)
        assert svg == render_spec(_with_the_list(spec))
        assert f'font-family="{FONT}"' in svg and f'font-family="{first}"' not in svg


def test_a_character_the_first_font_may_not_draw_keeps_the_list() -> None:
    for spec in (
        series_spec("标题 🎓", ["x"], "%", _ACTUALS, _TARGETS),  # in the title
        series_spec("标题", ["x"], "𠀀", _ACTUALS, []),  # the unit, in the subtitle
        shared_spec("标题", ["x"], "%", [{**_ROWS[0], "region": "Région ŝ"}]),  # a y label
    ):
        assert spec["config"]["font"] == FONT and "usermeta" not in spec
