"""Indicator table rows -> one PlanCell per value cell: units, roles and carried-down labels."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.extract.formats.alignment import ATTRIBUTES, EVALUATIONS, align, is_stage
from flows.extract.grid import GridCell, SourceRef
from flows.extract.headers import Column, year_role
from flows.extract.labels import (
    continues_parts,
    is_domain,
    is_measure,
    is_part,
    part_marker,
    part_name,
    strip_list_number,
)
from flows.extract.models import PlanCell, PlanTableError
from flows.extract.values import looks_like_value, parse_value
from flows.extract.vocabulary import VOCABULARY

Row = tuple[GridCell, ...]
_TRAILING_BRACKET = re.compile(r"[（(]([^（）()]{1,6})[）)]$")
_NOT_A_UNIT = ("含", "、", "市", "区", "县", "项目")
NO_UNIT = VOCABULARY.no_unit


def unit_in_name(name: str | None) -> str | None:
    """The unit written as the last bracket of a name: 幼儿园学位数（万个） -> 万个."""
    if not name:
        return None
    match = _TRAILING_BRACKET.search(name)
    if match is None or any(word in match.group(1) for word in _NOT_A_UNIT):
        return None
    return match.group(1).strip()


def error(doc: str, ref: SourceRef, message: str) -> PlanTableError:
    """`file:line: message` for text, `file: table 1, row 3: message` for other formats."""
    if ref.line is not None:
        return PlanTableError(doc, ref.line, message)
    return PlanTableError(doc, None, f"{ref}: {message}")


def row_ref(row: Row) -> SourceRef:
    return next((c.ref for c in row if c.text), row[0].ref if row else SourceRef())


def _text(cell: GridCell | None) -> str:
    return cell.text if cell else ""


@dataclass(frozen=True)
class TableRows:
    """An indicator table as the semantic layer hands it over: columns and its body."""

    table_no: int
    columns: list[Column]
    header_ref: SourceRef
    body: list[Row | str]  # a data row, or a section heading (the category of the rows below)


def _years(doc: str, table: TableRows, period: tuple[int, int] | None) -> list[int]:
    year_columns = [c for c in table.columns if c.role == "year"]
    if any(c.year and c.year.year is None for c in year_columns) and period is None:
        raise error(doc, table.header_ref, "a 目标值 / 现状值 column but no plan period to date it")
    years: list[int] = []
    for column in year_columns:
        assert column.year is not None
        if column.year.year is not None:
            years.append(column.year.year)
        else:
            assert period is not None
            years.append(period[1] if column.year.hint == "target" else period[0] - 1)
    return years


def _stacked_rows(row: Row, columns: list[Column]) -> list[Row] | None:
    """A row whose cells hold sub-rows one per line (`义务教育标准班额比例` / `其中:小学` /
    `初中`, `34.52%` / `77.34%`): one row per line, the values read in the same order; a first
    name line with no values of its own is the indicator the others are parts of."""
    if len(row) != len(columns):
        return None
    values = [i for i, c in enumerate(columns) if c.role == "year" and row[i].text]
    counts = {len(row[i].lines) for i in values}
    if len(counts) != 1 or (k := counts.pop()) < 2:
        return None
    if not all(looks_like_value(line) for i in values for line in row[i].lines):
        return None
    at = next(i for i, c in enumerate(columns) if c.role == "indicator")
    names = row[at].lines or (row[at].text,)
    if len(names) not in (k, k + 1):
        return None
    parent = names[0] if len(names) == k + 1 else None
    parts = names[1:] if parent is not None else names
    out: list[Row] = []
    if parent is not None:  # the indicator itself, with no values of its own
        out.append(
            tuple(
                GridCell(parent, c.ref) if i == at else (GridCell("", c.ref) if i in values else c)
                for i, c in enumerate(row)
            )
        )
    for j, name in enumerate(parts):
        if parent is not None and not part_marker(name):
            name = VOCABULARY.part_markers[0] + name  # a part of the indicator above
        cells = []
        for i, cell in enumerate(row):
            if i == at:
                cells.append(GridCell(name, cell.ref))
            elif len(cell.lines) == k:  # values, and units or attributes stacked alike
                cells.append(GridCell(cell.lines[j], cell.ref))
            else:
                cells.append(cell)
        out.append(tuple(cells))
    return out


def unstacked(body: list[Row | str], columns: list[Column]) -> list[Row | str]:
    """The body with every row of stacked sub-rows made one row per sub-row."""
    out: list[Row | str] = []
    for row in body:
        split = None if isinstance(row, str) else _stacked_rows(row, columns)
        out.extend(split if split is not None else [row])
    return out


def table_cells(
    doc: str, table: TableRows, period: tuple[int, int] | None, warnings: list[str]
) -> list[PlanCell]:
    """Value cells of one indicator table; raises PlanTableError naming the offending row."""
    years = _years(doc, table, period)
    cells: list[PlanCell] = []
    category: str | None = None
    indicator: str | None = None
    indicator_unit: str | None = None
    row_order = 0
    last_part: str | None = None  # the part the row above named (其中:小学), if it named one
    sequence = ""  # the row above's 序号 (a merge repeats it over the rows of one indicator)
    for row in unstacked(table.body, table.columns):
        if isinstance(row, str):
            category, indicator, indicator_unit, last_part = row, None, None, None
            continue
        ref = row_ref(row)
        aligned = align(row, table.columns)
        if aligned is None:
            raise error(
                doc,
                ref,
                f"row has {sum(1 for c in row if c.text)} non-empty cells, more than the "
                f"{len(table.columns)} columns of the header at {table.header_ref}",
            )
        columns, placed = aligned
        by_role: dict[str, GridCell | None] = {}
        for column, cell in zip(columns, placed, strict=True):
            if column.role not in ("year", "ignored"):
                by_role[column.role] = cell
        row_category = _text(by_role.get("category"))
        row_indicator = strip_list_number(_text(by_role.get("indicator")))
        breakdown = part_name(_text(by_role.get("breakdown"))) or None
        if row_indicator == breakdown:
            breakdown = None  # an indicator cell merged over its breakdown column
        if (
            breakdown is not None
            and breakdown != indicator  # not the label above merged down over a sub-row
            and not is_stage(row_indicator)  # 高中段 | …: a shifted sub-row (below)
            and is_domain(row_indicator)
            and is_measure(breakdown)
            and not is_part(breakdown)
        ):  # 学前教育 | 毛入园率: the measure is the indicator, the stage or domain its category
            row_category, row_indicator, breakdown = row_indicator, breakdown, None
        part_of_above = False
        if row_indicator and part_marker(row_indicator) and breakdown is None and indicator:
            # 其中:研究生 under 在校生: a part of the indicator above, in its row
            row_indicator, breakdown, part_of_above = "", part_name(row_indicator), True
        elif (
            last_part is not None
            and row_indicator
            and breakdown is None
            and row_category in ("", category)  # no new category (or a merge repeating it)
            and _text(by_role.get("sequence")) in ("", sequence)  # no number of its own
            and continues_parts(last_part, _text(by_role.get("indicator")))
        ):  # 其中:公立医院床位数 / 中医类医院床位数: the list of parts goes on
            row_indicator, breakdown, part_of_above = "", row_indicator, True
        last_part = breakdown if part_of_above else None
        sequence = _text(by_role.get("sequence"))
        if (
            row_indicator
            and (breakdown is None or breakdown == indicator)  # empty, or the label above
            and indicator is not None  # merged down over it
            and is_stage(row_indicator)
        ):
            row_indicator, breakdown = "", row_indicator  # a shifted sub-row: 高中段 is a breakdown
        if not part_of_above or row_order == 0:
            row_order += 1
        if row_category:
            category = row_category
        if row_indicator:
            indicator = row_indicator
            indicator_unit = unit_in_name(row_indicator)
        elif breakdown is None:
            raise error(doc, ref, "row has neither an indicator nor a breakdown")
        elif indicator is None:
            raise error(doc, ref, f"breakdown {breakdown!r} has no indicator above it")
        unit_cell = _text(by_role.get("unit"))
        if "unit" in by_role:
            unit = None if unit_cell in NO_UNIT else unit_cell
        else:
            unit = unit_in_name(breakdown) or indicator_unit
        attribute = _text(by_role.get("attribute")) or None
        attribute = VOCABULARY.attribute_forms.get(attribute or "", attribute)
        if attribute is not None and attribute not in ATTRIBUTES:
            known = " or ".join(sorted(VOCABULARY.attributes))
            raise error(doc, ref, f"attribute {attribute!r} is not {known} (vocabulary.toml)")
        evaluation = _text(by_role.get("evaluation")) or None
        evaluation = VOCABULARY.evaluation_forms.get(evaluation or "", evaluation)
        if evaluation is not None and evaluation not in EVALUATIONS:
            known = " / ".join(sorted(VOCABULARY.evaluations))
            raise error(doc, ref, f"evaluation {evaluation!r} is not {known} (vocabulary.toml)")
        position = 0
        for column, cell in zip(columns, placed, strict=True):
            if column.role != "year":
                continue
            year = years[position]
            position += 1
            if cell is None or not cell.text:
                continue
            assert column.year is not None and indicator is not None
            parsed = parse_value(cell.text)
            if not parsed.readable:
                warnings.append(
                    f"{error(doc, cell.ref, '').args[0]}value {parsed.raw_value!r} is not a "
                    "number the value grammar reads; kept as text"
                )
            cells.append(
                PlanCell(
                    doc=doc,
                    table=table.table_no,
                    row_order=row_order,
                    category=category,
                    indicator=indicator,
                    breakdown=breakdown,
                    unit=unit,
                    year=year,
                    role=year_role(year, column.year.hint, period, years),
                    raw_value=parsed.raw_value,
                    comparator=parsed.comparator,
                    value=parsed.value,
                    attribute=attribute,
                    evaluation=evaluation,
                    line=cell.ref.line,
                    value_upper=parsed.value_upper,
                    is_approximate=parsed.is_approximate,
                    source_ref=str(cell.ref),
                    is_cumulative=parsed.is_cumulative,
                )
            )
    return cells
