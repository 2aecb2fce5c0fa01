"""The report's charts: Vega-Lite specifications rendered offline to inline SVG with vl-convert,
so the page needs no JavaScript, no CDN and no network request.

The specifications are written as plain dictionaries: Altair built the same ones (its objects,
validated or not, cost about a tenth of a chart's rendering and its import half a second), and
the tests validate them against the Vega-Lite schema (tests/report/test_report_chart_cache.py).

A region's chart of one indicator shows its values (plan baseline, published or synthetic
figures), the milestones and targets, and the path the plan required from the baseline to each
target (compound annual growth, or linear where a value is zero or negative: the method of
docs/progress_method.md). Each point links to its source.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert

from flows.controlled_vocabulary import codes
from flows.report import chart_links
from flows.report.data import source_link
from flows.report.progress_path import required_path
from flows.report.svg import RELATIVE_LINK, render_spec, start_worker
from flows.report.title_fit import title as fitted_title

# one per KINDS entry: plan baseline, plan reported, published, synthetic, milestone, target
COLOURS = ("#6b7280", "#0d9488", "#2563eb", "#d97706", "#7c3aed", "#dc2626")
SHAPES = ("circle", "cross", "circle", "square", "triangle-up", "diamond")
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
SYNTHETIC_NOTE = "includes SYNTHETIC figures (demo data, not real)"
# a figure's source kind (dbt/dbt_project.yml) as the legend says it: plan_baseline -> plan baseline
_KIND = {k: k.replace("_", " ") for k in (*codes("derived_source_kind"), *codes("source_kind"))}
KINDS = (*_KIND.values(), "milestone", "target")
# the Vega-Lite version of the specifications (vl-convert draws it)
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
PARALLEL_FROM = 12  # fewer charts than this render in this process (a worker starts in ~1 s)
log = logging.getLogger("eduplan.report")


def _vega_href(href: str | None) -> str | None:
    """A link as Vega is given it (only when Vega draws a chart's links: Drawing.spec): Vega
    would resolve a link relative to the report's folder (a source page) against its own base
    URL, so it is drawn behind an absolute prefix that Vega leaves alone and `svg.render_spec`
    takes off again."""
    if href and not href.startswith(("http://", "https://")):
        return RELATIVE_LINK + href
    return href


def _linked_points(
    points: list[dict[str, Any]], vega_links: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The point layer's data and the channels that name and link each point: its label as its
    description (the symbol's aria-label, by which chart_links.link_points finds it), and, when
    Vega draws the links itself, its link (a point without a source draws none: Vega-Lite
    would write the text "null" as its address)."""
    channels: dict[str, Any] = {"description": _nominal("label")}
    if not vega_links:
        return [{k: v for k, v in p.items() if k != "href"} for p in points], channels
    channels["href"] = {
        "condition": {"test": "isValid(datum.href) && datum.href != ''", "field": "href",
                      "type": "nominal"},
        "value": None,
    }  # fmt: skip
    return [{**p, "href": _vega_href(p["href"])} for p in points], channels


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)


