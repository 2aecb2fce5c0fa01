"""The path from a baseline to a target, as the marts compute it (dbt/macros/progress_path.sql,
docs/progress_method.md): compound growth when both ends are positive, else a straight line.

mart_indicator_progress owns the method and exposes each target's path (`path_is_compound`,
`path_growth`, with `baseline_year`/`baseline_value`); this module applies the same formulas in
Python for what the mart cannot hold: the yearly points the report's charts draw, and the demo's
synthetic figures along a scaled path. tests/report/demo_night/test_progress_path.py checks it
against the mart, row by row.
"""

from __future__ import annotations

from typing import Any


def is_compound(start: float, end: float) -> bool:
    """A constant growth rate needs both ends positive (macro path_is_compound)."""
    return start > 0 and end > 0


def growth(start: float, end: float, years: float, *, compound: bool) -> float:
    """The yearly growth from `start` to `end` over `years` (macro path_growth)."""
    if compound:
        return (end / start) ** (1 / years) - 1
    return (end - start) / years


def value_at(start: float, yearly: float, years: float, *, compound: bool) -> float:
    """The value `years` after `start` on a path growing by `yearly` (macro path_value)."""
    if compound:
        return start * (1 + yearly) ** years
    return start + yearly * years


def required_path(
    target: dict[str, Any], *, baseline: float | None = None
) -> list[tuple[int, float]]:
    """Yearly points of a mart_indicator_progress row's path, from its baseline year to its
    target year; `baseline` stands in for a baseline value the mart has none for (empty: no
    path to draw)."""
    start_year, end_year, end = target["baseline_year"], target["year"], target["target_value"]
    start = target["baseline_value"] if target["baseline_value"] is not None else baseline
    if start_year is None or start is None or end is None:
        return []
    if end_year <= start_year:
        return [(start_year, start), (end_year, end)]
    if target["baseline_value"] is not None and target["path_growth"] is not None:
        compound, yearly = bool(target["path_is_compound"]), float(target["path_growth"])
    else:
        compound = is_compound(start, end)
        yearly = growth(start, end, end_year - start_year, compound=compound)
    return [
        (year, value_at(start, yearly, year - start_year, compound=compound))
        for year in range(start_year, end_year + 1)
    ]
