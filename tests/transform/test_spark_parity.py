"""One dbt project, two engines: the marts built on Apache Spark (local[2], 1 GB driver; dbt-spark)
equal DuckDB's, row for row, from the same raw data.

The raw data is the repo's plans and published actuals plus a harder folder of actuals: every
quarantine reason, duplicates within and across files, unit conversions, region spellings, a
synthetic file, a rejected file (tests/transform/test_actuals_checked.py owns those rows) and a file
whose name needs escaping in a partition folder. The repo's plan excerpts state no target in prose,
so one of them gets four prose paragraphs (PROSE: one restating a table target, one behind a scope
word, two that resolve to no indicator) and an actual for the first, so the commitment marts are
compared with rows in them (a handful: the parity of their rules, not of volume). It is loaded once
into DuckDB and written as Parquet (flows/load/raw_parquet.py); DuckDB builds from its file, Spark
from the Parquet (external tables), and every mart is compared (flows/marts_parity.py, doubles to 9
places).

Needs the Spark stack (`make spark`); `make test-spark` runs it (CI, after `make test-long`).
Without .venv-spark it fails (SparkNotInstalled), it never skips.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.extract import extract_document
from flows.load.actuals import load_actuals
from flows.load.plans import load_plans, plan_source
from flows.load.raw_parquet import write_raw_parquet
from flows.marts_parity import MartParity, compare_marts
from flows.spark import SparkLayout, run_dbt_spark
from flows.transform import BUILD, DbtResult, run_dbt
from flows.warehouse.db import open_warehouse
from tests.conftest import PLANS_DIR, REPO_ROOT
from tests.transform.test_actuals_checked import FILES, HEADER, SOURCE, SYNTHETIC

pytestmark = pytest.mark.spark

# region spellings and an unresolved indicator name, in a file whose name Hive-style partition
# folders must escape (a space, CJK, a percent sign)
ESCAPED_NAME = "海宁 2023 100%.csv"
# targets stated in prose, added to one plan excerpt: its table's 普惠性幼儿园在园儿童覆盖面 target
# again (linked, with a status from the actual below), a target behind a scope word (全区), and two
# subjects no indicator has
PROSE_PLAN = "yuecheng-2021-2025"
PROSE = [
    "到2025年，普惠性幼儿园在园儿童覆盖面达到96.5%以上。",
    "全区义务教育巩固率保持在99.9%以上。",
    "到2025年，新建二十所公办幼儿园。",
    "优秀年轻干部数量不少于三分之一。",
]
PROSE_ACTUALS = [f"越城区,普惠性幼儿园在园儿童覆盖面,,2023,97.0,%,{SOURCE}"]
ESCAPED_ROWS = [
    f"海宁,普惠性幼儿园覆盖率,,2023,91.5,%,{SOURCE}",
    f"浙江省嘉兴市海宁市,普通高中在校生,,2023,1.2,万人,{SOURCE}",
    f"海宁市,学前三年到高中段十五年教育普及率,,2023,99.2,%,{SOURCE}",
    f"Haining,学校数,,2023,120,所,{SOURCE}",
]
# every reason a row or file can be held back for (docs/actuals_contract.md)
REASONS = {
    "malformed_row",
    "missing_value",
    "unknown_region",
    "year_is_range",
    "year_not_a_year",
    "value_not_a_number",
    "unit_not_convertible",
    "value_out_of_range",
    "invalid_source_kind",
    "duplicate_disagrees",
    "duplicate_row",
    "encoding_gbk",
}


def _plans(root: Path) -> list[Path]:
    """The repo's plan excerpts, PROSE_PLAN with the PROSE paragraphs after its last line (its
    excerpt map dropped: its lines are its own)."""
    root.mkdir(parents=True)
    for path in PLANS_DIR.glob("*.t*"):
        shutil.copy(path, root)
    text = root / f"{PROSE_PLAN}.txt"
    text.write_text(
        text.read_text(encoding="utf-8") + "\n" + "\n\n".join(PROSE) + "\n", encoding="utf-8"
    )
    facts = root / f"{PROSE_PLAN}.toml"
    facts.write_text(facts.read_text(encoding="utf-8").split("excerpt = [", 1)[0], encoding="utf-8")
    return sorted(root.glob("*.txt"))


def _raw(root: Path) -> Path:
    actuals = root / "actuals"
    actuals.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "raw" / "actuals" / "published_actuals.csv", actuals)
    files = {**FILES, ESCAPED_NAME: ESCAPED_ROWS, "prose_figures.csv": PROSE_ACTUALS}
    for name, lines in files.items():
        (actuals / name).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    (actuals / "synthetic_x.csv").write_text(
        "\n".join([HEADER + ",source_kind", *SYNTHETIC]) + "\n", encoding="utf-8"
    )
    (actuals / "gbk.csv").write_bytes(f"{HEADER}\n{FILES['rows.csv'][0]}\n".encode("gbk"))
    return actuals


@pytest.fixture(scope="module")
def builds(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, SparkLayout, DbtResult, DbtResult]:
    """(DuckDB warehouse, Spark layout, DuckDB's build, Spark's build) from the same raw data."""
    root = tmp_path_factory.mktemp("parity")
    database = root / "warehouse.duckdb"
    paths = _plans(root / "plans")
    with open_warehouse(database) as con:
        load_plans(
            con, [extract_document(p) for p in paths], {p.name: plan_source(p) for p in paths}
        )
        load_actuals(con, _raw(root / "raw"))
    layout = SparkLayout(root / "spark")
    write_raw_parquet(database, layout.raw)
    duck = run_dbt(BUILD, database, artifacts_dir=root / "dbt")
    spark = run_dbt_spark("build", layout)  # unit tests too: the SQL's rules hold on Spark
    return database, layout, duck, spark


def test_the_project_builds_and_passes_its_tests_on_both_engines(
    builds: tuple[Path, SparkLayout, DbtResult, DbtResult],
) -> None:
    _, _, duck, spark = builds
    assert duck.success, duck.format()
    assert spark.success, spark.format()
    models = {n for n in spark.node_seconds if n.startswith(("stg_", "int_", "dim_", "fct_"))}
    assert len(models | {n for n in spark.node_seconds if n.startswith("mart_")}) >= 28
    # the same data tests pass and warn on both (Spark also ran the unit tests)
    assert [w.split(":")[0] for w in spark.warnings] == [w.split(":")[0] for w in duck.warnings]


def test_the_harder_data_reaches_every_quarantine_reason(
    builds: tuple[Path, SparkLayout, DbtResult, DbtResult],
) -> None:
    database, *_ = builds
    with duckdb.connect(str(database), read_only=True) as con:
        reasons = {
            r for (r,) in con.execute("select reason from marts.mart_actuals_quarantine").fetchall()
        }
        escaped = con.execute(
            "select count(*) from marts.fct_indicator_actual where source_ref like ?",
            [ESCAPED_NAME + ":%"],
        ).fetchall()[0][0]
        commitments = con.execute(
            "select is_resolved, status from marts.mart_commitment_progress order by source_line"
        ).fetchall()
    assert REASONS <= reasons, REASONS - reasons
    assert escaped == 2  # its lines 3 and 4 (2 and 5: unknown regions); Spark's equal below
    # every prose paragraph landed; the restated target took a status; the one behind a scope word
    # resolves, two resolve to nothing
    assert len(commitments) == len(PROSE), commitments
    assert commitments[0] == (True, "achieved"), commitments
    assert [resolved for resolved, _ in commitments] == [True, True, False, False], commitments


def test_every_mart_built_on_spark_equals_duckdbs(
    builds: tuple[Path, SparkLayout, DbtResult, DbtResult],
) -> None:
    database, layout, duck, spark = builds
    assert duck.success and spark.success
    parity: list[MartParity] = compare_marts(database, layout)
    report = "\n".join(p.format() for p in parity)
    print(report)  # noqa: T201 - the table is the test's record (`make test-spark` shows it)
    assert len(parity) >= 11, report
    assert all(p.equal for p in parity), report
    assert sum(p.rows for p in parity) > 3500, report
    assert {p.table for p in parity if p.rows == 0} == set(), report
