"""The report shows each region's targets stated in prose, grouped by theme, each with its quote,
its line and a status where one is computed (rendered from rows, no warehouse)."""

from __future__ import annotations

import re
from pathlib import Path

from flows.report.data import ReportData
from flows.report.report import render_report

PLAN = {
    "plan_id": "yuhang-2021-2025", "title": "余杭区“十四五”教育事业发展规划",
    "period_start_year": 2021, "period_end_year": 2025,
    "source_file": "raw/plans/yuhang-2021-2025.txt",
    "region_code": "330110", "region_name_zh": "余杭区", "region_name_en": "Yuhang",
}  # fmt: skip


def _commitment(n: int, section: str, quote: str, value: float, **extra: object) -> dict:
    row = {
        "commitment_id": f"yuhang-2021-2025|{n}", "plan_id": "yuhang-2021-2025",
        "region_code": "330110", "section": section, "subject_raw": quote, "quote": quote,
        "comparator": ">=", "value": value, "value_upper": None, "unit": "%", "year": 2025,
        "year_basis": "explicit", "per": None, "indicator_code": None,
        "restates_target_id": None, "latest_year": None, "latest_value": None,
        "latest_source_ref": None, "status": None, "source_file": "raw/plans/x.txt",
        "source_line": 100 + n, "source_ref": f"line {100 + n}",
    }  # fmt: skip
    return {**row, **extra}


def test_commitments_by_theme_with_quote_line_and_status() -> None:
    data = ReportData(
        built_at="2026-01-01 00:00 UTC",
        plans=[PLAN],
        targets=[],
        commitments=[
            _commitment(1, "（一）推进学前教育普及普惠发展", "优质率达98%以上", 98),
            _commitment(
                2, "（一）推进学前教育普及普惠发展", "普惠性幼儿园在园儿童覆盖面达到96.5%", 96.5,
                indicator_code="inclusive_kindergarten_coverage", status="on_track",
            ),
            _commitment(3, "（二）促进义务教育优质均衡发展", "形成4-6个示范性教育集团", 4,
                        value_upper=6, unit="个", comparator=">="),
        ],
    )  # fmt: skip
    page = render_report(data, changes=None, warehouse=Path("/tmp/w.duckdb"))
    section = page[page.index('id="region-330110"') :]
    section = section[: section.index("</section>")]
    assert "Targets stated in the plan's text: 3, by theme" in section
    text = re.sub(r"<[^>]+>", " ", section)
    order = [
        text.index(s) for s in ("（一）推进学前", "优质率达98%以上", "（二）促进义务", "4–6个")
    ]
    assert order == sorted(order)
    assert section.count('rowspan="2"') == 1  # the first theme spans its two commitments
    assert '<span class="badge s-on_track">on_track</span>' in section
    assert "unresolved" in section and "line 101" in section
