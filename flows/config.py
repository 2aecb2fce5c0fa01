"""Paths and settings, built from this file's location; environment variables may override them.

EDUPLAN_RAW_DIR      raw inputs (default: <repo>/raw)
EDUPLAN_WAREHOUSE    the published DuckDB file (default: <repo>/warehouse/warehouse.duckdb)
EDUPLAN_KEEP         how many earlier published warehouses to keep for rollback (default: 7)
EDUPLAN_DBT_DIR      the dbt project, with the seeds that resolve names (default: <repo>/dbt)
EDUPLAN_GX_DIR       Great Expectations run state: validation results and Data Docs (default:
                     gx/ beside the published warehouse). The committed suites stay in
                     expectations/ and are only read; run state lives with the warehouse it
                     describes, so two warehouses built from one checkout keep separate results.
EDUPLAN_DUCKDB_MEMORY_LIMIT  the memory each DuckDB of a night may use (default: 1GB; e.g. 8GB
                     on a bigger machine)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from flows.warehouse.layout import WarehouseLayout

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"  # the committed GX context: suites, definitions


def dbt_project_dir() -> Path:
    """The dbt project the flow builds with (its seeds hold the aliases `eduplan names accept`
    writes), read when called so that a test or a user can point at a copy."""
    return Path(os.environ.get("EDUPLAN_DBT_DIR", DBT_PROJECT_DIR)).resolve()


def _memory_limit(value: str) -> str:
    """A DuckDB memory size such as 1GB or 512MiB; it is written into SQL and a URL, so nothing
    else is accepted (a clear message and exit 1, not a traceback)."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s?[KMGT]i?B", value.strip()):
        raise SystemExit(f"EDUPLAN_DUCKDB_MEMORY_LIMIT={value!r}: expected a size such as 1GB")
    return value.strip()


# The memory each DuckDB connection of a night may use (the loader, dbt, the gates, the
# comparison with the night before): DuckDB spills to disk beyond it, so the whole process tree
# stays under 2 GB at 10 million rows (benchmarks/bench_night.py measures it). dbt reads it as
# EDUPLAN_DUCKDB_MEMORY_LIMIT (dbt/profiles.yml), set by flows/transform.dbt_invocation.
DUCKDB_MEMORY_LIMIT = _memory_limit(os.environ.get("EDUPLAN_DUCKDB_MEMORY_LIMIT", "1GB"))
PREFECT_YAML = REPO_ROOT / "prefect.yaml"


def deployed_schedule(prefect_yaml: Path = PREFECT_YAML) -> tuple[str, str]:
    """The cron and time zone of the nightly-load deployment, as prefect.yaml declares them: the
    one place the schedule is written (`eduplan serve` and nightly_deployment() default to it)."""
    spec = yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))
    [deployment] = [d for d in spec["deployments"] if d["name"] == "nightly-load"]
    [schedule] = deployment["schedules"]
    return str(schedule["cron"]), str(schedule["timezone"])


DEFAULT_CRON, DEFAULT_TIMEZONE = deployed_schedule()  # the nightly schedule of `eduplan serve`


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse: Path
    keep: int = 7
    gx_home: Path | None = None  # EDUPLAN_GX_DIR; None: gx/ beside the warehouse

    @property
    def plans_dir(self) -> Path:
        return self.raw_dir / "plans"

    @property
    def actuals_dir(self) -> Path:
        return self.raw_dir / "actuals"

    @property
    def layout(self) -> WarehouseLayout:
        """Where every file of this warehouse lives (flows/warehouse/layout.py)."""
        return WarehouseLayout(self.warehouse, self.gx_home)

    @property
    def build_dir(self) -> Path:
        return self.layout.build_dir

    @property
    def build_file(self) -> Path:
        return self.layout.build_file

    @property
    def gx_dir(self) -> Path:
        return self.layout.gx_dir


def settings(*, raw_dir: Path | None = None, warehouse: Path | None = None) -> Settings:
    """Settings from arguments, else environment variables, else repo-relative defaults."""
    raw = raw_dir or Path(os.environ.get("EDUPLAN_RAW_DIR", REPO_ROOT / "raw"))
    wh = warehouse or Path(
        os.environ.get("EDUPLAN_WAREHOUSE", REPO_ROOT / "warehouse" / "warehouse.duckdb")
    )
    keep_text = os.environ.get("EDUPLAN_KEEP", "7")
    if not keep_text.strip().isdigit():
        raise SystemExit(f"EDUPLAN_KEEP={keep_text!r}: expected a whole number of nights")
    keep = int(keep_text)
    gx_home = os.environ.get("EDUPLAN_GX_DIR")
    return Settings(
        raw_dir=raw.resolve(),
        warehouse=wh.resolve(),
        keep=keep,
        gx_home=Path(gx_home).resolve() if gx_home else None,
    )
