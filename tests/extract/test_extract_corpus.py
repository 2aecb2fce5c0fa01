"""Every seed table rewritten in other text layouts extracts to the seed's own cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.extract import extract_document, extract_text
from tests.conftest import PLANS_DIR
from tests.corpus.render import LAYOUTS, Table, cell_key, seed_tables

SEEDS = sorted(p for p in PLANS_DIR.glob("*.txt") if "schedule" not in p.name)
TABLES: dict[str, Table] = {
    f"{path.stem}-t{n}": table
    for path in SEEDS
    for n, table in enumerate(seed_tables(extract_document(path)), start=1)
}
REVIEW = "某项回顾指标（%）"  # the extra table of the two-table layout


def test_the_corpus_covers_every_seed_table() -> None:
    assert len(TABLES) == 5 and len(LAYOUTS) >= 6
    assert sum(len(t.expected) for t in TABLES.values()) == 257


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", sorted(TABLES))
def test_rendering_extracts_to_the_seed_cells(name: str, layout: str) -> None:
    table = TABLES[name]
    text = LAYOUTS[layout](table)
    doc = extract_text(f"{name}.{layout}.txt", text)
    got = sorted(cell_key(c) for c in doc.cells if c.indicator != REVIEW)
    assert got == table.expected, text[:600]
    lines = text.split("\n")
    for c in doc.cells:  # every cell cites the line its value is written on
        assert c.line is not None and c.raw_value in lines[c.line - 1]
        assert c.source_ref == f"line {c.line}"


def test_two_tables_with_prose_between_are_two_tables() -> None:
    table = next(iter(TABLES.values()))
    doc = extract_text("two.txt", LAYOUTS["two-tables-with-prose"](table))
    assert [(t.period_start_year, t.period_end_year) for t in doc.tables][:1] == [(2011, 2015)]
    review = sorted((c.year, c.role, c.value) for c in doc.cells if c.indicator == REVIEW)
    assert review == [(2010, "baseline", "80"), (2015, "target", "90")]


def test_write_the_corpus(tmp_path: Path) -> None:
    """The renderings are plain files too: extract_document reads them from disk the same."""
    name = sorted(TABLES)[0]
    path = tmp_path / "corpus.md"
    path.write_text(LAYOUTS["pipe-rule"](TABLES[name]), encoding="utf-8")
    assert sorted(cell_key(c) for c in extract_document(path).cells) == TABLES[name].expected


SCHEDULE = extract_document(PLANS_DIR / "shaoxing-schedule-2021-2025.txt")


def _schedule_rows() -> list[list[str]]:
    regions = list(dict.fromkeys(m.region for m in SCHEDULE.milestones))
    keys = list(dict.fromkeys((m.program, m.year) for m in SCHEDULE.milestones))
    found = {(m.program, m.year, m.region): m.milestone_text for m in SCHEDULE.milestones}
    rows = [["项目", "时间", *regions]]
    for n, (program, year) in enumerate(keys):
        shown = program if n == 0 or keys[n - 1][0] != program else ""
        rows.append([shown, f"{year}年", *(found.get((program, year, r), "") for r in regions)])
    return rows


@pytest.mark.parametrize("layout", ["pipe", "tabbed", "stacked"])
def test_milestone_schedule_in_other_layouts(layout: str) -> None:
    from tests.corpus.render import pipe, stacked, tabbed

    rows = _schedule_rows()
    body = {
        "pipe": lambda: pipe(rows),
        "tabbed": lambda: tabbed(rows),
        "stacked": lambda: stacked(rows, tab=True, blank=True),
    }[layout]()
    doc = extract_text("schedule.txt", f"某市教育现代化推进计划（2021—2025年）\n\n{body}\n")
    key = lambda m: (m.program, m.year, m.region, m.milestone_text)  # noqa: E731
    assert sorted(map(key, doc.milestones)) == sorted(map(key, SCHEDULE.milestones))
