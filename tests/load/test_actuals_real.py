"""The real published figures in raw/actuals/ land exactly, by either reader. (Where they end up
in the marts is checked on the nightly flow's warehouse: tests/flow/test_nightly_flow.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from flows.load.actuals import load_actuals
from flows.load.actuals_contract import inspect_file
from flows.load.actuals_stage import stage_file

REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = REPO_ROOT / "raw" / "actuals" / "published_actuals.csv"


def test_published_file_keeps_every_fact_and_its_source() -> None:
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "region,indicator,breakdown,year,value,unit,source_url,source_title"
    assert len(lines) == 64  # 63 figures


def test_published_actuals_land_as_written(tmp_path: Path) -> None:
    directory = tmp_path / "actuals"
    directory.mkdir()
    shutil.copy(PUBLISHED, directory)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        result = load_actuals(con, directory)
        assert (result.files_loaded, result.rows_landed, result.files_rejected) == (1, 63, 0)
        (row,) = con.execute(
            "select region, year, value, unit, source_url from raw.actuals "
            "where indicator = '一般公共预算教育经费'"
        ).fetchall()
        by_region = dict(
            con.execute("select region, count(*) from raw.actuals group by all").fetchall()
        )
    finally:
        con.close()
    assert row == (
        "绍兴市",
        "2023",
        "155.63",
        "亿元",
        "https://jyj.sx.gov.cn/art/2025/1/25/art_1229352953_59028682.html",
    )
    assert by_region == {"浙江省": 20, "绍兴市": 29, "杭州市余杭区": 13, "嘉兴市": 1}


def test_fast_and_exact_readers_stage_the_same_rows() -> None:
    info = inspect_file(PUBLISHED, PUBLISHED.name)
    con = duckdb.connect()
    staged = []
    for fast in (True, False):
        stage_file(con, PUBLISHED, PUBLISHED.name, info, fast=fast)
        staged.append(con.execute("select * from _actuals_rows order by line").fetchall())
    assert staged[0] == staged[1]
    assert len(staged[0]) == 63 and staged[0][0][0] == 2
