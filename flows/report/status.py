"""The record of a night beside the warehouse, and `eduplan status` built from it.

Every run writes its record beside the warehouse (`WarehouseLayout.last_run_record`); a run
that publishes also writes `WarehouseLayout.published_record`. Each holds what the run did (rows,
gates, dbt, what changed), so `eduplan status` can say what the last run did and what the
published file is without rerunning anything. Plain JSON: any tool (or person) can read it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.report.changes import Changes, compare
from flows.summary import expected_lines, held_back_lines, row_count_lines
from flows.warehouse.db import open_warehouse, table_counts
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history

if TYPE_CHECKING:
    from flows.summary import RunSummary


@dataclass
class GateRecord:
    suite: str
    passed: bool
    evaluated: int
    failed: int
    failures: list[str] = field(default_factory=list)


@dataclass
class RunRecord:
    """What one nightly run did, as stored beside the warehouse."""

    warehouse: str
    published: bool
    finished_at: str  # ISO 8601 UTC
    seconds: float = 0.0
    run_id: str | None = None
    raw_rows: dict[str, int] = field(default_factory=dict)
    mart_rows: dict[str, int] = field(default_factory=dict)
    actuals: dict[str, int] = field(default_factory=dict)
    input_errors: list[str] = field(default_factory=list)
    gates: list[GateRecord] = field(default_factory=list)
    dbt: str = ""
    report: str | None = None
    report_error: str | None = None  # the night is published but its report was not written
    warnings: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # actuals files and rows held back
    expected: list[str] = field(default_factory=list)  # findings declared beside their data
    changes: dict[str, Any] | None = None

    @classmethod
    def of(
        cls,
        summary: RunSummary,
        *,
        run_id: str | None,
        report: Path | None = None,
        changes: Changes | None = None,
    ) -> RunRecord:
        """The record of a finished run: its summary, with the report and changes it wrote."""
        return cls(
            warehouse=str(summary.warehouse),
            published=summary.published,
            finished_at=now_iso(),
            seconds=summary.seconds,
            run_id=run_id,
            raw_rows=summary.raw_rows,
            mart_rows=summary.mart_rows,
            actuals=summary.actuals,
            input_errors=summary.input_errors,
            gates=[
                GateRecord(
                    g.suite, g.passed, g.evaluated, g.failed, [f.format() for f in g.failures][:20]
                )
                for g in summary.gates
            ],
            dbt=summary.dbt,
            report=str(report) if report else None,
            report_error=summary.report_error or None,
            warnings=list(summary.warnings),
            held_back=list(summary.held_back),
            expected=list(summary.expected),
            changes=changes.to_dict() if changes else None,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        data = dict(data)
        data["gates"] = [GateRecord(**g) for g in data.get("gates", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_record(record: RunRecord) -> None:
    """Write the run's record (atomically: a reader never sees half a file)."""
    warehouse = Path(record.warehouse)
    layout = WarehouseLayout(warehouse)
    targets = [layout.last_run_record] + ([layout.published_record] if record.published else [])
    text = json.dumps(asdict(record), ensure_ascii=False, indent=2, default=str)
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.tmp")
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, target)


def read_record(path: Path) -> RunRecord | None:
    if not path.exists():
        return None
    return RunRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))


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
        verdict = "PUBLISHED" if last.published else "NOT PUBLISHED"
        lines.append(
            f"  last run  : {last.finished_at} {verdict} ({last.seconds:.1f}s"
            + (f", flow run {last.run_id})" if last.run_id else ")")
        )
        lines += [f"    bad input: {error}" for error in last.input_errors]
        lines += [f"    WARNING: {warning}" for warning in last.warnings]
        lines += held_back_lines(last.held_back)
        lines += expected_lines(last.expected)
        if not last.published:
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
        changes = Changes.from_dict(published.changes)
    else:  # no record (published by an older version): compare with the kept previous night
        entries = history(warehouse)
        changes = compare(entries[0].path if entries else None, warehouse)
    lines.append("  " + changes.format().replace("\n", "\n  "))
    return "\n".join(lines)
