"""The report's chart cache: a chart rendered once is read back, not rendered again, on a night
whose series did not change; what a report did not use is removed, so the cache stays one
report's size however many nights run."""

from __future__ import annotations

from pathlib import Path

import altair as alt

from flows.report.charts import PARALLEL_FROM, SvgCache, render_svgs, to_svg


def _chart(y: float) -> alt.Chart:
    data = alt.Data(values=[{"year": 2020, "value": 1.0}, {"year": 2025, "value": y}])
    return alt.Chart(data).mark_line().encode(x="year:O", y="value:Q")


def test_unchanged_charts_are_read_back_and_unused_ones_removed(tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    first = SvgCache(folder)
    svgs = [to_svg(_chart(y), cache=first) for y in (2.0, 3.0)]
    first.prune()
    assert first.rendered == 2 and len(list(folder.glob("*.svg"))) == 2
    assert svgs[0] == to_svg(_chart(2.0))  # the same SVG as rendering without a cache

    second = SvgCache(folder)  # next night: one series unchanged, one new
    assert to_svg(_chart(2.0), cache=second) == svgs[0]
    to_svg(_chart(4.0), cache=second)
    second.prune()
    assert second.rendered == 1  # only the changed chart went through vl-convert
    assert len(list(folder.glob("*.svg"))) == 2  # the chart of 3.0 is no longer used: gone


def test_charts_rendered_in_worker_processes_are_those_rendered_here(tmp_path: Path) -> None:
    """More than PARALLEL_FROM charts render in worker processes: the same SVGs, in order, as
    rendering each in this process, and all of them cached."""
    charts = [_chart(float(y)) for y in range(PARALLEL_FROM + 3)]
    cache = SvgCache(tmp_path / "charts")
    in_workers = render_svgs(charts, cache=cache, workers=2)
    assert in_workers == render_svgs(charts, workers=1)
    assert len(set(in_workers)) == len(charts) and cache.rendered == len(charts)
