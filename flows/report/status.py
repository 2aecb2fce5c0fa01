"""The record of a night beside the warehouse (flows/summary.py RunRecord, dumped as JSON), and
`eduplan status` built from it.

Every run writes its record beside the warehouse (`WarehouseLayout.last_run_record`); a run
that publishes also writes `WarehouseLayout.published_record`. Each holds what the run did (rows,
gates, dbt, what changed), so `eduplan status` can say what the last run did and what the
published file is without rerunning anything. Plain JSON: any tool (or person) can read it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from flows.report.changes import compare
from flows.summary import RunRecord, expected_lines, held_back_lines, row_count_lines
from flows.warehouse.db import open_warehouse, table_counts
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_record(record: RunRecord) -> None:
    """Write the run's record, stamped with the time (atomically: a reader never sees half a
    file): the last run's, and the published file's when the run published."""
    record.finished_at = now_iso()
    layout = WarehouseLayout(record.warehouse)
    targets = [layout.last_run_record] + ([layout.published_record] if record.published else [])
    text = record.model_dump_json(indent=2)
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.tmp")
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, target)


def read_record(path: Path) -> RunRecord | None:
    if not path.exists():
        return None
    return RunRecord.model_validate_json(path.read_text(encoding="utf-8"))


def _published_at(warehouse: Path) -> str:
    when = datetime.fromtimestamp(warehouse.stat().st_mtime, UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _gates(record: RunRecord) -> list[str]:
    lines = []
    for gate in record.gates:
        verdict = "passed" if gate.passed else "FAILED"
        lines.append(f"    {gate.suite:<12} {verdict}: {gate.failed} of {gate.evaluated} failed")
        lines += [f"      {failure}" for failure in gate.failures[:5]]
    return lines


def status_text(warehouse: Path) -> str:
    """`eduplan status`: the last run, the published file (when, rows, gates), what changed."""
    warehouse = Path(warehouse).resolve()
    layout = WarehouseLayout(warehouse)
    last, published = read_record(layout.last_run_record), read_record(layout.published_record)
    lines = [f"eduplan status: {warehouse}"]
    if last is None:
        lines.append("  last run  : no run recorded beside this warehouse")
    else:
        lines.append(
            f"  last run  : {last.finished_at} {last.verdict} ({last.seconds:.1f}s"
            + (f", flow run {last.flow_run_id})" if last.flow_run_id else ")")
        )
        lines += [f"    {last.nothing_new}"] if last.nothing_new else []
        lines += [f"    bad input: {error}" for error in last.input_errors]
        lines += [f"    WARNING: {warning}" for warning in last.warnings]
        lines += held_back_lines(last.held_back)
        lines += expected_lines(last.expected)
        if not last.succeeded:
            lines += _gates(last)
    if not warehouse.exists():
        lines.append("  published : no published warehouse yet")
        return "\n".join(lines)
    when = published.finished_at if published is not None else _published_at(warehouse)
    lines.append(f"  published : {when}")
    with open_warehouse(warehouse, read_only=True) as con:
        rows = table_counts(con, "marts")
    lines.append("  mart rows :")
    lines += row_count_lines(rows)
    if published is not None:
        lines.append("  gates of the published night:")
        lines += _gates(published)
        if published.report:
            lines.append(f"  report    : {Path(published.report).as_uri()}")
        elif published.report_error:
            lines.append(
                f"  report    : NOT WRITTEN for this night ({published.report_error}); "
                "the report on disk shows an earlier night: `eduplan report` writes it"
            )
    if published is not None and published.changes is not None:
        changes = published.changes
    else:  # no record (published by an older version): compare with the kept previous night
        entries = history(warehouse)
        changes = compare(entries[0].path if entries else None, warehouse)
    lines.append("  " + changes.format().replace("\n", "\n  "))
    return "\n".join(lines)
