"""Exact extraction of the five real plan documents (the excerpts kept in raw/plans)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from flows.extract import ExtractedDocument, PlanCell, extract_document
from tests.conftest import PLANS_DIR


@pytest.fixture(scope="module")
def docs(plan_paths: list[Path]) -> dict[str, ExtractedDocument]:
    return {p.stem: extract_document(p) for p in plan_paths}


def cell(
    doc: ExtractedDocument, indicator: str, breakdown: str | None, year: int, table: int = 1
) -> PlanCell:
    found = [
        c
        for c in doc.cells
        if c.indicator == indicator
        and c.breakdown == breakdown
        and c.year == year
        and c.table == table
    ]
    assert len(found) == 1, (indicator, breakdown, year, found)
    return found[0]


def test_counts_match_a_reading_of_the_documents(docs: dict[str, ExtractedDocument]) -> None:
    cells = [c for d in docs.values() for c in d.cells]
    rows = {(c.doc, c.table, c.row_order) for c in cells}
    indicator_rows = {(c.doc, c.table, c.indicator) for c in cells}
    milestones = [m for d in docs.values() for m in d.milestones]
    assert (len(indicator_rows), len(rows), len(cells), len(milestones)) == (99, 123, 257, 34)
    per_table = {}
    for c in cells:
        per_table[(c.doc, c.table)] = per_table.get((c.doc, c.table), 0) + 1
    assert per_table == {
        ("jiaxing-2021-2025.txt", 1): 96,
        ("yuecheng-2021-2025.txt", 1): 50,
        ("haining-2021-2025.txt", 1): 30,
        ("haining-2021-2025.txt", 2): 60,
        ("yuhang-2021-2025.txt", 1): 21,
    }


def test_every_cell_points_at_a_source_line_holding_its_value(
    docs: dict[str, ExtractedDocument],
) -> None:
    for doc in docs.values():
        lines = (PLANS_DIR / doc.facts.doc).read_text(encoding="utf-8").splitlines()
        for c in doc.cells:
            assert c.raw_value in lines[c.line - 1], (c, lines[c.line - 1])
        for m in doc.milestones:
            assert m.milestone_text in lines[m.line - 1].split("\t"), m


def test_tabbed_layout_with_breakdown_sub_rows(docs: dict[str, ExtractedDocument]) -> None:
    jiaxing = docs["jiaxing-2021-2025"]
    c = cell(jiaxing, "校际优质均衡系数", "初中段", 2025)
    assert (c.comparator, c.value, c.raw_value, c.role, c.attribute) == (
        "<",
        "0.24",
        "<0.24",
        "target",
        "约束性",
    )
    assert c.category == "公平与均衡"
    source = (PLANS_DIR / c.doc).read_text(encoding="utf-8").splitlines()[c.line - 1]
    assert source == "\t\t初中段\t0.41\t0.38\t<0.24\t约束性"
    c = cell(jiaxing, "本省高校嘉兴籍大一新生体质健康合格率（%）", None, 2022)
    assert (c.comparator, c.value, c.role, c.unit) == (">=", "92.5", "milestone", "%")
    baseline = cell(jiaxing, "全国学前教育普及普惠县（市、区）比例（%）", None, 2020)
    assert (baseline.raw_value, baseline.comparator, baseline.value) == ("-", None, None)


def test_rows_that_lost_their_leading_tab(docs: dict[str, ExtractedDocument]) -> None:
    jiaxing = docs["jiaxing-2021-2025"]
    # `儿童青少年总体近视率（%）\t\t54.34\t≤52.34\t≤49.34\t约束性\t`: shifted one cell left
    c = cell(jiaxing, "儿童青少年总体近视率（%）", None, 2025)
    assert (c.comparator, c.value, c.attribute, c.category) == (
        "<=",
        "49.34",
        "约束性",
        "普及与质量",
    )
    # `高中段\t\t89\t>89\t>89\t约束性\t`: a breakdown sub-row shifted left, not an indicator
    c = cell(jiaxing, "适龄持证残疾儿童少年入学率（%）", "高中段", 2022)
    assert (c.comparator, c.value, c.attribute) == (">", "89", "约束性")
    assert not any(x.indicator == "高中段" for x in jiaxing.cells)


def test_repeated_header_continues_the_same_table(docs: dict[str, ExtractedDocument]) -> None:
    jiaxing = docs["jiaxing-2021-2025"]
    assert [t.table for t in jiaxing.tables] == [1]
    c = cell(jiaxing, "高等教育经费投入（亿元）", None, 2025)
    assert (c.value, c.unit, c.row_order) == ("17", "亿元", 32)


def test_stacked_layout_with_unit_column_and_text_targets(
    docs: dict[str, ExtractedDocument],
) -> None:
    yuecheng = docs["yuecheng-2021-2025"]
    c = cell(
        yuecheng, "校际优质均衡差异系数", "初中", 2020
    )  # 十三五数据 (header split over two lines)
    assert (c.value, c.unit, c.role, c.category) == ("0.334", None, "baseline", "教育公平")
    c = cell(yuecheng, "生均一般公共预算教育事业费支出", "小学", 2025)
    assert (c.raw_value, c.comparator, c.value, c.unit) == ("逐年只增不减", None, None, "元")
    c = cell(yuecheng, "学前教育毛入园率", None, 2025)
    assert (c.comparator, c.value, c.unit) == (">", "100", "%")
    c = cell(yuecheng, "学生体质健康测试", "优良率", 2020)
    assert (c.value, c.category) == ("71.5", "教育发展")


def test_category_broken_over_lines_and_reported_evaluation(
    docs: dict[str, ExtractedDocument],
) -> None:
    haining = docs["haining-2021-2025"]
    c = cell(haining, "普惠性幼儿园儿童覆盖面（%）", None, 2020, table=1)
    assert (c.category, c.role, c.comparator, c.value, c.evaluation) == (
        "公平与均衡",
        "target",
        ">",
        "90",
        "未完成",
    )
    c = cell(haining, "普惠性幼儿园儿童覆盖面（%）", None, 2015, table=1)
    assert (c.role, c.value) == ("baseline", "85.9")
    c = cell(haining, "教师赴国外进修、培训人数比例（%）", "高中段", 2020, table=1)
    assert (c.category, c.value, c.evaluation) == ("开放与交流", "10", "完成")
    assert {(t.table, t.period_start_year, t.period_end_year) for t in haining.tables} == {
        (1, 2016, 2020),
        (2, 2021, 2025),
    }


def test_breakdown_cell_carrying_the_unit(docs: dict[str, ExtractedDocument]) -> None:
    c = cell(docs["haining-2021-2025"], "中小学生体质健康测试", "达标率（%）", 2025, table=2)
    assert (c.unit, c.comparator, c.value) == ("%", ">", "98")


def test_breakdown_split_over_blank_lines(docs: dict[str, ExtractedDocument]) -> None:
    yuhang = docs["yuhang-2021-2025"]
    c = cell(yuhang, "学校教师中研究生学历（含硕士学位）的比例（%）", "普通高中", 2025)
    assert (c.comparator, c.value, c.role, c.attribute) == (">=", "25", "target", "预期性")
    c = cell(yuhang, "校际优质均衡系数", "初中段", 2025)
    assert (c.value, c.unit) == ("0.25", None)


def test_milestone_schedule(docs: dict[str, ExtractedDocument]) -> None:
    schedule = docs["shaoxing-schedule-2021-2025"]
    assert schedule.cells == []
    found = {(m.program, m.year, m.region): m.milestone_text for m in schedule.milestones}
    assert found[("全国义务教育优质均衡发展县", 2021, "柯桥区")] == "通过评估验收"
    assert found[("省教育现代化县", 2025, "嵊州市")] == "基本达到创建标准"
    assert found[("省现代化学校", 2025, "柯桥区")] == "创建率高于全省平均 10%"
    assert found[("市现代化学校", 2025, "全市创建")] == "达到 100%"
    assert ("市现代化学校", 2023, "越城区") not in found  # an empty row stays empty


def test_document_facts(docs: dict[str, ExtractedDocument]) -> None:
    jiaxing = docs["jiaxing-2021-2025"].facts
    assert jiaxing.document_number == "嘉发改〔2021〕255号"
    assert jiaxing.issuer == "嘉兴市发展和改革委员会、嘉兴市教育局"
    assert jiaxing.issued_on == date(2021, 12, 2)
    assert (jiaxing.period_start_year, jiaxing.period_end_year) == (2021, 2025)
    assert jiaxing.region_code == "330400" and jiaxing.fact_sources["region_code"] == "metadata"
    schedule = docs["shaoxing-schedule-2021-2025"].facts
    assert schedule.document_number == "绍政办发〔2021〕2号" and schedule.issued_on == date(
        2021, 1, 18
    )
    assert docs["haining-2021-2025"].facts.document_number is None  # not in the text: not invented


def test_excerpts_extract_exactly_like_the_full_documents(seeds_dir: Path) -> None:
    """raw/plans holds excerpts of the seeds: same cells, and the metadata names the seed's hash."""
    for meta_path in sorted(PLANS_DIR.glob("*.toml")):
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        seed_name, _, sha = meta["source_document"].partition(" (sha256 ")
        seed = seeds_dir / seed_name
        assert hashlib.sha256(seed.read_bytes()).hexdigest() == sha.rstrip(")")
        full, excerpt = extract_document(seed), extract_document(meta_path.with_suffix(".txt"))

        def key(row: object) -> dict[str, object]:
            return {k: v for k, v in asdict(row).items() if k not in ("doc", "line", "source_ref")}  # type: ignore[call-overload]

        assert [key(c) for c in full.cells] == [key(c) for c in excerpt.cells]
        assert [key(m) for m in full.milestones] == [key(m) for m in excerpt.milestones]
