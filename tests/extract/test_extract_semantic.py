"""The semantic layer on grids as the HTML / Word / PDF readers hand them over: merged cells,
multi-row headers, section rows spanning the width, provenance by table, row and column."""

from __future__ import annotations

import pytest

from flows.extract import PlanTableError, extract_laid_out
from flows.extract.grid import Grid, GridCell, LaidOutDocument, SourceRef, TextBlock
from flows.extract.models import TableInfo
from flows.extract.semantic import read_grid


def grid(rows: list[list[str]], table: int = 1) -> Grid:
    """`^` is covered by the cell above, `<` by the cell to the left (a rowspan / colspan)."""
    out: list[tuple[GridCell, ...]] = []
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            ref = SourceRef(table=table, row=r + 1, column=c + 1)
            if text in ("^", "<"):
                source = (r - 1, c) if text == "^" else (r, c - 1)
                origin[(r, c)] = origin.get(source, source)
                cells.append(GridCell("", ref, merged_from=origin[(r, c)]))
            else:
                cells.append(GridCell(text, ref))
        out.append(tuple(cells))
    return Grid(out, SourceRef(table=table), caption="表1 “十四五”教育发展主要指标")


MERGED = [
    ["序号", "指标名称", "学段", "单位", "2020年", "2025年", "<"],
    ["^", "^", "^", "^", "^", "目标值", "属性"],
    ["一、学前教育", "<", "<", "<", "<", "<", "<"],
    ["1", "学前三年毛入园率", "", "%", "98.5", "99%以上", "约束性"],
    ["2", "普惠性幼儿园覆盖率", "", "%", "92", "不低于95", "预期性"],
    ["二、义务教育", "<", "<", "<", "<", "<", "<"],
    ["3", "校际优质均衡系数", "小学", "—", "0.35", "<0.30", "约束性"],
    ["^", "^", "初中", "^", "0.32", "0.25左右", "^"],
    ["4", "义务教育巩固率", "", "%", "99.9", "—", "约束性"],
]


def test_multi_row_header_merged_cells_and_section_rows() -> None:
    read = read_grid("m.html", 1, grid(MERGED), (2021, 2025))
    assert read is not None and read.header_rows == 2
    assert [c.role for c in read.columns or []] == [
        "sequence", "indicator", "breakdown", "unit", "year", "year", "attribute",
    ]  # fmt: skip
    assert read.sections == ["学前教育", "义务教育"]
    got = {
        (c.category, c.indicator, c.breakdown, c.year, c.role): (
            c.comparator, c.value, c.attribute, c.unit, c.is_approximate,
        )
        for c in read.cells
    }  # fmt: skip
    assert got[("学前教育", "学前三年毛入园率", None, 2025, "target")] == (
        ">=", "99", "约束性", "%", False,
    )  # fmt: skip
    assert got[("学前教育", "普惠性幼儿园覆盖率", None, 2025, "target")][:2] == (">=", "95")
    # the indicator, unit and attribute cells merged over the 初中 row are the first cell's
    assert got[("义务教育", "校际优质均衡系数", "初中", 2025, "target")] == (
        "=", "0.25", "约束性", None, True,
    )  # fmt: skip
    assert got[("义务教育", "义务教育巩固率", None, 2025, "target")][:2] == (None, None)
    assert len(read.cells) == 10  # 5 rows x 2 years, nothing invented for the section rows
    c = next(c for c in read.cells if c.raw_value == "0.25左右")
    assert (c.line, c.source_ref) == (None, "table 1, row 8, column 6")


def test_a_merged_value_cell_is_never_copied() -> None:
    rows = [
        ["指标", "2020年", "2022年", "2025年"],
        ["生均公用经费", "2000", "逐年只增不减", "<"],
    ]
    read = read_grid("v.html", 1, grid(rows), (2021, 2025))
    assert read is not None
    assert [(c.year, c.raw_value) for c in read.cells] == [(2020, "2000"), (2022, "逐年只增不减")]


def test_errors_name_the_table_row_and_column_position() -> None:
    rows = [["指标", "2025年", "属性"], ["毛入园率", "99", "必须性"]]
    with pytest.raises(PlanTableError, match=r"^x\.docx: table 1, row 2, column 1: attribute"):
        read_grid("x.docx", 1, grid(rows), (2021, 2025))


def test_any_laid_out_document_goes_through_the_same_layer() -> None:
    laid_out = LaidOutDocument(
        doc="p.pdf",
        format="pdf",
        text=[TextBlock("某市教育事业发展“十四五”规划", SourceRef(page=1))],
        grids=[grid([["主要指标", "现状值", "目标值"], ["高中阶段毛入学率（%）", "98", "≥99"]])],
    )
    doc = extract_laid_out(laid_out)
    assert (doc.facts.period_start_year, doc.facts.period_end_year) == (2021, 2025)
    assert [(c.year, c.role, c.value, c.unit) for c in doc.cells] == [
        (2020, "baseline", "98", "%"),
        (2025, "target", "99", "%"),
    ]


def test_every_seed_table_as_a_merged_grid_gives_the_seed_cells() -> None:
    from tests.corpus.render import cell_key, merged_grid
    from tests.extract.test_extract_corpus import TABLES

    for name, table in TABLES.items():
        g = grid(merged_grid(table))
        g = Grid(g.rows, g.ref, caption=table.title)
        read = read_grid(f"{name}.html", 1, g, None)
        assert read is not None and read.header_rows == 2, name
        assert sorted(cell_key(c) for c in read.cells) == table.expected, name
        assert all(c.source_ref.startswith("table 1, row ") for c in read.cells)


