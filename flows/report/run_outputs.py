"""After a night's run: what changed against the previous published warehouse, the HTML report
(kept per night) and the run's record beside the warehouse. Called by flows/nightly.py once the
run is decided; knows nothing of Prefect (the flow passes its run id in)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flows.report.changes import Changes, compare
from flows.report.status import RunRecord, write_record
from flows.warehouse.health import lock_holder
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history

if TYPE_CHECKING:
    from flows.summary import RunSummary

log = logging.getLogger("eduplan.report")
# a link that is neither a web address nor a place in the page: relative to the report's folder
_RELATIVE_HREF = re.compile(r'((?:xlink:)?href)="(?![a-z][a-z0-9+.-]*:|#|/)', re.I)


@dataclass(frozen=True)
class NightReport:
    """What the run tells people: what changed (None when not published) and the report."""

    changes: Changes | None
    report: Path | None
    error: str | None = None  # set by the flow when writing them failed


def keep_report(layout: WarehouseLayout, *, keep: int, name: str = "report") -> Path:
    """Copy tonight's report to report/history/ (named by time), pruned to `keep` + 1 nights.
    Its links relative to the report's folder (source pages, docs) are rewritten to lead there
    from history/."""
    index, folder = layout.report_index, layout.report_history_dir
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.html"
    html = _RELATIVE_HREF.sub(r'\1="../', index.read_text(encoding="utf-8"))
    staged = kept.with_name(f".{kept.name}.tmp")
    staged.write_text(html, encoding="utf-8")
    staged.replace(kept)
    for old in sorted(folder.glob(f"{name}-*.html"), reverse=True)[keep + 1 :]:
        old.unlink()
    return kept


def report_night(
    summary: RunSummary, *, keep: int = 7, run_id: str | None = None, raw_dir: Path | None = None
) -> NightReport:
    """Compare with the night before, write the report (published runs) and the run record.
    The record is written also when the report fails (a full disk): it then says so, and
    `eduplan status` shows that the report still shows an earlier night."""
    changes: Changes | None = None
    report: Path | None = None
    error: str | None = None
    if summary.published:
        try:
            changes = _changes(summary.warehouse)
            from flows.report.report import write_report  # lazy: altair + vl-convert, seconds

            layout = WarehouseLayout(summary.warehouse)
            report = write_report(
                summary.warehouse, layout.report_index, changes=changes, raw_dir=raw_dir
            )
            keep_report(layout, keep=keep)
            log.info("report written to %s", report)
        except Exception as failure:
            log.exception("the report of %s could not be written", summary.warehouse)
            error = f"{type(failure).__name__}: {failure}"
    summary.report_error = error or ""
    write_record(RunRecord.of(summary, run_id=run_id, report=report, changes=changes))
    return NightReport(changes, report, error=error)


def _changes(warehouse: Path) -> Changes | None:
    """What changed against the night before; None (said in the log) when that night's file is
    held open for writing by another process: the report is written without the comparison."""
    entries = history(warehouse)
    previous = entries[0].path if entries else None
    holder = lock_holder(previous) if previous is not None else None
    if holder is not None:
        log.warning("not compared with the previous night: %s is held open for writing by %s",
                    previous, holder)  # fmt: skip
        return None
    return compare(previous, warehouse)
