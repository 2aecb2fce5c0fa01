"""Cumulative figures and footnote marks in the value grammar (flows/extract/values.py), cell by
cell: a number in one of vocabulary.toml's cumulative_brackets (〔20〕, [4.5 ], ［12］, 【5】) is
a five-year cumulative figure, read with `is_cumulative`; a bracket on one side only, or nothing
inside, is no figure; a plain number is never cumulative. The expected values are the cells as
written (the number between the brackets, exactly)."""

from __future__ import annotations

import pytest

from flows.extract.values import ParsedValue, parse_value

CUMULATIVE = [  # cell, comparator, value: each bracket pair of vocabulary.toml once
    ("〔20〕", "=", "20"),
    ("[4.5 ]", "=", "4.5"),
    ("［12］", "=", "12"),
    ("【>90】", ">", "90"),
    ("[5]", "=", "5"),  # three characters: the shortest cumulative cell
]


@pytest.mark.parametrize(("cell", "comparator", "value"), CUMULATIVE)
def test_a_number_in_cumulative_brackets_is_cumulative(
    cell: str, comparator: str, value: str
) -> None:
    parsed = parse_value(cell)
    assert parsed == ParsedValue(cell, comparator, value, is_cumulative=True)
    assert parsed.is_cumulative is True


@pytest.mark.parametrize("cell", ["[20", "20]", "〔20", "[]", "〔〕", "120", "[x]"])
def test_no_figure_without_both_brackets_and_a_number_inside(cell: str) -> None:
    parsed = parse_value(cell)
    assert parsed.is_cumulative is False
    if cell == "120":  # a plain number: a level, read whole
        assert parsed == ParsedValue("120", "=", "120")
    else:  # text the grammar cannot read: kept as written, nothing invented
        assert parsed == ParsedValue(cell, None, None, readable=False)


@pytest.mark.parametrize("cell", ["90", "≥92.5", "95-97", "98左右", "-", "逐年只增不减"])
def test_other_cells_are_never_cumulative(cell: str) -> None:
    assert parse_value(cell).is_cumulative is False


def test_a_footnote_mark_after_a_cumulative_figure_keeps_both() -> None:
    assert parse_value("〔20〕*") == ParsedValue("〔20〕*", "=", "20", is_cumulative=True)
    assert parse_value("60.6*") == ParsedValue("60.6*", "=", "60.6")
