"""A Vega-Lite specification drawn as SVG by vl-convert, alone in its module: the worker
processes that draw a night's charts (flows/report/charts.py) import this and vl-convert only,
not Altair and the report."""

from __future__ import annotations

from typing import Any

import vl_convert

from flows.process_watch import stop_with

RELATIVE_LINK = "https://eduplan.report.invalid/"  # charts._vega_href (.invalid: never a host)


def render_spec(spec: dict[str, Any]) -> str:
    """One chart by vl-convert (in a worker process, or in this one). A link drawn behind
    RELATIVE_LINK (charts._vega_href: when Vega draws the links) is made relative to the
    report's folder again."""
    svg = vl_convert.vegalite_to_svg(spec).replace(f'href="{RELATIVE_LINK}', 'href="')
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


def start_worker(parent: int, spec: dict[str, Any] | None = None) -> None:
    """A worker process's start (charts.Renderers, charts._render_keyed): it stops once
    `parent` (the run's pid) is gone (flows/process_watch.py), and draws `spec`, when given, as
    its first chart, thrown away: V8 and the fonts load then (~0.5 s of CPU), while the report
    still reads the marts."""
    stop_with(parent)
    if spec is not None:
        render_spec(spec)
