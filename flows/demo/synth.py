"""Synthetic yearly actuals for benchmarks and load tests, in the raw/actuals contract, that
travel the same path as real figures: every indicator is a catalogued one (written as one of its
aliases, in its catalogue unit, dbt/seeds) and regions are real GB/T 2260 codes, the regions the
plans set targets for first, so the rows resolve, pass the checks and reach
mart_indicator_progress like published figures.

Every row is labelled: the file is named synthetic_*.csv, source_kind is `synthetic`, the source
title starts with SYNTHETIC and the source URL is synthetic://. "Indicators" beyond the catalogue
are the catalogue again with a stage breakdown (小学, 初中...). Regions beyond the seed's are
generated codes 99xxxx (a GB/T 2260 province prefix no real region uses), which dbt holds back
as unknown regions. Written in chunks of regions, so 10 million rows need little memory. Never
part of the nightly run."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from flows.config import DBT_PROJECT_DIR, REPO_ROOT

SEEDS = DBT_PROJECT_DIR / "seeds"
REGION_SEED = SEEDS / "regions.csv"
PLANS_DIR = REPO_ROOT / "raw" / "plans"

COLUMNS = (
    "region", "indicator", "breakdown", "year", "value", "unit", "source_url", "source_title",
    "source_kind",
)  # fmt: skip
# stage labels for the indicators beyond the catalogue (each resolves to its own breakdown code)
BREAKDOWNS = ("", "小学", "初中", "高中段", "学前", "中职", "高职", "高等教育")
SYNTHETIC_PROVINCE = "99"
_CHUNK_ROWS = 500_000
_LEVELS = {"county": 0, "prefecture": 1, "province": 2}


@dataclass(frozen=True)
class SynthResult:
    """The file written, its row count, and the regions and indicators it used."""

    path: Path
    rows: int
    region_codes: tuple[str, ...]
    indicators: tuple[str, ...]
    years: tuple[int, int]

    @property
    def paths(self) -> list[Path]:
        return [self.path]

    def __str__(self) -> str:
        return (
            f"wrote {self.rows:,} synthetic rows ({len(self.region_codes)} regions x "
            f"{len(self.indicators)} indicators x {self.years[0]}-{self.years[1]}) to {self.path}"
        )


@dataclass(frozen=True)
class SynthIndicator:
    """One synthetic series name: a catalogued indicator's alias, a breakdown label, its unit."""

    name: str
    breakdown: str
    unit: str


def _read(seed: Path) -> list[dict[str, str]]:
    if not seed.exists():
        return []
    with seed.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def plan_regions(plans_dir: Path = PLANS_DIR) -> list[str]:
    """The region codes the plans in plans_dir govern (their NAME.toml), in file order."""
    codes: list[str] = []
    for meta in sorted(plans_dir.glob("*.toml")) if plans_dir.is_dir() else []:
        code = str(tomllib.loads(meta.read_text(encoding="utf-8")).get("region_code", ""))
        if code and code not in codes:
            codes.append(code)
    return codes


def region_codes(
    n: int, *, seed_file: Path = REGION_SEED, plans_dir: Path = PLANS_DIR
) -> list[str]:
    """n region codes: the plans' regions, then real counties, prefectures and provinces from the
    region seed, then generated 99xxxx codes."""
    by_level = sorted(
        _read(seed_file),
        key=lambda r: (_LEVELS.get(r.get("region_level", ""), 3), r["region_code"]),
    )
    real = [r["region_code"] for r in by_level]
    first = [c for c in plan_regions(plans_dir) if c in real]
    ordered = (first + [c for c in real if c not in first])[:n]
    if n - len(ordered) > 9999:
        raise ValueError(f"at most {len(ordered) + 9999} regions, not {n}")
    return ordered + [f"{SYNTHETIC_PROVINCE}{i:04d}" for i in range(1, n - len(ordered) + 1)]


