"""What every `eduplan` command shares: exit codes, the --warehouse option and the Prefect
environment."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_PREFECT_HOME = Path.home() / ".eduplan" / "prefect"


def add_warehouse_option(parser: argparse.ArgumentParser) -> None:
    """`--warehouse PATH`, the published DuckDB file, the same in every command that reads it."""
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="published DuckDB file (default: $EDUPLAN_WAREHOUSE or warehouse/warehouse.duckdb)",
    )


def published_warehouse(args: argparse.Namespace, command: str) -> Path | None:
    """The warehouse a command reads (--warehouse, $EDUPLAN_WAREHOUSE or the default); None,
    after saying so on stderr, when nothing has been published there yet."""
    from flows.config import settings

    warehouse = settings(warehouse=args.warehouse).warehouse
    if not warehouse.exists():
        print(f"eduplan {command}: no published warehouse at {warehouse}", file=sys.stderr)
        return None
    return warehouse


def prefect_environment(*, console_level: str = "WARNING") -> None:
    """A stable PREFECT_HOME (the local server's database lives there), unless one is set.

    Runs log at INFO to Prefect (the UI shows every stage, gate and the run summary); the
    terminal shows only warnings and errors from Prefect, then the summary `eduplan run` prints.
    """
    os.environ.setdefault("PREFECT_HOME", str(DEFAULT_PREFECT_HOME))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")  # and no telemetry notice on the terminal
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", console_level)
    # a temporary server on a busy machine can take longer than Prefect's default 20 s to start
    os.environ.setdefault(STARTUP_TIMEOUT, "90")


STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


def prefect_startup_timeout() -> float:
    """How long a temporary Prefect server may take to start (prefect_environment sets it)."""
    try:
        return float(os.environ.get(STARTUP_TIMEOUT, "90"))
    except ValueError:
        return 90.0


@contextmanager
def imports_without_gc_passes() -> Iterator[None]:
    """Import heavy modules (Prefect, the flow's: ~2,000 modules) without Python's cyclic garbage
    collector running over and over while they allocate (~15% of their import time), then
    freeze what they built out of later collections (it lives as long as the process)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()
