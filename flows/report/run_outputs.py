"""After a night's run: what changed against the previous published warehouse, the HTML report
(kept per night) and the run's record beside the warehouse. Called by flows/nightly.py once the
run is decided; knows nothing of Prefect."""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from flows.report.changes import Changes, compare, remember_year_digests
from flows.report.status import write_record
from flows.summary import RunRecord
from flows.warehouse.health import lock_holder
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history

log = logging.getLogger("eduplan.report")
# a link that is neither a web address nor a place in the page: relative to the report's folder
_RELATIVE_HREF = re.compile(r'((?:xlink:)?href)="(?![a-z][a-z0-9+.-]*:|#|/)', re.I)


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


def report_night(record: RunRecord, *, keep: int = 7, raw_dir: Path | None = None) -> RunRecord:
    """Compare with the night before, write the report (published runs) and the run record;
    returns the record with what changed, the report and why it failed, if it did. The record
    is written also when the report fails (a full disk): it then says so, and `eduplan status`
    shows that the report still shows an earlier night."""
    record.report_error = ""
    if record.published:
        try:
            # lazy: vl-convert and Jinja, a second
            from flows.report.charts import Renderers
            from flows.report.report import write_report

            # the chart workers start (and load vl-convert) while the marts are read, and the
            # comparison with the night before (DuckDB, in a thread) runs while they draw: the
            # page needs it only once the charts are drawn
            layout = WarehouseLayout(record.warehouse)
            with Renderers() as renderers, ThreadPoolExecutor(1) as comparing:
                compared = comparing.submit(_changes, record.warehouse)
                try:
                    record.report = write_report(
                        record.warehouse, layout.report_index, changes=compared.result,
                        raw_dir=raw_dir, renderers=renderers,
                    )  # fmt: skip
                finally:
                    if compared.exception() is None:  # its failure is the report's
                        record.changes = compared.result()
            keep_report(layout, keep=keep)
            log.info("report written to %s", record.report)
        except Exception as failure:
            log.exception("the report of %s could not be written", record.warehouse)
            record.report, record.report_error = None, f"{type(failure).__name__}: {failure}"
    write_record(record)
    return record


def _changes(warehouse: Path) -> Changes | None:
    """What changed against the night before; None (said in the log) when that night's file is
    held open for writing by another process: the report is written without the comparison."""
    entries = history(warehouse)
    previous = entries[0].path if entries else None
    if previous is None:  # the first night: the next one compares with this file
        remember_year_digests(warehouse)
    holder = lock_holder(previous) if previous is not None else None
    if holder is not None:
        log.warning("not compared with the previous night: %s is held open for writing by %s",
                    previous, holder)  # fmt: skip
        return None
    return compare(previous, warehouse)
