"""The report's page and the demo night, read as files: self-contained, every status of the demo,
synthetic figures labelled on every chart that uses them, numbers linked to their sources."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest

from flows.config import settings
from flows.demo.night import DEMO_FILE, build_demo, write_demo_actuals
from flows.report.data import STATUSES
from flows.warehouse.layout import WarehouseLayout

_FIGURE = re.compile(
    r'<figure class="chart[^"]*" data-synthetic="(true|false)">(.*?)</figure>', re.S
)
# a number's link: its raw file's page in the report's folder (../ from report/history/)
_FILE_LINK = re.compile(
    r'<a href="(?:\.\./)?sources/([^"#]+)\.html#L(\d+)" title="[^"]*">([^<]+)</a>'
)


def test_every_status_appears_in_the_demo(demo_night) -> None:
    assert demo_night.missing == [], demo_night.statuses
    assert set(demo_night.statuses) == set(STATUSES)
    with duckdb.connect(str(demo_night.warehouse), read_only=True) as con:
        kinds = con.execute(
            "select source_kind, count(*) from marts.fct_indicator_actual "
            "where year > 2020 group by all"
        ).fetchall()
        (latest_synthetic,) = con.execute(
            "select count(*) from marts.mart_indicator_progress where latest_source_kind = "
            "'synthetic' and status not in ('no_data')"
        ).fetchall()[0]
    assert dict(kinds)["synthetic"] == demo_night.synthetic_rows
    assert latest_synthetic > 50


def test_demo_figures_are_deterministic_and_labelled(demo_night, tmp_path: Path) -> None:
    first_night = WarehouseLayout(demo_night.warehouse).history_dir
    (previous,) = sorted(first_night.glob("*.duckdb"))[:1]
    one, two, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert write_demo_actuals(previous, one, seed=0) == demo_night.synthetic_rows
    write_demo_actuals(previous, two, seed=0)
    write_demo_actuals(previous, other, seed=1)
    assert one.read_bytes() == two.read_bytes() != other.read_bytes()
    assert one.read_bytes() == (demo_night.warehouse.parent / "raw" / "actuals" / DEMO_FILE
                                ).read_bytes()  # fmt: skip
    with one.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["source_kind"] for r in rows} == {"synthetic"}
    assert all(r["source_title"].startswith("SYNTHETIC") for r in rows)
    assert {int(r["year"]) for r in rows} <= set(range(2021, 2026))


def test_demo_never_writes_beside_the_published_warehouse() -> None:
    with pytest.raises(ValueError, match="published warehouse"):
        build_demo(settings().warehouse.parent)


# What the report charts, counted in the marts with plain SQL: a chart per region series with a
# value after its baseline, and one per catalogued indicator that two or more regions target
_SERIES_CHARTED = """
select count(*) from (
    select distinct region_code, indicator_code, breakdown
    from marts.mart_indicator_progress
    where latest_year is not null
)
"""
_SHARED_CHARTED = """
select count(*) from (
    select progress.indicator_code
    from marts.mart_indicator_progress as progress
    inner join marts.dim_indicator as indicators
        on progress.indicator_code = indicators.indicator_code
    where coalesce(indicators.indicator_name_en, '') <> ''
    group by progress.indicator_code
    having count(distinct progress.region_code) > 1
)
"""


def _charted(warehouse: Path) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return tuple(con.execute(q).fetchall()[0][0] for q in (_SERIES_CHARTED, _SHARED_CHARTED))


def test_demo_report_labels_every_synthetic_chart(demo_night) -> None:
    page = demo_night.report.read_text(encoding="utf-8")
    figures = _FIGURE.findall(page)
    assert len(figures) == sum(_charted(demo_night.warehouse))
    for synthetic, body in figures:
        uses_synthetic = "synthetic" in re.findall(r'aria-label="[^"]*"', body).__str__()
        assert (synthetic == "true") == uses_synthetic
        assert ("SYNTHETIC" in body) == (synthetic == "true")


@pytest.mark.parametrize("night", ["real", "demo"])
def test_report_is_self_contained_and_numbers_link_to_their_lines(demo_night, night: str) -> None:
    report = demo_night.real_report if night == "real" else demo_night.report
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'\ssrc="', page), "nothing is loaded from anywhere"
    assert "海宁市" in page and "Haining" in page and "学前三年毛入园率" in page
    assert "Three-year preschool gross enrolment rate" in page
    links = _FILE_LINK.findall(page)
    assert len(links) > 100
    for uri, line, text in links:
        raw = demo_night.warehouse.parent / "raw" / unquote(uri)
        lines = raw.read_text(encoding="utf-8").splitlines()
        shown = html.unescape(text).strip()
        cell = lines[int(line) - 1]
        # a target as written, or a number (a %g rendering of the cell's figure)
        assert shown in cell or any(
            abs(float(shown) - float(n)) < 1e-6 for n in re.findall(r"-?\d+(?:\.\d+)?", cell)
        ), (uri, line, shown, cell)


def test_every_chart_of_the_demo_report_is_valid_vega_lite(demo_night) -> None:
    """The report renders its specifications unchecked: every chart it draws, of every kind, is
    validated against the Vega-Lite schema here instead, on the demo's real marts."""
    from flows.report.data import read_report_data
    from flows.report.report import _region_sections, _shared_sections
    from tests.report.vega_lite import vega_lite_validator

    data = read_report_data(demo_night.warehouse)
    region_charts = [c["drawing"].spec() for r in _region_sections(data) for c in r["charts"]]
    shared_charts = [s["drawing"].spec() for s in _shared_sections(data)]
    assert (len(region_charts), len(shared_charts)) == _charted(demo_night.warehouse)
    validator = vega_lite_validator()
    for spec in region_charts + shared_charts:
        assert [error.message for error in validator.iter_errors(spec)] == [], spec["title"]


