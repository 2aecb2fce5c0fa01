"""The semantic reader's section rows and header edges (flows/extract/semantic.py), on small
grids as the layout readers hand them over: which rows are a heading for the rows below (a
numbered title, a cell spanning the width, a lone label followed by a row naming its own
indicator) and which are not (a lone label followed by a continuation row, a label in a value
column, text beyond the header), and headers with an empty or a missing cell. Each expected
heading list is read off the grid by hand."""

from __future__ import annotations

import pytest

from flows.extract import PlanTableError
from flows.extract.semantic import read_grid
from tests.extract.test_extract_semantic import grid


def _sections(rows: list[list[str]]) -> list[str]:
    read = read_grid("s.html", 1, grid(rows), (2021, 2025))
    assert read is not None
    return read.sections


def _categories(rows: list[list[str]]) -> list[tuple[str | None, str, int, str | None]]:
    read = read_grid("s.html", 1, grid(rows), (2021, 2025))
    assert read is not None
    return [(c.category, c.indicator, c.year, c.raw_value) for c in read.cells]


def test_a_section_number_and_its_title_in_two_cells_head_the_rows_below() -> None:
    rows = [
        ["序号", "指标", "单位", "2020年", "2025年"],
        ["一", "发展水平", "", "", ""],
        ["1", "学前三年毛入园率", "%", "98", "99"],
        ["二", "保障条件", "", "", ""],
        ["2", "生均公用经费", "元", "2000", "2500"],
    ]
    assert _sections(rows) == ["发展水平", "保障条件"]
    assert _categories(rows) == [
        ("发展水平", "学前三年毛入园率", 2020, "98"),
        ("发展水平", "学前三年毛入园率", 2025, "99"),
        ("保障条件", "生均公用经费", 2020, "2000"),
        ("保障条件", "生均公用经费", 2025, "2500"),
    ]


def test_a_cell_spanning_the_width_is_a_heading_even_last() -> None:
    rows = [
        ["指标", "2020年", "2025年"],
        ["学前三年毛入园率", "98", "99"],
        ["注：以上为约束性指标", "<", "<"],  # three columns, one text spanning them
    ]
    assert _sections(rows) == ["注：以上为约束性指标"]


def test_a_lone_label_without_a_row_below_is_no_heading() -> None:
    rows = [
        ["指标", "2020年", "2025年"],
        ["学前三年毛入园率", "98", "99"],
        ["义务教育巩固率", "", ""],  # nothing merged, nothing below it
    ]
    assert _sections(rows) == []
    two_columns = [["指标", "2025年"], ["学前三年毛入园率", "99"], ["义务教育巩固率", "<"]]
    assert _sections(two_columns) == []  # two columns: a covered cell is no span of the width


def test_a_lone_label_heads_the_rows_below_only_when_the_next_names_its_indicator() -> None:
    heading = [
        ["指标", "学段", "2025年"],
        ["义务教育巩固率", "小学", "99"],
        ["", "初中", "98"],  # continues the indicator above
        ["学前教育", "", ""],
        ["学前三年毛入园率", "", "99"],
    ]
    assert _sections(heading) == ["学前教育"]
    no_heading = [
        ["指标", "学段", "2025年"],
        ["义务教育巩固率", "小学", "99"],
        ["合计", "", ""],
        ["", "初中", "98"],  # the next row names no indicator: 合计 is no heading
    ]
    assert _sections(no_heading) == []


def test_a_lone_text_in_a_value_column_or_beyond_the_header_is_no_heading() -> None:
    in_a_value_column = [
        ["指标", "2020年", "2025年"],
        ["", "", "另行制定"],
        ["学前三年毛入园率", "98", "99"],
    ]
    with pytest.raises(PlanTableError, match="row 2, column 3: row has neither an indicator"):
        _sections(in_a_value_column)  # a value without its indicator: an error, not a title
    beyond_the_header = [
        ["指标", "2020年", "2025年"],
        ["学前三年毛入园率", "98", "99"],
        ["", "", "", "注1"],
    ]
    with pytest.raises(PlanTableError, match="row 3, column 4: row has neither an indicator"):
        _sections(beyond_the_header)


def test_a_covered_cell_beyond_the_header_is_an_empty_value() -> None:
    rows = [["指标", "2020年", "2025年"], ["学前三年毛入园率", "98", "99", "<"]]
    assert _categories(rows) == [
        (None, "学前三年毛入园率", 2020, "98"),
        (None, "学前三年毛入园率", 2025, "99"),
    ]


def test_a_second_header_row_with_an_empty_cell_is_still_the_header() -> None:
    rows = [
        ["序号", "指标", "2020年", "2025年", "<"],
        ["^", "^", "", "目标值", "属性"],
        ["1", "学前三年毛入园率", "98", "99", "约束性"],
    ]
    read = read_grid("h.html", 1, grid(rows), (2021, 2025))
    assert read is not None and read.header_rows == 2
    assert [(c.year, c.raw_value, c.attribute) for c in read.cells] == [
        (2020, "98", "约束性"),
        (2025, "99", "约束性"),
    ]


def test_a_header_row_shorter_than_the_one_below() -> None:
    rows = [
        ["指标", "2025年"],
        ["^", "目标值", "属性"],
        ["学前三年毛入园率", "99", "约束性"],
    ]
    read = read_grid("r.html", 1, grid(rows), (2021, 2025))
    assert read is not None and read.header_rows == 2
    assert [c.role for c in read.columns or []] == ["indicator", "year", "attribute"]
    assert [(c.year, c.raw_value, c.attribute) for c in read.cells] == [(2025, "99", "约束性")]
