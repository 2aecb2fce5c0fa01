"""dbt build on a real warehouse: the five plan excerpts extracted and loaded into a fresh DuckDB
file, raw.actuals created by the loader's DDL with a few figures, then `dbt build` and
`dbt docs generate` run the way the flow runs them (flows.transform.run_dbt). The README's
queries (docs/queries/*.sql) are run against the result and checked against values traced to
the plan source lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flows.extract import extract_document
from flows.load.actuals import DDL as ACTUALS_RAW_DDL
from flows.load.plans import load_plans, plan_source
from flows.transform import run_dbt
from flows.warehouse.db import open_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]
QUERIES = REPO_ROOT / "docs" / "queries"

# (line, region, code, indicator as published, breakdown, year, value, unit, kind)
ACTUALS = [
    # Haining, binding, lower is better: 58.22 (2020) -> <55 (2025); 59.10 in 2023 is worse
    (2, "海宁市", "330481", "学生近视人数比例", None, 2023, "59.10", "%", "synthetic"),
    # Haining, binding: 86.4 (2020) -> 90 (2025); 88.0 in 2023: ratio 0.75, needs acceleration
    (3, "海宁市", "330481", "普惠性幼儿园儿童覆盖面", None, 2023, "88.0", "%", "synthetic"),
    # Haining, binding: 98 (2020) -> 99 (2025); 98.8 in 2023 is ahead of the path: on track
    (4, "海宁市", "330481", "高中巩固率（%）", None, 2023, "98.8", "%", "synthetic"),
    # Haining, binding, per stage: 0.35 (2020) -> <0.28; 0.30 in 2023, ratio 1.0: on track
    (
        5,
        "海宁市",
        "330481",
        "义务段学校资源配置校际综合差异系数",
        "小学段",
        2023,
        "0.30",
        None,
        "synthetic",
    ),
    # Shaoxing 2023, published in 亿元; the catalogue states Yuecheng's budget line in 万元
    (6, "绍兴市", "330600", "一般公共预算教育经费", None, 2023, "155.63", "亿元", "published"),
    # Zhejiang's count of HEIs, aliased like Shaoxing's 普通高校(数)
    (7, "浙江省", "330000", "高等学校(数)", None, 2020, "110", "所", "published"),
    # a published name with no alias: loads as its own indicator
    (8, "海宁市", "330481", "公办园儿童覆盖率", None, 2023, "61.5", "%", "published"),
]


def _dbt(command: str, database: Path, artifacts: Path) -> None:
    """dbt the way the flow runs it (flows.transform.run_dbt); a failed build fails the test."""
    result = run_dbt(command, database, artifacts_dir=artifacts)
    assert result.success, result.format()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by dbt from the real plans and a few actuals."""
    root = tmp_path_factory.mktemp("dbt")
    database = root / "warehouse.duckdb"
    paths = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    with open_warehouse(database) as con:
        documents = [extract_document(p) for p in paths]
        load_plans(con, documents, {p.name: plan_source(p) for p in paths})
        con.execute(ACTUALS_RAW_DDL)
        for line, region, _code, indicator, breakdown, year, value, unit, kind in ACTUALS:
            con.execute(
                "insert into raw.actuals (file, line, region, indicator, breakdown, year, value, "
                "unit, source_url, source_title, source_kind) "
                "values ('test.csv', ?, ?, ?, ?, ?, ?, ?, 'https://example.org', 'test figure', ?)",
                [line, region, indicator, breakdown, str(year), value, unit, kind],
            )
    _dbt("build", database, root)
    _dbt("docs generate", database, root)
    assert (root / "target" / "catalog.json").exists()
    return database


