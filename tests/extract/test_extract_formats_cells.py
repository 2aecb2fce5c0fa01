"""End to end: every .html, .docx and .pdf rendering of a seed extracts to the seed's own cells.

The expected cells are today's exact extraction of the .txt seeds (257 value cells, 34
milestones); the rendering goes through its layout reader and the one semantic layer. Every field
that carries meaning must match, in order; only the provenance differs by format, and it must
point into the rendering (a cell cites a position of the table it came from).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from flows.extract import extract_document, extract_laid_out
from flows.extract.formats import read_laid_out
from tests.conftest import PLANS_DIR
from tests.corpus.render_formats import FORMATS, Rendering, seed_corpus

SEEDS = sorted(PLANS_DIR.glob("*.txt"))
CELL_FIELDS = (
    "category",
    "indicator",
    "breakdown",
    "unit",
    "year",
    "role",
    "raw_value",
    "comparator",
    "value",
    "attribute",
    "evaluation",
)
MILESTONE_FIELDS = ("program", "year", "region", "milestone_text")


def _rows(items: Iterable[object], fields: tuple[str, ...]) -> list[tuple[object, ...]]:
    return [tuple(getattr(item, name) for name in fields) for item in items]


def _extracted(result: object) -> tuple[list[object], list[object] | None]:
    """Cells and milestones from whatever `cells_from_laid_out` returns: a list of cells (no
    milestones: None), or an object with `.cells` and `.milestones`. Adjust here at merge."""
    cells = getattr(result, "cells", result)
    milestones = getattr(result, "milestones", None)
    return list(cells), None if milestones is None else list(milestones)


@pytest.fixture(scope="module")
def corpus() -> dict[tuple[str, str], Rendering]:
    return {(r.seed.stem, r.format): r for r in seed_corpus()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_rendering_extracts_to_the_seed_cells(corpus, seed, fmt: str) -> None:
    expected = extract_document(seed)
    rendering = corpus[(seed.stem, fmt)]
    cells, milestones = _extracted(extract_laid_out(read_laid_out(rendering.path)))
    assert _rows(cells, CELL_FIELDS) == _rows(expected.cells, CELL_FIELDS)
    if milestones is not None:
        assert _rows(milestones, MILESTONE_FIELDS) == _rows(expected.milestones, MILESTONE_FIELDS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_all_seed_cells(corpus, fmt: str) -> None:
    """The totals the seeds are known for: 257 value cells and 34 milestones in each format."""
    cells, milestones = 0, 0
    for seed in SEEDS:
        got_cells, got_milestones = _extracted(
            extract_laid_out(read_laid_out(corpus[(seed.stem, fmt)].path))
        )
        cells += len(got_cells)
        milestones += len(got_milestones or [])
        has_milestones = got_milestones is not None
    assert cells == 257
    if has_milestones:
        assert milestones == 34
