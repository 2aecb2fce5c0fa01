"""The Prefect flow `nightly-load`: extract -> load -> validate raw -> dbt build -> validate marts
-> publish. The only module that knows about Prefect; every step is a plain module of its own."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.exceptions import MissingContextError
from prefect.runtime import flow_run
from prefect.schedules import Cron, Interval
from prefect.settings import get_current_settings

from flows import interrupt, progress, warm_dbt
from flows.config import DEFAULT_CRON, DEFAULT_TIMEZONE, Settings, settings
from flows.errors import InputFileError
from flows.expected import explain_dbt_warnings, sort_findings
from flows.extract import READERS, ExtractedDocument, extract_document
from flows.extract.keyed import KeyedCellsError
from flows.extract.plan_files import KEYED_SUFFIX, metadata_path, plan_files, plan_stem
from flows.held_back import held_back_groups
from flows.input_files import checked_input, list_inputs
from flows.load.actuals import load_actuals
from flows.load.file_hashes import FileIdentity
from flows.load.plans import PlanSource, load_plans, loadable_plans, one_per_plan, plan_source
from flows.load.raw_parquet import write_raw_parquet
from flows.nothing_new import NightCheck, check_night, taken_early
from flows.progress import Stage
from flows.report.run_outputs import report_night
from flows.report.status import write_record
from flows.spark import (
    BUILD,
    import_marts,
    publish_parquet_marts,
    run_dbt_spark,
    spark_layout_for,
)
from flows.summary import GateRecord, RunRecord, run_markdown
from flows.transform import DbtResult, run_dbt_build, warm_up_build
from flows.unresolved_names import unresolved_names
from flows.validate import (
    GateResult,
    finish_data_docs,
    import_in_background,
    validate_marts,
    validate_raw,
)
from flows.warehouse import early_copy
from flows.warehouse.build_info import build_raw_schema, raw_schema_fingerprint, stamp_build
from flows.warehouse.db import (
    STORAGE_VERSION,
    create_warehouse,
    open_warehouse,
    readable_by_older_readers,
    storage_version,
    table_counts,
)
from flows.warehouse.diskspace import disk_full, remove_build_leftovers
from flows.warehouse.health import lock_holder, quick_problem, warehouse_problem
from flows.warehouse.lock import build_lock
from flows.warehouse.night_inputs import stamp_inputs
from flows.warehouse.publish import publish

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

    from flows.warehouse.publish import Published

T = TypeVar("T")

__all__ = ["RunRecord", "nightly_deployment", "nightly_load"]


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The Prefect run logger inside a run; a plain logger when a task's function runs alone."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("eduplan.nightly")


@task(name="check-inputs")
def check_inputs(config: Settings, *, full_refresh: bool, engine: str) -> NightCheck:
    """Tonight's inputs against those the published warehouse was built from, without reading
    the data (flows/nothing_new.py): nothing new, or why tonight runs in full."""
    check = taken_early(config, full_refresh=full_refresh, engine=engine) or check_night(
        config, full_refresh=full_refresh, engine=engine
    )
    run_logger().info("%s", check.nothing_new or f"a night runs: {check.why}")
    return check


@task(name="extract-plans")
def extract_plans(
    plans_dir: Path,
) -> tuple[list[ExtractedDocument], dict[str, PlanSource], list[str], list[str]]:
    """Every plan document in raw/plans, extracted exactly, and every document that could not be
    (`file:line: what was wrong`, all of them at once): bad input stops the night, not the
    extraction of the other documents. A file whose name cannot be read (not UTF-8) is refused
    by name and the night goes on without it, and so is a hand-keyed `NAME.cells.csv` that
    breaks its contract (like an actuals file); they and any subfolder come back in the fourth
    list (the run summary's warnings)."""
    listing = list_inputs(plans_dir, [*READERS, ".csv"])
    paths, set_aside = plan_files(listing.files, READERS)
    warnings = [f"{plans_dir}/{name}: {why}" for name, why, _ in listing.refused] + listing.notes
    for warning in warnings:
        run_logger().warning("%s", warning)
    if not paths:
        return [], {}, [f"{plans_dir}: no plan documents ({', '.join(READERS)}) found"], warnings
    documents: list[ExtractedDocument] = []
    sources: dict[str, PlanSource] = {}
    errors: list[str] = []
    refused: list[str] = []
    for path in set_aside:
        run_logger().info("%s: not read, %s stands for it", path, plan_stem(path) + KEYED_SUFFIX)
    for path in paths:
        try:
            checked_input(path, plans_dir)
            if metadata_path(path).exists():
                checked_input(metadata_path(path), plans_dir)
            documents.append(extract_document(path))
            sources[path.name] = plan_source(path)  # (a refused file is never read)
        except KeyedCellsError as error:  # refused whole; the other files load
            refused.append(str(error))
            run_logger().error("refused %s", error)
            continue
        except InputFileError as error:  # PlanTableError, or a link out of raw/plans
            errors.append(str(error))
            run_logger().error("cannot read %s", error)
            continue
        except Exception as error:  # a reader choking on a hostile file: still file + what
            errors.append(f"{path}: cannot be read ({type(error).__name__}: {error})")
            run_logger().error("cannot read %s", errors[-1])
            continue
        for warning in documents[-1].warnings:  # read, kept as text, worth a look
            run_logger().warning("%s", warning)
    for rule in (loadable_plans, one_per_plan):  # refused by name, not by the raw gate
        selection = rule(documents, sources)
        documents, sources = selection.documents, selection.sources
        errors += selection.errors
        warnings += selection.warnings
        for message in selection.errors:
            run_logger().error("%s", message)
        for message in selection.warnings:
            run_logger().warning("%s", message)
    run_logger().info(
        "extracted %d document(s): %d value cells, %d milestones; %d unreadable",
        len(documents),
        sum(len(d.cells) for d in documents),
        sum(len(d.milestones) for d in documents),
        len(errors),
    )
    return documents, sources, errors, warnings + refused


@task(name="prepare-build", retries=2, retry_delay_seconds=5)
def prepare_build(
    config: Settings, *, full_refresh: bool = False, intact: bool = False
) -> tuple[Path, str | None]:
    """A fresh build file: a copy of the published warehouse (so incremental raw state carries
    over), or an empty file on the first night, with full_refresh, when the published file was
    built with other raw table definitions or in a storage format DuckDB 1.x readers refuse, or
    when it is corrupted (flows/warehouse/health.py; everything is reloaded from raw/ then). A
    new file is created in flows/warehouse/db.py's STORAGE_VERSION. Returns the build file and
    a warning for the run summary.

    `intact`: the published file is the very one the last night published, unchanged on disk
    since (flows/nothing_new.py): a glance replaces the full read of every row, which the
    weekly full pass still makes."""
    layout = config.layout
    early = early_copy.take(config.warehouse, config.build_file)
    if early is not None:
        early.wait()  # its error (a full disk) is this step's, as a copy made here would be
    layout.build_dir.mkdir(parents=True, exist_ok=True)
    layout.build_wal.unlink(missing_ok=True)
    if early is None or not early.copied:  # (a whole early copy is checked below)
        layout.build_file.unlink(missing_ok=True)
    copied = False
    warning = None
    holder = lock_holder(config.warehouse) if config.warehouse.exists() else None
    if holder is not None and not full_refresh:  # busy, not damaged: never called corruption
        warning = (
            f"{config.warehouse} is held open for writing by {holder}, so it cannot be copied "
            "consistently: tonight builds from raw/ afresh (which loses nothing) and is "
            "published as usual; that process keeps reading its own (old) file until it "
            "reopens it. Readers should open the warehouse read-only"
        )
    elif config.warehouse.exists() and not full_refresh:
        check = quick_problem if intact else warehouse_problem
        problem = check(config.warehouse)
        if problem is not None:
            warning = f"{config.warehouse} is corrupted ({problem}): building from raw/ afresh"
        elif not readable_by_older_readers(version := storage_version(config.warehouse)):
            run_logger().warning(
                "%s is in DuckDB storage format %s, which DuckDB 1.x readers refuse: building "
                "from raw/ afresh in %s", config.warehouse, version, STORAGE_VERSION,
            )  # fmt: skip
        elif build_raw_schema(config.warehouse) == raw_schema_fingerprint():
            if early is not None and early.current():
                how = "made while the run started"
            else:  # none, or the published file changed since it was made
                config.build_file.unlink(missing_ok=True)
                shutil.copyfile(config.warehouse, config.build_file)
                how = "made now"
            copied = True
            run_logger().info("tonight's build starts as a copy of %s (%s)", config.warehouse, how)
        else:
            run_logger().warning(
                "%s has other raw table definitions: building from raw/ afresh", config.warehouse
            )
    else:
        run_logger().info("tonight's build starts empty (%s)", config.build_file)
    if not copied and early is not None:
        early.discard()  # an early copy the checks above did not take
    if not config.build_file.exists():
        create_warehouse(config.build_file)
    if warning:
        run_logger().warning("%s", warning)
    return config.build_file, warning


@task(name="load-raw")
def load_raw(
    build_file: Path,
    documents: list[ExtractedDocument],
    sources: dict[str, PlanSource],
    actuals_dir: Path,
    check: NightCheck | None = None,
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Plans (replaced whole) and actuals (incremental by file hash) into the raw schema;
    returns rows per raw table, the actuals load counts and notes on what was not read. The
    build is stamped with what it is made from (`check`: tonight's inputs and file hashes)."""
    hashes = check.hashes if check is not None else None
    with open_warehouse(build_file) as con:
        load_plans(con, documents, sources)
        result = load_actuals(con, actuals_dir, hashes=hashes)
        stamp_build(con)
        if check is not None:
            stamp_inputs(con, check.parts)
        counts = table_counts(con, "raw")
    logger = run_logger()
    if hashes is not None:
        logger.info("hashed %.1f MB of input files (the others unchanged on disk)",
                    hashes.hashed_bytes / 1e6)  # fmt: skip
        for mismatch in hashes.mismatches:
            logger.warning("%s", mismatch)
    logger.info("actuals: %s", result.as_dict())
    for note in result.notes:
        logger.warning("%s", note)
    logger.info("raw rows: %s", ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    return counts, result.as_dict(), list(result.notes)


@task(name="validate-raw")
def validate_raw_gate(build_file: Path, gx_dir: Path) -> GateResult:
    result = validate_raw(build_file, gx_dir=gx_dir, docs_in_background=True, stand_unchanged=True)
    _log_result(result.passed, result.format())
    return result


@task(name="dbt-build")
def dbt_build_step(build_file: Path, artifacts_dir: Path) -> DbtResult:
    """dbt build: a failed model or test is a gate like the others (no retry: not transient).
    Skipped when its inputs are those the marts were built from (flows/warehouse/build_digest.py).
    """
    result = run_dbt_build(build_file, artifacts_dir=artifacts_dir)
    _log_result(result.success, result.format())
    return result


@task(name="dbt-build-spark")
def dbt_build_spark_step(build_file: Path, config: Settings) -> DbtResult:
    """dbt build on Apache Spark (`eduplan run --engine spark`): the raw tables written as
    Parquet, the same dbt project built by dbt-spark, and Spark's marts copied into the build
    file, where the marts gate checks them as it checks DuckDB's (flows/spark.py)."""
    layout = spark_layout_for(config.warehouse)
    write_raw_parquet(build_file, layout.raw)
    result = run_dbt_spark(BUILD, layout)
    if result.success:
        import_marts(build_file, layout)
    _log_result(result.success, result.format().replace("dbt build", "dbt build (Spark)", 1))
    return result


@task(name="validate-marts")
def validate_marts_gate(
    build_file: Path, gx_dir: Path, *, changed_rows: bool = False
) -> GateResult:
    """The marts gate; `changed_rows` (dbt's tests were no full pass tonight): the big fact's
    row-local rules check the rows tonight's build inserted (expectations/mart_suites.py)."""
    result = validate_marts(
        build_file, gx_dir=gx_dir, changed_rows=changed_rows, docs_in_background=True
    )
    _log_result(result.passed, result.format())
    return result


@task(name="publish", retries=2, retry_delay_seconds=5)
def publish_step(build_file: Path, config: Settings) -> Published:
    """The swap (retried only when it did not happen: flows.warehouse.publish raises only then);
    what failed in the clean-up after it comes back as warnings."""
    published = publish(build_file, config.warehouse, keep=config.keep)
    run_logger().info("published %s (keeping %d earlier nights)", published.warehouse, config.keep)
    for warning in published.warnings:
        run_logger().warning("%s", warning)
    return published


def _log_result(passed: bool, text: str) -> None:
    """A step's verdict in the run's logs: INFO when it passed, ERROR when it did not."""
    run_logger().log(logging.INFO if passed else logging.ERROR, "%s", text)


@task(name="report")
def report_step(record: RunRecord, config: Settings) -> RunRecord:
    """What changed tonight, the HTML report and the run's record beside the warehouse: the
    record with them. A failure here is logged: it cannot take back a night that is already
    published."""
    try:
        return report_night(record, keep=config.keep, raw_dir=config.raw_dir)
    except Exception as error:
        run_logger().exception("the report of %s could not be written", config.warehouse)
        record.report_error = f"{type(error).__name__}: {error}"
        return record


def mart_counts(database: Path) -> dict[str, int]:
    with open_warehouse(database, read_only=True) as con:
        return table_counts(con, "marts")


@flow(name="nightly-load", log_prints=True)
def nightly_load(
    raw_dir: str | None = None,
    warehouse: str | None = None,
    full_refresh: bool = False,
    engine: str = "duckdb",
) -> RunRecord:
    """Build tonight's warehouse beside the published one, audit it, publish it only if clean.
    `engine` spark builds the marts on Apache Spark from the raw tables as Parquet and publishes
    them as Parquet too (README "Beyond one machine")."""
    started = time.perf_counter()
    started_at = datetime.now(UTC).replace(tzinfo=None)
    config = settings(
        raw_dir=Path(raw_dir) if raw_dir else None, warehouse=Path(warehouse) if warehouse else None
    )
    summary = RunRecord(published=False, warehouse=config.warehouse, build_file=config.build_file)
    summary.flow_run_id, summary.flow_run_url = _this_flow_run()
    logger = run_logger()
    interrupt.rearm(config.warehouse)  # `eduplan run`: a signal stops the night at once
    logger.info("raw inputs %s -> warehouse %s", config.raw_dir, config.warehouse)
    with build_lock(config.build_dir):
        try:
            _build_audit_publish(config, summary, full_refresh=full_refresh, engine=engine)
        except Exception as error:
            _stop_if_disk_full(error, config)
            raise
        finally:
            warm_dbt.stop()  # a warm dbt no build took (the night stopped before dbt)
            summary.warnings += _logged_warnings(finish_data_docs())  # the gates' pages
        if not summary.succeeded:  # dbt and the gates report their errors as text
            verdicts = [summary.dbt, *(gate.format() for gate in summary.gates)]
            _stop_if_disk_full(RuntimeError("\n".join(verdicts)), config)
        summary.seconds = time.perf_counter() - started  # the night's record has it
        if summary.nothing_new:  # the published night's report and record stand
            write_record(summary)  # the last run's record only: nothing was published
        else:
            summary = _timed(summary, Stage.REPORT, lambda: report_step(summary, config))
    summary.seconds = time.perf_counter() - started
    logger.log(logging.INFO if summary.succeeded else logging.ERROR, "%s", summary.format())
    built = config.build_file if summary.verdict == "NOT PUBLISHED" else config.warehouse
    try:
        _publish_artifact(run_markdown(summary, database=built, started_at=started_at))
    except Exception as error:  # the night's outcome stands; its artifact is only a view of it
        logger.warning("the run's artifact could not be written: %s: %s",
                       type(error).__name__, error)  # fmt: skip
    return summary


def _logged_warnings(warnings: list[str]) -> list[str]:
    for warning in warnings:
        run_logger().warning("%s", warning)
    return warnings


def _stop_if_disk_full(error: Exception, config: Settings) -> None:
    """A full disk: remove the build leftovers (they filled it) and raise DiskFullError naming
    the path; any other error is left to the caller."""
    full = disk_full(error, default=config.build_dir)
    if full is None:
        return
    removed = remove_build_leftovers(config.layout)
    run_logger().error("%s (removed %s)", full, ", ".join(map(str, removed)) or "nothing")
    raise full from error


def _timed(summary: RunRecord, stage: Stage, step: Callable[[], T]) -> T:
    """Run one stage, recording its wall time in the summary and the run's logs."""
    started = time.perf_counter()
    interrupt.at_stage(stage)
    run_logger().info("%s: started", stage)
    try:
        with progress.stage(stage):  # the live line in a terminal (flows/progress.py)
            return step()
    finally:
        summary.stage_seconds[stage] = time.perf_counter() - started
        run_logger().info("%s: %.1f s", stage, summary.stage_seconds[stage])


def _build_audit_publish(
    config: Settings, summary: RunRecord, *, full_refresh: bool, engine: str = "duckdb"
) -> None:
    logger = run_logger()
    check = _timed(
        summary,
        Stage.CHECK,
        lambda: check_inputs(config, full_refresh=full_refresh, engine=engine),
    )
    summary.inputs = check.parts
    if check.nothing_new:
        _stand(summary, check)
        return
    if engine == "duckdb":  # dbt starts and parses on the other core while the build is made
        warm_up_build(config.build_file, artifacts_dir=config.layout.dbt_artifacts_dir)
    documents, sources, summary.input_errors, refused = _timed(
        summary, Stage.EXTRACT, lambda: extract_plans(config.plans_dir)
    )
    summary.warnings += refused
    if summary.input_errors:
        logger.error("bad plan documents: %s was not published", config.warehouse)
        return
    import_in_background()  # Great Expectations, for the raw gate, while the build is made
    build_file, warning = _timed(
        summary,
        Stage.PREPARE_BUILD,
        lambda: prepare_build(
            config, full_refresh=full_refresh, intact=check.published_intact and not check.full_pass
        ),
    )
    summary.warnings += [warning] if warning else []
    summary.raw_rows, summary.actuals, notes = _timed(
        summary,
        Stage.LOAD,
        lambda: load_raw(build_file, documents, sources, config.actuals_dir, check),
    )
    summary.warnings += notes
    raw_gate = _timed(summary, Stage.RAW_GATE, lambda: validate_raw_gate(build_file, config.gx_dir))
    summary.gates.append(GateRecord.of(raw_gate))
    summary.data_docs = raw_gate.docs_path
    artifacts = config.layout.dbt_artifacts_dir
    build = (
        (lambda: dbt_build_spark_step(build_file, config))
        if engine == "spark"
        else (lambda: dbt_build_step(build_file, artifacts))
    )
    dbt_result = _timed(summary, Stage.DBT_BUILD, build) if raw_gate.passed else None
    summary.dbt = dbt_result.format() if dbt_result else ""
    if dbt_result is not None and dbt_result.success:
        changed_rows = dbt_result.full_tests is False  # (None: not said, check every row)
        marts_gate = _timed(
            summary,
            Stage.MARTS_GATE,
            lambda: validate_marts_gate(build_file, config.gx_dir, changed_rows=changed_rows),
        )
        summary.gates.append(GateRecord.of(marts_gate))
        summary.data_docs = marts_gate.docs_path or summary.data_docs
        summary.mart_rows = mart_counts(build_file)
        findings = sort_findings(
            held_back_groups(build_file), unresolved_names(build_file), config.actuals_dir
        )
        summary.unresolved_names, summary.held_back = findings.unresolved_names, findings.held_back
        summary.expected, summary.warnings = findings.expected, summary.warnings + findings.warnings
        warnings = explain_dbt_warnings(dbt_result.warnings, findings)
        summary.dbt = replace(dbt_result, warnings=warnings).format()
        if marts_gate.passed:
            published = _timed(summary, Stage.PUBLISH, lambda: publish_step(build_file, config))
            summary.published = True
            summary.published_file = _identity(config.warehouse)
            interrupt.at_stage("the clean-up after publication", published=True)
            summary.warnings += list(published.warnings)
            if engine == "spark":
                summary.warnings += _publish_parquet(config)
            _record_publication(summary)
    if not summary.published:
        logger.error("a gate failed: %s was not published", config.warehouse)


def _stand(summary: RunRecord, check: NightCheck) -> None:
    """A night with nothing new: the record says so, and keeps what the published night found
    in the same inputs (rows, names no rule resolves, what was held back or expected)."""
    summary.nothing_new, summary.build_file = check.nothing_new, None
    published = check.published
    if published is not None:
        summary.raw_rows, summary.mart_rows = published.raw_rows, published.mart_rows
        summary.unresolved_names = published.unresolved_names
        summary.held_back, summary.expected = published.held_back, published.expected
    run_logger().info("%s", check.nothing_new)


def _identity(path: Path) -> str:
    """The published file's identity on disk, which the record keeps: a later night knows
    whether the file is still the one published (flows/nothing_new.py)."""
    try:
        return str(FileIdentity.of(path))
    except OSError:
        return ""


def _publish_parquet(config: Settings) -> list[str]:
    """Spark's marts as Parquet in `parquet/marts/` beside the published file; a failure here
    is a warning: the night is published (its DuckDB file holds the same marts)."""

    folder = config.warehouse.parent / "parquet" / "marts"
    try:
        publish_parquet_marts(spark_layout_for(config.warehouse), folder)
    except OSError as error:
        return [f"the marts could not be written as Parquet to {folder} ({error})"]
    run_logger().info("marts published as Parquet in %s", folder)
    return []


def _record_publication(summary: RunRecord) -> None:
    """The record of what is published (`<stem>.published.json`: rows, gates), written right
    after the swap, before the report: if anything after it fails (a full disk), `eduplan
    status` still describes the file that is live. The report step rewrites it whole."""
    try:
        write_record(summary)
    except OSError as error:
        summary.warnings.append(f"published, but its record could not be written ({error})")
        run_logger().warning("%s", summary.warnings[-1])


def _this_flow_run() -> tuple[str | None, str | None]:
    """This flow run's id, and its page in the Prefect UI when a server is configured."""
    run_id = flow_run.get_id()
    ui_url = get_current_settings().ui_url
    if not run_id:
        return None, None
    return run_id, f"{str(ui_url).rstrip('/')}/runs/flow-run/{run_id}" if ui_url else None


def _publish_artifact(markdown: str) -> None:
    """The run's summary as a markdown artifact (key `nightly-load-summary`), also on failure."""
    create_markdown_artifact(
        markdown=markdown,
        key="nightly-load-summary",
        description="What tonight's nightly-load did: files, gates, statuses, timings",
    )


def nightly_deployment(
    *,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    interval_seconds: float | None = None,
) -> RunnerDeployment:
    """`nightly-load` as a deployment: a cron schedule in a time zone (or, for trying it out, an
    interval), one run at a time: a run that comes due while another is running is cancelled,
    not queued behind it (Prefect does so once the run is late, ~15-20 s after it was due)."""
    schedule = (
        Interval(timedelta(seconds=interval_seconds), timezone=timezone)
        if interval_seconds
        else Cron(cron, timezone=timezone)
    )
    return nightly_load.to_deployment(
        name="nightly-load",
        schedule=schedule,
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        description="Nightly load of education plan targets and actuals into DuckDB",
        tags=["eduplan", "nightly"],
    )
