"""The report can be shared: its folder, moved elsewhere (or served over http), still opens every
source a number links to at the line it came from. Every link of the page (the tables and the
charts' SVG) is either a web address, a place in the page, or a file inside the moved folder whose
element `id="L<n>"` exists and shows line n of the raw file the marts name."""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import lxml.html
import pytest

from flows.report import sources
from flows.report.sources import raw_folder, source_href, source_page
from flows.warehouse.layout import WarehouseLayout
from tests.conftest import REPO_ROOT


def _links(page: Path) -> list[str]:
    tree = lxml.html.fromstring(page.read_bytes())
    links = []
    for element in tree.iter():
        for name, value in element.attrib.items():
            if name in ("href", "src") or name.endswith("}href") or name == "xlink:href":
                links.append(value)
    return links


def _raw_line(raw: Path, page: str, line: int) -> str:
    """Line `line` of the raw file a source page copies (sources/<path under raw/>.html)."""
    relative = page.removeprefix("sources/").removesuffix(".html")
    return (raw / relative).read_text(encoding="utf-8").splitlines()[line - 1]


def check_moved_report(index: Path, folder: Path, raw: Path, *, docs_beside: bool = False) -> int:
    """Every link of `index` resolves inside `folder` (what was moved), at an existing anchor,
    and every source link to a page of the report's own folder showing the line of the `raw`
    file; returns how many link to a source line. `docs_beside`: the docs links (to the
    warehouse's gx/ and docs/, outside the report's folder) are not checked."""
    checked = 0
    report_folder = (folder / "report").resolve() if (folder / "report").is_dir() else folder
    pages: dict[Path, lxml.html.HtmlElement] = {}
    for href in _links(index):
        parts = urlsplit(href)
        assert "vega.github.io" not in href, "a chart's link resolved against Vega's base URL"
        if parts.scheme in ("http", "https") or href.startswith("#"):
            continue
        assert not parts.scheme and not parts.netloc, f"{href}: not relative to the report"
        target = (index.parent / unquote(parts.path)).resolve()
        if docs_beside and not target.is_relative_to(folder.resolve()):
            assert {"gx", "docs"} & set(Path(parts.path).parts), f"{href} is not a docs link"
            continue
        assert target.is_relative_to(folder.resolve()), f"{href} leaves the report's folder"
        assert target.is_file(), f"{href}: {target} is not in the moved folder"
        if not parts.fragment:
            continue
        assert target.is_relative_to(report_folder / "sources"), href
        if target not in pages:
            pages[target] = lxml.html.fromstring(target.read_bytes())
        anchors = pages[target].xpath(f'//*[@id="{parts.fragment}"]')
        assert len(anchors) == 1, f"{href}: no element with id {parts.fragment}"
        line = int(parts.fragment.removeprefix("L"))
        shown = anchors[0].text_content().removeprefix(str(line))
        page = target.relative_to(report_folder.resolve()).as_posix()
        assert shown == _raw_line(raw, page, line), (href, shown)
        checked += 1
    return checked


def _away(folder: Path) -> Path:
    """`folder` renamed, so that nothing can still point at it (undo with `.rename(folder)`)."""
    return folder.rename(folder.with_name(folder.name + "-away"))


def test_a_moved_report_folder_opens_every_source_at_its_line(demo_night, tmp_path) -> None:
    """The report folder alone, elsewhere: every link but the docs' (beside the warehouse, see
    below) resolves inside it."""
    original, raw = demo_night.report.parent, demo_night.warehouse.parent / "raw"
    moved = tmp_path / "report"
    shutil.copytree(original, moved)
    away = _away(original)
    try:
        assert check_moved_report(moved / "index.html", moved, raw, docs_beside=True) > 100
        kept = WarehouseLayout(tmp_path / demo_night.warehouse.name).report_history_dir
        for page in sorted(kept.glob("*.html")):  # earlier nights' reports (in `moved`)
            assert check_moved_report(page, moved, raw, docs_beside=True) > 0, page
    finally:
        away.rename(original)


