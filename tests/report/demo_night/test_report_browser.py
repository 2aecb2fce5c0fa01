"""The progress report in a real browser (Debian's chromium, headless, driven by Playwright):
no console error, no request but the page itself, and every chart drawn with every point of its
data, region by region. Screenshots are kept in tests/artifacts/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.report.data import ReportData, read_report_data
from flows.warehouse.publish import history
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # the demo night and a real browser: ~2 min

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
_COUNT_JS = """() => Object.fromEntries([...document.querySelectorAll('section.region')].map(
  s => [s.dataset.region, {
    charts: [...s.querySelectorAll('figure.chart svg')].filter(
      svg => svg.getBoundingClientRect().width > 100 && svg.getBoundingClientRect().height > 100
    ).length,
    points: s.querySelectorAll('figure.chart svg .mark-symbol.role-mark path').length,
    synthetic_captions: [...s.querySelectorAll('figure.chart[data-synthetic=true] figcaption')]
      .filter(c => c.textContent.includes('SYNTHETIC')).length,
  }]))"""


def expected_counts(data: ReportData) -> dict[str, dict[str, int]]:
    """Charts, points (each value and each numeric milestone or target) and synthetic charts
    per region, from the warehouse."""
    counts: dict[str, dict[str, int]] = {}
    for code in {p["region_code"] for p in data.plans}:
        series = data.series_with_data(code)
        points = synthetic = 0
        for key in series:
            actuals = data.actuals.get(key, [])
            points += len(actuals)
            points += sum(
                1 for t in data.targets_of(code)
                if (t["region_code"], t["indicator_code"], t["breakdown"]) == key
                and t["target_value"] is not None
            )  # fmt: skip
            synthetic += any(a["source_kind"] == "synthetic" for a in actuals)
        counts[code] = {"charts": len(series), "points": points, "synthetic_captions": synthetic}
    return counts


def load_in_browser(report: Path, screenshot: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="networkidle")
            counts = page.evaluate(_COUNT_JS)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"errors": errors, "requests": requests, "counts": counts}


@pytest.fixture(scope="module")
def chromium() -> Path:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it"
    return CHROMIUM


@pytest.mark.parametrize("night", ["real", "demo"])
def test_report_loads_offline_and_draws_every_chart(demo_night, chromium: Path, night: str) -> None:
    if night == "real":  # the first night: the real raw inputs only
        report, warehouse = demo_night.real_report, history(demo_night.warehouse)[0].path
    else:
        report, warehouse = demo_night.report, demo_night.warehouse
    seen = load_in_browser(report, ARTIFACTS / f"report-{night}.png")
    assert seen["errors"] == []
    assert set(seen["requests"]) == {report.as_uri()}, "no request but the page itself"
    expected = expected_counts(read_report_data(warehouse))
    assert seen["counts"] == expected
    assert (ARTIFACTS / f"report-{night}.png").stat().st_size > 50_000
    # charts and synthetic captions per region, counted in the marts with plain SQL (not the
    # report's data layer): on the demo night 89 charts, 87 of them with synthetic figures
    charted = _charted_by_region(warehouse)
    assert {code: (c["charts"], c["synthetic_captions"]) for code, c in seen["counts"].items()} == {
        code: charted.get(code, (0, 0)) for code in seen["counts"]
    }
    if night == "real":
        assert seen["counts"]["330481"]["charts"] > 0, "Haining's targets charted from real data"
        assert all(c["synthetic_captions"] == 0 for c in seen["counts"].values())
    else:
        assert sum(c["charts"] for c in seen["counts"].values()) == 89
        assert sum(c["synthetic_captions"] for c in seen["counts"].values()) == 87


_CHARTED_SQL = """
select
    progress.region_code,
    count(distinct (progress.indicator_code, progress.breakdown)) as charts,
    count(distinct case when actuals.source_kind = 'synthetic'
        then (progress.indicator_code, progress.breakdown) end) as synthetic
from marts.mart_indicator_progress as progress
left join marts.fct_indicator_actual as actuals
    on progress.region_code = actuals.region_code
    and progress.indicator_code = actuals.indicator_code
    and progress.breakdown = actuals.breakdown
    and actuals.value is not null
    and actuals.unit_matches_catalogue is not false
where progress.latest_year is not null
group by progress.region_code
"""


def _charted_by_region(warehouse: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {code: (charts, synthetic) for code, charts, synthetic in
                con.execute(_CHARTED_SQL).fetchall()}  # fmt: skip


_DOCS_JS = """() => ({
  rows: [...document.querySelectorAll('table')].filter(
    t => t.querySelector('thead') && t.querySelector('thead').textContent.includes('Run Time')
  ).map(t => t.querySelectorAll('tbody tr').length).reduce((a, b) => a + b, 0),
  info: (document.querySelector('.pagination-info') || {}).textContent || '',
  icons: [...document.querySelectorAll('i.fa-check-circle, i.fa-times')].filter(
    i => getComputedStyle(i, '::before').fontFamily.includes('Font Awesome')).length,
  iconFont: document.fonts.check('900 16px "Font Awesome 6 Free"'),
})"""


def test_data_docs_show_their_results_with_the_network_off(demo_night, chromium: Path) -> None:
    """The Great Expectations Data Docs index with every request off this machine refused: it
    lists each kept validation result (its table is drawn by bootstrap-table) with its pass/fail
    icon, and asks for no file it does not have (flows/gx/offline_docs.py)."""
    from playwright.sync_api import sync_playwright

    from flows.config import settings

    index = settings(warehouse=demo_night.warehouse).layout.data_docs_index
    kept = sorted((index.parent / "validations").rglob("*.html"))  # one page per result kept
    assert len(kept) >= 10, kept  # both gates' suites, newest results
    refused: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            context = browser.new_context(offline=True)
            context.route(
                "http*://**/*", lambda route: (refused.append(route.request.url), route.abort())
            )
            page = context.new_page()
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(index.as_uri(), wait_until="load")
            page.wait_for_timeout(500)
            seen = page.evaluate(_DOCS_JS)
            page.screenshot(path=str(ARTIFACTS / "data-docs-offline.png"), full_page=True)
        finally:
            browser.close()
    assert refused == [] and failed == [] and errors == []
    shown = min(len(kept), 10)  # bootstrap-table's first page
    assert f"of {len(kept)} rows" in seen["info"], seen
    assert seen["rows"] == shown
    assert seen["icons"] == shown and seen["iconFont"]
