"""The report's chart cache: a chart rendered once is read back, not rendered again, on a night
whose series did not change; what a report did not use is removed, so the cache stays one
report's size however many nights run. And the specifications the report writes by hand are
valid Vega-Lite (the schema vl-convert draws), the check Altair made on every chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.report.charts import (
    PARALLEL_FROM,
    Renderers,
    SvgCache,
    render_svgs,
    series_spec,
    shared_spec,
    to_svg,
)
from tests.report.vega_lite import vega_lite_validator


def _chart(y: float) -> dict[str, Any]:
    return {
        "data": {"values": [{"year": 2020, "value": 1.0}, {"year": 2025, "value": y}]},
        "mark": "line",
        "encoding": {"x": {"field": "year", "type": "ordinal"},
                     "y": {"field": "value", "type": "quantitative"}},
    }  # fmt: skip


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


def test_charts_drawn_by_renderers_started_beforehand_are_those_drawn_here(tmp_path: Path) -> None:
    """Workers started before the charts are known (the report starts them first) draw any
    number of charts, even fewer than PARALLEL_FROM: the same SVGs, in order, as rendering each
    in this process; cached charts are read back, not sent to them."""
    charts = [_chart(float(y)) for y in range(5)]
    cache = SvgCache(tmp_path / "charts")
    render_svgs(charts[:2], cache=cache, workers=1)
    with Renderers(workers=2) as renderers:
        drawn = render_svgs(charts, cache=cache, renderers=renderers)
    assert drawn == render_svgs(charts, workers=1)
    assert len(set(drawn)) == len(charts) and cache.rendered == len(charts)


_ACTUALS = [
    {"year": 2020, "value": 90.5, "source_kind": "plan_baseline", "source_url": None,
     "source_ref": "plans/x.txt:3"},
    {"year": 2022, "value": 93.0, "source_kind": "published", "source_url": "https://x.gov.cn/a",
     "source_ref": "a.csv:2"},
]  # fmt: skip
_TARGETS = [
    {"year": 2025, "target_value": 95.0, "role": "target", "target_text": "95", "source_file":
     "plans/x.txt", "source_line": 4, "baseline_year": 2020, "baseline_value": 90.5,
     "path_is_compound": True, "path_growth": None, "comparator": ">="},
]  # fmt: skip


def test_the_report_specifications_are_valid_vega_lite() -> None:
    vega_lite = vega_lite_validator()
    series = series_spec("标题", ["Title"], "%", _ACTUALS, _TARGETS)
    points_only = series_spec("标题", ["Title"], None, _ACTUALS[:1], [])
    rows = [{"region": "A", "value": 14.5, "kind": "target", "href": None, "label": "A"}]
    shared = shared_spec("标题", ["Title"], "年", rows)
    for spec in (series, points_only, shared):
        errors = [e.message for e in vega_lite.iter_errors(spec)]
        assert errors == []
    assert len(series["layer"]) == 3 and "data" in points_only  # one layer: its data on top
    broken = {**shared, "mark": {"type": "point", "filed": True}}  # a misspelt property
    assert list(vega_lite.iter_errors(broken)), "the schema check can fail"


_KILLED_REPORT = """
import time

from flows.report.charts import Renderers

if __name__ == "__main__":
    renderers = Renderers(workers=2)
    renderers.render([])  # (started: the workers were asked for at once)
    while len(renderers._pool._processes) < 2:
        time.sleep(0.05)
    print(" ".join(map(str, renderers._pool._processes)), flush=True)
    time.sleep(600)  # killed here
"""


def test_the_chart_workers_stop_when_their_run_is_killed(tmp_path: Path) -> None:
    """A run killed by kill -9 while its chart workers wait stops nothing itself: the workers
    see their run gone and stop (flows/process_watch.py), rather than holding V8's memory on."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "killed_report.py"  # (spawned workers import the main module's file)
    script.write_text(_KILLED_REPORT, encoding="utf-8")
    run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    workers = [int(pid) for pid in run.stdout.readline().split()]
    assert len(workers) == 2
    run.kill()
    run.wait(timeout=30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    for pid in alive:  # (the test leaves nothing behind either)
        os.kill(pid, signal.SIGKILL)
    assert alive == [], "chart workers of a killed run are still waiting"
