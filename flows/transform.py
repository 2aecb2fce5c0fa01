"""Run `dbt build` (dbt-duckdb) against a warehouse file being built. dbt is imported here only."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.config import DBT_PROJECT_DIR


class DbtBuildError(RuntimeError):
    """dbt build failed: a model did not build or a test failed."""


@dataclass(frozen=True)
class DbtResult:
    success: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)  # status -> nodes (success, pass, error, fail...)
    failures: list[str] = field(default_factory=list)  # "node: message" for every failed node

    def format(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        lines = [f"dbt build: {'passed' if self.success else 'FAILED'} ({counts}) in {self.seconds:.1f}s"]
        lines += [f"  - {failure}" for failure in self.failures]
        return "\n".join(lines)


def run_dbt(
    command: str, database: Path, *, artifacts_dir: Path, extra_args: list[str] | None = None
) -> DbtResult:
    """Run one dbt command (build, docs generate...) with the profile pointed at `database`."""
    from dbt.cli.main import dbtRunner  # slow import (~3 s): only when dbt really runs

    os.environ["EDUPLAN_BUILD_DB"] = str(database)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    args = [
        *command.split(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(artifacts_dir / "target"),
        "--log-path",
        str(artifacts_dir / "logs"),
        "--quiet",
        *(extra_args or []),
    ]
    started = time.perf_counter()
    outcome = dbtRunner().invoke(args)
    seconds = time.perf_counter() - started
    counts: dict[str, int] = {}
    failures: list[str] = []
    results = getattr(outcome.result, "results", None) or []
    for node_result in results:
        status = str(getattr(node_result.status, "value", node_result.status))
        counts[status] = counts.get(status, 0) + 1
        if status in {"error", "fail", "runtime error"}:
            failures.append(f"{node_result.node.unique_id}: {(node_result.message or '').strip()}")
    if outcome.exception is not None:
        failures.append(f"dbt: {outcome.exception}")
    return DbtResult(outcome.success, seconds, counts, failures)


def dbt_build(database: Path, *, artifacts_dir: Path) -> DbtResult:
    """`dbt build` (seeds, models, tests, unit tests) into `database`; raises DbtBuildError."""
    result = run_dbt("build", database, artifacts_dir=artifacts_dir)
    if not result.success:
        raise DbtBuildError(result.format())
    return result
