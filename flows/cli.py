"""`eduplan`: the command line. The only module that knows about arguments and exit codes.

Exit codes: 0 done (published), 1 failed (a gate blocked publication, or bad input), 2 bad usage.
Heavy libraries (Prefect, dbt, Great Expectations) are imported only by the commands using them.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from flows.config import DEFAULT_CRON, DEFAULT_TIMEZONE

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_PREFECT_HOME = Path.home() / ".eduplan" / "prefect"


def _prefect_environment(*, console_level: str = "WARNING") -> None:
    """A stable PREFECT_HOME (the local server's database lives there), unless one is set.

    Runs log at INFO to Prefect (the UI shows every stage, gate and the run summary); the
    terminal shows only warnings and errors from Prefect, then the summary `eduplan run` prints.
    """
    os.environ.setdefault("PREFECT_HOME", str(DEFAULT_PREFECT_HOME))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", console_level)
    # a temporary server on a busy machine can take longer than Prefect's default 20 s to start
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def cmd_run(args: argparse.Namespace) -> int:
    _prefect_environment()
    from flows.console import console_without_tracebacks
    from flows.nightly import nightly_load

    console_without_tracebacks()
    try:
        summary = nightly_load(
            raw_dir=str(args.raw) if args.raw else None,
            warehouse=str(args.warehouse) if args.warehouse else None,
            full_refresh=args.full_refresh,
        )
    except Exception as error:  # the flow failed: nothing was published
        print(f"eduplan run: FAILED, nothing published: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(summary.format())
    return EXIT_OK if summary.published else EXIT_FAILED


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.extract import ExtractedDocument, PlanTableError, extract_document
    from flows.extract.output import write_csvs

    if args.explain:
        from flows.extract.explain import explain

        failed = False
        for path in args.files:
            try:
                text, ok = explain(path)
                print(text)
                failed = failed or not ok
            except (PlanTableError, OSError) as error:
                print(f"eduplan extract: {error}", file=sys.stderr)
                failed = True
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
    _prefect_environment(console_level="INFO")
    from flows.deploy import serve

    serve(cron=args.cron, timezone=args.timezone, interval_seconds=args.interval)
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    _prefect_environment(console_level="INFO")
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
    from flows.health import WarehouseCorruptError
    from flows.publish import history, rollback

    config = settings(warehouse=args.warehouse)
    if args.list:
        entries = history(config.warehouse)
        if not entries:
            print("no earlier warehouses kept")
        for number, entry in enumerate(entries, start=1):
            print(f"{number:>3}  {entry}")
        return EXIT_OK
    try:
        restored = rollback(config.warehouse, to=args.to, keep=config.keep)
    except (FileNotFoundError, ValueError, WarehouseCorruptError) as error:
        print(f"eduplan rollback: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"restored {restored}")
    return EXIT_OK


def cmd_synth(args: argparse.Namespace) -> int:
    from flows.synth import write_synthetic_actuals

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


def _progress_lines() -> None:
    """Show eduplan's own progress log lines (report charts, demo nights) on stderr."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("eduplan")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def cmd_status(args: argparse.Namespace) -> int:
    from flows.config import settings
    from flows.report.status import status_text

    print(status_text(settings(warehouse=args.warehouse).warehouse))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from flows.config import settings
    from flows.publish import history
    from flows.report.changes import compare
    from flows.report.night import report_dir
    from flows.report.report import write_report

    _progress_lines()
    warehouse = settings(warehouse=args.warehouse).warehouse
    if not warehouse.exists():
        print(f"eduplan report: no warehouse at {warehouse}", file=sys.stderr)
        return EXIT_FAILED
    entries = history(warehouse)
    changes = compare(entries[0].path if entries else None, warehouse)
    out = write_report(warehouse, args.out or report_dir(warehouse) / "index.html", changes=changes)
    print(f"report: {out.resolve().as_uri()}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    _prefect_environment()
    _progress_lines()
    from flows.report.demo import DEMO_DIR, build_demo

    try:
        result = build_demo(args.out or DEMO_DIR, seed=args.seed)
    except (ValueError, RuntimeError) as error:
        print(f"eduplan demo: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(result)
    if result.missing:
        print(f"eduplan demo: statuses missing: {', '.join(result.missing)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from flows.config import settings
    from flows.report.docs import DocsError, build_docs

    try:
        print(build_docs(settings(warehouse=args.warehouse).warehouse))
    except (FileNotFoundError, DocsError) as error:
        print(f"eduplan docs: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from flows.config import settings
    from flows.report.export import export_marts

    warehouse = settings(warehouse=args.warehouse).warehouse
    try:
        tables = export_marts(warehouse, args.out, fmt=args.format, bom=args.bom)
    except FileNotFoundError as error:
        print(f"eduplan export: {error}", file=sys.stderr)
        return EXIT_FAILED
    for table in tables:
        print(f"{table.path}: {table.rows:,} rows")
    return EXIT_OK


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """status, report, demo, docs and export: what people look at."""
    warehouse_help = (
        "published DuckDB file (default: $EDUPLAN_WAREHOUSE or warehouse/warehouse.duckdb)"
    )
    status = commands.add_parser(
        "status",
        help="the last run, when the warehouse was published, rows, gates and what changed",
        description="Print the last run, the published warehouse (when, rows per mart, the "
        "gates of its night) and what changed against the night before.",
    )
    status.add_argument("--warehouse", type=Path, help=warehouse_help)
    status.set_defaults(handler=cmd_status)

    report = commands.add_parser(
        "report", help="write the HTML progress report of the published warehouse"
    )
    report.add_argument("--warehouse", type=Path, help=warehouse_help)
    report.add_argument("--out", type=Path, metavar="FILE", help="default: report/index.html")
    report.set_defaults(handler=cmd_report)

    demo = commands.add_parser(
        "demo",
        help="a demo night: the real plans plus synthetic 2021-2025 figures, every status",
        description="Write DIR/warehouse.duckdb and DIR/report/index.html from the real plans "
        "plus deterministic synthetic figures (source_kind synthetic). Never touches the "
        "published warehouse.",
    )
    demo.add_argument("--out", type=Path, metavar="DIR", help="default: warehouse/demo/")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(handler=cmd_demo)

    docs = commands.add_parser(
        "docs", help="build the dbt docs site and the Great Expectations Data Docs"
    )
    docs.add_argument("--warehouse", type=Path, help=warehouse_help)
    docs.set_defaults(handler=cmd_docs)

    export = commands.add_parser(
        "export",
        help="write the marts as Parquet or CSV files for BI tools",
        description="Write OUT/<mart>.parquet or .csv for every mart. CSV cells beginning "
        "with = + - @ are escaped with a leading apostrophe.",
    )
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    export.add_argument("--bom", action="store_true", help="CSV: UTF-8 with BOM (for Excel)")
    export.add_argument("--warehouse", type=Path, help=warehouse_help)
    export.set_defaults(handler=cmd_export)


def cmd_names(args: argparse.Namespace) -> int:
    """List the published warehouse's unresolved names, or accept an alias for one."""
    from flows.config import settings
    from flows.names import AliasError, accept_alias, unresolved_names

    if args.names_command == "accept":
        kind = "region" if args.region else "indicator"
        try:
            path = accept_alias(kind, args.name, args.code)
        except (AliasError, OSError) as error:
            print(f"eduplan names accept: {error}", file=sys.stderr)
            return EXIT_FAILED
        print(f"{path}: {args.name!r} -> {args.code} (resolved from the next run)")
        return EXIT_OK
    warehouse = settings(warehouse=args.warehouse).warehouse
    if not warehouse.exists():
        print(f"eduplan names: no published warehouse at {warehouse}", file=sys.stderr)
        return EXIT_FAILED
    names = unresolved_names(warehouse)
    for name in names:
        print(name.format())
    if not names:
        print("every name resolves")
    return EXIT_OK


def _names_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    names = commands.add_parser(
        "names",
        help="list names no rule resolves, with their best candidates; accept an alias",
        description="List the indicator and region names of the published warehouse that no "
        "alias resolves, one line each with its three most similar catalogue codes. "
        "`names accept NAME CODE` adds the alias to dbt/seeds (the next run resolves it).",
    )
    names.add_argument("--warehouse", type=Path, help="published DuckDB file")
    names.set_defaults(handler=cmd_names, names_command=None)
    actions = names.add_subparsers(dest="names_command", metavar="accept")
    accept = actions.add_parser(
        "accept",
        help="add NAME -> CODE to dbt/seeds/indicator_aliases.csv (or region_aliases.csv)",
        description="Append an alias after checking that CODE is in the catalogue and NAME has "
        "no alias yet.",
    )
    accept.add_argument("name", metavar="NAME", help="the name as written in the source")
    accept.add_argument("code", metavar="CODE", help="indicator_code (or region_code)")
    accept.add_argument("--region", action="store_true", help="NAME is a region name")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eduplan",
        description="Nightly warehouse of education development plan targets and actuals.",
        epilog="Environment: EDUPLAN_RAW_DIR, EDUPLAN_WAREHOUSE, EDUPLAN_KEEP, PREFECT_HOME.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the nightly-load flow once: extract, load, dbt build, validate, publish",
        description="Run the Prefect flow nightly-load once. Exit 0 when published, "
        "1 when a gate blocked publication (the published warehouse is unchanged).",
    )
    run.add_argument(
        "--raw", type=Path, help="raw input folder (default: $EDUPLAN_RAW_DIR or raw/)"
    )
    run.add_argument(
        "--warehouse",
        type=Path,
        help="published DuckDB file (default: $EDUPLAN_WAREHOUSE or warehouse/warehouse.duckdb)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="build from an empty file instead of a copy of the published warehouse",
    )
    run.set_defaults(handler=cmd_run)

    extract = commands.add_parser(
        "extract",
        help="extract indicator tables and milestone schedules from plan documents to CSV",
        description="Write OUT/plan_cells.csv (one row per value cell), OUT/milestones.csv, "
        "OUT/plan_tables.csv and OUT/plan_documents.csv for every document that can be read; "
        "exit 1 listing each one that cannot as file:line: what was wrong. With --explain, "
        "print how each table was read instead (grid, header columns, vocabulary words).",
    )
    extract.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="plan documents (.txt, .md; other formats when their reader is installed)",
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
    rollback.add_argument("--warehouse", type=Path, help="published DuckDB file")
    rollback.set_defaults(handler=cmd_rollback)

    synth = commands.add_parser(
        "synth",
        help="write synthetic actuals (for benchmarks; never part of the nightly run)",
        description="Write clearly labelled synthetic actuals in the raw/actuals contract.",
    )
    synth.add_argument("--regions", type=int, required=True, metavar="N")
    synth.add_argument("--indicators", type=int, required=True, metavar="M")
    synth.add_argument("--years", required=True, metavar="A-B", help="e.g. 2009-2025")
    synth.add_argument("--out", type=Path, required=True, metavar="DIR")
    synth.add_argument("--seed", type=int, default=0)
    synth.set_defaults(handler=cmd_synth)
    add_report_commands(commands)
    _names_parser(commands)
    return parser


def silence_shutdown_noise() -> None:
    """duckdb 2.0 (nanobind) prints harmless "leaked instance" lists while the interpreter shuts
    down; registered first, this runs last among exit handlers and closes stderr just before."""
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


def main(argv: Sequence[str] | None = None) -> int:
    atexit.register(silence_shutdown_noise)
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
