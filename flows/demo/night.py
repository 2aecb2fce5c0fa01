"""The demo night: the real plans plus plausible synthetic yearly figures (2021-2025) for every
target series, designed so that every progress status appears, in a warehouse of its own.

Two nights run the real flow into DIR (default warehouse/demo/): the first on the real raw
inputs, the second with `synthetic_demo.csv` added, so the demo's report also shows what changed.
Each series (region, indicator, breakdown) of a 十四五 target gets a scenario, dealt round-robin
in a seeded order: its figures follow the path from the baseline to the target at a chosen share
of the required growth (docs/progress_method.md: >= 0.95 on_track, 0.60-0.95
needs_acceleration, 0-0.60 limited_progress, < 0 deterioration), overshoot it (achieved), fall
short in the target year (not_achieved) or are left out (no_data). Every row is labelled
synthetic (source_kind, source title and URL). The published warehouse is never touched.
"""

from __future__ import annotations

import csv
import logging
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.config import REPO_ROOT, settings
from flows.nightly import nightly_load
from flows.report import progress_path
from flows.report.data import STATUSES
from flows.report.run_outputs import keep_report
from flows.warehouse.db import connect
from flows.warehouse.layout import WarehouseLayout

log = logging.getLogger("eduplan.demo")
DEMO_DIR = REPO_ROOT / "warehouse" / "demo"
DEMO_FILE = "synthetic_demo.csv"
FIRST_YEAR = 2021
# scenario -> (share of the required growth, last year with a figure); None: no figures
SCENARIOS: dict[str, tuple[float, int] | None] = {
    "achieved": (1.15, 2024),  # passes the target a year early
    "on_track": (1.1, 2023),
    "needs_acceleration": (0.78, 2024),
    "limited_progress": (0.3, 2024),
    "deterioration": (-0.5, 2023),
    "not_achieved": (0.7, 2025),  # the target year's figure falls short
    "no_data": None,
}
_SERIES = """
select p.region_code, p.indicator_code, p.breakdown, t.indicator_name_raw, t.breakdown_raw,
    p.year, p.comparator,
    p.target_value::double as target_value, p.target_kind, p.baseline_year,
    p.baseline_value::double as baseline_value,
    coalesce(i.unit, t.unit, '') as unit, p.polarity
from marts.mart_indicator_progress as p
inner join marts.fct_indicator_target as t using (target_id)
inner join marts.dim_indicator as i on i.indicator_code = p.indicator_code
where p.role = 'target' and p.year > 2020
order by p.region_code, p.indicator_code, p.breakdown, p.year desc
"""


@dataclass(frozen=True)
class DemoResult:
    warehouse: Path
    report: Path | None
    synthetic_rows: int
    statuses: dict[str, int]
    real_report: Path | None = None  # the first night's report (real figures only), kept

    @property
    def missing(self) -> list[str]:
        return [s for s in STATUSES if not self.statuses.get(s)]

    def __str__(self) -> str:
        counts = ", ".join(f"{s} {self.statuses.get(s, 0)}" for s in STATUSES)
        return (
            f"demo warehouse: {self.warehouse}\n"
            f"demo report   : {self.report.as_uri() if self.report else '(not written)'}\n"
            f"synthetic rows: {self.synthetic_rows} (source_kind = synthetic)\n"
            f"statuses      : {counts}"
        )


def _value_at(base: float, goal: float, share: float, fraction: float) -> float:
    """The value after `fraction` of the period when growing at `share` of the required rate
    (the marts' path from base to goal: flows/report/progress_path.py)."""
    compound = progress_path.is_compound(base, goal)
    yearly = progress_path.growth(base, goal, 1.0, compound=compound)  # over the whole period
    return progress_path.value_at(base, yearly, share * fraction, compound=compound)


def _plausible(value: float, unit: str, *, counts: bool) -> float:
    """Percentages within 0-100, counts whole, amounts with two decimals."""
    if unit == "%":
        value = min(max(value, 0.0), 100.0)
    if counts:
        return float(round(value))
    return round(max(value, 0.0) if unit else value, 2)


