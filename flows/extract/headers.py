"""Recognise table headers and give every column a role, a year and a year role.

Headers are matched by their words, never by position or document, so reordered columns, an
extra year column or other wordings (指标名称 / 目标值 / 2023年) need no code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.extract.values import clean_cell
from flows.vocabulary import words

CATEGORY_WORDS = frozenset({"维度", "类别", "内容", "领域", "类型", "分类", "维度类别", "一级指标"})
INDICATOR_WORDS = frozenset(
    {
        "主要指标",
        "指标项目",
        "主要目标",
        "指标名称",
        "指标",
        "指标内容",
        "二级指标",
        "具体指标",
        "目标名称",
    }
)
BREAKDOWN_WORDS = frozenset({"学段", "分项", "细分", "分类指标", "子项"})
UNIT_WORDS = frozenset({"单位", "计量单位"})
ATTRIBUTE_WORDS = frozenset({"指标属性", "属性", "指标性质", "性质"})
EVALUATION_WORDS = frozenset({"评价", "完成情况", "评估", "实现情况"})
SEQUENCE_WORDS = frozenset({"序号", "编号"})
PROGRAM_WORDS = frozenset({"项目", "创建项目", "工作项目", "任务", "项目名称"})
TIME_WORDS = frozenset({"时间", "年份", "年度", "时间节点", "进度"})

ATTRIBUTES = words("attribute")  # 约束性, 预期性: dbt/dbt_project.yml
EVALUATIONS = words("evaluation")  # 完成, 基本完成, ...: dbt/dbt_project.yml

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_FIVE_YEAR = re.compile(r"^[“\"”]?十([一二三四五六])五[”\"“]?(?:数据|末|期末|基数|实际)?$")
_YEAR = re.compile(
    r"^(?P<year>(?:19|20)\d{2})年?(?P<suffix>预期|目标|目标值|规划|基数|基期|现状|实际|数据)?$"
)
_TARGET_ONLY = frozenset({"目标值", "目标", "规划目标", "期末目标"})
PERIOD_IN_TEXT = re.compile(r"十([一二三四五六])五")
YEAR_RANGE_IN_TEXT = re.compile(r"((?:19|20)\d{2})\s*[—–\-－~～至到]+\s*((?:19|20)\d{2})")


def five_year_plan_period(number: int) -> tuple[int, int]:
    """十一五 = 2006-2010 ... 十四五 = 2021-2025."""
    end = 2010 + 5 * (number - 11)
    return end - 4, end


def period_in_text(text: str) -> tuple[int, int] | None:
    """A plan period named in a title: “十四五” or (2021—2025年)."""
    match = PERIOD_IN_TEXT.search(text)
    if match:
        return five_year_plan_period(10 + _CN_DIGITS[match.group(1)])
    match = YEAR_RANGE_IN_TEXT.search(text)
    if match and int(match.group(1)) < int(match.group(2)):
        return int(match.group(1)), int(match.group(2))
    return None


@dataclass(frozen=True)
class YearColumn:
    year: int | None  # None: the plan period's final year (目标值), filled in with the period
    hint: str | None  # "target" | "baseline" when the header says so, else None


@dataclass(frozen=True)
class Column:
    role: str  # category | indicator | breakdown | unit | year | attribute | evaluation | sequence
    header: str
    year: YearColumn | None = None


def normalise_header(text: str) -> str:
    return re.sub(r"\s+", "", clean_cell(text))


def year_column(header: str) -> YearColumn | None:
    """A header naming a year of values, or None."""
    text = normalise_header(header)
    match = _YEAR.match(text)
    if match:
        suffix = match.group("suffix")
        hint = None
        if suffix in {"预期", "目标", "目标值", "规划"}:
            hint = "target"
        elif suffix in {"基数", "基期", "现状", "实际"}:
            hint = "baseline"
        return YearColumn(int(match.group("year")), hint)
    match = _FIVE_YEAR.match(text)
    if match:
        return YearColumn(five_year_plan_period(10 + _CN_DIGITS[match.group(1)])[1], "baseline")
    if text in _TARGET_ONLY:
        return YearColumn(None, "target")
    return None


def indicator_columns(headers: list[str]) -> list[Column] | None:
    """Column roles of an indicator-table header, or None when it is not one.

    An empty header cell right after the indicator column is the breakdown column (a merged
    header cell). Raises ValueError for an indicator header with no year column.
    """
    texts = [normalise_header(h) for h in headers]
    if not any(t in INDICATOR_WORDS for t in texts):
        return None
    columns: list[Column] = []
    for position, text in enumerate(texts):
        year = year_column(text)
        if text in INDICATOR_WORDS and not any(c.role == "indicator" for c in columns):
            columns.append(Column("indicator", text))
        elif text in CATEGORY_WORDS:
            columns.append(Column("category", text))
        elif text in BREAKDOWN_WORDS:
            columns.append(Column("breakdown", text))
        elif text in UNIT_WORDS:
            columns.append(Column("unit", text))
        elif text in ATTRIBUTE_WORDS:
            columns.append(Column("attribute", text))
        elif text in EVALUATION_WORDS:
            columns.append(Column("evaluation", text))
        elif text in SEQUENCE_WORDS:
            columns.append(Column("sequence", text))
        elif year is not None:
            columns.append(Column("year", text, year))
        elif text == "" and position > 0 and columns and columns[-1].role == "indicator":
            columns.append(Column("breakdown", ""))
        elif text == "" and position == len(texts) - 1:
            continue  # a trailing tab
        else:
            raise ValueError(f"header cell {position + 1} {text!r} is not a known column")
    if not any(c.role == "year" for c in columns):
        raise ValueError(f"header has no year column: {' | '.join(t for t in texts if t)}")
    return columns


def with_breakdown(columns: list[Column]) -> list[Column]:
    """The columns with a breakdown column inserted after the indicator (rows one cell wider)."""
    if any(c.role == "breakdown" for c in columns):
        return columns
    at = next(i for i, c in enumerate(columns) if c.role == "indicator") + 1
    return [*columns[:at], Column("breakdown", ""), *columns[at:]]


@dataclass(frozen=True)
class ScheduleColumns:
    program: int
    time: int
    regions: dict[int, str]  # column position -> region as written


def schedule_columns(headers: list[str]) -> ScheduleColumns | None:
    """Columns of a milestone schedule header (项目 | 时间 | region...), or None."""
    texts = [normalise_header(h) for h in headers]
    program = next((i for i, t in enumerate(texts) if t in PROGRAM_WORDS), None)
    time = next((i for i, t in enumerate(texts) if t in TIME_WORDS), None)
    if program is None or time is None:
        return None
    regions = {i: t for i, t in enumerate(texts) if i not in (program, time) and t}
    if len(regions) < 2:
        return None
    return ScheduleColumns(program, time, regions)


def year_role(year: int, hint: str | None, period: tuple[int, int] | None, years: list[int]) -> str:
    """baseline (already measured), milestone (an intermediate year) or target (period end)."""
    if hint:
        return hint
    if period is None:
        if year == max(years):
            return "target"
        return "baseline" if year == min(years) else "milestone"
    start, end = period
    if year < start:
        return "baseline"
    return "target" if year >= end else "milestone"
