"""dbt on Apache Spark: the same project built by dbt-spark (target `spark`, dbt/profiles.yml)
from the raw tables written as Parquet (flows/load/raw_parquet.py).

The Spark stack (pyspark, dbt-spark[session], Java 17) lives in its own virtualenv, .venv-spark
(`make spark`), so that `make run` and `make test` never install it; dbt runs there in a child
process, as it does on DuckDB (flows/transform.py). Everything Spark writes (the Hive catalog,
the tables' Parquet files, Derby's log) is under one folder, the `SparkLayout`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from flows.config import dbt_project_dir
from flows.load.raw_parquet import spark_tables
from flows.transform import DbtResult, results_of
from flows.warehouse.db import open_warehouse, sql_identifier, sql_literal

REPO_ROOT = Path(__file__).resolve().parents[1]
SPARK_VENV = REPO_ROOT / ".venv-spark"
# the nightly build on Spark: as on DuckDB (flows/transform.BUILD), unit tests aside
BUILD = "build --exclude-resource-type unit_test"


class SparkNotInstalled(RuntimeError):
    """The Spark stack is missing: `make spark` installs it."""


@dataclass(frozen=True)
class SparkLayout:
    """The files of a Spark build under `root`: the raw Parquet dbt reads, the catalog and
    table files Spark writes, dbt's artifacts."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def tables(self) -> Path:  # spark.sql.warehouse.dir: <schema>.db/<table>/ per table
        return self.root / "tables"

    @property
    def artifacts(self) -> Path:
        return self.root / "dbt"

    def table_dir(self, schema: str, table: str) -> Path:
        return self.tables / f"{schema}.db" / table


def spark_dbt() -> Path:
    """The dbt of .venv-spark; SparkNotInstalled when `make spark` has not run."""
    dbt = SPARK_VENV / "bin" / "dbt"
    if not dbt.exists() or shutil.which("java") is None:
        raise SparkNotInstalled(
            f"the Spark stack is not installed ({dbt} and java): run `make spark` "
            "(pyspark, dbt-spark[session] in .venv-spark; Java 17 from apt)"
        )
    return dbt


def dbt_spark_invocation(
    command: str, layout: SparkLayout, *, extra_args: list[str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt command on Spark: target `spark`, the raw
    tables declared over layout.raw (var raw_tables), Spark's files under layout.root."""
    project = str(dbt_project_dir())
    layout.artifacts.mkdir(parents=True, exist_ok=True)
    args = [
        str(spark_dbt()),
        *command.split(),
        "--target",
        "spark",
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(layout.artifacts / "target"),
        "--log-path",
        str(layout.artifacts / "logs"),
        "--vars",
        json.dumps({"raw_tables": spark_tables(layout.raw)}),
        "--quiet",
        *(extra_args or []),
    ]
    env = {
        **os.environ,
        "EDUPLAN_SPARK_DIR": str(layout.root.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYSPARK_PYTHON": str(SPARK_VENV / "bin" / "python"),
    }
    return args, env


def run_dbt_spark(
    command: str, layout: SparkLayout, *, extra_args: list[str] | None = None
) -> DbtResult:
    """Run one dbt command on Spark in a child process (cwd: layout.root, where Spark and
    Derby leave their scratch files) and read its results as on DuckDB."""
    args, env = dbt_spark_invocation(command, layout, extra_args=extra_args)
    target = layout.artifacts / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.run(
        args, env=env, cwd=layout.root, capture_output=True, text=True, check=False
    )
    return results_of(process, target, time.perf_counter() - started)


def spark_layout_for(warehouse: Path) -> SparkLayout:
    """Where Spark keeps a warehouse's build: `spark/` beside the published file (its catalog
    and tables persist from night to night, so incremental models stay incremental)."""
    return SparkLayout(warehouse.parent / "spark")


def marts_dirs(layout: SparkLayout, schema: str = "marts") -> dict[str, Path]:
    """Spark's tables of `schema`: name -> folder of Parquet files."""
    folder = layout.tables / f"{schema}.db"
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_dir()} if folder.is_dir() else {}


def import_marts(database: Path, layout: SparkLayout, schema: str = "marts") -> dict[str, int]:
    """Replace the marts of the DuckDB build file by the tables Spark built (read from their
    Parquet), so that the marts gate, the report and publication see Spark's output; returns
    rows per table."""
    counts = {}
    with open_warehouse(database) as con:
        con.execute(f"create schema if not exists {sql_identifier(schema)}")
        for table, folder in marts_dirs(layout, schema).items():
            relation = sql_identifier(schema, table)
            parquet = sql_literal(folder.as_posix() + "/**/*.parquet")
            con.execute(
                f"create or replace table {relation} as select * from read_parquet({parquet})"
            )
            counts[table] = con.execute(f"select count(*) from {relation}").fetchall()[0][0]
    return counts


def publish_parquet_marts(layout: SparkLayout, folder: Path, schema: str = "marts") -> Path:
    """Copy Spark's marts, as Parquet, to `folder/<table>/` (a warehouse folder any engine
    reads: DuckDB `read_parquet('<folder>/<table>/*.parquet')`, Spark or Trino as external
    tables). Written beside, then swapped in by renames: a reader sees last night's folder or
    tonight's, never half of one."""
    staging = folder.with_name(folder.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for table, source in marts_dirs(layout, schema).items():
        shutil.copytree(source, staging / table, ignore=shutil.ignore_patterns(".*", "_*"))
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder
