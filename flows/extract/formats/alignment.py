"""Put a row's cells under the right columns.

Rows may lose their leading tab (cells shifted left, often with a trailing tab instead), carry a
breakdown the header has no column for, or drop trailing empty cells. Every placement that keeps
the row's cells in order is scored by how well each cell fits its column; the best one wins.
"""

from __future__ import annotations

import re

from flows.extract.grid import GridCell
from flows.extract.headers import Column, with_breakdown
from flows.extract.values import clean_cell, is_number, looks_like_value
from flows.extract.vocabulary import VOCABULARY

ATTRIBUTES = frozenset(VOCABULARY.attributes) | frozenset(VOCABULARY.attribute_forms)
EVALUATIONS = frozenset(VOCABULARY.evaluations) | frozenset(VOCABULARY.evaluation_forms)
UNITS = VOCABULARY.units
UNIT_WORDS = VOCABULARY.columns["unit"]
_UNIT_BRACKET = re.compile(r"[（(][^（）()]*[）)]$")
STAGE_WORDS = re.compile("^(" + "|".join(map(re.escape, VOCABULARY.stages)) + r")段?(（[^）]*）)?$")


def is_stage(text: str) -> bool:
    """A school stage such as 高中段 or 初中: a breakdown, never an indicator of its own."""
    return bool(STAGE_WORDS.match(clean_cell(text)))


def _fit(column: Column, text: str) -> int:
    if column.role in ("attribute", "evaluation"):
        words = ATTRIBUTES if column.role == "attribute" else EVALUATIONS
        if text in words:
            return 2
        # an unknown word may be a misspelt attribute (reported later); a value never is one
        return -3 if looks_like_value(text) else (-1 if text else 0)
    if column.role in ("year", "rate"):
        if not text:
            return 0
        if text in ATTRIBUTES or text in EVALUATIONS:
            return -3
        return 1 if looks_like_value(text) else 0
    if column.role == "unit":
        if text in UNITS or text in UNIT_WORDS:
            return 1
        return -2 if is_number(text) or text in ATTRIBUTES else 0
    if column.role == "ignored":
        return 0
    if column.role == "sequence":
        return 1 if (text == "" or text.isdigit()) else -2
    # category, indicator, breakdown: labels, never values or attributes
    if text and (looks_like_value(text) or text in ATTRIBUTES or text in EVALUATIONS):
        return -3
    if column.role == "breakdown" and len(_UNIT_BRACKET.sub("", text)) > 6 and not is_stage(text):
        return -2  # breakdowns are short (小学段, 达标率（%）); a long label is an indicator
    return 0


def _placements(cells: list[GridCell], width: int) -> list[list[GridCell | None]]:
    """Every way to lay the cells into `width` columns by adding empty cells at the start."""
    filled = list(cells)
    while filled and not filled[-1].text:
        filled.pop()  # trailing empty cells (a stray tab) carry nothing
    if len(filled) > width:
        return []
    options: list[list[GridCell | None]] = []
    for shift in range(width - len(filled) + 1):
        options.append([None] * shift + filled + [None] * (width - shift - len(filled)))
    return options


def align(
    row: tuple[GridCell, ...], columns: list[Column]
) -> tuple[list[Column], list[GridCell | None]] | None:
    """The best placement of the row's cells under the columns (with or without a breakdown
    column); None when the row has more non-empty cells than any layout has columns."""
    layouts = [columns]
    widened = with_breakdown(columns)
    if widened is not columns:
        layouts.append(widened)
    best: tuple[int, int, list[Column], list[GridCell | None]] | None = None
    for layout_rank, layout in enumerate(layouts):
        for shift, placed in enumerate(_placements(list(row), len(layout))):
            score = sum(
                _fit(col, cell.text if cell else "")
                for col, cell in zip(layout, placed, strict=True)
            )
            # prefer: higher score, then no shift, then the header's own layout
            key = (score, -(shift + layout_rank))
            if best is None or key > (best[0], best[1]):
                best = (key[0], key[1], layout, placed)
    if best is None:
        return None
    return best[2], best[3]
