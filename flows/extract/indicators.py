"""Indicator table rows -> one PlanCell per value cell: units, roles and carried-down labels."""

from __future__ import annotations

import re

from flows.extract.alignment import align, is_stage
from flows.extract.headers import ATTRIBUTES, EVALUATIONS, year_role
from flows.extract.layout import Cell
from flows.extract.models import PlanCell, PlanTableError
from flows.extract.tables import FoundTable
from flows.extract.values import parse_value

_TRAILING_BRACKET = re.compile(r"[（(]([^（）()]{1,6})[）)]$")
_NOT_A_UNIT = ("含", "、", "市", "区", "县", "项目")
NO_UNIT = frozenset({"—", "-", "－", "/", "无", ""})


def unit_in_name(name: str | None) -> str | None:
    """The unit written as the last bracket of a name: 幼儿园学位数（万个） -> 万个."""
    if not name:
        return None
    match = _TRAILING_BRACKET.search(name)
    if match is None or any(word in match.group(1) for word in _NOT_A_UNIT):
        return None
    return match.group(1).strip()


def _text(cell: Cell | None) -> str:
    return cell.text if cell else ""


def table_cells(
    doc: str, table_no: int, table: FoundTable, period: tuple[int, int] | None
) -> list[PlanCell]:
    """Value cells of one indicator table; raises PlanTableError naming the offending line."""
    assert table.columns is not None
    year_columns = [c for c in table.columns if c.role == "year"]
    years = [c.year.year if c.year and c.year.year is not None else 0 for c in year_columns]
    if any(c.year and c.year.year is None for c in year_columns):
        if period is None:
            raise PlanTableError(
                doc, table.header.line, "a 目标值 column but no plan period to date it"
            )
        years = [y or period[1] for y in years]
    cells: list[PlanCell] = []
    category: str | None = None
    indicator: str | None = None
    indicator_unit: str | None = None
    for row_order, row in enumerate(table.rows, start=1):
        aligned = align(row, table.columns)
        if aligned is None:
            raise PlanTableError(
                doc,
                row.line,
                f"row has {sum(1 for c in row.cells if c.text)} non-empty cells, more than the "
                f"{len(table.columns)} columns of the header on line {table.header.line}",
            )
        columns, placed = aligned
        by_role: dict[str, Cell | None] = {}
        for column, cell in zip(columns, placed, strict=True):
            if column.role != "year":
                by_role[column.role] = cell
        row_category = _text(by_role.get("category"))
        row_indicator = _text(by_role.get("indicator"))
        breakdown = _text(by_role.get("breakdown")) or None
        if (
            row_indicator
            and breakdown is None
            and indicator is not None
            and is_stage(row_indicator)
        ):
            row_indicator, breakdown = "", row_indicator  # a shifted sub-row: 高中段 is a breakdown
        if row_category:
            category = row_category
        if row_indicator:
            indicator = row_indicator
            indicator_unit = unit_in_name(row_indicator)
        elif breakdown is None:
            raise PlanTableError(doc, row.line, "row has neither an indicator nor a breakdown")
        elif indicator is None:
            raise PlanTableError(
                doc, row.line, f"breakdown {breakdown!r} has no indicator above it"
            )
        unit_cell = _text(by_role.get("unit"))
        if "unit" in by_role:
            unit = None if unit_cell in NO_UNIT else unit_cell
        else:
            unit = unit_in_name(breakdown) or indicator_unit
        attribute = _text(by_role.get("attribute")) or None
        if attribute is not None and attribute not in ATTRIBUTES:
            raise PlanTableError(doc, row.line, f"attribute {attribute!r} is not 预期性 or 约束性")
        evaluation = _text(by_role.get("evaluation")) or None
        if evaluation is not None and evaluation not in EVALUATIONS:
            raise PlanTableError(doc, row.line, f"evaluation {evaluation!r} is not 完成 or 未完成")
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
            cells.append(
                PlanCell(
                    doc=doc,
                    table=table_no,
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
                    line=cell.line,
                )
            )
    return cells