def catalogued_indicators(n: int, *, seeds: Path = SEEDS) -> list[SynthIndicator]:
    """n series: each catalogued indicator under an alias that implies no breakdown, in its
    catalogue unit; past the catalogue, the same again with the next stage breakdown."""
    units = {r["indicator_code"]: r["unit"] for r in _read(seeds / "indicators.csv")}
    names: dict[str, str] = {}
    for alias in _read(seeds / "indicator_aliases.csv"):
        code = alias["indicator_code"]
        if code in units and not alias.get("breakdown_code") and code not in names:
            names[code] = alias["indicator_name_raw"]
    series = sorted(names.items())
    if not series:
        raise ValueError(f"no catalogued indicator with an alias in {seeds}")
    if n > len(series) * len(BREAKDOWNS):
        raise ValueError(f"at most {len(series) * len(BREAKDOWNS)} indicators, not {n}")
    return [
        SynthIndicator(series[i % len(series)][1], BREAKDOWNS[i // len(series)],
                       units[series[i % len(series)][0]])
        for i in range(n)
    ]  # fmt: skip


def _values(units: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Plausible positive values for each unit (the marts gate checks them): shares 50-100,
    years of schooling 5-20, counts and amounts."""
    rows = len(units)
    percent = np.round(rng.uniform(50, 100, rows), 2)
    years = np.round(rng.uniform(5, 20, rows), 1)
    count = rng.integers(1, 500_000, rows).astype(np.float64)
    amount = np.round(rng.uniform(1, 100_000, rows), 2)
    counted = np.isin(units, ["人", "所", "个"])
    return np.where(
        units == "%", percent, np.where(units == "年", years, np.where(counted, count, amount))
    )


def _chunk(
    codes: list[str], series: list[SynthIndicator], years: np.ndarray,
    rng: np.random.Generator, seed: int,
) -> pl.DataFrame:  # fmt: skip
    n_ind, n_year = len(series), len(years)
    units = np.tile(np.repeat(np.array([s.unit for s in series]), n_year), len(codes))
    return pl.DataFrame(
        {
            "region": np.repeat(np.array(codes), n_ind * n_year),
            "indicator": np.tile(np.repeat(np.array([s.name for s in series]), n_year), len(codes)),
            "breakdown": np.tile(
                np.repeat(np.array([s.breakdown for s in series]), n_year), len(codes)
            ),
            "year": np.tile(years, len(codes) * n_ind),
            "value": _values(units, rng),
            "unit": units,
        }
    ).with_columns(
        pl.lit(f"synthetic://eduplan/synth?seed={seed}").alias("source_url"),
        pl.lit(f"SYNTHETIC test data - not real figures (eduplan synth seed {seed})").alias(
            "source_title"
        ),
        pl.lit("synthetic").alias("source_kind"),
    )


def write_synthetic_actuals(
    out: Path,
    *,
    regions: int,
    indicators: int,
    years: tuple[int, int],
    seed: int = 0,
    plans_dir: Path = PLANS_DIR,
) -> SynthResult:
    """Write regions x indicators x years synthetic rows to out/synthetic_actuals_*.csv."""
    if regions < 1 or indicators < 1 or years[0] > years[1]:
        raise ValueError("regions and indicators must be >= 1 and years A-B with A <= B")
    codes = region_codes(regions, plans_dir=plans_dir)
    series = catalogued_indicators(indicators)
    year_values = np.arange(years[0], years[1] + 1, dtype=np.int32)
    per_region = indicators * len(year_values)
    step = max(1, _CHUNK_ROWS // per_region)
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (f"synthetic_actuals_r{regions}_i{indicators}_y{years[0]}-{years[1]}_s{seed}.csv")
    with path.open("wb") as fh:
        fh.write((",".join(COLUMNS) + "\n").encode())
        for start in range(0, len(codes), step):
            frame = _chunk(codes[start : start + step], series, year_values, rng, seed)
            frame.write_csv(fh, include_header=False)
    names = tuple(f"{s.name}/{s.breakdown}" if s.breakdown else s.name for s in series)
    return SynthResult(path, regions * per_region, tuple(codes), names, years)
