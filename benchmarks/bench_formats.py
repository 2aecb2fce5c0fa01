"""Read large .html, .docx, .pdf, .xlsx and .csv plans; report the speed against a floor.

    python -m benchmarks formats --copies 5

Each document holds every seed table `--copies` times (rendered by tests/corpus/render_formats.py:
merged cells, wrapped labels, PDF tables crossing pages). The floor is the least any reader of
the format must do: parse the page with lxml's HTML parser (HTML); open the zip and parse
word/document.xml (DOCX); open the PDF with pdfplumber and extract each page's text (PDF); load
the workbook with openpyxl (XLSX); decode the file and split it into CSV records (CSV). The ratio
says what finding tables, expanding merges, joining pages and cleaning cells cost on top.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _floors(path: Path) -> Callable[[], object]:
    import csv

    import lxml.etree
    import openpyxl
    import pdfplumber

    if path.suffix == ".xlsx":
        return lambda: openpyxl.load_workbook(path, data_only=True)
    if path.suffix == ".csv":
        return lambda: list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    if path.suffix == ".html":
        return lambda: lxml.etree.fromstring(path.read_bytes(), lxml.etree.HTMLParser())
    if path.suffix == ".docx":

        def docx_floor() -> object:
            with zipfile.ZipFile(path) as package:
                return lxml.etree.fromstring(package.read("word/document.xml"))

        return docx_floor

    def pdf_floor() -> object:
        with pdfplumber.open(path) as pdf:
            return [page.extract_text() for page in pdf.pages]

    return pdf_floor


def _pages(path: Path) -> int | None:
    if path.suffix != ".pdf":
        return None
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def main(argv: list[str] | None = None) -> int:
    from flows.extract.formats import read_laid_out
    from tests.corpus.published import publish, seed_grids
    from tests.corpus.render_formats import RENDERERS, page_breaks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5, help="times every seed table repeats")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    seeds = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    grids = [grid for seed in seeds for grid in seed_grids(seed)] * args.copies
    rows = sum(len(grid.rows) for grid in grids)
    print(f"{len(grids)} tables, {rows:,} rows in each document")
    print(f"{'format':6} {'floor ms':>9} {'read ms':>9} {'ratio':>6} {'rows/s':>9} {'pages/s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, renderer in RENDERERS.items():
            breaks = page_breaks if fmt == "pdf" else (lambda n: frozenset())
            tables = [publish(grid, page_breaks=breaks(len(grid.rows))) for grid in grids]
            path = Path(tmp) / f"big-plan.{fmt}"
            renderer(seeds[0], tables, path)
            floor_s, _ = _best_of(args.repeats, _floors(path))
            read_s, document = _best_of(args.repeats, lambda path=path: read_laid_out(path))
            got = sum(len(grid.rows) for grid in document.grids)  # type: ignore[attr-defined]
            assert len(document.grids) == len(grids) and got == rows, (fmt, got, rows)  # type: ignore[attr-defined]
            pages = _pages(path)
            per_page = f"{pages / read_s:8.1f}" if pages else f"{'-':>8}"
            print(
                f"{fmt:6} {floor_s * 1000:9.1f} {read_s * 1000:9.1f} {read_s / floor_s:6.1f}"
                f" {rows / read_s:9,.0f} {per_page}" + (f"  ({pages} pages)" if pages else "")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
