"""Recognise table headers and give every column a role, a year and a year role.

Headers are matched by their words (the vocabulary file), never by position or document, so
reordered columns, an extra year column or other wordings (指标名称 / 目标值（2025年） /
“十三五”末) need no code change. Every column remembers the vocabulary word that matched it,
for `eduplan extract --explain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from flows.controlled_vocabulary import words
from flows.extract.vocabulary import VOCABULARY, normalise_header

__all__ = ["ATTRIBUTES", "EVALUATIONS", "normalise_header"]

ATTRIBUTES = words("attribute")  # 约束性, 预期性: dbt/dbt_project.yml
EVALUATIONS = words("evaluation")  # 完成, 基本完成, ...: dbt/dbt_project.yml

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_YEAR_IN_HEADER = re.compile(r"((?:19|20)\d{2})(?:年(?:度|末|底)?)?")
_FIVE_YEAR_IN_HEADER = re.compile(r"十([一二三四五六])五(?:规划)?(?:时期|期间)?")
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
    year: int | None  # None: a year the plan period gives (its final year, or the one before)
    hint: str | None  # "target" | "baseline" | "actual" when the header says so, else None


@dataclass(frozen=True)
class Column:
    role: str  # category | indicator | breakdown | unit | year | attribute | evaluation |
    # sequence | ignored
    header: str
    year: YearColumn | None = None
    matched: str = ""  # the vocabulary word (or year pattern) that gave the role


def _year_hint(rest: str) -> tuple[bool, str | None]:
    """(is a year header's remainder, hint) for what a header says besides its year."""
    if rest not in ("()", "") and not rest.startswith("(") and "(" in rest:
        rest = re.sub(r"\([^()]*\)", "", rest)  # 目标值(%): a unit in brackets says nothing
    rest = rest.strip("()")
    if rest in ("", *VOCABULARY.year_neutral):
        return True, None
    if rest in VOCABULARY.year_baseline:
        return True, "baseline"
    if rest in VOCABULARY.year_target:
        return True, "target"
    if rest in VOCABULARY.year_actual:
        return True, "actual"
    return False, None


@lru_cache(maxsize=65536)
def year_column(header: str) -> YearColumn | None:
    """A header naming a year of values (2020年, 基期值（2020年）, “十三五”末, 目标值), or None."""
    text = normalise_header(header)
    match = _YEAR_IN_HEADER.search(text)
    if match:
        ok, hint = _year_hint(text[: match.start()] + text[match.end() :])
        return YearColumn(int(match.group(1)), hint) if ok else None
    match = _FIVE_YEAR_IN_HEADER.search(text)
    if match:
        ok, hint = _year_hint(text[: match.start()] + text[match.end() :])
        if not ok:
            return None
        start, end = five_year_plan_period(10 + _CN_DIGITS[match.group(1)])
        return YearColumn(end, hint)  # “十三五”末: the table's period says baseline or target
    if text in VOCABULARY.period_target:
        return YearColumn(None, "target")
    if text in VOCABULARY.period_baseline:
        return YearColumn(None, "baseline")
    return None


@lru_cache(maxsize=65536)
def header_column(header: str) -> Column | None:
    """The column a header cell names, or None for a word the vocabulary does not know."""
    text = normalise_header(header)
    found = VOCABULARY.column_role(text)
    if found is not None:
        return Column(found[0], text, None, found[1])
    year = year_column(text)
    if year is not None:
        return Column("year", text, year, _year_words(text, year))
    return None


def _year_words(text: str, year: YearColumn) -> str:
    """What made a header a year column, for --explain: `2020年 + 基数 (baseline word)`."""
    match = _YEAR_IN_HEADER.search(text) or _FIVE_YEAR_IN_HEADER.search(text)
    if match is None:  # 目标值 / 现状值 alone
        return f"{text} ({year.hint}: the period's {'end' if year.hint == 'target' else 'start'})"
    rest = (text[: match.start()] + text[match.end() :]).strip("()")
    said = f" + {rest} ({year.hint or 'neutral'} word)" if rest else ""
    return f"{match.group(0)}{said}"


def is_table_header(texts: list[str]) -> bool:
    """Does a row look like the header of an indicator table or a milestone schedule?"""
    norm = [normalise_header(t) for t in texts]
    if schedule_columns(texts) is not None:
        return True
    roles = [VOCABULARY.column_role(t) for t in norm]
    if not any(r and r[0] == "indicator" for r in roles):
        return False
    known = sum(1 for t, r in zip(norm, roles, strict=True) if r or year_column(t))
    return known >= 2 and known * 2 >= sum(1 for t in norm if t)


def indicator_columns(headers: list[str]) -> list[Column] | None:
    """Column roles of an indicator-table header, or None when it is not one.

    An empty header cell right after the indicator column is the breakdown column (a merged
    header cell); a second indicator word is a breakdown. Unknown header words become `ignored`
    columns whose cells are left aside (and shown by --explain). Raises ValueError for an
    indicator header with no year column.
    """
    texts = [normalise_header(h) for h in headers]
    if schedule_columns(headers) is not None:
        return None  # 项目 | 时间 | regions: a milestone schedule
    if not any(VOCABULARY.column_role(t) == ("indicator", t) for t in texts):
        return None
    columns: list[Column] = []
    for position, text in enumerate(texts):
        column = header_column(text)
        if column is not None and column.role == "indicator":
            if any(c.role == "indicator" for c in columns):
                column = Column("breakdown", text, None, column.matched)
            columns.append(column)
        elif column is not None:
            columns.append(column)
        elif text == "" and columns and columns[-1].role == "indicator":
            columns.append(Column("breakdown", "", None, "(empty cell after the indicator)"))
        elif text == "" and position == len(texts) - 1:
            continue  # a trailing tab
        else:
            columns.append(Column("ignored", text, None, "(not in the vocabulary)"))
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
    program = next((i for i, t in enumerate(texts) if t in VOCABULARY.program), None)
    time = next((i for i, t in enumerate(texts) if t in VOCABULARY.time), None)
    if program is None or time is None:
        return None
    regions = {
        i: re.sub(r"\s+", "", headers[i])
        for i, t in enumerate(texts)
        if i not in (program, time) and t
    }
    if len(regions) < 2:
        return None
    return ScheduleColumns(program, time, regions)


def year_role(year: int, hint: str | None, period: tuple[int, int] | None, years: list[int]) -> str:
    """baseline (already measured), milestone (an intermediate year), target (period end) or
    actual (the plan's own reported figure for a year of its period: 2020年预计值 in a 十三五
    review; a reported figure for a year before the period is the baseline it starts from)."""
    if hint == "baseline":
        return hint
    if hint == "actual":
        return "baseline" if period is None or year < period[0] else "actual"
    if hint == "target":  # 2023年目标 in a 2021-2025 table is a milestone target
        return "milestone" if period and period[0] <= year < period[1] else "target"
    if period is None:
        if year == max(years):
            return "target"
        return "baseline" if year == min(years) else "milestone"
    start, end = period
    if year < start:
        return "baseline"
    return "target" if year >= end else "milestone"
