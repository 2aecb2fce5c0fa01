"""`eduplan`: the command line. flows/cli/ is the only modules that know about arguments
and exit codes (cli_report: what people look at; cli_names: names and aliases).

Exit codes: 0 done (published, or nothing new to publish), 1 failed (a gate blocked
publication, or bad input; or `run` stopped by SIGTERM), 2 bad usage, 130 `run` stopped by
Ctrl-C (SIGINT).
Heavy libraries (Prefect, dbt, Great Expectations) are imported only by the commands using them.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from flows.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_warehouse_option,
    prefect_environment,
    prefect_startup_timeout,
)
from flows.cli.names import add_names_commands
from flows.cli.report import add_report_commands

if TYPE_CHECKING:
    from flows.cli.prefect_server import TemporaryServer

# when `eduplan` started (this module is the console script's first import): `run` reports the
# whole wall time, start-up (imports, Prefect's temporary server) included
STARTED = time.perf_counter()

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def cmd_run(args: argparse.Namespace) -> int:
    prefect_environment()
    from flows.config import settings
    from flows.warehouse.lock import BuildLockedError, build_lock

    build_dir = settings(warehouse=args.warehouse).build_dir
    try:  # taken before the flow is imported: a second run fails at once (its server stops)
        with build_lock(build_dir):  # the flow's own build_lock is then this one (reentrant)
            return _run_night(args)
    except BuildLockedError as error:
        print(f"eduplan run: FAILED, nothing published: {error}", file=sys.stderr)
        return EXIT_FAILED


def _run_night(args: argparse.Namespace) -> int:
    from flows.cli.prefect_server import start_server
    from flows.warehouse import early_copy

    try:
        return _run_flow(args, _server if _server is not None else start_server())
    finally:
        early_copy.discard()  # a copy no step took (the night stopped before prepare-build)


def _start_early_copy(args: argparse.Namespace) -> None:
    """Check the night's inputs now (0.2 s, flows/nothing_new.py) and, when a night runs and the
    published file is intact, start copying it into the build path in a thread, so that
    prepare-build only waits for it (flows/warehouse/early_copy.py). Called under the build
    lock, once the flow is imported, while Prefect's server is still starting on the other core
    (the longer of the two): started with the imports, the check and the copy only slowed them
    and the server down. The flow's check takes this one instead of checking again. A night
    that runs also starts importing Great Expectations then, on the core that waits for the
    server, rather than after extract, over the copy and the load (flows/validate.py)."""
    if args.full_refresh:  # an empty build: nothing to copy
        return
    from flows.config import settings
    from flows.warehouse import early_copy

    config = settings(raw_dir=args.raw, warehouse=args.warehouse)
    if not config.warehouse.exists():
        return

    def needed() -> bool:
        from flows.nothing_new import check_early

        check = check_early(config, full_refresh=False, engine=args.engine)
        if not check.nothing_new:  # Great Expectations for the raw gate: imported (~4 s of
            from flows.validate import import_in_background  # CPU) while this process waits

            import_in_background()  # for the server, not over the copy and the load
        return not check.nothing_new and check.published_intact

    early_copy.start(config.warehouse, config.build_file, when=needed)


def _run_flow(args: argparse.Namespace, server: TemporaryServer | None) -> int:
    """The flow, once the temporary server (started on the other core while this process
    imports the flow) answers; the exit code."""
    from flows.cli.common import imports_without_gc_passes
    from flows.cli.prefect_server import wait_for

    with imports_without_gc_passes():  # (~0.3 s of CPU less, while the server starts)
        from flows import interrupt, progress
        from flows.console import console_without_tracebacks
        from flows.nightly import nightly_load

    _start_early_copy(args)  # the build's copy, while the server finishes starting
    console_without_tracebacks()
    progress.show_on(sys.stderr)  # a live stage line when attached to a terminal
    interrupt.arm()  # Ctrl-C: exit 130, SIGTERM: exit 1, within seconds (flows/interrupt.py)
    try:
        wait_for(server, timeout=prefect_startup_timeout())
        summary = nightly_load(
            raw_dir=str(args.raw) if args.raw else None,
            warehouse=str(args.warehouse) if args.warehouse else None,
            full_refresh=args.full_refresh,
            engine=args.engine,
        )
    except Exception as error:  # the flow failed: nothing was published
        print(f"eduplan run: FAILED, nothing published: {error}", file=sys.stderr)
        return EXIT_FAILED
    wall = time.perf_counter() - STARTED
    summary.startup_seconds, summary.seconds = max(wall - summary.seconds, 0.0), wall
    print(summary.format())
    return EXIT_OK if summary.succeeded else EXIT_FAILED


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.extract import ExtractedDocument, PlanTableError, extract_document
    from flows.extract.output import write_csvs

    if args.explain:
        from flows.extract.explain import explain

        failed = False
        for path in args.files:
            try:
                text, ok = explain(path)
            except (PlanTableError, OSError) as error:
                print(f"eduplan extract: {error}", file=sys.stderr)
                failed = True
                continue
            print(text)  # a closed pipe here is no unreadable document (main() handles it)
            failed = failed or not ok
        return EXIT_FAILED if failed else EXIT_OK
    if args.out is None:
        print("eduplan extract: --out DIR is required (or --explain)", file=sys.stderr)
        return EXIT_USAGE
    documents: list[ExtractedDocument] = []
    errors: list[str] = []
    for path in args.files:
        try:
            documents.append(extract_document(path))
        except PlanTableError as error:
            errors.append(str(error))
        except OSError as error:
            errors.append(f"{path}: {error.strerror or error}")
    for document in documents:
        for warning in document.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if documents:
        counts = write_csvs(documents, args.out)
        for name, rows in counts.items():
            print(f"{args.out / (name + '.csv')}: {rows} rows")
    if errors:
        print(
            f"eduplan extract: {len(errors)} of {len(args.files)} document(s) could not be read:",
            file=sys.stderr,
        )
        for message in errors:
            print(f"  {message}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    prefect_environment(console_level="INFO")
    from flows.deploy import serve

    serve(cron=args.cron, timezone=args.timezone, interval_seconds=args.interval)
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    prefect_environment(console_level="INFO")
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "eduplan deploy: set PREFECT_API_URL to the Prefect server to deploy to "
            "(e.g. http://127.0.0.1:4200/api)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from flows.config import REPO_ROOT
    from flows.deploy import WORK_POOL, set_up_server

    code = set_up_server(REPO_ROOT)
    if code == 0:
        print(f"deployed nightly-load; start a worker: prefect worker start --pool {WORK_POOL}")
    return EXIT_OK if code == 0 else EXIT_FAILED


def cmd_rollback(args: argparse.Namespace) -> int:
    from flows.config import settings
    from flows.warehouse.health import WarehouseCorruptError
    from flows.warehouse.publish import history, rollback, unreadable_entries

    config = settings(warehouse=args.warehouse)
    if args.list:
        entries = history(config.warehouse)
        if not entries:
            print("no earlier warehouses kept")
        newer = [config.warehouse, *(e.path for e in entries)]
        for number, entry in enumerate(entries, start=1):
            print(f"{number:>3}  {entry}")
            print(f"     {_what_rolling_back_undoes(entry.path, newer[number - 1])}")
        for path in unreadable_entries(config.warehouse):
            print(f"  -  {path}: not a readable file (a dangling link?), not listed; "
                  "the next night removes it")  # fmt: skip
        return EXIT_OK
    try:
        restored = rollback(config.warehouse, to=args.to, keep=config.keep)
    except (FileNotFoundError, ValueError, WarehouseCorruptError) as error:
        print(f"eduplan rollback: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # a full disk, no permission: the published file is unchanged
        print(f"eduplan rollback: {_rollback_failure(error, config.warehouse)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"restored {restored}")
    return EXIT_OK


def _what_rolling_back_undoes(entry: Path, newer: Path) -> str:
    """What the night after `entry` changed (rows per mart, target statuses): what rolling
    back to it takes away."""
    from flows.report.changes import compare

    try:
        changes = compare(entry, newer)
    except Exception as error:  # an entry that cannot be compared is still listed
        return f"(not compared: {type(error).__name__}: {error})"
    marts = [
        f"{m.table} +{m.added:,} ~{m.changed:,} -{m.removed:,}" for m in changes.marts if m.any
    ]
    if not marts and not changes.statuses:
        return "the next night changed no mart row"
    return (
        f"the next night changed: {'; '.join(marts) or 'no mart row'}; "
        f"{len(changes.statuses)} target status change(s)"
    )


def _rollback_failure(error: OSError, warehouse: Path) -> str:
    """Why a rollback could not write, in words: a full disk names its filesystem and room."""
    from flows.warehouse.diskspace import disk_full

    full = disk_full(error, default=warehouse.parent)
    if full is not None:
        return (
            f"the disk is full: could not write {full.path} ({full.detail}). Nothing was "
            f"rolled back: {warehouse} is unchanged; free some space there and run again"
        )
    return (
        f"could not write ({error.strerror or error}: {error.filename or warehouse}). "
        f"Nothing was rolled back: {warehouse} is unchanged"
    )


def cmd_synth(args: argparse.Namespace) -> int:
    from flows.demo.synth import write_synthetic_actuals

    start, _, end = args.years.partition("-")
    if not (start.isdigit() and end.isdigit() and int(start) <= int(end)):
        print(
            f"eduplan synth: --years must look like 2009-2025, not {args.years!r}", file=sys.stderr
        )
        return EXIT_USAGE
    result = write_synthetic_actuals(
        args.out,
        regions=args.regions,
        indicators=args.indicators,
        years=(int(start), int(end)),
        seed=args.seed,
    )
    print(result)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from flows.config import DEFAULT_CRON, DEFAULT_TIMEZONE

    parser = argparse.ArgumentParser(
        prog="eduplan",
        description="Nightly warehouse of education development plan targets and actuals.",
        epilog="Environment: the EDUPLAN_* variables (README, flows/config.py Environment), "
        "PREFECT_HOME, PREFECT_API_URL (a running Prefect server, used when set).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the nightly-load flow once: extract, load, dbt build, validate, publish",
        description="Run the Prefect flow nightly-load once. Exit 0 when published or when "
        "nothing is new (every input as the published warehouse was built from them), "
        "1 when a gate blocked publication (the published warehouse is unchanged) or SIGTERM "
        "stopped the run, 130 when Ctrl-C stopped it.",
    )
    run.add_argument(
        "--raw", type=Path, help="raw input folder (default: $EDUPLAN_RAW_DIR or raw/)"
    )
    add_warehouse_option(run)
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="build from an empty file instead of a copy of the published warehouse",
    )
    run.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="where dbt builds the marts: DuckDB (default) or Apache Spark in local mode, from "
        "the raw tables as Parquet, the marts also published as Parquet in parquet/marts/ "
        "beside the warehouse (needs `make spark`)",
    )
    run.set_defaults(handler=cmd_run)

    extract = commands.add_parser(
        "extract",
        help="extract indicator tables, milestone schedules and targets stated in prose from "
        "plan documents to CSV",
        description="Write OUT/plan_cells.csv (one row per value cell), OUT/milestones.csv, "
        "OUT/plan_tables.csv, OUT/plan_documents.csv and OUT/prose_targets.csv (one row per "
        "number the body text commits to) for every document that can be read; "
        "exit 1 listing each one that cannot as file:line: what was wrong. With --explain, "
        "print how each table was read instead (grid, header columns, vocabulary words).",
    )
    extract.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="plan documents (.txt, .md, .html, .docx, .pdf, .xlsx, .csv) or hand-keyed "
        "NAME.cells.csv files (checked, and written back as read)",
    )
    extract.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    extract.add_argument(
        "--explain", action="store_true", help="print how each table was read; write nothing"
    )
    extract.set_defaults(handler=cmd_extract)

    serve = commands.add_parser(
        "serve",
        help="serve nightly-load as a scheduled Prefect deployment",
        description="Serve the flow as deployment nightly-load on a cron schedule, one run at a "
        "time (a run due while one is running is cancelled). Blocks; stop with Ctrl-C.",
    )
    serve.add_argument("--cron", default=DEFAULT_CRON, help=f"schedule (default: {DEFAULT_CRON!r})")
    serve.add_argument(
        "--timezone", default=DEFAULT_TIMEZONE, help=f"time zone (default: {DEFAULT_TIMEZONE})"
    )
    serve.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help="run every SECONDS instead of on the cron schedule (to try the schedule out)",
    )
    serve.set_defaults(handler=cmd_serve)

    deploy = commands.add_parser(
        "deploy",
        help="deploy nightly-load from prefect.yaml onto a work pool (durable schedule)",
        description="On the Prefect server at PREFECT_API_URL: create the process work pool "
        "'eduplan' and the automation that marks runs of dead processes Crashed, then "
        "`prefect deploy` the nightly-load deployment of prefect.yaml. Run a worker with "
        "`prefect worker start --pool eduplan`.",
    )
    deploy.set_defaults(handler=cmd_deploy)

    rollback = commands.add_parser(
        "rollback",
        help="put an earlier published warehouse back",
        description="Replace the published warehouse atomically with a kept earlier one.",
    )
    rollback.add_argument("--to", type=int, metavar="N", help="N-th earlier night (default: 1)")
    rollback.add_argument("--list", action="store_true", help="list the kept warehouses")
    add_warehouse_option(rollback)
    rollback.set_defaults(handler=cmd_rollback)

    synth = commands.add_parser(
        "synth",
        help="write synthetic actuals (for benchmarks; never part of the nightly run)",
        description="Write clearly labelled synthetic actuals in the raw/actuals contract.",
    )
    synth.add_argument(
        "--regions", type=int, required=True, metavar="N", help="regions (county-level codes)"
    )
    synth.add_argument(
        "--indicators", type=int, required=True, metavar="M", help="indicators per region"
    )
    synth.add_argument("--years", required=True, metavar="A-B", help="e.g. 2009-2025")
    synth.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    synth.set_defaults(handler=cmd_synth)
    add_report_commands(commands)
    add_names_commands(commands)
    return parser


def silence_shutdown_noise() -> None:
    """duckdb 2.0 (nanobind) prints harmless "leaked instance" lists while the interpreter shuts
    down; registered first, this runs last among exit handlers and closes stderr just before."""
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


_server: TemporaryServer | None = None  # `run`'s, started first (`main`)


def _start_server_first(argv: Sequence[str]) -> None:
    """`eduplan run`: start Prefect's temporary server before anything else is imported (the
    settings' pydantic, then the flow): its start-up is the longest part of the run's
    (flows/cli/prefect_server.py), and it runs on the other core meanwhile. A run that stops
    early (bad usage, a bad setting, the build lock taken) stops it at exit."""
    global _server
    if argv[:1] == ["run"] and not {"-h", "--help"} & set(argv):
        from flows.cli.prefect_server import start_server

        prefect_environment()  # (its PREFECT_HOME is the server's)
        _server = start_server()


def _stop_server_first() -> None:
    """The run did not happen: stop the server `_start_server_first` started, and point this
    process's Prefect settings back where they were (an in-process caller runs on)."""
    global _server
    if _server is not None:
        from flows.cli.prefect_server import forget

        forget(_server)
        _server = None


def main(argv: Sequence[str] | None = None) -> int:
    atexit.register(silence_shutdown_noise)
    argv = sys.argv[1:] if argv is None else list(argv)
    _start_server_first(argv)
    try:
        from flows.config import environment

        args = build_parser().parse_args(argv)
        environment()  # every EDUPLAN_* variable checked before any work: a bad one exits 1
        return int(args.handler(args))
    except BrokenPipeError:
        # the reader of our output went away (`eduplan extract --explain | head`): stop
        # quietly, and keep Python from reporting the pipe again when it flushes at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    finally:
        _stop_server_first()


if __name__ == "__main__":
    sys.exit(main())