def _points_and_paths(
    actuals: list[dict[str, Any]], targets: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    points: list[dict[str, Any]] = []
    for a in actuals:
        kind = _KIND.get(a["source_kind"], a["source_kind"])
        points.append({
            "year": a["year"], "value": a["value"], "kind": kind,
            "label": f"{a['year']}: {_fmt(a['value'])} ({kind}, {a['source_ref']})",
            "href": source_link(a["source_ref"], a["source_url"]),
        })  # fmt: skip
    line = [p for p in points if p["kind"] != "synthetic"] or points
    line = sorted({p["year"]: p for p in sorted(line, key=lambda p: p["kind"])}.values(),
                  key=lambda p: p["year"])  # fmt: skip
    line_rows = [{"year": p["year"], "value": p["value"]} for p in line]
    by_year = {p["year"]: p["value"] for p in points}
    paths: list[dict[str, Any]] = []
    for t in targets:
        if t["target_value"] is None:
            continue
        points.append({
            "year": t["year"], "value": t["target_value"], "kind": t["role"],
            "label": f"{t['role']} {t['year']}: {t['target_text']} ({t['source_file']}:"
                     f"{t['source_line']})",
            "href": source_link(f"{t['source_file']}:{t['source_line']}"),
        })  # fmt: skip
        name = f"path to {t['role']} {t['year']}"
        for year, value in required_path(t, baseline=by_year.get(t["baseline_year"])):
            paths.append({"year": year, "value": value, "path": name})
    return points, line_rows, paths


def _nominal(field: str) -> dict[str, Any]:
    return {"field": field, "type": "nominal"}


def _kind_channels(points: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Colour and shape by kind of point, with a legend of the kinds the chart shows."""
    present = [k for k in KINDS if any(p["kind"] == k for p in points)]
    colour = {
        "field": "kind", "legend": {"columns": 5, "orient": "bottom"},
        "scale": {"domain": present, "range": [COLOURS[KINDS.index(k)] for k in present]},
        "title": None, "type": "nominal",
    }  # fmt: skip
    shape = {
        "field": "kind",
        "scale": {"domain": present, "range": [SHAPES[KINDS.index(k)] for k in present]},
        "type": "nominal",
    }
    return colour, shape


SUBTITLE_PIXELS_PER_COLUMN = 5.9  # an 11 px subtitle's half-width character (CJK counts 2)


def wrapped(lines: list[str], limit: int) -> list[str]:
    """Subtitle lines broken at spaces (or anywhere in CJK text) to fit `limit` pixels, so a
    long English name is wrapped rather than cut off with an ellipsis."""
    columns = int(limit / SUBTITLE_PIXELS_PER_COLUMN)
    out: list[str] = []
    for line in lines:
        current, width = "", 0
        for token in re.findall(r"[\x21-\x7e]+\s*|\s+|.", line):  # a word, or one CJK char
            size = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in token)
            if current and width + size > columns:
                out.append(current.rstrip())
                current, width = "", 0
            current, width = current + token, width + size
        out.append(current.rstrip())
    return out


def series_drawing(
    title: str, subtitle: list[str], unit: str | None,
    actuals: list[dict[str, Any]], targets: list[dict[str, Any]],
) -> Drawing:  # fmt: skip
    """One indicator of one region as the data its chart shows (_series_chart)."""
    points, line, paths = _points_and_paths(actuals, targets)
    return Drawing("series", (title, subtitle, unit, points, line, paths))


def series_spec(
    title: str, subtitle: list[str], unit: str | None,
    actuals: list[dict[str, Any]], targets: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """One indicator of one region: values, targets and the required paths."""
    return series_drawing(title, subtitle, unit, actuals, targets).spec()


def _series_chart(
    title: str, subtitle: list[str], unit: str | None, points: list[dict[str, Any]],
    line: list[dict[str, Any]], paths: list[dict[str, Any]], *, vega_links: bool = False,
) -> dict[str, Any]:  # fmt: skip
    years = [p["year"] for p in points] or [2020]

    def x_y() -> dict[str, Any]:
        return {
            "x": {"axis": {"format": "d", "grid": False, "tickMinStep": 1}, "field": "year",
                  "scale": {"domain": [min(years) - 0.3, max(years) + 0.3]}, "title": None,
                  "type": "quantitative"},
            "y": {"field": "value", "scale": {"nice": True, "zero": False}, "title": None,
                  "type": "quantitative"},
        }  # fmt: skip

    colour, shape = _kind_channels(points)
    values, linked = _linked_points(points, vega_links)
    layers: list[dict[str, Any]] = []
    if paths:
        layers.append({
            "data": {"values": paths},
            "mark": {"type": "line", "color": "#9ca3af", "strokeDash": [5, 4]},
            "encoding": {"detail": _nominal("path"), **x_y()},
        })  # fmt: skip
    if len(line) > 1:
        layers.append({"data": {"values": line}, "mark": {"type": "line", "color": "#93c5fd"},
                       "encoding": x_y()})  # fmt: skip
    layers.append({
        "data": {"values": values},
        "mark": {"type": "point", "filled": True, "opacity": 0.95, "size": 70},
        "encoding": {"color": colour, "shape": shape, **linked, **x_y()},
    })  # fmt: skip
    if unit:
        subtitle = [f"{subtitle[0]} · unit: {unit}", *subtitle[1:]]
    subtitle = wrapped(subtitle, 380)
    shared: dict[str, Any] = {}  # layers of the same data hold it once, at the top (as Altair did)
    if all(layer["data"] == layers[0]["data"] for layer in layers):
        shared = {"data": layers[0]["data"]}
        layers = [{k: v for k, v in layer.items() if k != "data"} for layer in layers]
    return {
        **shared, "layer": layers, "height": 170, "width": 340,
        "title": fitted_title(
            title, subtitle, limit=380, font=FONT,
            subtitleColor="#b91c1c" if SYNTHETIC_NOTE in subtitle else "#4b5563",
        ),
    }  # fmt: skip


def shared_drawing(
    title: str, subtitle: list[str], unit: str | None, rows: list[dict[str, Any]]
) -> Drawing:
    """One indicator across regions as the data its chart shows (_shared_chart)."""
    return Drawing("shared", (title, subtitle, unit, rows))


def shared_spec(title: str, subtitle: list[str], unit: str | None,
                rows: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """One indicator across regions: each region's baseline, latest figure and targets."""
    return shared_drawing(title, subtitle, unit, rows).spec()


def _shared_chart(
    title: str, subtitle: list[str], unit: str | None, rows: list[dict[str, Any]], *,
    vega_links: bool = False,
) -> dict[str, Any]:  # fmt: skip
    colour, shape = _kind_channels(rows)
    values, linked = _linked_points(rows, vega_links)
    return {
        "data": {"values": values},
        "mark": {"type": "point", "filled": True, "opacity": 0.9, "size": 90},
        "encoding": {
            "color": colour, "shape": shape, **linked,
            "x": {
                # few ticks, and labels that would touch are dropped (14.514.6...)
                "axis": {"labelFlush": True, "labelOverlap": "greedy", "tickCount": 5},
                "field": "value", "scale": {"nice": True, "zero": False}, "title": unit or "",
                "type": "quantitative",
            },
            "y": {"field": "region", "sort": None, "title": None, "type": "nominal"},
        },
        "height": {"step": 22}, "width": 300,
        "title": fitted_title(title, wrapped(subtitle, 420), limit=420, font=FONT),
    }  # fmt: skip


_POINTS = 3  # the builders' argument that holds the points (_series_chart, _shared_chart)
_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "series": _series_chart, "shared": _shared_chart,
}  # fmt: skip


@cache
def _code() -> str:
    """What turns a drawing's data into SVG: this module's and chart_links' code and vl-convert's
    version. Part of every drawing's key, so a changed chart style draws every chart again."""
    versions = f"{vl_convert.__version__}\n".encode()
    code = Path(__file__).read_bytes() + Path(chart_links.__file__).read_bytes()
    return hashlib.sha256(versions + code).hexdigest()


@dataclass(frozen=True)
class Drawing:
    """A chart of the report as the plain data it shows (points with their links resolved) and
    the builder that makes its Vega-Lite specification from them. The SVG cache is keyed on that
    data, so a night whose series did not change neither builds the specification nor renders
    it."""

    builder: str  # a key of _BUILDERS
    args: tuple[Any, ...]  # the builder's arguments; args[_POINTS]: the point layer's data

    @property
    def key(self) -> str:
        data = json.dumps([self.builder, self.args], sort_keys=True, default=str)
        return hashlib.sha256(f"{_code()}\n{data}".encode()).hexdigest()[:32]

    def spec(self, *, vega_links: bool = False) -> dict[str, Any]:
        """Its Vega-Lite specification: its points' links are added to the SVG by `link`, or,
        with `vega_links`, drawn by Vega (when `link` cannot place them)."""
        return _spec(_BUILDERS[self.builder](*self.args, vega_links=vega_links))

    def link(self, svg: str) -> str | None:
        """The SVG of `spec()` with its points linked to their sources (chart_links), or None
        when its symbols are not its points."""
        return chart_links.link_points(svg, self.args[_POINTS])


class SvgCache:
    """Rendered charts by the hash of their Vega-Lite specification, in a folder beside the
    warehouse: vl-convert takes 60-90 ms of CPU a chart, so a night whose series did not
    change renders none again. `prune()` after a report removes what that report did not use:
    the folder holds one report's charts, however many nights ran."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.rendered = 0  # charts vl-convert rendered (cache misses)

    def get(self, key: str) -> str | None:
        self.used.add(key)
        path = self.folder / f"{key}.svg"
        return path.read_text(encoding="utf-8") if path.exists() else None

    def put(self, key: str, svg: str) -> None:
        self.rendered += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        staged = self.folder / f".{key}.tmp"
        staged.write_text(svg, encoding="utf-8")
        staged.replace(self.folder / f"{key}.svg")

    def prune(self) -> None:
        for path in self.folder.glob("*.svg") if self.folder.is_dir() else []:
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _cache_key(spec: dict[str, Any]) -> str:
    unchecked = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256(f"{vl_convert.__version__}\n{unchecked}".encode()).hexdigest()[:32]


def _spec(chart: dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite specification of a chart as drawn: the report's font, no frame."""
    view = {"continuousWidth": 300, "continuousHeight": 300, "stroke": None}
    return {"config": {"view": view, "font": FONT}, **chart, "$schema": VEGA_LITE_SCHEMA}


def render_svgs(
    specs: list[dict[str, Any]], *, cache: SvgCache | None = None, workers: int | None = None,
    renderers: Renderers | None = None,
) -> list[str]:  # fmt: skip
    """Render Vega-Lite specifications to SVG strings offline (_render_keyed), cached by their
    hash. The report's specifications are validated against the Vega-Lite schema by the tests
    (tests/report/test_report_chart_cache.py), not on every night."""
    return _render_keyed(
        [(_cache_key(spec), lambda spec=spec: spec) for spec in specs], cache=cache,
        workers=workers, renderers=renderers,
    )  # fmt: skip


def render_drawings(
    drawings: list[Drawing], *, cache: SvgCache | None = None, workers: int | None = None,
    renderers: Renderers | None = None,
) -> list[str]:  # fmt: skip
    """Render the report's drawings to SVG strings (_render_keyed), cached by their data: the
    chart of a drawing read back from the cache is not built. With `renderers` (started
    earlier), the charts not cached are drawn by those."""
    return _render_keyed(
        [(d.key, d.spec) for d in drawings], cache=cache, workers=workers, renderers=renderers,
        drawings={d.key: d for d in drawings},
    )  # fmt: skip


class Renderers:
    """Worker processes that draw charts (svg.render_spec), started before the night's charts
    are known: a worker's start (Python, then vl-convert's V8 and fonts, ~0.5 s of CPU, warmed by
    drawing a sample chart) overlaps reading the marts and comparing with the night before instead
    of delaying the first chart. A context manager: leaving it stops the workers."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        sample = Drawing("series", (
            "示例 warm-up", ["a sample chart"], "%", [
                {"year": 2020 + i, "value": 50.0 + i, "kind": kind, "label": f"{kind} {i}",
                 "href": None} for i, kind in enumerate(KINDS)
            ], [{"year": 2020, "value": 50.0}, {"year": 2021, "value": 51.0}], [],
        )).spec()  # fmt: skip
        context = multiprocessing.get_context("spawn")  # vl-convert's runtime is not fork-safe
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(os.getpid(), sample),
        )
        for _ in range(self.workers):  # a worker starts per task waiting: all of them, now
            self._pool.submit(int)

    def render(self, specs: list[dict[str, Any]]) -> list[str]:
        """The SVG of each specification, in order."""
        return list(self._pool.map(render_spec, specs, chunksize=2))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Renderers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _render_keyed(
    charts: list[tuple[str, Callable[[], dict[str, Any]]]], *, cache: SvgCache | None,
    workers: int | None, renderers: Renderers | None = None,
    drawings: dict[str, Drawing] | None = None,
) -> list[str]:  # fmt: skip
    """Render (key, specification maker) pairs offline (vl-convert bundles Vega; no network).
    With a cache, a chart whose key was rendered before is read back and its specification is
    not made. The others are rendered in `workers` processes (default: one per core) when there
    are more than PARALLEL_FROM: vl-convert draws one chart at a time in a process (60-90 ms a
    chart; two threads are no faster than one, measured), so a night whose every series
    changed waits for each in turn. A chart of `drawings` (by key) gets its points' links
    after it is drawn (Drawing.link), or is drawn again with Vega's own links when they cannot
    be placed."""
    keys = [key for key, _ in charts]
    svgs: dict[str, str] = {}
    for key in keys:
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            svgs[key] = cached
    todo = {key: make() for key, make in dict(charts).items() if key not in svgs}
    workers = min(workers or os.cpu_count() or 1, len(todo))
    if renderers is not None and todo:  # started already: any number of charts is drawn there
        fresh = dict(zip(todo, renderers.render(list(todo.values())), strict=True))
    elif workers > 1 and len(todo) > PARALLEL_FROM:
        log.info("report: rendering %d charts in %d processes", len(todo), workers)
        context = multiprocessing.get_context("spawn")  # vl-convert's runtime is not fork-safe
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
        ) as pool:
            rendered = pool.map(render_spec, todo.values(), chunksize=4)
            fresh = dict(zip(todo, rendered, strict=True))
    else:
        fresh = {key: render_spec(spec) for key, spec in todo.items()}
    for key, svg in fresh.items():
        drawing = (drawings or {}).get(key)
        if drawing is not None:
            linked = drawing.link(svg)
            if linked is None:
                log.info("report: chart %s drawn again with Vega's links", key)
                linked = render_spec(drawing.spec(vega_links=True))
            svg = linked
        svgs[key] = svg
        if cache is not None:
            cache.put(key, svg)
    return [svgs[key] for key in keys]


def to_svg(spec: dict[str, Any], *, cache: SvgCache | None = None) -> str:
    """One Vega-Lite specification as an SVG string (render_svgs)."""
    return render_svgs([spec], cache=cache)[0]
