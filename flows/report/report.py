"""The HTML progress report: one self-contained page (inline CSS and SVG; no script, no CDN, no
network request) from a published warehouse, written with the Jinja2 template in templates/.

For each region: its targets by attribute and status, every target with the computed status
beside the plan's own evaluation, and a chart per indicator with data. Then the indicators that
several plans share, across regions. Each number links to its source.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader

from flows.config import settings
from flows.expected import sort_findings
from flows.held_back import held_back_groups
from flows.report import charts
from flows.report.changes import Changes
from flows.report.data import ATTRIBUTES, STATUSES, ReportData, read_report_data, source_link
from flows.report.sources import raw_folder, raw_root, write_source_pages

TEMPLATES = Path(__file__).with_name("templates")
# what changed tonight, or what gives it once the charts are drawn (the comparison runs meanwhile)
ChangesLater = Changes | Callable[[], Changes | None] | None
log = logging.getLogger("eduplan.report")


def dbt_docs_path(warehouse: Path) -> Path:
    """Where `eduplan docs` writes the dbt docs site for a warehouse."""
    return settings(warehouse=warehouse).layout.dbt_docs_index


def data_docs_path(warehouse: Path) -> Path:
    """The Great Expectations Data Docs of a warehouse's gates (WarehouseLayout)."""
    return settings(warehouse=warehouse).layout.data_docs_index


def number(value: float) -> str:
    """A figure as published: up to 10 significant digits, no exponent for ordinary sizes."""
    return format(value, ".10g")


def _name(zh: str | None, en: str | None) -> dict[str, str]:
    return {"zh": zh or "", "en": en or ""}


def _series_title(t: dict[str, Any]) -> tuple[str, list[str]]:
    breakdown = "" if t["breakdown"] == "total" else f" · {t['breakdown_name_zh'] or ''}"
    en = t["indicator_name_en"] or "(uncatalogued indicator)"
    if t["breakdown"] != "total" and t["breakdown_name_en"]:
        en += f" · {t['breakdown_name_en']}"
    return f"{t['indicator_name_zh']}{breakdown}", [en]


def _target_row(t: dict[str, Any]) -> dict[str, Any]:
    """A target for the table: numbers with the addresses of their sources."""
    return {
        **t,
        "target_href": source_link(f"{t['source_file']}:{t['source_line']}"),
        "baseline_href": source_link(t["baseline_source_ref"]),
        "latest_href": source_link(t["latest_source_ref"], t["latest_source_url"]),
    }


