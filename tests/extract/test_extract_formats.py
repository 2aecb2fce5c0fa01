"""The HTML, DOCX and PDF readers give back the seed tables they were rendered from.

The corpus (tests/corpus/render_formats.py) writes every seed plan's tables as a web page, a Word
document and a PDF, laid out with merged cells; each reader must return the same grids: texts
row by row and cell by cell once merges are undone, the same merges, exact positions, captions
and the running text around the tables.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from flows.extract.formats import read_laid_out
from flows.extract.grid import Grid, LaidOutDocument
from tests.conftest import PLANS_DIR
from tests.corpus.published import publish, seed_grids
from tests.corpus.render_formats import (
    FORMATS,
    PDF_ROWS_PER_PAGE,
    Rendering,
    page_breaks,
    seed_corpus,
)

SEEDS = sorted(PLANS_DIR.glob("*.txt"))
CASES = [(seed.stem, fmt) for seed in SEEDS for fmt in FORMATS]


@pytest.fixture(scope="module")
def corpus() -> dict[tuple[str, str], tuple[Rendering, LaidOutDocument]]:
    return {(r.seed.stem, r.format): (r, read_laid_out(r.path)) for r in seed_corpus()}


def effective(grid: Grid) -> list[list[str]]:
    """A grid's texts with merges undone: a covered cell reads as its merge's first cell."""
    return [
        [
            grid.rows[c.merged_from[0]][c.merged_from[1]].text if c.merged_from else c.text
            for c in row
        ]
        for row in grid.rows
    ]


def test_the_corpus_covers_every_seed_table_in_three_formats() -> None:
    renderings = seed_corpus()
    assert len(renderings) == len(SEEDS) * 3 >= 15
    assert sum(len(r.tables) for r in renderings) == 3 * sum(len(seed_grids(s)) for s in SEEDS)
    assert {path.suffix for path in (r.path for r in renderings)} == {".html", ".docx", ".pdf"}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_published_layout_is_the_seed_grid_with_merges(seed: Path) -> None:
    """Undo the publisher's layout (covered slots empty, inserted slots gone): the seed's grid."""
    for grid in seed_grids(seed):
        for breaks in (frozenset(), page_breaks(len(grid.rows))):
            published = publish(grid, page_breaks=breaks)
            assert published.unpublished() == [[c.text for c in row] for row in grid.rows]
            assert all(len(row) == published.width for row in published.texts)
            assert all(published.texts[r][c] == "" for r, c in published.origin)


@pytest.mark.parametrize(("seed", "fmt"), CASES)
def test_reader_gives_back_the_seed_grids(corpus, seed: str, fmt: str) -> None:
    rendering, document = corpus[(seed, fmt)]
    assert document.format == fmt and document.doc == rendering.path.name
    assert len(document.grids) == len(rendering.tables)
    for grid, table in zip(document.grids, rendering.tables, strict=True):
        assert effective(grid) == table.effective()
        merges = {
            (r, c): cell.merged_from
            for r, row in enumerate(grid.rows)
            for c, cell in enumerate(row)
            if cell.merged_from is not None
        }
        assert merges == table.origin
        assert grid.caption == table.source.caption


@pytest.mark.parametrize(("seed", "fmt"), CASES)
def test_reader_gives_back_the_running_text_in_order(corpus, seed: str, fmt: str) -> None:
    rendering, document = corpus[(seed, fmt)]
    assert [block.text for block in document.text] == rendering.text


@pytest.mark.parametrize(("seed", "fmt"), [c for c in CASES if c[1] in ("html", "docx")])
def test_html_and_docx_cells_cite_table_row_and_column(corpus, seed: str, fmt: str) -> None:
    _, document = corpus[(seed, fmt)]
    for number, grid in enumerate(document.grids, start=1):
        assert grid.ref.table == number
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                assert (cell.ref.table, cell.ref.row, cell.ref.column) == (number, r + 1, c + 1)
                assert cell.ref.page is None


def test_html_refs_point_into_the_page(corpus) -> None:
    """Text blocks, tables and captions cite the source line that holds them."""
    rendering, document = corpus[(SEEDS[0].stem, "html")]
    lines = rendering.path.read_text(encoding="utf-8").splitlines()
    for block in document.text:
        assert block.text[:6] in lines[block.ref.line - 1]
    for grid in document.grids:
        assert lines[grid.ref.line - 1].lstrip().startswith("<table")
        assert grid.caption_ref is not None and grid.caption[:6] in lines[grid.caption_ref.line - 1]


def test_docx_blocks_cite_their_paragraph(corpus) -> None:
    rendering, document = corpus[(SEEDS[1].stem, "docx")]
    paragraphs = [p.text for p in docx.Document(str(rendering.path)).paragraphs]
    for block in document.text:
        assert paragraphs[block.ref.line - 1] == block.text
    for grid in document.grids:
        assert paragraphs[grid.caption_ref.line - 1] == grid.caption


@pytest.mark.parametrize("seed", [s.stem for s in SEEDS])
def test_pdf_cells_cite_page_row_on_that_page_and_column(corpus, seed: str) -> None:
    """Each table starts a page; a data row r sits on page start + (r-1) // rows-per-page, its
    row number there counting the repeated header as row 1."""
    rendering, document = corpus[(seed, "pdf")]
    page = 1
    for number, grid in enumerate(document.grids, start=1):
        assert grid.ref.page == page and grid.caption_ref.page == page
        for r, row in enumerate(grid.rows):
            on_page = 0 if r == 0 else (r - 1) // PDF_ROWS_PER_PAGE
            row_there = 1 if r == 0 else (r - 1) % PDF_ROWS_PER_PAGE + 2
            for c, cell in enumerate(row):
                assert (cell.ref.page, cell.ref.table, cell.ref.row, cell.ref.column) == (
                    page + on_page,
                    number,
                    row_there,
                    c + 1,
                )
        page += 1 + (len(grid.rows) - 2) // PDF_ROWS_PER_PAGE


def test_pdf_tables_crossing_pages_come_back_whole(corpus) -> None:
    """The long tables cross one or two page breaks with their header repeated: one grid each,
    the header once."""
    crossing = 0
    for seed in SEEDS:
        _, document = corpus[(seed.stem, "pdf")]
        for grid in document.grids:
            pages = {cell.ref.page for row in grid.rows for cell in row}
            header = effective(grid)[0]
            assert sum(1 for row in effective(grid) if row == header) == 1
            crossing += len(pages) > 1
    assert crossing >= 4
