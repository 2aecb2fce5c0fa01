"""Script in the inputs, through a whole night (issue 21, item 1): the repo's raw inputs with an
actuals file whose URLs, titles and values are markup and a plan whose file name and indicator
name are markup, built by the real flow (extract, load, dbt, gates, publish, report), then a
clean night. The report of each is opened in chromium: no dialog, no script element or event
handler from the data, links only to http(s) or files; the run's markdown artifact holds the
markup as text. Two nights: behind the `reliability` marker
(`pytest -m reliability tests/reliability/test_reliability_hostile_night.py`)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.nightly import nightly_load
from flows.summary import run_markdown
from tests.conftest import REPO_ROOT
from tests.report.test_report_hostile import linked, open_in_chromium

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.long,  # two nights
    pytest.mark.usefixtures("prefect_backend"),
]

HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
PLAN_FILE = "<img src=x onerror=alert('file')>.txt"
ACTUALS = [  # Haining's 普惠性幼儿园儿童覆盖面 has targets: these become its charted figures
    "海宁市,普惠性幼儿园儿童覆盖面,,2021,80.1,%,javascript:alert('u1'),<script>alert('t1')</script>",
    '海宁市,普惠性幼儿园儿童覆盖面,,2022,81.1,%,"https://example.org/""><script>alert(\'u2\')'
    '</script>",ok',
    "海宁市,普惠性幼儿园儿童覆盖面,,2023,82.1,%,https://example.org/a?b=1&c=2,"
    "\"<img src=x onerror=alert('t3')>\"",
    "海宁市,普惠性幼儿园儿童覆盖面,,2024,<svg onload=alert('v4')>,%,https://example.org/v,v",
]


def _hostile_raw(root: Path) -> Path:
    raw = root / "raw"
    shutil.copytree(REPO_ROOT / "raw", raw)
    (raw / "actuals" / "hostile.csv").write_text(
        "\n".join([HEADER, *ACTUALS]) + "\n", encoding="utf-8"
    )
    plan = raw / "plans" / "jiaxing-2021-2025.txt"
    text = plan.read_text(encoding="utf-8")
    assert "幼儿园学位数（万个）" in text
    text = text.replace("幼儿园学位数（万个）", "<script>alert('ind')</script>幼儿园学位数（万个）")
    (raw / "plans" / PLAN_FILE).write_text(text, encoding="utf-8")
    plan.with_suffix(".toml").rename((raw / "plans" / PLAN_FILE).with_suffix(".toml"))
    plan.unlink()
    return raw


def _assert_safe(report: Path) -> None:
    seen = open_in_chromium(report)
    assert seen["dialogs"] == [], f"script from the data ran: {seen['dialogs']}"
    assert seen["scripts"] == 0 and seen["handlers"] == [] and seen["frames"] == 0
    hrefs = [h for h in seen["hrefs"] if h is not None]
    assert hrefs and [h for h in hrefs if not linked(h)] == []
    assert "script-src 'none'" in seen["csp"]


def test_a_hostile_night_then_a_clean_one(tmp_path: Path) -> None:
    raw = _hostile_raw(tmp_path)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    started = datetime.now(UTC).replace(tzinfo=None)
    summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert summary.published, summary.format()
    assert summary.report is not None, summary.report_error
    page = summary.report.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;ind&#39;)&lt;/script&gt;" in page, "the name, as text"
    assert "https://example.org/a?b=1&amp;c=2" in page, "a good link intact"
    _assert_safe(summary.report)
    markdown = run_markdown(summary, database=warehouse, started_at=started)
    assert "<script" not in markdown and "<img" not in markdown and "<svg" not in markdown

    (raw / "actuals" / "hostile.csv").unlink()  # a clean night after it
    (raw / "plans" / PLAN_FILE).unlink()
    (raw / "plans" / PLAN_FILE).with_suffix(".toml").unlink()
    for name in ("jiaxing-2021-2025.txt", "jiaxing-2021-2025.toml"):
        shutil.copy(REPO_ROOT / "raw" / "plans" / name, raw / "plans" / name)
    clean = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    assert clean.published and clean.report is not None, clean.format()
    regions = clean.report.read_text(encoding="utf-8").split('id="region-', 1)[1]
    assert "alert(" not in regions, "gone from the regions (what changed lists it as removed)"
    _assert_safe(clean.report)