def test_title_rows_above_the_header_and_units_in_year_headers() -> None:
    rows = [
        ["表3 教育发展主要指标", "<", "<", "<"],
        ["项目", "单位", "2020年基数（%）", "2025年目标值（%）"],
        ["学前三年毛入园率", "%", "97", "≥98"],
    ]
    read = read_grid("t.html", 1, Grid(grid(rows).rows, SourceRef(table=1)), (2021, 2025))
    assert read is not None and read.info.title == "表3 教育发展主要指标"
    assert [(c.indicator, c.year, c.role, c.value) for c in read.cells] == [
        ("学前三年毛入园率", 2020, "baseline", "97"),
        ("学前三年毛入园率", 2025, "target", "98"),
    ]


def _sections_and_categories(
    rows: list[list[str]],
) -> tuple[list[str], set[tuple[str | None, str]]]:
    read = read_grid("s.html", 1, grid(rows), (2021, 2025))
    assert read is not None
    return read.sections, {(c.category, c.indicator) for c in read.cells}


HEADER = ["序号", "指标", "单位", "2020年", "2025年"]


def test_a_numbered_heading_in_two_cells_is_a_section() -> None:
    """一 | 发展水平 with nothing else on the row heads the rows below it; the next row (the
    only one) names its own indicator, which is what makes it a heading."""
    sections, cells = _sections_and_categories(
        [HEADER, ["一", "发展水平", "", "", ""], ["1", "学前三年毛入园率", "%", "98", "99"]]
    )
    assert sections == ["发展水平"]
    assert cells == {("发展水平", "学前三年毛入园率")}


def test_with_a_category_column_a_lone_label_is_no_section() -> None:
    """The category column carries the sections there; a lone label is an indicator's parent."""
    sections, _ = _sections_and_categories(
        [["类别", "指标", "单位", "2020年", "2025年"],
         ["学前教育", "办学条件", "", "", ""],
         ["", "生均经费", "元", "98", "99"],
         ["", "办学条件", "", "", ""],
         ["", "学前三年毛入园率", "%", "98", "99"]]
    )  # fmt: skip
    assert sections == []


def test_a_table_of_header_rows_only_is_an_error_naming_it() -> None:
    with pytest.raises(PlanTableError, match="not followed by any row"):
        read_grid("h.html", 1, grid([HEADER, ["^", "^", "^", "目标", "目标"]]), (2021, 2025))


def test_what_a_table_is_and_where_it_sits() -> None:
    """TableInfo: the kind, the period from the caption before the document's, the header's
    position; a schedule grid is a schedule."""
    g = grid([HEADER, ["1", "学前三年毛入园率", "%", "98", "99"]])
    titled = Grid(g.rows, g.ref, caption="表2 “十三五”教育发展主要指标")
    read = read_grid("i.html", 2, titled, (2021, 2025))
    assert read is not None and read.info == TableInfo(
        doc="i.html", table=2, kind="indicators", title="表2 “十三五”教育发展主要指标",
        header_line=None, last_line=None, period_start_year=2016, period_end_year=2020,
        header_ref="table 1, row 1, column 1",
    )  # fmt: skip
    untitled = read_grid("i.html", 2, Grid(g.rows, g.ref, caption="主要指标"), (2021, 2025))
    assert untitled is not None
    assert (untitled.info.period_start_year, untitled.info.period_end_year) == (2021, 2025)
    schedule = read_grid(
        "s.html", 1,
        grid([["项目", "时间", "越城区", "柯桥区"], ["省现代化学校", "2025", "达到", "达到"]]),
        (2021, 2025),
    )  # fmt: skip
    assert schedule is not None and schedule.info.kind == "schedule" and schedule.cells == []
    assert [(m.program, m.year, m.region) for m in schedule.milestones] == [
        ("省现代化学校", 2025, "越城区"), ("省现代化学校", 2025, "柯桥区"),
    ]  # fmt: skip


def test_a_header_repeated_after_a_page_break_is_skipped() -> None:
    read = read_grid(
        "p.html", 1,
        grid([HEADER, ["1", "学前三年毛入园率", "%", "98", "99"], HEADER,
              ["2", "普惠性幼儿园覆盖率", "%", "92", "95"]]),
        (2021, 2025),
    )  # fmt: skip
    assert read is not None
    assert [(c.indicator, c.year) for c in read.cells] == [
        ("学前三年毛入园率", 2020), ("学前三年毛入园率", 2025),
        ("普惠性幼儿园覆盖率", 2020), ("普惠性幼儿园覆盖率", 2025),
    ]  # fmt: skip


def test_a_text_tables_header_and_last_lines() -> None:
    """For a text document each cell knows its line: the table's header line and last line."""
    rows = [
        HEADER,
        ["1", "学前三年毛入园率", "%", "98", "99"],
        ["2", "普惠性覆盖率", "%", "92", "95"],
    ]
    cells = [
        tuple(GridCell(text, SourceRef(line=10 + r, column=c + 1)) for c, text in enumerate(row))
        for r, row in enumerate(rows)
    ]
    read = read_grid("t.txt", 1, Grid(cells, SourceRef(line=10)), (2021, 2025))
    assert read is not None
    assert (read.info.header_line, read.info.last_line) == (10, 12)


def test_a_header_repeated_in_other_words_is_skipped_too() -> None:
    """After a page break the header may come back spelled otherwise (指标名称 for 指标)."""
    read = read_grid(
        "p.html", 1,
        grid([HEADER, ["1", "学前三年毛入园率", "%", "98", "99"],
              ["序号", "指标名称", "单位", "2020年", "2025年"],
              ["2", "普惠性幼儿园覆盖率", "%", "92", "95"]]),
        (2021, 2025),
    )  # fmt: skip
    assert read is not None
    assert {c.indicator for c in read.cells} == {"学前三年毛入园率", "普惠性幼儿园覆盖率"}
