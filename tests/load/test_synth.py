"""Synthetic actuals: clearly labelled, in the contract, deterministic, and loadable."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from flows.demo.synth import (
    SEEDS,
    _read,
    catalogued_indicators,
    region_codes,
    write_synthetic_actuals,
)
from flows.load.actuals import load_actuals
from flows.load.actuals_contract import inspect_file


def test_synthetic_file_is_labelled_and_in_the_contract(tmp_path: Path) -> None:
    result = write_synthetic_actuals(tmp_path, regions=3, indicators=4, years=(2020, 2022), seed=7)
    assert result.rows == 3 * 4 * 3
    assert result.path.name.startswith("synthetic_")
    inspect_file(result.path, result.path.name)  # raises if the header breaks the contract
    with result.path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == result.rows
    assert {r["source_kind"] for r in rows} == {"synthetic"}
    assert all(r["source_title"].startswith("SYNTHETIC") for r in rows)
    assert all(r["source_url"].startswith("synthetic://") for r in rows)
    assert len({(r["region"], r["indicator"], r["year"]) for r in rows}) == result.rows
    again = write_synthetic_actuals(
        tmp_path / "b", regions=3, indicators=4, years=(2020, 2022), seed=7
    )
    assert again.path.read_bytes() == result.path.read_bytes()
    assert "36 synthetic rows" in str(result)


def test_regions_are_plan_regions_then_real_ones_then_generated_codes(tmp_path: Path) -> None:
    seed = tmp_path / "regions.csv"
    seed.write_text(
        "region_code,region_name_zh,region_level,parent_region_code\n"
        "330000,浙江省,province,\n330110,余杭区,county,330100\n330481,海宁市,county,330400\n",
        encoding="utf-8",
    )
    plans = tmp_path / "plans"
    plans.mkdir()
    assert region_codes(4, seed_file=seed, plans_dir=plans) == [
        "330110", "330481", "330000", "990001",
    ]  # fmt: skip
    (plans / "p.toml").write_text('region_code = "330000"\n', encoding="utf-8")
    assert region_codes(2, seed_file=seed, plans_dir=plans) == ["330000", "330110"]
    assert region_codes(2, seed_file=tmp_path / "missing.csv") == ["990001", "990002"]


def test_indicators_are_catalogued_and_resolve(tmp_path: Path) -> None:
    """Every synthetic series is a catalogued indicator's alias with its own breakdown label, so
    the rows resolve like published ones (benchmarks/bench_night.py checks the marts at 1M)."""
    series = catalogued_indicators(200)
    assert len({(s.name, s.breakdown) for s in series}) == 200
    aliases = {r["indicator_name_raw"] for r in _read(SEEDS / "indicator_aliases.csv")}
    assert {s.name for s in series} <= aliases
    with pytest.raises(ValueError):
        catalogued_indicators(10_000)


def test_synthetic_rows_land_as_written(tmp_path: Path) -> None:
    result = write_synthetic_actuals(tmp_path / "in", regions=5, indicators=8, years=(2009, 2025))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    loaded = load_actuals(con, tmp_path / "in")
    assert (loaded.files_loaded, loaded.rows_landed) == (1, result.rows)
    assert con.execute("SELECT DISTINCT source_kind FROM raw.actuals").fetchall() == [
        ("synthetic",)
    ]
    con.close()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_synthetic_actuals(tmp_path, regions=0, indicators=1, years=(2020, 2021))
    with pytest.raises(ValueError):
        write_synthetic_actuals(tmp_path, regions=1, indicators=1, years=(2021, 2020))
