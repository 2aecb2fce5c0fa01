"""Real published plan tables (../shared/real-plans, the development set nobody here wrote):
every value cell a person reads, in every column of the expected CSV, and nothing else.

The files are read where they are (never copied into the repo). Outside CI a checkout without
../shared skips this file; under CI=true a missing ../shared fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.extract import extract_document
from tests.conftest import SHARED_DIR
from tests.corpus.expected_cells import assert_extracts_to, expected_rows

REAL = SHARED_DIR / "real-plans"
EXPECTED = sorted(REAL.glob("*.expected.csv")) if REAL.exists() else []

if not EXPECTED:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(f"{REAL}: the real plan tables are missing (CI must have ../shared)")
    pytestmark = pytest.mark.skip(reason=f"{REAL} not beside the repo (set EDUPLAN_SHARED)")


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_real_table_extracts_to_the_cells_a_person_reads(expected: Path) -> None:
    source = expected.with_name(expected.name.replace(".expected.csv", ".txt"))
    doc = assert_extracts_to(source, expected)
    assert not [c for c in doc.cells if c.needs_review or c.is_cumulative]


def test_real_tables_are_all_read() -> None:
    """62 value cells in the two tables of the development set, every one cited to its line."""
    total = 0
    for expected in EXPECTED:
        source = expected.with_name(expected.name.replace(".expected.csv", ".txt"))
        doc = extract_document(source)
        lines = source.read_text(encoding="utf-8").splitlines()
        for cell in doc.cells:
            assert cell.raw_value in lines[cell.line - 1], cell
        total += len(doc.cells)
    assert total == sum(len(expected_rows(p)[1]) for p in EXPECTED)
