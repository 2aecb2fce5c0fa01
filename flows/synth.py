"""Synthetic yearly actuals for benchmarks and load tests, in the raw/actuals contract.

Every row is labelled: the file is named synthetic_*.csv, source_kind is `synthetic`, the source
title starts with SYNTHETIC and the source URL is synthetic://. Regions are real county-level
codes from dbt/seeds/regions.csv while they last, then generated codes 99xxxx (a GB/T 2260
province prefix no real region uses); indicators are `SYNTHETIC_INDICATOR_0001`, ... Written in
chunks of regions, so 10 million rows need little memory. Never part of the nightly run."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from flows.config import DBT_PROJECT_DIR

REGION_SEED = DBT_PROJECT_DIR / "seeds" / "regions.csv"

COLUMNS = (
    "region", "indicator", "breakdown", "year", "value", "unit", "source_url", "source_title",
    "source_kind",
)  # fmt: skip
UNITS = ("%", "人", "万元", "所")
SYNTHETIC_PROVINCE = "99"
_CHUNK_ROWS = 500_000


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


def county_codes(seed_file: Path = REGION_SEED) -> list[str]:
    """County-level codes from the region seed (empty if there is no seed)."""
    if not seed_file.exists():
        return []
    with seed_file.open(encoding="utf-8-sig", newline="") as fh:
        return sorted(
            r["region_code"] for r in csv.DictReader(fh) if r.get("region_level") == "county"
        )


def region_codes(n: int, *, seed_file: Path = REGION_SEED) -> list[str]:
    """n region codes: real county codes first, then generated 99xxxx codes."""
    real = county_codes(seed_file)[:n]
    if n - len(real) > 9999:
        raise ValueError(f"at most {len(real) + 9999} regions, not {n}")
    return real + [f"{SYNTHETIC_PROVINCE}{i:04d}" for i in range(1, n - len(real) + 1)]


def _chunk(
    codes: list[str], names: list[str], years: np.ndarray, rng: np.random.Generator, seed: int
) -> pl.DataFrame:
    n_ind, n_year = len(names), len(years)
    rows = len(codes) * n_ind * n_year
    unit_index = np.tile(np.repeat(np.arange(n_ind) % len(UNITS), n_year), len(codes))
    percent = np.round(rng.uniform(50, 100, rows), 2)
    people = rng.integers(100, 500_000, rows).astype(np.float64)
    money = np.round(rng.uniform(10, 100_000, rows), 2)
    schools = rng.integers(1, 300, rows).astype(np.float64)
    value = np.choose(unit_index, [percent, people, money, schools])
    return pl.DataFrame(
        {
            "region": np.repeat(np.array(codes), n_ind * n_year),
            "indicator": np.tile(np.repeat(np.array(names), n_year), len(codes)),
            "breakdown": pl.repeat(None, rows, dtype=pl.String, eager=True),
            "year": np.tile(years, len(codes) * n_ind),
            "value": value,
            "unit": np.array(UNITS)[unit_index],
        }
    ).with_columns(
        pl.lit(f"synthetic://eduplan/synth?seed={seed}").alias("source_url"),
        pl.lit(f"SYNTHETIC test data - not real figures (eduplan synth seed {seed})").alias(
            "source_title"
        ),
        pl.lit("synthetic").alias("source_kind"),
    )


def write_synthetic_actuals(
    out: Path, *, regions: int, indicators: int, years: tuple[int, int], seed: int = 0
) -> SynthResult:
    """Write regions x indicators x years synthetic rows to out/synthetic_actuals_*.csv."""
    if regions < 1 or indicators < 1 or years[0] > years[1]:
        raise ValueError("regions and indicators must be >= 1 and years A-B with A <= B")
    codes = region_codes(regions)
    names = [f"SYNTHETIC_INDICATOR_{i:04d}" for i in range(1, indicators + 1)]
    year_values = np.arange(years[0], years[1] + 1, dtype=np.int32)
    per_region = indicators * len(year_values)
    step = max(1, _CHUNK_ROWS // per_region)
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (f"synthetic_actuals_r{regions}_i{indicators}_y{years[0]}-{years[1]}_s{seed}.csv")
    with path.open("wb") as fh:
        fh.write((",".join(COLUMNS) + "\n").encode())
        for start in range(0, len(codes), step):
            frame = _chunk(codes[start : start + step], names, year_values, rng, seed)
            frame.write_csv(fh, include_header=False)
    return SynthResult(path, regions * per_region, tuple(codes), tuple(names), years)
