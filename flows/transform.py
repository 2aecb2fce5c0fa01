"""Run dbt (dbt-duckdb) against a warehouse file being built, in a child process: the one way dbt
is invoked, by the flow and by the tests."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flows.config import dbt_project_dir, duckdb_memory_limit, environment
from flows.warehouse.build_digest import (
    built_by_another_project,
    built_digest,
    forget_built,
    inputs_digest,
    project_digest,
    record_built,
)
from flows.warehouse.db import open_warehouse, read_stamp, write_stamp


@dataclass(frozen=True)
class DbtResult:
    success: bool
    seconds: float
    counts: dict[str, int] = field(
        default_factory=dict
    )  # status -> nodes (success, pass, error, fail...)
    failures: list[str] = field(default_factory=list)  # "node: message" for every failed node
    warnings: list[str] = field(default_factory=list)  # "node: message" for every warning
    skipped: bool = False  # nothing changed since the warehouse's marts were built
    node_seconds: dict[str, float] = field(default_factory=dict)  # node name -> execution time
    # which tests ran: True every row (a full pass), False the fact's rows changed tonight plus
    # the whole-table checks (macros/test_where.sql), None not said (a bare dbt command)
    full_tests: bool | None = None
    # every model rebuilt from scratch (--full-refresh): the warehouse's were built by another
    # dbt project (a first build, or the code changed since)
    rebuilt: bool = False

    def slowest(self, top: int = 8) -> list[tuple[str, float]]:
        """The nodes that took longest: what dominates the build."""
        return sorted(self.node_seconds.items(), key=lambda item: item[1], reverse=True)[:top]

    def format(self) -> str:
        if self.skipped:
            return (
                f"dbt build: skipped, its inputs are those the marts were built from "
                f"(flows/warehouse/build_digest.py) ({self.seconds:.1f}s)"
            )
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        lines = [
            f"dbt build: {'passed' if self.success else 'FAILED'} ({counts}) in {self.seconds:.1f}s"
        ]
        if self.rebuilt:
            lines.append(
                "  models: every one rebuilt from scratch (--full-refresh), the warehouse's were "
                "built by another dbt project (a first build, or the code changed since)"
            )
        if self.full_tests is not None:
            lines.append(
                "  tests: full pass (every row)"
                if self.full_tests
                else "  tests: fct_indicator_actual's rows changed tonight, every other test on "
                "every row (full pass on --full-refresh and every "
                f"{environment().full_tests_every_days:g} days)"
            )
        lines += [f"  - {failure}" for failure in self.failures]
        lines += [f"  - warning {warning}" for warning in self.warnings]
        return "\n".join(lines)


def dbt_invocation(
    command: str, database: Path, *, artifacts_dir: Path, extra_args: list[str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt command on `database`: the project and
    profile of dbt_project_dir(), artifacts (target/, logs/) under `artifacts_dir`. The one way
    dbt is invoked, by the flow, the tests and the benchmarks."""
    project = str(dbt_project_dir())
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(Path(sys.executable).with_name("dbt")),
        *command.split(),
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(artifacts_dir / "target"),
        "--log-path",
        str(artifacts_dir / "logs"),
        "--quiet",
        *(extra_args or []),
    ]
    env = {
        **os.environ,
        "EDUPLAN_BUILD_DB": str(database),
        "EDUPLAN_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return args, env


def run_dbt(
    command: str, database: Path, *, artifacts_dir: Path, extra_args: list[str] | None = None
) -> DbtResult:
    """Run one dbt command (build, docs generate...) with the profile pointed at `database`.

    dbt runs in a child process: dbt-duckdb keeps its connection to the file open in-process,
    which would stop the gates (and publication) from opening the file afterwards.
    """
    args, env = dbt_invocation(
        command, database, artifacts_dir=artifacts_dir, extra_args=extra_args
    )
    target = artifacts_dir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    return results_of(process, target, time.perf_counter() - started)


def results_of(
    process: subprocess.CompletedProcess[str], target: Path, seconds: float
) -> DbtResult:
    """A finished dbt command's outcome, from its exit code and its target/run_results.json
    (on any engine: flows/spark.py reads Spark's builds with it)."""
    counts: dict[str, int] = {}
    failures: list[str] = []
    warnings: list[str] = []
    node_seconds: dict[str, float] = {}
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    for node in results:
        status = str(node["status"])
        counts[status] = counts.get(status, 0) + 1
        node_seconds[str(node["unique_id"]).split(".", 2)[-1]] = float(node["execution_time"])
        if status in {"error", "fail", "runtime error"}:
            failures.append(f"{node['unique_id']}: {(node.get('message') or '').strip()}")
        elif status == "warn":  # a test of severity warn: say which, and what it found
            warnings.append(f"{_node_name(node)}: {_warning_meaning(node)}")
    if process.returncode != 0 and not failures:
        output = (process.stdout + process.stderr).strip()
        failures.append(f"dbt exited {process.returncode}: {output[-2000:]}")
    return DbtResult(
        process.returncode == 0,
        seconds,
        counts,
        failures,
        warnings=warnings,
        node_seconds=node_seconds,
    )


BUILD = "build --exclude-resource-type unit_test"  # the nightly build: models, seeds, data tests


def run_dbt_build(database: Path, *, artifacts_dir: Path) -> DbtResult:
    """`dbt build`, unless the warehouse's marts were built from exactly tonight's inputs (same
    dbt project, same raw contents: flows/warehouse/build_digest.py), when it would rebuild every
    model from the same inputs, and no full pass of the tests is due (a skipped full pass would
    stay due every night after). A passing build records the digest of its inputs.

    The models' unit tests are left out: they check the SQL's rules on fixed rows, not
    tonight's data, so they run with the code's tests (tests/transform/test_dbt_marts.py), not
    nightly."""
    started = time.perf_counter()
    project = project_digest()
    digest = inputs_digest(database, project)
    full = full_tests_due(database)  # the scheduled full pass runs even on unchanged inputs
    if built_digest(database) == digest and not full:
        return DbtResult(True, time.perf_counter() - started, skipped=True)
    forget_built(database)
    rebuild = built_by_another_project(database, project)  # new rules: judge every row again
    full = full or rebuild
    extra = ["--full-refresh"] if rebuild else []
    extra += ["--vars", "{full_tests: true}"] if full else []
    result = run_dbt(BUILD, database, artifacts_dir=artifacts_dir, extra_args=extra)
    if result.success:
        record_built(database, digest, project)
        if full:
            with open_warehouse(database) as con:
                write_stamp(con, FULL_TESTS, "pass", "every row")
    return dataclasses.replace(result, full_tests=full, rebuilt=rebuild)


FULL_TESTS = "dbt_full_tests"  # eduplan.<this>: when the tests last checked every row


def full_tests_due(database: Path, now: datetime | None = None) -> bool:
    """Whether tonight's build tests every row: never done in this warehouse (a first night, a
    --full-refresh: a new file), or the last full pass is `full_tests_every_days` old."""
    last = read_stamp(database, FULL_TESTS, "built_at")
    if last is None:
        return True
    every = timedelta(days=environment().full_tests_every_days)
    return (now or datetime.now()) - datetime.fromisoformat(last) >= every


def _node_name(node: dict[str, object]) -> str:
    """`assert_x` of `test.eduplan.assert_x`."""
    return str(node["unique_id"]).split(".")[-1]


def _warning_meaning(node: dict[str, object]) -> str:
    """What a warning-severity test found (dbt's message) and what it means: the leading
    comment of its SQL file in dbt/tests/, which owns that meaning."""
    found = str(node.get("message") or "").strip()
    source = dbt_project_dir() / "tests" / f"{_node_name(node)}.sql"
    comment = []
    if source.exists():
        for line in source.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--"):
                break
            comment.append(line.removeprefix("--").strip())
    meaning = " ".join(comment)
    return f"{found}: {meaning}" if meaning else found or "a warning"
