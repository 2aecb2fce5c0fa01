"""The Prefect flow `nightly-load`: extract -> load -> validate raw -> dbt build -> validate marts
-> publish. The only module that knows about Prefect; every step is a plain module of its own."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.exceptions import MissingContextError

from flows.config import DEFAULT_CRON, DEFAULT_TIMEZONE, Settings, settings
from flows.extract import ExtractedDocument, PlanTableError, extract_document
from flows.load.build_info import build_raw_schema, raw_schema_fingerprint, stamp_build
from flows.load.plans import PlanSource, load_plans, plan_source
from flows.load.warehouse import open_warehouse, table_counts
from flows.lock import build_lock
from flows.names import unresolved_names

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

    from flows.transform import DbtResult
    from flows.validate import GateResult


SHOWN_NAMES = 20  # unresolved names printed in the summary; `eduplan names` lists them all


@dataclass
class RunSummary:
    """What a run did: rows per table, gate results, where the warehouse is, how long it took."""

    published: bool
    warehouse: Path
    build_file: Path
    seconds: float = 0.0
    raw_rows: dict[str, int] = field(default_factory=dict)
    mart_rows: dict[str, int] = field(default_factory=dict)
    actuals: dict[str, int] = field(default_factory=dict)
    input_errors: list[str] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    dbt: str = ""
    data_docs: Path | None = None
    unresolved_names: list[str] = field(default_factory=list)

    def format(self) -> str:
        lines = [
            f"eduplan nightly-load: {'PUBLISHED' if self.published else 'NOT PUBLISHED'}",
            f"  warehouse : {self.warehouse}" + ("" if self.published else " (unchanged)"),
        ]
        if not self.published and self.build_file.exists():
            lines.append(f"  build file: {self.build_file} (kept for inspection)")
        if self.input_errors:
            lines.append("  bad input (fix these files; nothing was loaded):")
            lines += [f"    {error}" for error in self.input_errors]
        for title, rows in (("raw", self.raw_rows), ("marts", self.mart_rows)):
            if rows:
                lines.append(f"  {title} rows:")
                lines += [f"    {name:<32} {count:>10,}" for name, count in rows.items()]
        if self.actuals:
            a = self.actuals
            lines.append(
                f"  actuals   : {a.get('files_loaded', 0)} file(s) loaded, "
                f"{a.get('files_skipped', 0)} unchanged, {a.get('files_rejected', 0)} rejected; "
                f"{a.get('rows_landed', 0):,} rows landed (what dbt held back, and why: "
                "marts.mart_actuals_quarantine)"
            )
        if self.dbt:
            lines.append("  " + self.dbt.replace("\n", "\n  "))
        if self.unresolved_names:
            lines.append("  names no rule resolves (`eduplan names`, then `eduplan names accept`):")
            lines += [f"    {name}" for name in self.unresolved_names[:SHOWN_NAMES]]
            if len(self.unresolved_names) > SHOWN_NAMES:
                lines.append(f"    ... and {len(self.unresolved_names) - SHOWN_NAMES} more")
        for gate in self.gates:
            lines.append("  " + gate.format().replace("\n", "\n  "))
        if self.data_docs:
            lines.append(f"  data docs : {self.data_docs.as_uri()}")
        lines.append(f"  took      : {self.seconds:.1f}s")
        return "\n".join(lines)


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The Prefect run logger inside a run; a plain logger when a task's function runs alone."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("eduplan.nightly")


@task(name="extract-plans")
def extract_plans(
    plans_dir: Path,
) -> tuple[list[ExtractedDocument], dict[str, PlanSource], list[str]]:
    """Every plan document in raw/plans, extracted exactly, and every document that could not be
    (`file:line: what was wrong`, all of them at once): bad input stops the night, not the
    extraction of the other documents."""
    paths = sorted(plans_dir.glob("*.txt"))
    if not paths:
        return [], {}, [f"{plans_dir}: no plan documents (*.txt) found"]
    documents: list[ExtractedDocument] = []
    errors: list[str] = []
    for path in paths:
        try:
            documents.append(extract_document(path))
        except PlanTableError as error:
            errors.append(str(error))
    return documents, {p.name: plan_source(p) for p in paths}, errors


@task(name="prepare-build", retries=2, retry_delay_seconds=5)
def prepare_build(config: Settings, *, full_refresh: bool = False) -> Path:
    """A fresh build file: a copy of the published warehouse (so incremental raw state carries
    over), or an empty file on the first night, with full_refresh, or when the published file
    was built with other raw table definitions (everything is reloaded from raw/ then)."""
    config.build_dir.mkdir(parents=True, exist_ok=True)
    for stale in (config.build_file, config.build_file.with_name(config.build_file.name + ".wal")):
        stale.unlink(missing_ok=True)
    if config.warehouse.exists() and not full_refresh:
        if build_raw_schema(config.warehouse) == raw_schema_fingerprint():
            shutil.copyfile(config.warehouse, config.build_file)
        else:
            run_logger().warning(
                "%s has other raw table definitions: building from raw/ afresh", config.warehouse
            )
    return config.build_file


@task(name="load-raw")
def load_raw(
    build_file: Path,
    documents: list[ExtractedDocument],
    sources: dict[str, PlanSource],
    actuals_dir: Path,
) -> tuple[dict[str, int], dict[str, int]]:
    """Plans (replaced whole) and actuals (incremental by file hash) into the raw schema;
    returns rows per raw table and the actuals load counts."""
    from flows.load.actuals import load_actuals

    with open_warehouse(build_file) as con:
        load_plans(con, documents, sources)
        result = load_actuals(con, actuals_dir)
        stamp_build(con)
        run_logger().info("actuals: %s", result.as_dict())
        return table_counts(con, "raw"), result.as_dict()


@task(name="validate-raw")
def validate_raw_gate(build_file: Path) -> GateResult:
    from flows.validate import validate_raw

    return validate_raw(build_file)


@task(name="dbt-build")
def dbt_build_step(build_file: Path, artifacts_dir: Path) -> DbtResult:
    """dbt build: a failed model or test is a gate like the others (no retry: not transient)."""
    from flows.transform import run_dbt

    return run_dbt("build", build_file, artifacts_dir=artifacts_dir)


@task(name="validate-marts")
def validate_marts_gate(build_file: Path) -> GateResult:
    from flows.validate import validate_marts

    return validate_marts(build_file)


@task(name="publish", retries=2, retry_delay_seconds=5)
def publish_step(build_file: Path, config: Settings) -> Path:
    from flows.publish import publish

    return publish(build_file, config.warehouse, keep=config.keep)


def mart_counts(database: Path) -> dict[str, int]:
    with open_warehouse(database, read_only=True) as con:
        return table_counts(con, "marts")


@flow(name="nightly-load", log_prints=True)
def nightly_load(
    raw_dir: str | None = None, warehouse: str | None = None, full_refresh: bool = False
) -> RunSummary:
    """Build tonight's warehouse beside the published one, audit it, publish it only if clean."""
    started = time.perf_counter()
    config = settings(
        raw_dir=Path(raw_dir) if raw_dir else None, warehouse=Path(warehouse) if warehouse else None
    )
    with build_lock(config.build_dir):
        summary = _build_audit_publish(config, full_refresh=full_refresh)
    summary.seconds = time.perf_counter() - started
    return summary