def test_a_moved_warehouse_folder_keeps_every_link(demo_night, tmp_path) -> None:
    """The warehouse's whole folder elsewhere (or served): the docs links resolve too."""
    original, original_name = demo_night.warehouse.parent, demo_night.warehouse.name
    moved = tmp_path / "warehouse"
    shutil.copytree(original, moved, ignore=shutil.ignore_patterns("*.duckdb*"))
    raw = moved / "raw"  # the night's raw files, compared line by line
    index = moved / "report" / "index.html"
    assert any(h.startswith("../gx/") for h in _links(index)), "the Data Docs are linked"
    away = _away(original)
    try:
        assert check_moved_report(index, moved, raw) > 100
        kept = sorted(WarehouseLayout(moved / original_name).report_history_dir.glob("*.html"))
        assert kept, "the demo keeps its nights' reports"
        for page in kept:
            assert check_moved_report(page, moved, raw) > 0, page
    finally:
        away.rename(original)


def test_a_source_page_shows_hostile_text_as_text(tmp_path: Path) -> None:
    """A raw file's line is shown as text, never as markup; the page loads nothing."""
    hostile = tmp_path / "a.csv"
    hostile.write_text('x\n<script>alert(1)</script>"><img src=x onerror=alert(2)>\n',
                       encoding="utf-8")  # fmt: skip
    page = source_page(hostile, 'plans/"><b>.csv', {2})
    tree = lxml.html.fromstring(page)
    assert not tree.xpath("//script | //img | //b[not(ancestor::pre)]")
    assert tree.xpath('//*[@id="L2"]')[0].text_content() == (
        '2<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    )
    assert "default-src 'none'" in page


@pytest.mark.parametrize(
    "ref", ["../../etc/passwd:1", "raw/../../../etc/hostname:1", "/etc/passwd:1", "raw/plans:1"]
)
def test_a_reference_outside_raw_links_nowhere(ref: str) -> None:
    """A reference read from the data cannot copy a file from elsewhere into the report."""
    with raw_folder(REPO_ROOT / "raw"):
        assert source_href(ref) is None


def test_a_raw_file_links_to_its_page_at_its_line(tmp_path: Path) -> None:
    plan = next((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    with raw_folder(REPO_ROOT / "raw"):
        assert source_href(f"raw/plans/{plan.name}:7") == (
            f"sources/plans/{quote(plan.name)}.html#L7"
        )
    (tmp_path / "actuals").mkdir()
    (tmp_path / "actuals" / "a b.csv").write_text("x\n")
    with raw_folder(tmp_path):  # a raw folder outside the checkout: actuals by file name
        assert source_href("a b.csv:2") == "sources/actuals/a%20b.csv.html#L2"
        assert source_href(f"raw/plans/{plan.name}:7") is None, "not the night's raw folder"


@pytest.mark.browser
def test_a_served_report_opens_a_source_at_its_line_in_a_browser(demo_night, tmp_path) -> None:
    """The report folder copied elsewhere and served over http (as a person shares it): a click
    on a target's number opens its source page, scrolled to the line (`:target`)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    moved = tmp_path / "report"
    shutil.copytree(demo_night.report.parent, moved)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(moved))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox"])  # fmt: skip
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
                page.evaluate(
                    "() => document.querySelectorAll('details').forEach(d => d.open = true)"
                )
                link = page.locator("section.region table a[href^='sources/']").first
                href = link.get_attribute("href") or ""
                link.click()
                page.wait_for_url(f"**/{href.split('#')[0]}#*")
                seen = page.evaluate("""() => ({
                  status: document.readyState, id: location.hash.slice(1),
                  target: document.querySelector(':target')?.id ?? null,
                  text: document.querySelector(':target')?.textContent ?? ''})""")
            finally:
                browser.close()
    finally:
        server.shutdown()
    line = int(href.rpartition("#L")[2])
    assert seen["target"] == seen["id"] == f"L{line}", seen
    page_path = unquote(href.split("#")[0])
    raw = demo_night.warehouse.parent / "raw"
    assert seen["text"] == f"{line}{_raw_line(raw, page_path, line)}"


def test_a_source_page_of_a_big_file_costs_its_lines_not_the_file(tmp_path: Path) -> None:
    """A long actuals file (here 24 MB, 300,000 lines) is copied as excerpts around its linked
    lines, read piece by piece: memory holds a piece and the lines shown, never the file (a
    10-million-line file read whole cost the report 8 GB)."""
    big = tmp_path / "big.csv"
    row = "region_code,indicator_code,breakdown,year,value,unit,{n},中文说明 & <x>\n"
    with big.open("w", encoding="utf-8") as fh:
        for start in range(0, 300_000, 10_000):
            fh.write("".join(row.format(n=n) for n in range(start + 1, start + 10_001)))
    assert big.stat().st_size > 20 * 2**20
    linked = {1, 12_345, 299_990, 300_000}
    tracemalloc.start()
    try:
        page = source_page(big, "actuals/big.csv", linked)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MiB to write the page of a 24 MB file"
    tree = lxml.html.fromstring(page)
    for n in (1, 12_330, 12_345, 12_360, 299_975, 300_000):
        shown = tree.xpath(f'//*[@id="L{n}"]')[0].text_content()
        assert shown == f"{n}{row.format(n=n)[:-1]}"
    assert not tree.xpath('//*[@id="L12329"] | //*[@id="L12361"]')
    gaps = [g.text_content() for g in tree.xpath('//*[@class="gap"]')]
    assert gaps == ["⋯ lines 17-12329 not copied", "⋯ lines 12361-299974 not copied"]


def test_a_source_page_reads_a_file_only_as_far_as_its_last_link(tmp_path: Path,
                                                                  monkeypatch) -> None:  # fmt: skip
    """A page linking to the start of a long file reads its start, not the rest (the report of
    a 10-million-line file links to its first regions): the page says the rest is not copied."""
    big = tmp_path / "big.csv"
    big.write_bytes(b"".join(b"a,b,%d\r\n" % n for n in range(1, 400_001)))  # CRLF, 5 MB
    read: list[int] = []
    pieces = sources._pieces
    monkeypatch.setattr(sources, "_pieces", lambda path: (read.append(len(p)) or p
                                                          for p in pieces(path)))  # fmt: skip
    tree = lxml.html.fromstring(source_page(big, "actuals/big.csv", {5_000}))
    assert sum(read) < big.stat().st_size / 10
    assert tree.xpath('//*[@id="L5000"]')[0].text_content() == "5000a,b,5000"
    gaps = [g.text_content() for g in tree.xpath('//*[@class="gap"]')]
    assert gaps == ["⋯ lines 1-4984 not copied", "⋯ lines 5016 to the end not copied"]


@pytest.mark.parametrize("piece", [1, 5, 64])
def test_a_source_page_numbers_lines_as_the_whole_text_does(tmp_path: Path, monkeypatch,
                                                            piece: int) -> None:  # fmt: skip
    """Read in pieces, a file's lines are those `str.splitlines` makes of its whole text (the
    rule plan lines are numbered by): CRLF, a lone CR, a form feed, U+2028 and a broken UTF-8
    character across the pieces' edges change nothing."""
    monkeypatch.setattr(sources, "_PIECE", piece)
    monkeypatch.setattr(sources, "WHOLE_FILE_LINES", 4)
    monkeypatch.setattr(sources, "CONTEXT_LINES", 1)
    data = "第一行\r\n二\rthree\x0cfour\u2028five\n\nseven 七\n".encode() + b"\xe4\xb8\nnine\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    lines = data.decode("utf-8", errors="replace").splitlines()
    page = lxml.html.fromstring(source_page(path, "plans/mixed.txt", {2, 8}))
    for n in (1, 2, 3, 7, 8, 9):
        assert page.xpath(f'//*[@id="L{n}"]')[0].text_content() == f"{n}{lines[n - 1]}"
    gaps = [g.text_content() for g in page.xpath('//*[@class="gap"]')]
    assert gaps == ["⋯ lines 4-6 not copied"]
