"""The value grammar at its edges (flows/extract/values.py), cell by cell: what each kind of cell
parses to, which cells count as numbers and which belong in a year column. Fast: no document."""

from __future__ import annotations

import pytest

from flows.extract.values import ParsedValue, is_number, looks_like_value, parse_value

CASES = [  # cell, comparator, value, upper bound, approximate, readable
    ("95-97", ">=", "95", "97", False, True),  # a range: at least its lower bound
    ("95-95", None, None, None, False, False),  # equal bounds are no range: never guessed
    ("97-95", None, None, None, False, False),  # nor bounds the wrong way round
    ("98左右", "=", "98", None, True, True),
    ("约98", "=", "98", None, True, True),
    ("98", "=", "98", None, False, True),
    ("≥92.5", ">=", "92.5", None, False, True),
    ("95%以上", ">=", "95", None, False, True),
    ("不低于95", ">=", "95", None, False, True),
    ("95万人次", "=", "95", None, False, True),  # a unit longer than another (万人)
    ("-", None, None, None, False, True),  # no value: a known placeholder
    ("逐年只增不减", None, None, None, False, True),  # a known text target
    ("", None, None, None, False, True),
    ("abc", None, None, None, False, False),  # unreadable: kept, reported
]


@pytest.mark.parametrize(("cell", "comparator", "value", "upper", "approximate", "readable"), CASES)
def test_cells_parse_exactly(
    cell: str,
    comparator: str | None,
    value: str | None,
    upper: str | None,
    approximate: bool,
    readable: bool,
) -> None:
    parsed = parse_value(cell)
    assert parsed == ParsedValue(cell, comparator, value, upper, approximate, readable)
    assert parsed.is_numeric == (value is not None)


@pytest.mark.parametrize(
    ("cell", "in_year_column"),
    [("12", True), ("≥92.5", True), ("95-97", True), ("-", True), ("—", True),
     ("学前三年毛入园率", False), ("逐年只增不减", False), ("abc", False)],
)  # fmt: skip
def test_what_belongs_in_a_year_column(cell: str, in_year_column: bool) -> None:
    assert looks_like_value(cell) is in_year_column


def test_bare_numbers() -> None:
    assert [is_number(c) for c in ("12", " 0.250 ", "2,000", "≥12", "12%", "-")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
