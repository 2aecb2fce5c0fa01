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

from flows import warm_dbt
from flows.config import dbt_project_dir, duckdb_memory_limit, environment
from flows.load.raw_tables import RAW_TABLES
from flows.warehouse.build_digest import (
    built_by_another_project,
    built_digest,
    changed_raw_tables,
    forget_built,
    inputs_digest_of,
    project_digest,
    read_raw_table_digests,
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
    # the raw tables whose changes tonight's build followed (--select source:raw.<table>+),
    # empty when it built every node
    reached_from: tuple[str, ...] = ()
    nodes_in_project: int = 0  # the nodes a build of every node runs (0: not known)
    # the tests that checked only tonight's rows (macros/test_where.sql marks them)
    tonights_rows_tests: tuple[str, ...] = ()

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
        ran = sum(self.counts.values())
        if self.reached_from:
            tables = ", ".join(f"raw.{table}" for table in self.reached_from)
            of = f" of {self.nodes_in_project}" if self.nodes_in_project else ""
            lines.append(
                f"  nodes: {ran}{of}, what tonight's changed raw tables reach ({tables}); the "
                "others' inputs did not change, their tables and tests' results stand"
            )
        elif self.nodes_in_project and self.full_tests is not None:
            lines.append(f"  nodes: all {ran} (every model, seed and test)")
        if self.full_tests is not None:
            every = environment().full_tests_every_days
            lines.append(
                "  tests: full pass (every row)"
                if self.full_tests
                else f"  tests on tonight's rows: {', '.join(self.tonights_rows_tests) or 'none'}"
                "; every other test on every row (macros/test_where.sql; full pass on "
                f"--full-refresh and every {every:g} days)"
            )
        lines += [f"  - {failure}" for failure in self.failures]
        lines += [f"  - warning {warning}" for warning in self.warnings]
        return "\n".join(lines)


# The environment variable that asks dbt for a full pass of the tests (macros/test_where.sql
# full_tests()). Not a --vars: dbt parses the whole project again (~3 s of CPU) whenever its
# command-line vars differ from those its saved parse state was made with, so a full pass set
# by a var would cost the next ordinary night a full parse; an environment variable read only
# when a test runs leaves the parse state alone.
FULL_TESTS_ENV = "EDUPLAN_FULL_TESTS"


def dbt_invocation(
    command: str,
    database: Path,
    *,
    artifacts_dir: Path,
    extra_args: list[str] | None = None,
    full_tests: bool = False,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one dbt command on `database`: the project and
    profile of dbt_project_dir(), artifacts (target/, logs/, and dbt's parse state, kept
    between commands) under `artifacts_dir`; `full_tests`: every test on every row. The one way
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
    return args, {**os.environ, **_dbt_variables(database, full_tests=full_tests)}


def _dbt_variables(database: Path, *, full_tests: bool) -> dict[str, str]:
    """The environment variables eduplan sets for a dbt command on `database`."""
    return {
        "EDUPLAN_BUILD_DB": str(database),
        "EDUPLAN_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        FULL_TESTS_ENV: "true" if full_tests else "false",
    }


def run_dbt(
    command: str,
    database: Path,
    *,
    artifacts_dir: Path,
    extra_args: list[str] | None = None,
    full_tests: bool = False,
    worker: warm_dbt.WarmDbt | None = None,
) -> DbtResult:
    """Run one dbt command (build, docs generate...) with the profile pointed at `database`;
    `worker`: in that warm dbt process, which has parsed the project already
    (flows/warm_dbt.py), rather than in a `dbt` command.

    dbt runs in a child process: dbt-duckdb keeps its connection to the file open in-process,
    which would stop the gates (and publication) from opening the file afterwards.
    """
    args, env = dbt_invocation(
        command, database, artifacts_dir=artifacts_dir, extra_args=extra_args, full_tests=full_tests
    )
    target = artifacts_dir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    started = time.perf_counter()
    if worker is None:
        process = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    else:
        try:
            process = worker.run(args, env)
        except warm_dbt.DbtWorkerError as error:  # a gate like a failed build: never publish
            return DbtResult(False, time.perf_counter() - started, failures=[str(error)])
    return results_of(process, target, time.perf_counter() - started)


def warm_up_build(database: Path, *, artifacts_dir: Path) -> None:
    """Start dbt for tonight's build of `database` now: a process that imports dbt and parses
    the project while the night's earlier stages run (flows/warm_dbt.py); run_dbt_build gives
    it its command. The night stops it if it ends before dbt (warm_dbt.stop)."""
    warm_dbt.start(*dbt_invocation("parse", database, artifacts_dir=artifacts_dir))


def _warm_worker(database: Path, artifacts_dir: Path) -> warm_dbt.WarmDbt | None:
    """The worker warm_up_build started for this build, if it parsed as a `dbt` command would
    parse now (the same project, profile, paths and variables eduplan sets for dbt; the full
    pass's aside: dbt reads it only when a test runs)."""
    args, env = dbt_invocation("parse", database, artifacts_dir=artifacts_dir)
    compared = set(_dbt_variables(database, full_tests=False)) - {FULL_TESTS_ENV}
    return warm_dbt.take(args, env, compared=compared)


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
    tonight = [node["unique_id"] for node in results
               if TONIGHTS_ROWS_MARK in str(node.get("compiled_code") or "")]  # fmt: skip
    nodes, tests_by_model = _manifest_nodes(target, tonight)
    return DbtResult(
        process.returncode == 0,
        seconds,
        counts,
        failures,
        warnings=warnings,
        node_seconds=node_seconds,
        nodes_in_project=nodes,
        tonights_rows_tests=tests_by_model,
    )


_BUILT = frozenset({"model", "seed", "snapshot", "test"})


def _manifest_nodes(target: Path, tests: list[str]) -> tuple[int, tuple[str, ...]]:
    """From the build's target/manifest.json: how many nodes a build of every node runs (its
    models, seeds, snapshots and data tests, and the project's hooks: what `dbt build` without
    a selection reports), and `tests` by the model each tests ("fct_indicator_actual (not_null,
    relationships)")."""
    path = target / "manifest.json"
    if not path.exists():
        return 0, ()
    manifest = json.loads(path.read_text())
    nodes = manifest.get("nodes", {})
    total = sum(1 for node in nodes.values() if node.get("resource_type") in _BUILT)
    total += sum(
        1
        for node in nodes.values()
        if node.get("resource_type") == "operation" and node.get("package_name") == "eduplan"
    )
    by_model: dict[str, set[str]] = {}
    for unique_id in tests:
        node = nodes.get(unique_id) or {"unique_id": unique_id}
        model = str(node.get("attached_node") or "").split(".")[-1] or _node_name(node)
        name = (node.get("test_metadata") or {}).get("name") or _node_name(node)
        by_model.setdefault(model, set()).add(str(name))
    return total, tuple(f"{m} ({', '.join(sorted(n))})" for m, n in sorted(by_model.items()))


BUILD = "build --exclude-resource-type unit_test"  # the nightly build: models, seeds, data tests

# What macros/test_where.sql writes into a test it limits to tonight's rows (a SQL comment):
# how a night's summary names those tests.
TONIGHTS_ROWS_MARK = "eduplan: tonight's rows"


def run_dbt_build(database: Path, *, artifacts_dir: Path) -> DbtResult:
    """`dbt build` of what tonight's changed inputs reach.

    Skipped when the warehouse's marts were built from exactly tonight's inputs (same dbt
    project, same raw contents: flows/warehouse/build_digest.py) and no full pass of the tests
    is due (a skipped full pass would stay due every night after). A passing build records the
    digest of its inputs, whole and by raw table.

    Every node runs when the project changed (every model rebuilt, --full-refresh: a first
    build, new code, a changed seed: seeds are files of the project), when the full pass of the
    tests is due, or when the tables the marts were built from are not recorded. Otherwise only
    the nodes downstream of the raw tables whose contents changed run
    (`--select source:raw.<table>+`, the tests of what they select with them: dbt's eager
    indirect selection takes every test one of whose parents is selected). A node not selected
    reads, through every model between, only raw tables that did not change, and seeds and SQL
    that did not change (the project is the same): a view gives the same rows it gave, a table
    holds what it would be rebuilt to, an incremental model would add and delete nothing
    (its state is a function of the same inputs), and a test's result on the same rows stands.
    It is the argument that lets a night with nothing new skip dbt altogether, table by table;
    the selection never misses a reader of a changed table, since dbt's graph holds every
    ref() and source().

    The models' unit tests are left out: they check the SQL's rules on fixed rows, not
    tonight's data, so they run with the code's tests (tests/transform/test_dbt_marts.py), not
    nightly."""
    worker = _warm_worker(database, artifacts_dir)
    try:
        return _build(database, artifacts_dir, worker)
    finally:
        if worker is not None:  # a skipped build's (a no-op once it ran its command)
            worker.stop()


def _build(database: Path, artifacts_dir: Path, worker: warm_dbt.WarmDbt | None) -> DbtResult:
    """run_dbt_build's build, in `worker` when there is one."""
    started = time.perf_counter()
    project = project_digest()
    tables = read_raw_table_digests(database)
    digest = inputs_digest_of(tables, project)
    full = full_tests_due(database)  # the scheduled full pass runs even on unchanged inputs
    if built_digest(database) == digest and not full:
        return DbtResult(True, time.perf_counter() - started, skipped=True)
    changed = changed_raw_tables(database, tables)
    forget_built(database)
    rebuild = built_by_another_project(database, project)  # new rules: judge every row again
    full = full or rebuild
    reached = () if full else reached_from(changed)
    extra = ["--full-refresh"] if rebuild else []
    extra += ["--select", *(f"source:raw.{table}+" for table in reached)] if reached else []
    result = run_dbt(
        BUILD, database, artifacts_dir=artifacts_dir, extra_args=extra, full_tests=full,
        worker=worker,
    )  # fmt: skip
    if result.success:
        record_built(database, digest, project, tables=tables)
        if full:
            with open_warehouse(database) as con:
                write_stamp(con, FULL_TESTS, "pass", "every row")
    return dataclasses.replace(result, full_tests=full, rebuilt=rebuild, reached_from=reached)


def reached_from(changed: list[str] | None) -> tuple[str, ...]:
    """The raw tables a night's build follows: the changed ones dbt reads (its sources are the
    raw tables of flows/load/raw_tables.py; tests/load/test_raw_tables.py holds them equal).
    Empty (build every node) when what changed is not known, or when no table dbt reads
    changed although the inputs' digest did (a table dbt does not read: building everything
    costs a night, never a wrong mart)."""
    return tuple(table for table in changed or [] if table in RAW_TABLES)


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
