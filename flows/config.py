"""Paths and settings, built from this file's location; environment variables may override them.

Every `EDUPLAN_*` variable a user may set is a field of `Environment`, read and checked here and
nowhere else (the README lists them): a bad value stops the command with exit 1 and a message
naming the variable. The variables eduplan sets itself for its children (EDUPLAN_BUILD_DB and
EDUPLAN_DUCKDB_MEMORY_LIMIT for dbt, EDUPLAN_GX_URL/EDUPLAN_GX_STATE for GX, EDUPLAN_HOME for a
deployment) are written by the modules that start those children.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.warehouse.layout import WarehouseLayout

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"  # the committed GX context: suites, definitions
ENV_PREFIX = "EDUPLAN_"


class Environment(BaseSettings):
    """The `EDUPLAN_*` environment variables, typed and checked (field `raw_dir` is
    EDUPLAN_RAW_DIR, and so on). Read afresh by `environment()` on every call, so a test's
    monkeypatch.setenv is seen by the next call."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore")

    raw_dir: Path = Field(REPO_ROOT / "raw", description="raw inputs (plans/, actuals/)")
    warehouse: Path = Field(
        REPO_ROOT / "warehouse" / "warehouse.duckdb", description="the published DuckDB file"
    )
    keep: int = Field(7, ge=0, description="earlier published warehouses kept for rollback")
    gx_dir: Path | None = Field(
        None,
        description="Great Expectations run state (validation results, Data Docs); None: gx/ "
        "beside the published warehouse. The committed suites in expectations/ are only read.",
    )
    dbt_dir: Path = Field(
        DBT_PROJECT_DIR, description="the dbt project, with the seeds that resolve names"
    )
    duckdb_memory_limit: str = Field(
        "1GB", description="the memory each DuckDB of a night may use (e.g. 8GB)"
    )
    vocabulary: Path | None = Field(
        None, description="the extractor's header words (None: flows/extract/vocabulary.toml)"
    )
    full_tests_every_days: float = Field(
        7,
        ge=0,
        description="days between full passes of the dbt tests (every row); the nights between "
        "test the rows they changed (0: every night is a full pass)",
    )
    zombie_after_seconds: float | None = Field(
        None, gt=0, description="seconds without a heartbeat before a run is marked Crashed"
    )

    @field_validator("keep", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().isdigit():
            raise ValueError("expected a whole number of nights")
        return value

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        """Written into SQL and a URL, so only a size such as 1GB or 512MiB is accepted."""
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s?[KMGT]i?B", value.strip()):
            raise ValueError("expected a size such as 1GB")
        return value.strip()


def environment() -> Environment:
    """The `EDUPLAN_*` variables as they are now; a bad one exits 1 naming it (no traceback)."""
    try:
        return Environment()
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            name = ENV_PREFIX + str(problem["loc"][0]).upper()
            message = str(problem["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}={problem['input']!r}: {message}")
        raise SystemExit("\n".join(problems)) from None


def dbt_project_dir() -> Path:
    """The dbt project the flow builds with (its seeds hold the aliases `eduplan names accept`
    writes), read when called so that a test or a user can point at a copy."""
    return environment().dbt_dir.resolve()


def duckdb_memory_limit() -> str:
    """The memory each DuckDB connection of a night may use (the loader, dbt, the gates, the
    comparison with the night before): DuckDB spills to disk beyond it, so the whole process tree
    stays under 2 GB at 10 million rows (benchmarks/bench_night.py measures it). dbt reads it as
    EDUPLAN_DUCKDB_MEMORY_LIMIT (dbt/profiles.yml), set by flows/transform.dbt_invocation."""
    return environment().duckdb_memory_limit


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
    env = environment()
    return Settings(
        raw_dir=(raw_dir or env.raw_dir).resolve(),
        warehouse=(warehouse or env.warehouse).resolve(),
        keep=env.keep,
        gx_home=env.gx_dir.resolve() if env.gx_dir else None,
    )
