"""The report checked against the warehouse, independently of the report's own data layer: the
published marts are read with plain SQL here (never flows/report/data.py), the HTML is parsed
(lxml), and what each region's section shows must be what the marts hold: the status counts by
attribute (regions without targets too), and every target's year, role, attribute, target as
written, baseline, latest value, computed status and source links. No browser: the browser test
(test_report_browser.py) checks what is drawn."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import duckdb
import lxml.html
import pytest

from tests.conftest import REPO_ROOT

# docs/progress_method.md's statuses, best to worst then no data (the order of the count table)
STATUSES = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deterioration",
    "not_achieved",
    "no_data",
]
ATTRIBUTE_LABELS = {
    "binding": "约束性 binding",
    "expected": "预期性 expected",
    None: "未分类 unclassified",
}

REGIONS_SQL = """
select distinct regions.region_code, regions.region_name_zh
from marts.dim_plan as plans
inner join marts.dim_region as regions on plans.region_code = regions.region_code
"""
TARGETS_SQL = """
select
    progress.region_code, progress.year, progress.role, progress.attribute,
    progress.target_text, progress.status, progress.baseline_value::double as baseline_value,
    progress.baseline_year, progress.latest_value::double as latest_value, progress.latest_year,
    progress.source_file, progress.source_line, progress.baseline_source_ref,
    progress.latest_source_ref, progress.latest_source_kind, actuals.source_url,
    progress.indicator_name_raw
from marts.mart_indicator_progress as progress
left join marts.fct_indicator_actual as actuals
    on progress.region_code = actuals.region_code
    and progress.indicator_code = actuals.indicator_code
    and progress.breakdown = actuals.breakdown
    and progress.latest_year = actuals.year
    and progress.latest_source_ref = actuals.source_ref
"""


@dataclass(frozen=True)
class Shown:
    """One target row of a region's table as the page shows it."""

    year: int
    role: str
    attribute: str
    target_text: str
    target_href: str | None
    baseline: float | None
    baseline_href: str | None
    latest: float | None
    latest_href: str | None
    status: str


@pytest.fixture(scope="module")
def report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Any, Path]:
    """(warehouse, parsed page, page) of the demo night's report as the flow wrote it (conftest's
    demo_night). Under `make mutate` EDUPLAN_TEST_DEMO_WAREHOUSE names a demo warehouse built
    once, and the page is rendered from it by the code under test (write_report)."""
    prebuilt = os.environ.get("EDUPLAN_TEST_DEMO_WAREHOUSE")
    if prebuilt:
        from flows.report.report import write_report

        warehouse = Path(prebuilt)
        page = write_report(warehouse, tmp_path_factory.mktemp("report") / "index.html",
                            raw_dir=warehouse.parent / "raw")  # fmt: skip
    else:
        demo_night = request.getfixturevalue("demo_night")
        warehouse, page = demo_night.warehouse, demo_night.report
    return warehouse, lxml.html.fromstring(page.read_text(encoding="utf-8")), page