def _counts(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Targets by attribute (binding, expected, unclassified) and status."""
    rows = []
    for attribute in ATTRIBUTES:
        of = [t for t in targets if t["attribute"] == attribute]
        if of:
            by = Counter(t["status"] for t in of)
            rows.append({"attribute": attribute or "unclassified", "total": len(of),
                         "by_status": [by.get(s, 0) for s in STATUSES]})  # fmt: skip
    return rows


def _schedule(data: ReportData, code: str) -> list[dict[str, Any]]:
    """A schedule plan's milestones (programme x district x year), each cell with its source."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for m in data.milestones:
        if m["plan_region_code"] != code:
            continue
        row = rows.setdefault((m["program"], m["region_code"]), {
            "program": m["program"], "region": _name(m["region_name_zh"], m["region_name_en"]),
            "years": {},
        })  # fmt: skip
        href = source_link(f"{m['source_file']}:{m['source_line']}")
        where = f"{m['source_file']} line {m['source_line']}"
        row["years"][m["year"]] = {"text": m["milestone_text"], "href": href, "where": where}
    return list(rows.values())


def _commitment_themes(data: ReportData, code: str) -> list[dict[str, Any]]:
    """A region's targets stated in prose, grouped by theme (the heading they are under), in
    document order, each with the address of its line."""
    themes: dict[str, list[dict[str, Any]]] = {}
    for c in data.commitments_of(code):
        row = {**c, "href": source_link(f"{c['source_file']}:{c['source_line']}")}
        themes.setdefault(c["section"] or "", []).append(row)
    return [{"theme": theme, "commitments": rows} for theme, rows in themes.items()]


def _region_sections(data: ReportData) -> list[dict[str, Any]]:
    regions: dict[str, dict[str, Any]] = {}
    for plan in data.plans:
        region = regions.setdefault(plan["region_code"], {
            "code": plan["region_code"], "name": _name(plan["region_name_zh"],
                                                       plan["region_name_en"]),
            "plans": [], "charts": [],
        })  # fmt: skip
        region["plans"].append(plan)
    for code, region in regions.items():
        targets = data.targets_of(code)
        region["counts"] = _counts(targets)
        region["targets"] = [_target_row(t) for t in targets]
        region["evaluated"] = any(t["evaluation_reported"] for t in targets)
        region["schedule"] = _schedule(data, code)
        region["commitment_themes"] = _commitment_themes(data, code)
        for key in data.series_with_data(code):
            of = [t for t in targets if (t["region_code"], t["indicator_code"], t["breakdown"])
                  == key]  # fmt: skip
            actuals = data.actuals.get(key, [])
            title, subtitle = _series_title(of[0])
            synthetic = any(a["source_kind"] == "synthetic" for a in actuals)
            if synthetic:
                subtitle.append(charts.SYNTHETIC_NOTE)
            drawing = charts.series_drawing(title, subtitle, of[0]["indicator_unit"], actuals, of)
            region["charts"].append({
                "drawing": drawing, "synthetic": synthetic, "title": title,
                "statuses": [(t["year"], t["role"], t["attribute"], t["status"]) for t in of],
            })  # fmt: skip
    return list(regions.values())


def _shared_sections(data: ReportData) -> list[dict[str, Any]]:
    names = {p["region_code"]: f"{p['region_name_zh']} {p['region_name_en']}" for p in data.plans}
    sections = []
    for code in data.shared_indicators():
        targets = [t for t in data.targets if t["indicator_code"] == code]
        rows: list[dict[str, Any]] = []
        for t in targets:
            label = names.get(t["region_code"], t["region_code"])
            if t["breakdown"] != "total":
                label += f" · {t['breakdown_name_zh'] or t['breakdown']}"
            if t["target_value"] is not None:
                rows.append(
                    {
                        "region": label,
                        "value": t["target_value"],
                        "kind": t["role"],
                        "label": f"{label} {t['role']} {t['year']}: {t['target_text']}",
                        "href": source_link(f"{t['source_file']}:{t['source_line']}"),
                    }
                )
            for which in ("baseline", "latest"):
                value = t[f"{which}_value"]
                if value is not None and t["role"] == "target":
                    kind = (
                        "plan baseline"
                        if which == "baseline"
                        else charts._KIND.get(t["latest_source_kind"] or "", "published")
                    )
                    rows.append({"region": label, "value": value, "kind": kind,
                                 "label": f"{label} {t[which + '_year']}: {number(value)}",
                                 "href": source_link(t[f"{which}_source_ref"],
                                                     t["latest_source_url"] if which == "latest"
                                                     else None)})  # fmt: skip
        unique_rows = list({(r["region"], r["kind"], r["value"]): r for r in rows}.values())
        synthetic = any(r["kind"] == "synthetic" for r in unique_rows)
        first = targets[0]
        subtitle = [first["indicator_name_en"] or ""]
        if synthetic:
            subtitle.append(charts.SYNTHETIC_NOTE)
        drawing = charts.shared_drawing(first["indicator_name_zh"], subtitle,
                                        first["indicator_unit"], unique_rows)  # fmt: skip
        sections.append(
            {
                "name": _name(first["indicator_name_zh"], first["indicator_name_en"]),
                "drawing": drawing,
                "synthetic": synthetic,
                "targets": [_target_row(t) for t in targets],
                "regions": names,
            }
        )
    return sections


def _docs_link(page: Path, folder: Path | None) -> str | None:
    """A docs site's address from the report: relative to the report's folder when known (the
    warehouse's folder moved or served as a whole keeps it), else the file's URI."""
    if not page.exists():
        return None
    if folder is None:
        return page.as_uri()
    return quote(Path(os.path.relpath(page, folder.resolve())).as_posix(), safe="/")


def render_report(
    data: ReportData, *, changes: ChangesLater, warehouse: Path, folder: Path | None = None,
    renderers: charts.Renderers | None = None,
) -> str:  # fmt: skip
    # every template escapes: names, titles and URLs come from files anybody can put in raw/
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["num"] = number
    template = env.get_template("report.html.j2")
    dbt_docs = dbt_docs_path(warehouse)
    gx_docs = data_docs_path(warehouse)
    cache = charts.SvgCache(settings(warehouse=warehouse).layout.chart_cache_dir)
    regions, shared = _region_sections(data), _shared_sections(data)
    # held back tonight, less what the data files declare expected (flows/expected.py)
    findings = sort_findings(held_back_groups(warehouse), [], raw_root() / "actuals")
    drawn = [chart for region in regions for chart in region["charts"]] + shared
    drawings = [chart.pop("drawing") for chart in drawn]
    svgs = charts.render_drawings(drawings, cache=cache, renderers=renderers)
    for chart, svg in zip(drawn, svgs, strict=True):
        chart["svg"] = svg
    cache.prune()
    log.info("report: %d chart(s) rendered, %d from cache", cache.rendered,
             len(cache.used) - cache.rendered)  # fmt: skip
    return template.render(
        data=data, regions=regions, shared=shared,
        statuses=STATUSES, changes=changes() if callable(changes) else changes,
        warehouse=warehouse,
        held_back=findings.held_back, expected=findings.expected,
        dbt_docs=_docs_link(dbt_docs, folder),
        gx_docs=_docs_link(gx_docs, folder),
        kinds=list(zip(charts.KINDS, charts.COLOURS, strict=True)),
        synthetic_figures=sum(
            a["source_kind"] == "synthetic" for series in data.actuals.values() for a in series
        ),
    )  # fmt: skip


def write_report(
    warehouse: Path, out: Path, *, changes: ChangesLater = None, raw_dir: Path | None = None,
    renderers: charts.Renderers | None = None,
) -> Path:  # fmt: skip
    """Write the report of a warehouse to `out` (atomically), with the source pages its links
    point to in `sources/` beside it (flows/report/sources.py), copied from `raw_dir` (the
    night's raw folder; default: the configured one); returns `out`. Charts not cached are drawn
    by `renderers` when given (started by the caller), else here or in workers started here."""
    started = time.perf_counter()
    data = read_report_data(warehouse)
    out.parent.mkdir(parents=True, exist_ok=True)
    with raw_folder(raw_dir):
        html = render_report(
            data,
            changes=changes,
            warehouse=Path(warehouse).resolve(),
            folder=out.parent,
            renderers=renderers,
        )
        pages = write_source_pages(html, out.parent)
    log.info("report: %d source page(s)", pages)
    staged = out.with_name(f".{out.name}.tmp")
    staged.write_text(html, encoding="utf-8")
    os.replace(staged, out)
    log.info("report: %s in %.1fs", out, time.perf_counter() - started)
    return out
