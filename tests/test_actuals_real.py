"""The real published figures in raw/actuals/ load with the project's own seeds, and the seeds
are read the way the loader needs them."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flows.load.actuals import load_actuals
from flows.load.actuals_lookups import (
    REGION_SEED,
    SEEDS_DIR,
    read_indicator_catalogue,
    read_region_seed,
    read_unit_conversions,
)
from flows.load.actuals_stage import stage_file

REPO_ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = REPO_ROOT / "raw" / "actuals" / "published_actuals.csv"

needs_seed = pytest.mark.skipif(not REGION_SEED.exists(), reason="dbt/seeds/regions.csv missing")


@pytest.fixture
def loaded(tmp_path: Path):
    directory = tmp_path / "actuals"
    directory.mkdir()
    shutil.copy(PUBLISHED, directory)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = load_actuals(con, directory)
    yield con, result
    con.close()


def test_published_file_keeps_every_fact_and_its_source() -> None:
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "region,indicator,breakdown,year,value,unit,source_url,source_title"
    assert len(lines) == 64  # 63 figures


@needs_seed
def test_published_actuals_load_with_expected_counts(loaded) -> None:
    con, result = loaded
    assert result.regions_checked == 1
    assert (result.files_loaded, result.rows_loaded, result.rows_quarantined) == (1, 62, 1)
    held = con.execute(
        'SELECT line, "column", raw_value, reason FROM raw.actuals_quarantine WHERE NOT kept'
    ).fetchall()
    assert held == [(3, "value", ">99", "value_not_a_number")]
    by_region = dict(
        con.execute("SELECT region_code, count(*) FROM raw.actuals GROUP BY ALL").fetchall()
    )
    assert by_region == {"330000": 19, "330600": 29, "330110": 13, "330400": 1}
    assert con.execute("SELECT DISTINCT source_kind FROM raw.actuals").fetchall() == [
        ("published",)
    ]


@needs_seed
def test_shaoxing_2023_education_budget(loaded) -> None:
    con, _ = loaded
    (row,) = con.execute(
        "SELECT region_code, year, value, value_text, unit, source_url FROM raw.actuals "
        "WHERE indicator = '一般公共预算教育经费'"
    ).fetchall()
    assert row == (
        "330600",
        2023,
        Decimal("155.63"),
        "155.63",
        "亿元",
        "https://jyj.sx.gov.cn/art/2025/1/25/art_1229352953_59028682.html",
    )


def test_counts_in_wan_ren_and_ren_both_load(loaded) -> None:
    con, _ = loaded
    got = con.execute(
        "SELECT year, value, unit FROM raw.actuals WHERE region_code = '330600' "
        "AND indicator = '普通本专科在校生' ORDER BY year"
    ).fetchall()
    assert got == [(2020, Decimal("11.67"), "万人"), (2022, Decimal("13.3"), "万人")]
    kindergarten = con.execute(
        "SELECT year, value, unit FROM raw.actuals WHERE region_code = '330600' "
        "AND indicator = '幼儿园在园幼儿' ORDER BY year"
    ).fetchall()
    assert kindergarten == [(2020, Decimal("14.25"), "万人"), (2022, Decimal("141491"), "人")]


@needs_seed
def test_yuhang_and_jiaxing_rows(loaded) -> None:
    con, _ = loaded
    assert con.execute(
        "SELECT region, region_code, value FROM raw.actuals WHERE indicator = '全区在校生'"
    ).fetchall() == [("杭州市余杭区", "330110", Decimal("140246"))]
    assert con.execute(
        "SELECT year, value, unit FROM raw.actuals WHERE region_code = '330400'"
    ).fetchall() == [(2025, Decimal("1800"), "个")]


@needs_seed
def test_region_seed_resolves_names_codes_and_prefixed_names() -> None:
    keys = read_region_seed()
    assert keys is not None
    for key, code in {
        "浙江省": "330000",
        "绍兴市": "330600",
        "嘉兴市": "330400",
        "杭州市余杭区": "330110",
        "浙江省杭州市余杭区": "330110",
        "330481": "330481",
        "海宁市": "330481",
    }.items():
        assert keys[key] == code, key
    assert "鼓楼区" not in keys  # ambiguous alone: only with its city
    assert keys["南京市鼓楼区"] == "320106"


@pytest.mark.skipif(not (SEEDS_DIR / "indicators.csv").exists(), reason="no indicator catalogue")
def test_catalogue_seed_maps_published_names_and_aliases() -> None:
    catalogue = read_indicator_catalogue()
    assert catalogue is not None
    assert catalogue["高等教育毛入学率"].unit == "%"
    assert catalogue["一般公共预算教育经费"].indicator_id == "general_budget_education_expenditure"
    assert read_unit_conversions()[("万人", "人")] == Decimal(10000)
    assert read_unit_conversions()[("人", "万人")] == Decimal("0.0001")


def test_fast_and_exact_readers_stage_the_same_rows(tmp_path: Path) -> None:
    from flows.load.actuals_contract import inspect_file

    info = inspect_file(PUBLISHED, PUBLISHED.name)
    con = duckdb.connect()
    staged = []
    for fast in (True, False):
        stage_file(con, PUBLISHED, PUBLISHED.name, info, fast=fast)
        staged.append(con.execute("SELECT * FROM _actuals_rows ORDER BY line").fetchall())
    assert staged[0] == staged[1]
    assert len(staged[0]) == 63 and staged[0][0][0] == 2