def series_figures(series: dict[str, Any], scenario: str, rng: random.Random) -> list[float]:
    """Yearly figures from FIRST_YEAR for one series under one scenario (empty: no figures)."""
    plan = SCENARIOS[scenario]
    base, base_year, target = (
        series["baseline_value"],
        series["baseline_year"],
        series["target_value"],
    )
    if base is None and target and series["target_kind"] == "numeric":
        # no baseline in the plan: start from a level short of the target (status: achieved,
        # not_achieved, or no_data without a baseline to measure progress from)
        base, base_year = target * (1.08 if series["polarity"] == "lower" else 0.92), FIRST_YEAR - 1
    if plan is None or base is None or base_year is None:
        return []
    share, last = plan
    counts = series["unit"] != "%" and all(
        float(v).is_integer() and abs(v) >= 10 for v in (base, target) if v is not None
    )
    if series["target_kind"] == "non_decreasing":  # year over year: rises, or one fall
        step = abs(base) * 0.03 or 1.0
        values = [base + step * (y - base_year) for y in range(FIRST_YEAR, last + 1)]
        if share < 0:
            values[-1] = values[-2] - 2 * step if len(values) > 1 else base - step
        return [_plausible(v, series["unit"], counts=counts) for v in values]
    target_year = series["year"]
    if target is None or target == base:
        return []
    if scenario == "achieved":  # beyond the target by a tenth of the distance
        target = target + (target - base) * 0.1 + (0.01 if target > base else -0.01)
        share, span = 1.0, last - base_year
    else:
        span = target_year - base_year
    values = []
    for year in range(FIRST_YEAR, last + 1):
        value = _value_at(base, target, share, (year - base_year) / span)
        if year < last:  # a little noise on the years between (not the one rated)
            value *= 1 + rng.uniform(-0.002, 0.002)
        values.append(_plausible(value, series["unit"], counts=counts))
    return values


def write_demo_actuals(warehouse: Path, out: Path, *, seed: int = 0) -> int:
    """Write synthetic figures for every target series of `warehouse` to `out`; returns rows."""
    con = connect(warehouse, read_only=True)
    try:
        result = con.execute(_SERIES)
        names = [d[0] for d in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()
    series: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:  # the latest target year of each series governs it
        series.setdefault((row["region_code"], row["indicator_code"], row["breakdown"]), row)
    rng = random.Random(seed)
    keys = sorted(series)
    rng.shuffle(keys)
    scenarios = list(SCENARIOS)
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["region", "indicator", "breakdown", "year", "value", "unit",
                         "source_url", "source_title", "source_kind"])  # fmt: skip
        for n, key in enumerate(keys):
            s = series[key]
            scenario = scenarios[n % len(scenarios)]
            for year, value in enumerate(series_figures(s, scenario, rng), start=FIRST_YEAR):
                writer.writerow([
                    s["region_code"], s["indicator_name_raw"], s["breakdown_raw"] or "", year,
                    f"{value:.2f}",
                    s["unit"], f"synthetic://eduplan/demo?seed={seed}&scenario={scenario}",
                    f"SYNTHETIC demo figures, not real (eduplan demo, seed {seed})", "synthetic",
                ])  # fmt: skip
                written += 1
    return written


def _statuses(warehouse: Path) -> dict[str, int]:
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select status, count(*) from marts.mart_indicator_progress group by status"
        ).fetchall()
    finally:
        con.close()
    return {str(s): int(n) for s, n in rows}


def build_demo(out: Path = DEMO_DIR, *, seed: int = 0, raw_dir: Path | None = None) -> DemoResult:
    """Two nights into out/warehouse.duckdb: the real inputs, then with synthetic figures."""
    out = Path(out).resolve()
    published = settings().warehouse
    if out == published.parent or (out / "warehouse.duckdb") == published:
        raise ValueError(f"{out} holds the published warehouse: choose another folder")
    source = Path(raw_dir or settings().raw_dir)
    raw = out / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.copytree(source / "plans", raw / "plans")
    shutil.copytree(source / "actuals", raw / "actuals")
    (raw / "actuals" / DEMO_FILE).unlink(missing_ok=True)
    warehouse = out / "warehouse.duckdb"
    log.info("demo: night 1 of 2, the real inputs, into %s", warehouse)
    first = nightly_load(raw_dir=str(raw), warehouse=str(warehouse), full_refresh=True)
    if not first.published:
        raise RuntimeError("the demo's first night (real inputs) was not published:\n"
                           + first.format())  # fmt: skip
    real_report = (
        keep_report(WarehouseLayout(warehouse), keep=1, name="real") if first.report else None
    )
    rows = write_demo_actuals(warehouse, raw / "actuals" / DEMO_FILE, seed=seed)
    log.info("demo: %d synthetic figures written; night 2 of 2", rows)
    second = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
    if not second.published or second.report is None or first.report is None:
        raise RuntimeError("the demo night was not published or reported:\n" + second.format())
    return DemoResult(warehouse, second.report, rows, _statuses(warehouse), real_report)
