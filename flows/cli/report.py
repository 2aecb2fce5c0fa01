"""`eduplan status | report | demo | docs | export`: what people look at."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_warehouse_option,
    prefect_environment,
    published_warehouse,
)


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
    from flows.report.changes import compare
    from flows.report.report import write_report
    from flows.warehouse.layout import WarehouseLayout
    from flows.warehouse.publish import history

    _progress_lines()
    warehouse = published_warehouse(args, "report")
    if warehouse is None:
        return EXIT_FAILED
    entries = history(warehouse)
    changes = compare(entries[0].path if entries else None, warehouse)
    out = write_report(
        warehouse, args.out or WarehouseLayout(warehouse).report_index, changes=changes
    )
    print(f"report: {out.resolve().as_uri()}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    prefect_environment()
    _progress_lines()
    from flows.demo.night import DEMO_DIR, build_demo

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
    from flows.docs_site import DocsError, build_docs

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
    status = commands.add_parser(
        "status",
        help="the last run, when the warehouse was published, rows, gates and what changed",
        description="Print the last run, the published warehouse (when, rows per mart, the "
        "gates of its night) and what changed against the night before.",
    )
    add_warehouse_option(status)
    status.set_defaults(handler=cmd_status)

    report = commands.add_parser(
        "report",
        help="write the HTML progress report of the published warehouse",
        description="Rewrite the progress report of the published warehouse (what each night "
        "writes on its own): one self-contained HTML file with every region's targets, their "
        "statuses and charts, each number linked to its source.",
    )
    add_warehouse_option(report)
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write it (default: report/index.html beside the warehouse)",
    )
    report.set_defaults(handler=cmd_report)

    demo = commands.add_parser(
        "demo",
        help="a demo night: the real plans plus synthetic 2021-2025 figures, every status",
        description="Write DIR/warehouse.duckdb and DIR/report/index.html from the real plans "
        "plus deterministic synthetic figures (source_kind synthetic). Never touches the "
        "published warehouse.",
    )
    demo.add_argument("--out", type=Path, metavar="DIR", help="default: warehouse/demo/")
    demo.add_argument(
        "--seed", type=int, default=0, help="seed of the synthetic figures (default: 0)"
    )
    demo.set_defaults(handler=cmd_demo)

    docs = commands.add_parser(
        "docs",
        help="build the dbt docs site and the Great Expectations Data Docs",
        description="Write the dbt docs of the marts as one page (docs/dbt/index.html beside "
        "the warehouse) and rerun the marts gate on the published warehouse to rebuild the "
        "Data Docs (gx/data_docs/local_site/index.html; they work offline). Prints both paths.",
    )
    add_warehouse_option(docs)
    docs.set_defaults(handler=cmd_docs)

    export = commands.add_parser(
        "export",
        help="write the marts as Parquet or CSV files for BI tools",
        description="Write OUT/<mart>.parquet or .csv for every mart. CSV cells beginning "
        "with = + - @ are escaped with a leading apostrophe.",
    )
    export.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", help="default: parquet"
    )
    export.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for the files (required)"
    )
    export.add_argument("--bom", action="store_true", help="CSV: UTF-8 with BOM (for Excel)")
    add_warehouse_option(export)
    export.set_defaults(handler=cmd_export)