def _build_audit_publish(config: Settings, *, full_refresh: bool) -> RunSummary:
    logger = run_logger()
    summary = RunSummary(published=False, warehouse=config.warehouse, build_file=config.build_file)
    documents, sources, summary.input_errors = extract_plans(config.plans_dir)
    if summary.input_errors:
        logger.error("bad plan documents: %s was not published", config.warehouse)
        return summary
    build_file = prepare_build(config, full_refresh=full_refresh)
    summary.raw_rows, summary.actuals = load_raw(build_file, documents, sources, config.actuals_dir)
    raw_gate = validate_raw_gate(build_file)
    summary.gates.append(raw_gate)
    summary.data_docs = raw_gate.docs_path
    dbt_result = dbt_build_step(build_file, config.build_dir / "dbt") if raw_gate.passed else None
    summary.dbt = dbt_result.format() if dbt_result else ""
    if dbt_result is not None and dbt_result.success:
        marts_gate = validate_marts_gate(build_file)
        summary.gates.append(marts_gate)
        summary.data_docs = marts_gate.docs_path or summary.data_docs
        summary.mart_rows = mart_counts(build_file)
        summary.unresolved_names = [name.format() for name in unresolved_names(build_file)]
        if marts_gate.passed:
            publish_step(build_file, config)
            summary.published = True
    if not summary.published:
        logger.error("a gate failed: %s was not published", config.warehouse)
    return summary


def nightly_deployment(
    *, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE
) -> RunnerDeployment:
    """`nightly-load` as a deployment: a cron schedule in a time zone, one run at a time (a run
    that comes due while another is running is cancelled, not queued behind it)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    return nightly_load.to_deployment(
        name="nightly-load",
        schedule=Cron(cron, timezone=timezone),
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        description="Nightly load of education plan targets and actuals into DuckDB",
        tags=["eduplan", "nightly"],
    )


def serve(*, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE) -> None:
    """Serve `nightly-load` on its schedule from this process; blocks until interrupted."""
    from prefect import serve as serve_deployments

    serve_deployments(nightly_deployment(cron=cron, timezone=timezone), limit=1)
