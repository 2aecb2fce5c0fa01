"""A chart's points are linked to their sources after Vega draws it (flows/report/chart_links.py):
the SVG is the one Vega draws with its own links, link for link and symbol for symbol; a point
without a source has no link; and a chart whose symbols are not its points, label for label, is
drawn with Vega's own links rather than linked wrongly."""

from __future__ import annotations

import re
from typing import Any

from flows.report.chart_links import link_points
from flows.report.charts import Drawing, render_drawings, series_drawing, shared_drawing
from flows.report.svg import render_spec

_ACTUALS = [
    {"year": 2020 + i, "value": 80.0 + i, "source_kind": kind, "source_ref": ref, "source_url": url}
    for i, (kind, ref, url) in enumerate([
        ("published", "a.csv:2", "https://example.org/report?year=2020&page=3"),
        ("synthetic", "s.csv:3", "synthetic://demo"),  # no source: no link
        ("published", "b.csv:4", "https://example.org/b"),
        ("plan_baseline", "plans/x.txt:12", None),  # no copy of the plan here: no link
    ])
]  # fmt: skip
_TARGETS = [{
    "year": 2025, "target_value": 95.0, "role": "target", "target_text": ">95 & <\"99\"",
    "source_file": "plans/x.txt", "source_line": 20, "baseline_year": 2020,
    "baseline_value": 80.0, "path_is_compound": True, "path_growth": None, "comparator": ">",
}]  # fmt: skip
_LINK = re.compile(r'<a xlink:href="([^"]*)">(<path [^>]*/>)</a>')
_ARIA = re.compile(r' aria-label="[^"]*"')


def _drawings() -> list[Drawing]:
    rows: list[dict[str, Any]] = [
        {"region": name, "value": value, "kind": "published", "label": f"{name}: {value}",
         "href": href}
        for name, value, href in [("甲", 1.0, "https://example.org/1"), ("乙", 2.0, None),
                                  ("丙", 3.0, "sources/plans/y.txt.html#L4")]
    ]  # fmt: skip
    return [
        series_drawing("标题", ["subtitle"], "%", _ACTUALS, _TARGETS),
        shared_drawing("标题", ["subtitle"], "%", rows),
    ]


def test_points_are_linked_as_vega_links_them() -> None:
    for drawing in _drawings():
        linked = render_drawings([drawing], workers=1)[0]
        by_vega = render_spec(drawing.spec(vega_links=True))
        links = _LINK.findall(linked)
        assert links, "the chart has linked points"
        # the same links around the same symbols, in the same order, and nothing else differs
        # but the symbols' labels (Vega's own label lists every field, the link's as well)
        assert [(h, _ARIA.sub("", p)) for h, p in links] == [
            (h, _ARIA.sub("", p)) for h, p in _LINK.findall(by_vega)
        ]
        assert _ARIA.sub("", linked) == _ARIA.sub("", by_vega)
        points = drawing.args[3]
        assert len(links) == sum(1 for p in points if p["href"])  # none for a point without


def test_links_are_escaped_and_a_point_without_a_source_has_none() -> None:
    svg = render_spec(_drawings()[0].spec())
    linked = link_points(svg, _drawings()[0].args[3])
    assert linked is not None
    assert 'xlink:href="https://example.org/report?year=2020&amp;page=3"' in linked
    points = _drawings()[0].args[3]
    assert not points[1]["href"] and "(synthetic, s.csv:3)" in linked  # drawn, not linked
    assert linked.count("<a ") == sum(1 for p in points if p["href"]) == 2


def test_symbols_that_are_not_the_points_are_not_linked() -> None:
    drawing = _drawings()[0]
    svg = render_spec(drawing.spec())
    points = drawing.args[3]
    assert link_points(svg, list(reversed(points))) is None  # another order
    assert link_points(svg, points[1:]) is None  # a symbol more than points


def test_a_chart_whose_symbols_cannot_be_linked_is_drawn_with_vegas_links() -> None:
    """A point Vega leaves out (no value) breaks the label-for-label match: the chart is drawn
    again with Vega's own links, so its other points keep theirs."""
    rows: list[dict[str, Any]] = [
        {"region": "甲", "value": None, "kind": "published", "label": "甲: none",
         "href": "https://example.org/1"},
        {"region": "乙", "value": 2.0, "kind": "published", "label": "乙: 2",
         "href": "https://example.org/2"},
    ]  # fmt: skip
    drawing = shared_drawing("标题", ["subtitle"], None, rows)
    assert link_points(render_spec(drawing.spec()), rows) is None
    drawn = render_drawings([drawing], workers=1)[0]
    assert [h for h, _ in _LINK.findall(drawn)] == ["https://example.org/2"]
