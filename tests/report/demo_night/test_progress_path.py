"""The report draws the marts' path from baseline to target: flows/report/progress_path.py applies
the formulas of dbt/macros/progress_path.sql, checked here against mart_indicator_progress."""

from __future__ import annotations

import math

import pytest

from flows.report.progress_path import growth, is_compound, required_path, value_at
from flows.warehouse.db import connect


def _target(**columns: object) -> dict[str, object]:
    row = {"baseline_year": 2020, "baseline_value": None, "year": 2022, "target_value": None,
           "path_is_compound": None, "path_growth": None}  # fmt: skip
    return row | columns


def test_a_path_between_positive_ends_grows_at_a_constant_rate_else_in_a_straight_line() -> None:
    compound = required_path(_target(baseline_value=100.0, target_value=121.0))
    assert [(y, round(v, 9)) for y, v in compound] == [(2020, 100), (2021, 110), (2022, 121)]
    straight = required_path(_target(baseline_value=-10.0, target_value=10.0))
    assert [(y, round(v, 9)) for y, v in straight] == [(2020, -10), (2021, 0), (2022, 10)]
    assert required_path(_target(target_value=5.0)) == []  # no baseline, nothing drawn


def test_the_chart_draws_the_growth_the_mart_exposes() -> None:
    row = _target(baseline_value=100.0, target_value=121.0, path_is_compound=False,
                  path_growth=5.0)  # fmt: skip
    assert [v for _, v in required_path(row)] == [100.0, 105.0, 110.0]


def test_python_paths_match_the_mart_row_by_row(demo_night) -> None:
    con = connect(demo_night.warehouse, read_only=True)
    try:
        result = con.execute(
            "select baseline_year, baseline_value::double, year, target_value::double, "
            "latest_year, latest_value::double, required_growth, path_value_at_latest_year, "
            "path_is_compound, path_growth "
            "from marts.mart_indicator_progress "
            "where baseline_value is not null and target_value is not null and year > baseline_year"
        )
        rows = result.fetchall()
    finally:
        con.close()
    assert len(rows) > 20
    assert {bool(r[8]) for r in rows} == {True, False}  # both shapes are exercised
    checked_latest = 0
    for y0, v0, y1, v1, latest_year, latest, required, at_latest, compound, path_growth in rows:
        assert compound == is_compound(v0, v1)
        assert growth(v0, v1, y1 - y0, compound=compound) == pytest.approx(path_growth, rel=1e-9)
        path = required_path(_target(baseline_year=y0, baseline_value=v0, year=y1,
                                     target_value=v1, path_is_compound=compound,
                                     path_growth=path_growth))  # fmt: skip
        assert path[-1] == (y1, pytest.approx(v1, rel=1e-9, abs=1e-9))
        if at_latest is not None and math.isfinite(at_latest):
            ratio_compound = is_compound(v0, latest) and v1 > 0
            expected = value_at(v0, required, latest_year - y0, compound=ratio_compound)
            assert expected == pytest.approx(at_latest, rel=1e-9, abs=1e-9)
            checked_latest += 1
    assert checked_latest > 10