def _query(database: Path, name: str) -> list[dict[str, object]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute((QUERIES / name).read_text(encoding="utf-8"))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _rows(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_haining_binding_targets_behind(warehouse: Path) -> None:
    rows = _query(warehouse, "haining_binding_behind.sql")
    behind = {(r["indicator_name_zh"], r["breakdown"], r["year"]): r for r in rows}
    assert set(behind) == {
        ("儿童青少年总体近视率", "total", 2025),  # 学生近视人数比例, haining txt line 243
        ("普惠性幼儿园在园儿童覆盖面", "total", 2025),  # line 145
    }
    myopia = behind[("儿童青少年总体近视率", "total", 2025)]
    assert myopia["target_text"] == "<55"
    assert myopia["baseline_value"] == Decimal("58.22")  # line 242
    assert myopia["latest_value"] == Decimal("59.1")
    assert myopia["status"] == "deterioration"
    inclusive = behind[("普惠性幼儿园在园儿童覆盖面", "total", 2025)]
    assert inclusive["baseline_value"] == Decimal("86.4")  # line 144
    assert inclusive["status"] == "needs_acceleration"
    assert inclusive["progress_ratio"] == pytest.approx(0.75, abs=0.01)
    # ahead of the path, so not behind: 高中巩固率 and the primary 差异系数
    on_track = _rows(
        warehouse,
        "SELECT indicator_code, breakdown, status FROM marts.mart_indicator_progress "
        "WHERE region_code = '330481' AND year = 2025 AND status = 'on_track' ORDER BY 1, 2",
    )
    assert on_track == [
        ("inter_school_disparity_coefficient", "primary", "on_track"),
        ("senior_secondary_retention_rate", "total", "on_track"),
    ]


def test_preschool_enrolment_targets_across_regions(warehouse: Path) -> None:
    rows = _query(warehouse, "preschool_enrolment_targets.sql")
    got = [
        (r["region_name_zh"], r["indicator_name_raw"], r["year"], r["role"], r["target_text"])
        for r in rows
    ]
    assert got == [
        ("嘉兴市", "学前三年毛入园率（%）", 2022, "milestone", ">99.9"),
        ("嘉兴市", "学前三年毛入园率（%）", 2025, "target", "100"),
        ("海宁市", "学前三年入园率（%）", 2020, "target", ">99"),
        ("海宁市", "学前三年入园率", 2025, "target", ">98"),
        ("越城区", "学前教育毛入园率", 2025, "target", ">100"),
    ]
    haining_13th = rows[2]
    assert haining_13th["latest_value"] == Decimal("96.5")
    assert haining_13th["status"] == "not_achieved"


def test_haining_13th_plan_computed_beside_reported(warehouse: Path) -> None:
    rows = _query(warehouse, "haining_13th_plan_evaluation.sql")
    assert len(rows) == 15  # the 十三五 table's 15 indicator rows (haining txt lines 13-108)
    by_name = {(r["indicator_name_raw"], r["breakdown"]): r for r in rows}
    preschool = by_name[("学前三年入园率（%）", "total")]
    # >99 reported 完成, but the 十四五 table gives 96.5 for 2020 (line 197)
    assert preschool["status_reported"] == "achieved"
    assert preschool["value_2020"] == Decimal("96.5")
    assert preschool["status_computed"] == "not_achieved"
    assert preschool["disagrees"] is True
    inclusive = by_name[("普惠性幼儿园儿童覆盖面（%）", "total")]
    assert inclusive["value_2020"] == Decimal("86.4")
    assert (inclusive["status_computed"], inclusive["status_reported"]) == (
        "not_achieved",
        "not_achieved",
    )
    assert inclusive["disagrees"] is False
    disagreeing = sorted(r["indicator_name_raw"] for r in rows if r["disagrees"])
    assert disagreeing == ["初中毕业生升入高中比例", "学前三年入园率（%）"]  # 98 is not >98
    computed = {}
    for r in rows:
        computed[r["status_computed"]] = computed.get(r["status_computed"], 0) + 1
    # no 2020 value in the 十四五 table: 等级幼儿园, 心理健康C证, and the two 教师赴国外 ratios
    assert computed == {"achieved": 7, "not_achieved": 4, "no_data": 4}


def test_published_figure_converted_and_unaliased_name_kept(warehouse: Path) -> None:
    assert _rows(
        warehouse,
        "SELECT indicator_code, value, unit, unit_as_published FROM marts.fct_indicator_actual "
        "WHERE region_code = '330600' AND year = 2023",
    ) == [("general_budget_education_expenditure", Decimal("1556300"), "万元", "亿元")]
    assert _rows(
        warehouse,
        "SELECT indicator_code, breakdown FROM marts.fct_indicator_actual "
        "WHERE region_code = '330000'",
    ) == [("schools", "higher_education")]
    assert _rows(
        warehouse,
        "SELECT d.is_catalogued, d.indicator_name_zh FROM marts.fct_indicator_actual a "
        "JOIN marts.dim_indicator d USING (indicator_code) WHERE a.source_ref LIKE '%:8'",
    ) == [(False, "公办园儿童覆盖率")]


def test_every_plan_indicator_name_maps_to_the_catalogue(warehouse: Path) -> None:
    assert _rows(
        warehouse,
        "SELECT count(DISTINCT indicator_name_raw), count(DISTINCT indicator_code) "
        "FROM marts.fct_indicator_target t JOIN marts.dim_indicator d USING (indicator_code) "
        "WHERE d.is_catalogued",
    ) == [(80, 57)]  # every raw name in the plans, onto 57 catalogue indicators
    assert _rows(
        warehouse,
        "SELECT count(*) FROM marts.fct_indicator_target t JOIN marts.dim_indicator d "
        "USING (indicator_code) WHERE NOT d.is_catalogued",
    ) == [(0,)]


def test_regions_and_milestones(warehouse: Path) -> None:
    assert _rows(
        warehouse,
        "SELECT region_code, region_name_en, region_level, parent_region_code "
        "FROM marts.dim_region WHERE region_code IN ('330110', '330113', '330481', '330602') "
        "ORDER BY 1",
    ) == [
        ("330110", "Yuhang District", "county", "330100"),
        ("330113", "Linping District", "county", "330100"),
        ("330481", "Haining City", "county", "330400"),
        ("330602", "Yuecheng District", "county", "330600"),
    ]
    # coordinates (cpca, 2020) only where the boundary has not changed since: none for 余杭区
    assert _rows(
        warehouse,
        "SELECT region_code, longitude, latitude FROM marts.dim_region "
        "WHERE region_code IN ('330110', '330481') ORDER BY 1",
    ) == [("330110", None, None), ("330481", Decimal("120.680239"), Decimal("30.511539"))]
    assert _rows(
        warehouse,
        "SELECT region_code, year, milestone_kind, percent_value, meets_standard "
        "FROM marts.fct_milestone WHERE program = '市现代化学校' ORDER BY year, region_code",
    )[0] == ("330603", 2021, "reaches_percent", Decimal("100"), False)
    assert _rows(
        warehouse,
        "SELECT count(*), count(DISTINCT region_code) FROM marts.fct_milestone",
    ) == [(34, 7)]


@pytest.mark.parametrize("fact", ["fct_indicator_target", "fct_indicator_actual"])
def test_a_fact_joins_its_dimensions_using_their_keys(warehouse: Path, fact: str) -> None:
    """An analyst's `join ... using (key)`: every dimension's key has the name the fact gives it
    (issue 22: `breakdown` in the facts, `breakdown_code` in dim_breakdown made it fail)."""
    joined = _rows(warehouse, f"""
        select count(*), count(breakdowns.breakdown_name_zh), count(indicators.unit)
        from marts.{fact} as facts
        inner join marts.dim_breakdown as breakdowns using (breakdown)
        inner join marts.dim_indicator as indicators using (indicator_code)
        inner join marts.dim_region as regions using (region_code)
    """)  # fmt: skip
    (total,) = _rows(warehouse, f"select count(*) from marts.{fact}")
    assert total[0] > 0 and joined[0][0] == total[0] == joined[0][1]


def test_every_foreign_key_of_a_fact_is_named_as_its_dimensions_key() -> None:
    """The marts' relationships (dbt tests in _marts__models.yml) from a fact or mart to a
    dimension: the column has the dimension key's name, so `using (...)` joins them."""
    import yaml

    models = yaml.safe_load((REPO_ROOT / "dbt/models/marts/_marts__models.yml").read_text())
    keys = []
    for model in models["models"]:
        for column in model.get("columns", []):
            for test in column.get("data_tests") or []:
                if isinstance(test, dict) and "relationships" in test:
                    arguments = test["relationships"].get("arguments", test["relationships"])
                    if model["name"].startswith(("fct_", "mart_")):
                        keys.append((model["name"], column["name"], arguments["field"]))
    assert ("fct_indicator_actual", "breakdown", "breakdown") in keys
    assert [k for k in keys if k[1] != k[2]] == []
