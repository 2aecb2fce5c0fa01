"""What the progress report shows, read from the published marts (read-only): the plans and
their regions, every target with its status and sources, every series of values behind a chart,
and the indicators that several plans share. Plain rows (dicts), so templates and charts stay
free of SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from flows.controlled_vocabulary import codes
from flows.markup import safe_url
from flows.report.sources import source_href
from flows.warehouse.db import connect

STATUSES = tuple(codes("status"))  # best to worst, then no data: dbt/dbt_project.yml
ATTRIBUTES = ("binding", "expected", None)

_PLANS = """
select p.plan_id, p.title, p.period_start_year, p.period_end_year, p.source_file,
    r.region_code, r.region_name_zh, r.region_name_en
from marts.dim_plan as p
inner join marts.dim_region as r using (region_code)
order by r.region_code, p.plan_id
"""

_TARGETS = """
select
    p.target_id, p.plan_id, p.region_code, p.indicator_code, p.breakdown, p.year, p.role,
    p.indicator_name_raw, p.attribute, p.comparator, p.target_value::double as target_value,
    p.target_text, p.target_kind, p.polarity, p.baseline_year,
    p.baseline_value::double as baseline_value, p.baseline_source_ref,
    p.path_is_compound, p.path_growth,
    p.latest_year, p.latest_value::double as latest_value, p.latest_source_kind,
    p.latest_source_ref, p.status, p.evaluation_reported, p.status_disagrees_with_reported,
    p.source_file, p.source_line,
    i.indicator_name_zh, i.indicator_name_en, i.unit as indicator_unit,
    b.breakdown_name_zh, b.breakdown_name_en, b.sort_order,
    latest.source_url as latest_source_url, latest.source_title as latest_source_title
from marts.mart_indicator_progress as p
inner join marts.dim_indicator as i using (indicator_code)
left join marts.dim_breakdown as b on p.breakdown = b.breakdown
left join marts.fct_indicator_actual as latest
    on latest.region_code = p.region_code
    and latest.indicator_code = p.indicator_code
    and latest.breakdown = p.breakdown
    and latest.year = p.latest_year
    and latest.source_ref = p.latest_source_ref
order by p.region_code, p.plan_id, p.source_file, p.source_line, p.year
"""

_MILESTONES = """
select m.plan_id, p.region_code as plan_region_code, m.program, m.year, m.region_code,
    r.region_name_zh, r.region_name_en, m.milestone_text, m.milestone_kind, m.source_file,
    m.source_line
from marts.fct_milestone as m
inner join marts.dim_plan as p using (plan_id)
left join marts.dim_region as r on r.region_code = m.region_code
order by m.plan_id, m.program, m.region_code, m.year
"""

_ACTUALS = """
select a.region_code, a.indicator_code, a.breakdown, a.year, a.value::double as value,
    a.value_text, a.unit, a.source_kind, a.source_ref, a.source_url, a.source_title
from marts.fct_indicator_actual as a
where a.value is not null and a.unit_matches_catalogue is not false
    -- only series a chart is drawn for (those with a target): not every fact of the country
    and exists (
        select 1 from marts.fct_indicator_target as t
        where t.region_code = a.region_code and t.indicator_code = a.indicator_code
            and t.breakdown = a.breakdown
    )
order by a.region_code, a.indicator_code, a.breakdown, a.year, a.source_kind
"""

# targets stated in prose (mart_commitment_progress), in document order
_COMMITMENTS = """
select c.commitment_id, c.plan_id, c.region_code, c.section, c.subject_raw, c.quote,
    c.comparator, c.value::double as value, c.value_upper::double as value_upper, c.unit,
    c.year, c.year_basis, c.per,
    c.indicator_code, c.restates_target_id, c.latest_year, c.latest_value::double as latest_value,
    c.latest_source_ref, c.status, c.source_file, c.source_line, c.source_ref
from marts.mart_commitment_progress as c
order by c.region_code, c.plan_id, c.source_file, c.source_line, c.commitment_id
"""


@dataclass
class ReportData:
    """Everything the report needs, grouped for the template."""

    built_at: str
    plans: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    milestones: list[dict[str, Any]] = field(default_factory=list)
    actuals: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    commitments: list[dict[str, Any]] = field(default_factory=list)  # targets stated in prose

    def commitments_of(self, region_code: str) -> list[dict[str, Any]]:
        return [c for c in self.commitments if c["region_code"] == region_code]

    def targets_of(self, region_code: str) -> list[dict[str, Any]]:
        return [t for t in self.targets if t["region_code"] == region_code]

    def series_with_data(self, region_code: str) -> list[tuple[str, str, str]]:
        """(region, indicator, breakdown) of the region's targets that have a value after the
        baseline (an actual to rate), in plan order."""
        seen: dict[tuple[str, str, str], None] = {}
        for t in self.targets_of(region_code):
            if t["latest_year"] is not None:
                seen[(t["region_code"], t["indicator_code"], t["breakdown"])] = None
        return list(seen)

    def shared_indicators(self) -> list[str]:
        """Indicator codes with targets in two or more regions (catalogued indicators only)."""
        regions: dict[str, set[str]] = {}
        for t in self.targets:
            if t["indicator_name_en"]:
                regions.setdefault(t["indicator_code"], set()).add(t["region_code"])
        return sorted(code for code, where in regions.items() if len(where) > 1)


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    result = con.execute(query)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def read_report_data(warehouse: Path) -> ReportData:
    """Read the report's rows from a warehouse file, read-only."""
    con = connect(warehouse, read_only=True)
    try:
        built = con.execute("select max(built_at) from eduplan.build_info").fetchall()[0][0]
        data = ReportData(
            built_at=f"{built:%Y-%m-%d %H:%M} UTC" if built else "unknown",
            plans=_rows(con, _PLANS),
            targets=_rows(con, _TARGETS),
            milestones=_rows(con, _MILESTONES),
        )
        for row in _rows(con, _ACTUALS):
            key = (row["region_code"], row["indicator_code"], row["breakdown"])
            data.actuals.setdefault(key, []).append(row)
        try:  # a warehouse built before targets stated in prose has no such mart
            data.commitments = _rows(con, _COMMITMENTS)
        except duckdb.CatalogException:
            data.commitments = []
    finally:
        con.close()
    return data


def source_link(ref: str | None, url: str | None = None) -> str | None:
    """Where a number comes from, as an address: its URL when it was published on the web, else
    the report's copy of the file (a plan excerpt or an actuals file) at its line, relative to
    the report's folder (`flows.report.sources`). None when unknown or synthetic. Only http(s)
    addresses are linked (`flows.markup.safe_url`); any other URL is not."""
    web = safe_url(url)
    if web:
        return web
    if (url or "").startswith("synthetic://"):
        return None
    return source_href(ref)
