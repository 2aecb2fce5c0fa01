"""Hand-written plan excerpts in the styles of other regions (not the seeds' layouts or words),
with their cells checked by hand: 序号/计量单位/2020年基数 headers, section rows, `指  标`,
single-space and space-aligned columns, one cell per line without tabs, a 十三五 review table
and a 十四五 target table with prose between, and the wider value grammar."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.extract import extract_document

REGIONS = Path(__file__).resolve().parents[1] / "corpus" / "regions"
B, M, T, A = "baseline", "milestone", "target", "actual"

# (category, indicator, breakdown, year, role, comparator, value, value_upper, approximate)
EXPECTED: dict[str, list[tuple[object, ...]]] = {
    "qingshan-pipe.md": [
        ("学前教育", "学前三年毛入园率", None, 2020, B, "=", "97.6", None, False),
        ("学前教育", "学前三年毛入园率", None, 2025, T, ">=", "98", None, False),
        ("学前教育", "普惠性幼儿园在园幼儿占比", None, 2020, B, "=", "88", None, False),
        ("学前教育", "普惠性幼儿园在园幼儿占比", None, 2025, T, ">=", "90", "92", False),
        ("义务教育", "义务教育巩固率", None, 2020, B, "=", "99.2", None, False),
        ("义务教育", "义务教育巩固率", None, 2025, T, ">=", "99.5", None, False),
        ("义务教育", "生均公用经费", None, 2020, B, "=", "1850", None, False),
        ("义务教育", "生均公用经费", None, 2025, T, "=", "2000", None, False),
        ("高中教育", "高中阶段毛入学率", None, 2020, B, "=", "96.3", None, False),
        ("高中教育", "高中阶段毛入学率", None, 2025, T, "=", "98", None, True),
        ("高中教育", "劳动年龄人口平均受教育年限", None, 2020, B, "=", "11.2", None, False),
        ("高中教育", "劳动年龄人口平均受教育年限", None, 2025, T, ">=", "12.3", None, False),
    ],
    "linjiang-tabbed-sections.txt": [
        ("发展水平", "学前教育毛入园率", None, 2020, B, "=", "98", None, False),
        ("发展水平", "学前教育毛入园率", None, 2025, T, ">=", "99", None, False),
        ("发展水平", "九年义务教育巩固率", None, 2020, B, "=", "100", None, False),
        ("发展水平", "九年义务教育巩固率", None, 2025, T, "=", "100", None, False),
        ("教育质量", "学生体质健康合格率", None, 2020, B, "=", "95.1", None, False),
        ("教育质量", "学生体质健康合格率", None, 2025, T, ">", "96", None, False),
        ("教育质量", "初中生近视率", None, 2020, B, "=", "55", None, False),
        ("教育质量", "初中生近视率", None, 2025, T, "<=", "50", None, False),
        ("保障水平", "教育经费占财政支出比例", None, 2020, B, "=", "18.5", None, False),
        ("保障水平", "教育经费占财政支出比例", None, 2025, T, None, None, None, False),
        ("保障水平", "专任教师中研究生学历比例", None, 2020, B, "=", "8", None, False),
        ("保障水平", "专任教师中研究生学历比例", None, 2025, T, ">=", "12", None, False),
    ],
    "donghu-two-tables.txt": [  # 2020年实际 in a 十三五 review: the plan's own figure (actual)
        (None, "学前三年毛入园率（%）", None, 2015, B, "=", "95", None, False),
        (None, "学前三年毛入园率（%）", None, 2020, T, "=", "97", None, False),
        (None, "学前三年毛入园率（%）", None, 2020, A, "=", "98.2", None, False),
        (None, "高中段毛入学率（%）", None, 2015, B, "=", "96", None, False),
        (None, "高中段毛入学率（%）", None, 2020, T, "=", "98", None, False),
        (None, "高中段毛入学率（%）", None, 2020, A, "=", "97.5", None, False),
        (None, "中小学生近视率（%）", None, 2015, B, "=", "60", None, False),
        (None, "中小学生近视率（%）", None, 2020, T, "<", "55", None, False),
        (None, "中小学生近视率（%）", None, 2020, A, "=", "56", None, False),
        (None, "普惠性幼儿园覆盖率", None, 2020, B, "=", "90", None, False),
        (None, "普惠性幼儿园覆盖率", None, 2023, M, "=", "92", None, False),
        (None, "普惠性幼儿园覆盖率", None, 2025, T, ">=", "95", "97", False),
        (None, "义务教育优质均衡学校占比", None, 2020, B, "=", "60", None, False),
        (None, "义务教育优质均衡学校占比", None, 2025, T, "=", "80", None, True),
    ],
    "nanyu-stacked.txt": [
        ("普及", "毛入学率（%）", "学前", 2020, B, "=", "96.5", None, False),
        ("普及", "毛入学率（%）", "学前", 2025, T, ">=", "98", None, False),
        ("普及", "毛入学率（%）", "高中段", 2020, B, "=", "97", None, False),
        ("普及", "毛入学率（%）", "高中段", 2025, T, ">", "98.5", None, False),
        ("质量", "学生体质健康优良率（%）", "小学", 2020, B, "=", "55", None, False),
        ("质量", "学生体质健康优良率（%）", "小学", 2025, T, ">=", "60", None, False),
    ],
    "xishan-spaced-header.txt": [  # `指  标`, `单  位`: spaces inside header words
        (None, "学前三年毛入园率", None, 2020, B, "=", "98", None, False),
        (None, "学前三年毛入园率", None, 2025, T, ">=", "99", None, False),
        (None, "高中段毛入学率", None, 2020, B, "=", "97.5", None, False),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_other_region_excerpt(name: str) -> None:
    path = REGIONS / name
    doc = extract_document(path)
    got = [
        (c.category, c.indicator, c.breakdown, c.year, c.role, c.comparator, c.value,
         c.value_upper, c.is_approximate)
        for c in doc.cells
    ]  # fmt: skip
    assert sorted(got, key=repr) == sorted(EXPECTED[name], key=repr)
    lines = path.read_text(encoding="utf-8").splitlines()
    for c in doc.cells:
        assert c.line is not None and c.raw_value in lines[c.line - 1], c


def test_review_and_target_tables_keep_their_own_periods_and_evaluations() -> None:
    doc = extract_document(REGIONS / "donghu-two-tables.txt")
    assert [(t.table, t.period_start_year, t.period_end_year) for t in doc.tables] == [
        (1, 2016, 2020),
        (2, 2021, 2025),
    ]
    evaluations = {c.indicator: c.evaluation for c in doc.cells if c.table == 1}
    assert evaluations["高中段毛入学率（%）"] == "基本完成"