def test_a_report_with_synthetic_figures_says_demo_at_the_top(demo_night) -> None:
    """A screenshot of the top of the demo report cannot pass for real results: its title and a
    banner before the first region say DEMO, with the count of synthetic figures; the report of
    the real night (no synthetic figure) has neither."""
    demo = demo_night.report.read_text(encoding="utf-8")
    real = demo_night.real_report.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", demo).group(1)  # type: ignore[union-attr]
    assert title.startswith("DEMO · SYNTHETIC FIGURES")
    banner = re.search(r'<div class="demo-banner"[^>]*>(.*?)</div>', demo)
    assert banner and "DEMO" in banner.group(1)
    synthetic = int(re.search(r"(\d+) synthetic figures", banner.group(1)).group(1))  # type: ignore[union-attr]
    with duckdb.connect(str(demo_night.warehouse), read_only=True) as con:
        ((in_warehouse,),) = con.execute(
            "select count(*) from marts.fct_indicator_actual where source_kind = 'synthetic'"
        ).fetchall()
    assert synthetic == in_warehouse
    assert banner.start() < demo.index("data-region=")  # above every region
    assert "demo-banner" not in real.split("</style>", 1)[1] and "DEMO" not in real


def test_the_demo_charts_are_linked_as_vega_links_them(demo_night) -> None:
    """Every chart the demo night drew (its chart cache) is the chart Vega draws with its own
    links, link for link and symbol for symbol: only the symbols' labels differ (Vega-Lite's
    own label lists every field; the night's is the point's label, by which its link is placed,
    flows/report/chart_links.py)."""
    from flows.report.data import read_report_data
    from flows.report.report import _region_sections, _shared_sections
    from flows.report.sources import raw_folder
    from flows.report.svg import render_spec

    data = read_report_data(demo_night.warehouse)
    with raw_folder(demo_night.warehouse.parent / "raw"):  # the night's links, relative
        drawings = [c["drawing"] for r in _region_sections(data) for c in r["charts"]]
        drawings += [s["drawing"] for s in _shared_sections(data)]
    aria = re.compile(r' aria-label="[^"]*"')
    links = 0
    for drawing in drawings:
        drawn = (demo_night.report.parent / ".charts" / f"{drawing.key}.svg").read_text("utf-8")
        by_vega = render_spec(drawing.spec(vega_links=True))
        assert aria.sub("", drawn) == aria.sub("", by_vega), drawing.args[0]
        links += drawn.count("<a xlink:href=")
    assert len(drawings) > 100 and links > 300, (len(drawings), links)
