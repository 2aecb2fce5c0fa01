"""What the actuals mean, decided by dbt on landed rows (int_actuals_checked): one warehouse with
the real plans and a folder of actuals files holding every kind of row, built once by
`dbt build` the way the flow runs it. Every landed row ends up a figure in fct_indicator_actual
or held back in mart_actuals_quarantine with its line and reason, never both, never neither."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flows.extract import extract_document
from flows.load.actuals import load_actuals
from flows.load.plans import load_plans, plan_source
from flows.transform import BUILD, run_dbt
from flows.warehouse.db import open_warehouse
from tests.conftest import PLANS_DIR

HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
SOURCE = "https://example.gov.cn/a.html,某某公报"

# file -> rows from line 2; `expected held back` is asserted below, by line
FILES = {
    "rows.csv": [
        f"绍兴市,普通高中在校生,,2022,86708,人,{SOURCE}",  # 2 a figure
        f"火星市,普通高中在校生,,2022,1,人,{SOURCE}",
        f"999999,普通高中在校生,,2022,1,人,{SOURCE}",
        f"浙江省,普惠性幼儿园覆盖率,,2020,>99,%,{SOURCE}",  # 5
        f"浙江省,学校数,,2020,约110,所,{SOURCE}",
        f'浙江省,学校数,,2020,"1,100",所,{SOURCE}',
        f"浙江省,学校数,,2018-2022,110,所,{SOURCE}",
        f"浙江省,学校数,,2018年至2022年,110,所,{SOURCE}",
        f"浙江省,学校数,,二〇二〇,110,所,{SOURCE}",  # 10
        f"浙江省,学校数,,1850,110,所,{SOURCE}",
        f"浙江省,普通高中在校生,,2020,3,所,{SOURCE}",
        f"浙江省,普通高中在校生,,2020,3,,{SOURCE}",
        f"浙江省,普惠性幼儿园覆盖率,,2020,100.5,%,{SOURCE}",
        f"浙江省,学校数,,2020,-3,所,{SOURCE}",  # 15
        f"浙江省,未知指标,,2020,-3,%,{SOURCE}",
        f",学校数,,2020,110,所,{SOURCE}",
        f"浙江省,学校数,,2020,,所,{SOURCE}",
        "浙江省,学校数,,2020,110,所,,无来源",
        f"浙江省,学校数,,2020,110,所,{SOURCE},extra",  # 20
        "浙江省,学校数,2020",
        f"绍兴市,幼儿园保育员数,,2022,10948,人,{SOURCE}",  # a figure of its own indicator
        f"浙江省,高等教育毛入学率,,2020,104.2,%,{SOURCE}",  # gross rates may pass 100
        f"绍兴市,普惠性幼儿园覆盖率,,2023,-0.5,%,{SOURCE}",
        f"绍兴市,学校数,,2019,123456789012345678901234567890,所,{SOURCE}",  # 25
        f"绍兴市,普惠性幼儿园覆盖率,,2019,0.000000000001,%,{SOURCE}",  # not stored as 0
        f"绍兴市,普惠性幼儿园覆盖率,,2018,85.100000000000001,%,{SOURCE}",  # float noise: a figure
        f"浙江省,在校生增长率,,2020,-3,%,{SOURCE}",  # a change may be negative: a figure
    ],
    "units.csv": [
        f"绍兴市,小学在校生,,2022,287195,人,{SOURCE}",
        f"绍兴市,普通高中在校生,,2020,9.01,万人,{SOURCE}",
        f"绍兴市,一般公共预算教育经费,,2023,155.63,亿元,{SOURCE}",
        f"绍兴市,普惠性幼儿园覆盖率,,2023,93.5,％,{SOURCE}",
    ],
    "dup.csv": [
        f"海宁市,学校数,,2021,10,所,{SOURCE}",
        f"海宁市,学校数,,2021,11,所,{SOURCE}",
        f"海宁市,普通高中在校生,,2021,20000,人,{SOURCE}",
        f"海宁市,普通高中在校生,,2021,2,万人,{SOURCE}",
    ],
    "a.csv": [f"嘉兴市,学校数,,2021,100,所,{SOURCE}", f"嘉兴市,学校数,,2020,100,所,{SOURCE}"],
    "b.csv": [f"嘉兴市,学校数,,2021,100,所,{SOURCE}", f"嘉兴市,学校数,,2020,101,所,{SOURCE}"],
    "regions.csv": [
        f"{name},学校数,,{2000 + i},1,所,{SOURCE}"
        for i, name in enumerate(
            ["浙江省", "绍兴市", "杭州市余杭区", "浙江省杭州市余杭区", "330481", " 海 宁 市 "]
            + ["鼓楼区", "南京市鼓楼区"]
        )
    ],
}
SYNTHETIC = [
    f"绍兴市,高中巩固率,,2015,99,%,{SOURCE},",
    f"绍兴市,高中巩固率,,2016,99,%,{SOURCE},published",
]

HELD_BACK = {  # (file, line) -> (column, raw value as written, reason)
    ("rows.csv", 3): ("region", "火星市", "unknown_region"),
    ("rows.csv", 4): ("region", "999999", "unknown_region"),
    ("rows.csv", 5): ("value", ">99", "value_not_a_number"),
    ("rows.csv", 6): ("value", "约110", "value_not_a_number"),
    ("rows.csv", 7): ("value", "1,100", "value_not_a_number"),
    ("rows.csv", 8): ("year", "2018-2022", "year_is_range"),
    ("rows.csv", 9): ("year", "2018年至2022年", "year_is_range"),
    ("rows.csv", 10): ("year", "二〇二〇", "year_not_a_year"),
    ("rows.csv", 11): ("year", "1850", "year_not_a_year"),
    ("rows.csv", 12): ("unit", "所", "unit_not_convertible"),
    ("rows.csv", 13): ("unit", None, "unit_not_convertible"),
    ("rows.csv", 14): ("value", "100.5", "value_out_of_range"),
    ("rows.csv", 15): ("value", "-3", "value_out_of_range"),
    ("rows.csv", 16): ("value", "-3", "value_out_of_range"),
    ("rows.csv", 17): ("region", None, "missing_value"),
    ("rows.csv", 18): ("value", None, "missing_value"),
    ("rows.csv", 19): ("source_url", None, "missing_value"),
    ("rows.csv", 20): ("*", None, "malformed_row"),
    ("rows.csv", 21): ("*", None, "malformed_row"),
    ("rows.csv", 24): ("value", "-0.5", "value_out_of_range"),
    ("rows.csv", 25): ("value", "123456789012345678901234567890", "value_out_of_range"),
    ("rows.csv", 26): ("value", "0.000000000001", "value_out_of_range"),
    ("dup.csv", 2): ("value", "10", "duplicate_disagrees"),
    ("dup.csv", 3): ("value", "11", "duplicate_disagrees"),
    ("dup.csv", 5): ("value", "2", "duplicate_row"),
    ("a.csv", 3): ("value", "100", "duplicate_disagrees"),
    ("b.csv", 2): ("value", "100", "duplicate_row"),
    ("b.csv", 3): ("value", "101", "duplicate_disagrees"),
    ("regions.csv", 8): ("region", "鼓楼区", "unknown_region"),
    ("synthetic_x.csv", 3): ("source_kind", "published", "invalid_source_kind"),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("checked")
    actuals = root / "actuals"
    actuals.mkdir()
    for name, lines in FILES.items():
        (actuals / name).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    (actuals / "synthetic_x.csv").write_text(
        "\n".join([HEADER + ",source_kind", *SYNTHETIC]) + "\n", encoding="utf-8"
    )
    (actuals / "gbk.csv").write_bytes(f"{HEADER}\n{FILES['rows.csv'][0]}\n".encode("gbk"))
    database = root / "warehouse.duckdb"
    paths = sorted(PLANS_DIR.glob("*.txt"))
    with open_warehouse(database) as con:
        load_plans(
            con, [extract_document(p) for p in paths], {p.name: plan_source(p) for p in paths}
        )
        load_actuals(con, actuals)
    result = run_dbt(BUILD, database, artifacts_dir=root / "dbt")  # unit tests: test_dbt_marts
    assert result.success, result.format()  # a failed build fails every test here
    # every node's time is read from dbt's run_results.json (the actuals benchmark prints them)
    assert {"int_actuals_judged", "fct_indicator_actual"} <= set(result.node_seconds)
    return database


def rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_bad_row_is_held_back_with_its_line_and_reason(warehouse: Path) -> None:
    held = rows(
        warehouse,
        "select source_file, source_line, column_name, raw_value, reason "
        "from marts.mart_actuals_quarantine where source_file <> 'gbk.csv'",
    )
    got = {(f, line): (column, raw, reason) for f, line, column, raw, reason in held}
    assert len(held) == len(got)  # one problem per held-back row here
    for key, (column, raw, reason) in HELD_BACK.items():
        assert key in got, key
        assert got[key][0] == column and got[key][2] == reason, (key, got[key])
        if raw is not None and column != "*":
            assert got[key][1] == raw, (key, got[key])
    assert set(got) == set(HELD_BACK)


def test_a_rejected_file_is_in_the_quarantine_as_a_whole(warehouse: Path) -> None:
    assert rows(
        warehouse,
        "select source_line, reason from marts.mart_actuals_quarantine "
        "where source_file = 'gbk.csv'",
    ) == [(2, "encoding_gbk")]


def test_every_landed_row_is_a_figure_or_held_back_never_both(warehouse: Path) -> None:
    landed = rows(warehouse, "select file || ':' || line from raw.actuals")
    figures = rows(
        warehouse,
        "select source_ref from marts.fct_indicator_actual where source_kind <> 'plan_baseline'",
    )
    held = rows(warehouse, "select distinct source_ref from marts.mart_actuals_quarantine")
    landed_refs = {r for (r,) in landed}
    figure_refs, held_refs = {r for (r,) in figures}, {r for (r,) in held} - {"gbk.csv:2"}
    written = sum(len(lines) for lines in FILES.values()) + len(SYNTHETIC)
    assert len(landed_refs) == len(landed) == written
    assert not figure_refs & held_refs
    assert figure_refs | held_refs == landed_refs
    assert len(figures) == len(figure_refs) == written - len(HELD_BACK)


def test_the_placement_test_fails_on_a_lost_or_doubly_placed_row(
    warehouse: Path, tmp_path: Path
) -> None:
    """dbt/tests/assert_every_landed_actual_is_placed.sql (on hashes of file:line) names a
    figure removed from the fact (neither) and a figure also put in the quarantine (both)."""
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "delete from marts.fct_indicator_actual where source_ref = 'units.csv:2'; "
            "insert into marts.mart_actuals_quarantine (source_file, source_line, reason, "
            "source_ref) values ('units.csv', 3, 'duplicate_row', 'units.csv:3')"
        )
    result = run_dbt(
        "test --select assert_every_landed_actual_is_placed",
        broken,
        artifacts_dir=tmp_path / "dbt",
        extra_args=["--store-failures"],
    )
    assert not result.success
    with duckdb.connect(str(broken), read_only=True) as con:
        [(schema,)] = con.execute(  # dbt's audit schema (--store-failures)
            "select table_schema from information_schema.tables "
            "where table_name = 'assert_every_landed_actual_is_placed'"
        ).fetchall()
        failures = con.execute(
            "select source_ref, is_a_figure, is_held_back "
            f"from {schema}.assert_every_landed_actual_is_placed order by 1"
        ).fetchall()
    assert failures == [("units.csv:2", False, False), ("units.csv:3", True, True)]


def test_units_are_restated_in_the_catalogue_unit(warehouse: Path) -> None:
    got = rows(
        warehouse,
        "select source_ref, indicator_code, breakdown, value, unit, unit_as_published "
        "from marts.fct_indicator_actual where source_ref like 'units.csv:%' order by source_ref",
    )
    enrolment, budget = "student_enrolment", "general_budget_education_expenditure"
    assert got == [
        ("units.csv:2", enrolment, "primary", Decimal("287195"), "人", "人"),
        ("units.csv:3", enrolment, "general_senior_secondary", Decimal("90100"), "人", "万人"),
        ("units.csv:4", budget, "total", Decimal("1556300"), "万元", "亿元"),
        ("units.csv:5", "inclusive_kindergarten_coverage", "total", Decimal("93.5"), "%", "％"),
    ]


def test_regions_resolve_by_code_name_prefixed_name_and_spacing(warehouse: Path) -> None:
    got = rows(
        warehouse,
        "select source_ref, region_code from marts.fct_indicator_actual "
        "where source_ref like 'regions.csv:%' order by year",
    )
    assert [code for _, code in got] == [
        "330000", "330600", "330110", "330110", "330481", "330481", "320106",
    ]  # fmt: skip


def test_gross_rates_unknown_indicators_and_synthetic_kinds(warehouse: Path) -> None:
    got = dict(
        rows(
            warehouse,
            "select source_ref, indicator_code || '/' || source_kind "
            "from marts.fct_indicator_actual "
            "where source_ref in ('rows.csv:22', 'rows.csv:23', 'synthetic_x.csv:2')",
        )
    )
    assert got["rows.csv:23"] == "higher_education_gross_enrolment_rate/published"
    assert got["rows.csv:22"].startswith("uncatalogued_")
    assert got["synthetic_x.csv:2"] == "senior_secondary_retention_rate/synthetic"
    unresolved = rows(
        warehouse,
        "select distinct name_kind, name_raw from marts.mart_unresolved_names order by 1, 2",
    )
    assert ("indicator", "幼儿园保育员数") in unresolved
    assert {("region", "火星市"), ("region", "999999"), ("region", "鼓楼区")} <= set(unresolved)
