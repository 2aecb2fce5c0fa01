"""Script from the data never reaches a page: the progress report rendered from rows full of
markup (plan and indicator names, file names, actuals titles, URLs, changes), opened in Debian's
chromium. No dialog opens, no script element or event handler comes from the data, every link is
an http(s) or file address, the hostile text reads as text, and the page forbids script (CSP).
The same rows in the Prefect artifact's markdown come out as literal text.
`tests/reliability/test_reliability_hostile_night.py` runs the same corpus through a real night."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from flows.markup import md_code_block, md_text, safe_url
from flows.report.changes import Changes, MartChange, StatusChange
from flows.report.data import ReportData
from flows.report.report import render_report

CHROMIUM = Path("/usr/bin/chromium")

# each opens a dialog if it ever runs; the browser test counts dialogs
XSS = [
    "<script>alert('x1')</script>",
    '"><script>alert("x2")</script>',
    "<img src=x onerror=alert('x3')>",
    "<svg onload=alert('x4')>",
    "'><iframe srcdoc='<script>alert(5)</script>'>",
    "{{ 7*7 }}</textarea><details open ontoggle=alert('x6')>",
]
BAD_URLS = [
    "javascript:alert('u1')",
    " JaVaScRiPt:alert('u2')",
    "data:text/html,<script>alert('u3')</script>",
    'https://example.org/"><script>alert("u4")</script>',
    "https://example.org/a' onmouseover='alert(5)",
    "vbscript:msgbox(1)",
]

_INSPECT_JS = """() => ({
  scripts: document.querySelectorAll('script').length,
  handlers: [...document.querySelectorAll('*')].flatMap(
    e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  frames: document.querySelectorAll('iframe, object, embed').length,
  hrefs: [...document.querySelectorAll('a')].map(
    a => a.getAttribute('href') ?? a.getAttribute('xlink:href') ?? a.getAttributeNS(
      'http://www.w3.org/1999/xlink', 'href')),
  text: document.body.innerText,
  csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '',
})"""


def linked(href: str) -> bool:
    """A link the report may hold: a web address, a place in the page, or a path relative to
    the report (its source pages in `sources/`, the docs beside the warehouse: `../gx/...`).
    Not `//` (another host), not a file of the machine that built it, not javascript:, data:
    or any other scheme (a browser drops tabs and newlines in a URL: so does this check)."""
    href = re.sub(r"[\t\n\r]", "", href).strip()
    if href.startswith(("https://", "http://", "#")):
        return True
    has_scheme = re.match(r"[a-z][a-z0-9+.-]*:", href, re.I) is not None
    return not has_scheme and not href.startswith(("/", "\\")) and bool(href)


def _target(i: int, hostile: str, url: str) -> dict[str, Any]:
    return {
        "target_id": f"t{i}", "plan_id": hostile, "region_code": "330481",
        "indicator_code": "ind_hostile", "breakdown": "total", "year": 2025, "role": "target",
        "indicator_name_raw": hostile, "attribute": "binding", "comparator": ">=",
        "target_value": 90.0 + i, "target_text": hostile, "target_kind": "value",
        "polarity": "higher_is_better", "baseline_year": 2020, "baseline_value": 80.0,
        "baseline_source_ref": f"{hostile}:3", "latest_year": 2023, "latest_value": 85.0,
        "latest_source_kind": "published", "latest_source_ref": f"{hostile}.csv:2",
        "status": "on_track", "evaluation_reported": "on_track",
        "status_disagrees_with_reported": False, "source_file": f"{hostile}.txt",
        "source_line": 4, "indicator_name_zh": hostile, "indicator_name_en": hostile,
        "indicator_unit": hostile, "breakdown_name_zh": hostile, "breakdown_name_en": hostile,
        "sort_order": 1, "latest_source_url": url, "latest_source_title": hostile,
        "path_is_compound": True, "path_growth": 0.02,
    }  # fmt: skip


def hostile_data() -> tuple[ReportData, Changes]:
    """Two regions sharing one indicator (so the shared chart is drawn too), every text field
    hostile, every URL either hostile or of a scheme that must not be linked."""
    targets, actuals, plans = [], {}, []
    for n, code in enumerate(("330481", "330400")):
        hostile = XSS[n % len(XSS)]
        plans.append({
            "plan_id": hostile, "title": hostile, "period_start_year": 2021,
            "period_end_year": 2025, "source_file": f"{XSS[2]}.txt", "region_code": code,
            "region_name_zh": XSS[3], "region_name_en": XSS[4],
        })  # fmt: skip
        for i, text in enumerate(XSS):
            t = _target(i, text, BAD_URLS[i % len(BAD_URLS)])
            t["region_code"] = code
            targets.append(t)
        actuals[(code, "ind_hostile", "total")] = [
            {"region_code": code, "indicator_code": "ind_hostile", "breakdown": "total",
             "year": 2021 + i, "value": 81.0 + i, "value_text": XSS[i], "unit": XSS[i],
             "source_kind": "published", "source_ref": f"{XSS[i]}.csv:{i + 2}",
             "source_url": BAD_URLS[i], "source_title": XSS[i]}
            for i in range(3)
        ] + [
            {"region_code": code, "indicator_code": "ind_hostile", "breakdown": "total",
             "year": 2024, "value": 84.0, "value_text": hostile, "unit": "%",
             "source_kind": "published", "source_ref": "ok.csv:2",
             "source_url": "https://example.org/stats?a=1&b=2", "source_title": hostile},
        ]  # fmt: skip
    milestones = [
        {"plan_id": XSS[0], "plan_region_code": "330481", "program": XSS[1], "year": 2023,
         "region_code": "330481", "region_name_zh": XSS[2], "region_name_en": XSS[3],
         "milestone_text": XSS[4], "milestone_kind": "text", "source_file": f"{XSS[5]}.txt",
         "source_line": 9},
    ]  # fmt: skip
    changes = Changes(
        previous=f"/tmp/{XSS[0]}.duckdb", current="now",
        marts=[MartChange(XSS[1], 1, 2, 1, 0, 0)],
        statuses=[StatusChange("t0", "330481", XSS[2], XSS[3], XSS[4], 2025, XSS[5], None,
                               "on_track")],
    )  # fmt: skip
    data = ReportData(built_at=XSS[0], plans=plans, targets=targets, milestones=milestones,
                      actuals=actuals)  # fmt: skip
    return data, changes


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, changes = hostile_data()
    folder = tmp_path_factory.mktemp("hostile-report")
    page = render_report(data, changes=changes, warehouse=folder / "warehouse.duckdb")
    out = folder / "index.html"
    out.write_text(page, encoding="utf-8")
    return out


def open_in_chromium(page: Path) -> dict[str, Any]:
    """Load a page in headless chromium, hover and click every link and chart point (handlers
    such as onmouseover only fire then); returns dialogs seen, CSP reports and what the DOM
    holds."""
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})

            def on_dialog(dialog: Any) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            tab.on("dialog", on_dialog)
            tab.goto(page.as_uri(), wait_until="load")
            tab.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            for element in tab.query_selector_all("a, summary, path, img, svg")[:400]:
                try:
                    element.hover(timeout=200, force=True)
                except Exception:  # noqa: BLE001 - elements out of view or detached
                    pass
            tab.wait_for_timeout(300)
            seen = tab.evaluate(_INSPECT_JS)
        finally:
            browser.close()
    return {"dialogs": dialogs, **seen}


def test_no_script_from_the_data_runs_in_the_report(hostile_page: Path) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it"
    seen = open_in_chromium(hostile_page)
    assert seen["dialogs"] == [], "script from the data ran"
    assert seen["scripts"] == 0, "a script element came from the data"
    assert seen["handlers"] == [], "an event handler attribute came from the data"
    assert seen["frames"] == 0
    hrefs = [h for h in seen["hrefs"] if h is not None]
    assert hrefs, "links are still drawn"
    assert [h for h in hrefs if not linked(h)] == [], hrefs
    assert "https://example.org/stats?a=1&b=2" in hrefs, "a good link is kept intact"
    for text in XSS[:4]:
        assert text in seen["text"], f"{text!r} is shown as text"
    assert "script-src 'none'" in seen["csp"] and "default-src 'none'" in seen["csp"]


class _Tags(HTMLParser):
    """Every tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_report_source_has_no_markup_from_the_data(hostile_page: Path) -> None:
    page = hostile_page.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert tags.isdisjoint({"script", "iframe", "img", "object", "embed"})
    attrs = [(tag, name, value or "") for tag, pairs in parser.tags for name, value in pairs]
    assert [a for a in attrs if a[1].startswith("on")] == [], "no event handler in a tag"
    links = [v for _, name, v in attrs if name in ("href", "xlink:href", "src")]
    assert links and [v for v in links if not linked(v)] == [], links
    assert "&lt;script&gt;alert(&#39;x1&#39;)&lt;/script&gt;" in page


@pytest.mark.parametrize("url", BAD_URLS)
def test_only_http_addresses_become_links(url: str) -> None:
    address = safe_url(url)
    assert address is None or (address.startswith("https://") and '"' not in address
                               and "'" not in address and "<" not in address)  # fmt: skip


def test_markdown_from_the_data_is_literal_text() -> None:
    data, changes = hostile_data()
    markdown = changes.markdown()
    for text in XSS:
        assert text not in markdown
        assert md_text(text) in markdown or "<" not in md_text(text)
    assert "<" not in markdown and ">" not in markdown.replace("> ", "")
    assert md_text("[x](javascript:alert(1))") == r"\[x\](javascript:alert(1))"
    assert md_text("![i](x) `c` a|b <b>") == r"!\[i\](x) \`c\` a\|b &lt;b&gt;"
    assert md_text("published_actuals.csv") == "published_actuals.csv"
    block = md_code_block("a ``` b ```` c")
    assert block[0] == block[-1] == "`````"


@pytest.mark.reliability
@pytest.mark.long  # ~25 s (a gate run and Data Docs): `make reliability`, not `make test`
def test_the_gates_data_docs_show_hostile_values_as_text(tmp_path: Path) -> None:
    """`eduplan docs` / the run's Data Docs link: a gate that fails on a hostile value lists it
    (partial unexpected values) on a page opened in chromium: no dialog, the value as text
    (GX 1.24 writes unexpected values into the page as raw HTML: flows/gx/runner.py escapes
    them in the stored results first)."""
    import dataclasses

    import duckdb

    from flows.extract import extract_document
    from flows.load.plans import load_plans, plan_source
    from flows.validate import validate_raw
    from tests.conftest import PLANS_DIR

    plan = PLANS_DIR / "jiaxing-2021-2025.txt"
    document = extract_document(plan)
    cells = [dataclasses.replace(c, evaluation=XSS[2]) for c in document.cells[:3]]
    document = dataclasses.replace(document, cells=cells + document.cells[3:])
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        load_plans(con, [document], {plan.name: plan_source(plan)})
    gate = validate_raw(database, gx_dir=tmp_path / "gx")
    assert not gate.passed and "evaluation" in gate.format()
    pages = [p for p in (tmp_path / "gx").rglob("*plan_cells*.html") if "validations" in str(p)]
    assert pages, "the failed validation has a Data Docs page"
    seen = open_in_chromium(pages[0])
    assert seen["dialogs"] == []
    assert set(seen["handlers"]) <= {"LABEL onclick"}, "none but GX's own (its toggles)"
    assert XSS[2] in seen["text"], "the value is listed, as text"
