"""After a night's run: what changed against the previous published warehouse, the HTML report
(kept per night) and the run's record beside the warehouse. Called by flows/nightly.py once the
run is decided; knows nothing of Prefect (the flow passes its run id in)."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flows.report.changes import Changes, compare
from flows.report.status import RunRecord, write_record
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history

if TYPE_CHECKING:
    from flows.summary import RunSummary

log = logging.getLogger("eduplan.report")


@dataclass(frozen=True)
class NightReport:
    """What the run tells people: what changed (None when not published) and the report."""

    changes: Changes | None
    report: Path | None
    error: str | None = None  # set by the flow when writing them failed


def keep_report(layout: WarehouseLayout, *, keep: int, name: str = "report") -> Path:
    """Copy tonight's report to report/history/ (named by time), pruned to `keep` + 1 nights."""
    index, folder = layout.report_index, layout.report_history_dir
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.html"
    shutil.copyfile(index, kept)
    for old in sorted(folder.glob(f"{name}-*.html"), reverse=True)[keep + 1 :]:
        old.unlink()
    return kept


def report_night(summary: RunSummary, *, keep: int = 7, run_id: str | None = None) -> NightReport:
    """Compare with the night before, write the report (published runs) and the run record."""
    changes: Changes | None = None
    report: Path | None = None
    if summary.published:
        entries = history(summary.warehouse)
        changes = compare(entries[0].path if entries else None, summary.warehouse)
        from flows.report.report import write_report  # lazy: altair + vl-convert, seconds

        report = write_report(
            summary.warehouse, WarehouseLayout(summary.warehouse).report_index, changes=changes
        )
        keep_report(WarehouseLayout(summary.warehouse), keep=keep)
        log.info("report written to %s", report)
    write_record(RunRecord.of(summary, run_id=run_id, report=report, changes=changes))
    return NightReport(changes, report)
