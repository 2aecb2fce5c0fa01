"""Put a row's cells under the right columns.

Rows may lose their leading tab (cells shifted left, often with a trailing tab instead), carry a
breakdown the header has no column for, or drop trailing empty cells. Every placement that keeps
the row's cells in order is scored by how well each cell fits its column; the best one wins.
"""

from __future__ import annotations

import re

from flows.extract.headers import ATTRIBUTES, EVALUATIONS, UNIT_WORDS, Column, with_breakdown
from flows.extract.layout import Cell, Row
from flows.extract.values import clean_cell, is_number, looks_like_value

UNITS = frozenset(
    {
        "%",
        "％",
        "—",
        "-",
        "个",
        "所",
        "人",
        "万人",
        "万个",
        "元",
        "万元",
        "亿元",
        "年",
        "对",
        "项",
        "次",
        "人次",
        "万人次",
        "分",
        "倍",
        "平方米",
        "间",
        "班",
    }
)
_UNIT_BRACKET = re.compile(r"[（(][^（）()]*[）)]$")
STAGE_WORDS = re.compile(
    r"^(学前|幼儿园|小学|初中|高中|普通高中|普高|义务|义务教育|中职|高职|职高|高等教育|特殊教育)段?(（[^）]*）)?$"
)


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
    if column.role == "year":
        if not text:
            return 0
        if text in ATTRIBUTES or text in EVALUATIONS:
            return -3
        return 1 if looks_like_value(text) else 0
    if column.role == "unit":
        if text in UNITS or text in UNIT_WORDS:
            return 1
        return -2 if is_number(text) or text in ATTRIBUTES else 0
    if column.role == "sequence":
        return 1 if (text == "" or text.isdigit()) else -2
    # category, indicator, breakdown: labels, never values or attributes
    if text and (looks_like_value(text) or text in ATTRIBUTES or text in EVALUATIONS):
        return -3
    if column.role == "breakdown" and len(_UNIT_BRACKET.sub("", text)) > 6 and not is_stage(text):
        return -2  # breakdowns are short (小学段, 达标率（%）); a long label is an indicator
    return 0


def _placements(cells: list[Cell], width: int) -> list[list[Cell | None]]:
    """Every way to lay the cells into `width` columns by adding empty cells at the start."""
    filled = list(cells)
    while filled and not filled[-1].text:
        filled.pop()  # trailing empty cells (a stray tab) carry nothing
    if len(filled) > width:
        return []
    options: list[list[Cell | None]] = []
    for shift in range(width - len(filled) + 1):
        options.append([None] * shift + filled + [None] * (width - shift - len(filled)))
    return options


def align(row: Row, columns: list[Column]) -> tuple[list[Column], list[Cell | None]] | None:
    """The best placement of the row's cells under the columns (with or without a breakdown
    column); None when the row has more non-empty cells than any layout has columns."""
    layouts = [columns]
    widened = with_breakdown(columns)
    if widened is not columns:
        layouts.append(widened)
    best: tuple[int, int, list[Column], list[Cell | None]] | None = None
    for layout_rank, layout in enumerate(layouts):
        for shift, placed in enumerate(_placements(list(row.cells), len(layout))):
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
