"""The report redraws only the charts whose series changed: on a copy of the demo's warehouse
with the demo night's chart cache, a night with nothing new neither builds a chart's Vega-Lite
specification nor renders one, and a night where one region's series changed builds and
renders that chart alone (each chart is keyed on the data it shows: flows/report/charts.py
Drawing)."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.report import charts
from flows.report.report import write_report

# one actual a region's chart draws (a series with a target that has data), by its row
_CHARTED_ROW = """
with

charted as (

    select actuals.rowid as row_id
    from marts.fct_indicator_actual as actuals
    inner join marts.mart_indicator_progress as progress
        on actuals.region_code = progress.region_code
        and actuals.indicator_code = progress.indicator_code
        and actuals.breakdown = progress.breakdown
    where progress.latest_year is not null and actuals.value is not null
        and actuals.unit_matches_catalogue is not false

),

final as (select min(row_id) as row_id from charted)

select * from final
"""


def _night(warehouse: Path, raw: Path, caplog: pytest.LogCaptureFixture,
           built: list[str]) -> tuple[int, int, int]:  # fmt: skip
    """(charts rendered, charts read from the cache, specifications built) of one report."""
    built.clear()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="eduplan.report"):
        write_report(warehouse, warehouse.parent / "report" / "index.html", raw_dir=raw)
    (counts,) = [
        [int(n) for n in re.findall(r"\d+", r.getMessage())]
        for r in caplog.records
        if "chart(s) rendered" in r.getMessage()
    ]
    return counts[0], counts[1], len(built)


def test_only_the_charts_whose_series_changed_are_built_and_drawn(
    demo_night, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_night.warehouse, warehouse)
    shutil.copytree(demo_night.report.parent / ".charts", tmp_path / "report" / ".charts")
    raw = demo_night.warehouse.parent / "raw"
    built: list[str] = []  # the title of every chart whose specification was built
    for name, builder in dict(charts._BUILDERS).items():
        monkeypatch.setitem(charts._BUILDERS, name, lambda title, *a, _b=builder, **k: (
            built.append(str(title)) or _b(title, *a, **k)))  # fmt: skip

    rendered, cached, n_built = _night(warehouse, raw, caplog, built)
    assert cached > 20, "the demo draws charts"
    assert (rendered, n_built) == (0, 0), "nothing changed: no chart is built or rendered"

    with duckdb.connect(str(warehouse)) as con:
        (row,) = con.execute(_CHARTED_ROW).fetchall()[0]
        con.execute("update marts.fct_indicator_actual set value = value + 1 where rowid = ?",
                    [row])  # fmt: skip
    rendered, again, n_built = _night(warehouse, raw, caplog, built)
    assert (rendered, again, n_built) == (1, cached - 1, 1), "one series changed: its chart"

    rendered, _, n_built = _night(warehouse, raw, caplog, built)
    assert (rendered, n_built) == (0, 0)