@pytest.fixture(scope="module")
def marts(report: tuple[Path, Any, Path]) -> dict[str, list[dict[str, Any]]]:
    con = duckdb.connect(str(report[0]), read_only=True)
    try:
        out = {}
        for name, sql in (("regions", REGIONS_SQL), ("targets", TARGETS_SQL)):
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            out[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return out
    finally:
        con.close()


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _link(cell: Any) -> tuple[str, str | None]:
    """(first line of the cell's text, its link) of a value cell."""
    anchors = cell.xpath(".//a")
    first = (cell.text or "").strip() or (anchors[0].text if anchors else "") or ""
    if not first:
        spans = cell.xpath("./span")
        first = spans[0].text or "" if spans else ""
    return first.strip(), anchors[0].get("href") if anchors else None


def _number(text: str) -> float | None:
    return round(float(text), 6) if text else None


def shown_targets(section: Any) -> list[Shown]:
    tables = section.xpath(".//details/table")
    if not tables:
        return []
    rows = []
    for tr in tables[0].xpath("./tr[td]"):
        cells = tr.xpath("./td")
        target_anchor = cells[5].xpath("./a")
        baseline, baseline_href = _link(cells[6])
        latest, latest_href = _link(cells[7])
        rows.append(
            Shown(
                year=int(_text(cells[2])),
                role=_text(cells[3]),
                attribute=_text(cells[4]),
                target_text=_text(cells[5]),
                target_href=target_anchor[0].get("href") if target_anchor else None,
                baseline=_number(baseline),
                baseline_href=baseline_href,
                latest=_number(latest),
                latest_href=latest_href,
                status=_text(cells[8]),
            )
        )
    return rows


def shown_counts(section: Any) -> dict[str, tuple[int, dict[str, int]]]:
    """attribute label -> (targets, {status: count}) of the section's count table."""
    headings = section.xpath(".//h3[contains(., 'Targets by attribute and status')]")
    if not headings:
        return {}
    table = headings[0].getnext()
    header = [_text(th) for th in table.xpath("./tr[1]/th")]
    assert header[:2] == ["attribute", "targets"] and header[2:] == STATUSES, header
    counts = {}
    for tr in table.xpath("./tr[td]"):
        cells = [_text(td) for td in tr.xpath("./td")]
        by_status = {s: int(n or 0) for s, n in zip(STATUSES, cells[2:], strict=True)}
        counts[cells[0]] = (int(cells[1]), by_status)
    return counts


def file_link(ref: str, raw: Path) -> str:
    """A plan or actuals line as the report links it: its copied page in the report's folder
    (sources/<path under the night's raw folder>.html) and #L<line>."""
    path, _, line = ref.rpartition(":")
    for candidate in (REPO_ROOT / path, raw / "actuals" / path):
        if candidate.is_file():
            page = candidate.resolve().relative_to(raw.resolve()).as_posix()
            return f"sources/{quote(page)}.html#L{line}"
    raise AssertionError(f"{ref} names no file of {raw}")


def expected_targets(rows: list[dict[str, Any]], raw: Path) -> list[Shown]:
    out = []
    for t in rows:
        if t["source_url"] and t["source_url"].startswith(("http://", "https://")):
            latest_href = t["source_url"]
        elif t["latest_source_ref"] and t["latest_source_kind"] != "synthetic":
            latest_href = file_link(t["latest_source_ref"], raw)
        else:  # synthetic figures link nowhere
            latest_href = None
        out.append(
            Shown(
                year=t["year"],
                role=t["role"],
                attribute=t["attribute"] or "",
                target_text=t["target_text"],
                target_href=file_link(f"{t['source_file']}:{t['source_line']}", raw),
                baseline=_number("" if t["baseline_value"] is None else str(t["baseline_value"])),
                baseline_href=file_link(t["baseline_source_ref"], raw)
                if t["baseline_value"] is not None
                else None,
                latest=_number("" if t["latest_value"] is None else str(t["latest_value"])),
                latest_href=latest_href if t["latest_value"] is not None else None,
                status=t["status"],
            )
        )
    return out


def sections(page: Any) -> dict[str, Any]:
    return {s.get("data-region"): s for s in page.xpath("//section[@data-region]")}


def test_every_region_of_the_plans_has_its_section(report, marts) -> None:
    """Regions with no targets (Shaoxing's schedule plan) too: a section, no count table."""
    shown = sections(report[1])
    regions = {r["region_code"]: r["region_name_zh"] for r in marts["regions"]}
    assert sorted(shown) == sorted(regions)
    for code, name in regions.items():
        assert name in _text(shown[code].xpath("./h2")[0])
    with_targets = {t["region_code"] for t in marts["targets"]}
    without = set(regions) - with_targets
    assert without, "the demo night has a plan region without targets (a schedule plan)"
    for code in without:
        assert shown_counts(shown[code]) == {} and shown_targets(shown[code]) == []
    header = _text(report[1].xpath("//header")[0])
    assert f"{len(regions)} regions · {len(marts['targets'])} targets and milestones" in header


def test_each_regions_status_counts_are_the_marts(report, marts) -> None:
    shown = sections(report[1])
    for region in marts["regions"]:
        code = region["region_code"]
        rows = [t for t in marts["targets"] if t["region_code"] == code]
        expected = {}
        for attribute in ("binding", "expected", None):
            of = [t for t in rows if t["attribute"] == attribute]
            if of:
                by = Counter(t["status"] for t in of)
                expected[ATTRIBUTE_LABELS[attribute]] = (
                    len(of),
                    {s: by.get(s, 0) for s in STATUSES},
                )
        assert shown_counts(shown[code]) == expected, code
        assert sum(n for n, _ in expected.values()) == len(rows)


def test_every_target_row_shows_the_marts_status_values_and_sources(report, marts) -> None:
    shown = sections(report[1])
    for region in marts["regions"]:
        code = region["region_code"]
        rows = [t for t in marts["targets"] if t["region_code"] == code]
        on_page = shown_targets(shown[code])
        assert len(on_page) == len(rows), code
        key = lambda s: (s.year, s.role, s.target_text, s.target_href or "", s.status)  # noqa: E731
        expected = expected_targets(rows, report[0].parent / "raw")
        assert sorted(on_page, key=key) == sorted(expected, key=key), code


# Named targets, read from the marts by what a person would look up, shown with their sources
NAMED = [
    ("330481", "学前三年入园率", 2025, "target"),  # Haining, and its 十三五 2020 target beside
    ("330481", "学生近视人数比例", 2025, "target"),  # lower is better
    ("330400", "幼儿园学位数", 2022, "milestone"),  # Jiaxing's 2022 column
    ("330602", "普惠性幼儿园在园儿童覆盖面", 2025, "target"),  # Yuecheng's floor (97.6 -> 96.5)
    ("330110", "儿童青少年总体近视率", 2025, "target"),
]


@pytest.mark.parametrize(("region", "name", "year", "role"), NAMED)
def test_named_targets(report, marts, region: str, name: str, year: int, role: str) -> None:
    matches = [
        t
        for t in marts["targets"]
        if t["region_code"] == region
        and name in t["indicator_name_raw"]
        and t["year"] == year
        and t["role"] == role
    ]
    assert matches, f"{region} {name} {year} {role} is in the marts"
    section = sections(report[1])[region]
    on_page = shown_targets(section)
    for expected in expected_targets(matches, report[0].parent / "raw"):
        assert expected in on_page, (expected, [s for s in on_page if s.year == year])
        href = urlparse(expected.target_href or "")
        source = lxml.html.fromstring((report[2].parent / unquote(href.path)).read_bytes())
        (shown,) = source.xpath(f'//*[@id="{href.fragment}"]')
        assert name in shown.text_content() or expected.target_text in shown.text_content()


SERIES_SQL = """
select
    progress.region_code, progress.indicator_code, progress.breakdown, progress.year,
    progress.role, progress.attribute, progress.status, progress.latest_year,
    exists (
        select 1 from marts.fct_indicator_actual as actuals
        where actuals.region_code = progress.region_code
            and actuals.indicator_code = progress.indicator_code
            and actuals.breakdown = progress.breakdown
            and actuals.source_kind = 'synthetic'
            and actuals.value is not null
            and actuals.unit_matches_catalogue is not false
    ) as has_synthetic
from marts.mart_indicator_progress as progress
"""
ATTRIBUTE_ZH = {"binding": "约束性", "expected": "预期性"}


def test_each_chart_shows_its_series_statuses_and_synthetic_label(report) -> None:
    """A chart per series with a value after its baseline: the statuses of all its targets and
    milestones above it, and the SYNTHETIC label exactly when a synthetic figure is drawn."""
    con = duckdb.connect(str(report[0]), read_only=True)
    try:
        rows = con.execute(SERIES_SQL).fetchall()
    finally:
        con.close()
    series: dict[tuple[str, str, str], list[tuple[Any, ...]]] = {}
    for region, indicator, breakdown, *rest in rows:
        series.setdefault((region, indicator, breakdown), []).append(tuple(rest))
    for code, section in sections(report[1]).items():
        expected = Counter()
        for (region, _, _), targets in series.items():
            if region != code or all(t[4] is None for t in targets):  # no value after baseline
                continue
            badges = tuple(sorted(
                (f"{y} {role}" + (f" ({ATTRIBUTE_ZH[a]})" if a else ""), status)
                for y, role, a, status, _, _ in targets
            ))  # fmt: skip
            expected[(targets[0][5], badges)] += 1
        shown = Counter()
        for figure in section.xpath(".//figure[contains(@class, 'chart')]"):
            spans = figure.xpath(".//div[@class='statuses']/span[@class='status']")
            badges = tuple(sorted((_text(s[0]), _text(s[1])) for s in spans))
            synthetic = figure.get("data-synthetic") == "true"
            assert synthetic == bool(figure.xpath("./figcaption[contains(., 'SYNTHETIC')]"))
            # the chart itself says so too (its subtitle), not only the caption above it
            drawn = " ".join(figure.xpath(".//svg")[0].text_content().split())
            assert synthetic == ("includes SYNTHETIC figures" in drawn)
            shown[(synthetic, badges)] += 1
        assert shown == expected, code


MILESTONES_SQL = """
select plans.region_code, milestones.program, milestones.year, milestones.milestone_text
from marts.fct_milestone as milestones
inner join marts.dim_plan as plans on milestones.plan_id = plans.plan_id
"""


def test_each_regions_schedule_is_its_plans_milestones(report) -> None:
    """A schedule plan's milestones (Shaoxing's programme x district x year) in its own region's
    section, and in no other."""
    con = duckdb.connect(str(report[0]), read_only=True)
    try:
        rows = con.execute(MILESTONES_SQL).fetchall()
    finally:
        con.close()
    assert rows, "the demo night has a schedule plan"
    for code, section in sections(report[1]).items():
        expected = Counter((program, year, text) for region, program, year, text in rows
                           if region == code)  # fmt: skip
        shown: Counter = Counter()
        headings = section.xpath(".//h3[contains(., 'Schedule')]")
        if headings:
            table = headings[0].getnext()
            years = [int(_text(th)) for th in table.xpath("./tr[1]/th")[2:]]
            for tr in table.xpath("./tr[td]"):
                cells = tr.xpath("./td")
                for year, cell in zip(years, cells[2:], strict=True):
                    if _text(cell):
                        shown[(_text(cells[0]), year, _text(cell))] += 1
        assert shown == expected, code
