"""The run's one record (flows/summary.py RunRecord): what the flow fills is what is dumped
beside the warehouse, and every view (terminal, artifact, `eduplan status`) reads it. A record
read back from its JSON renders the same terminal summary as the live one."""

from __future__ import annotations

from pathlib import Path

from flows.report.changes import Changes, MartChange
from flows.report.status import read_record, status_text, write_record
from flows.summary import GateRecord, RunRecord
from flows.validate import GateResult
from flows.warehouse.db import create_warehouse
from flows.warehouse.layout import WarehouseLayout


def _record(warehouse: Path) -> RunRecord:
    gate = GateResult("marts", False, 6, 1, [], 0.8, None, scopes={"marts.a": "whole"})
    return RunRecord(
        published=True, warehouse=warehouse, build_file=warehouse.with_suffix(".build"),
        seconds=12.5, startup_seconds=3.0, flow_run_id="run-1", raw_rows={"actuals": 63},
        mart_rows={"dim_plan": 5}, actuals={"files_loaded": 1}, gates=[GateRecord.of(gate)],
        dbt="dbt build: passed", stage_seconds={"extract": 0.1, "report": 5.0},
        unresolved_names=["indicator 'x' (1 row(s), a.csv:2): candidates y 0.50"],
        held_back=["a.csv:3: value_not_a_number (1 problem(s)): a bound"],
        expected=["a.csv:9: indicator name 'z': not catalogued"],
        changes=Changes(previous=None, current=str(warehouse),
                        marts=[MartChange("dim_plan", 0, 5, 5, 0, 0)]),
        report=warehouse.parent / "report" / "index.html", warnings=["a warning"],
    )  # fmt: skip


def test_the_record_dumped_is_the_record_read(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    create_warehouse(warehouse)
    record = _record(warehouse)
    write_record(record)
    layout = WarehouseLayout(warehouse)
    for path in (layout.last_run_record, layout.published_record):
        read = read_record(path)
        assert read == record
        assert read.format() == record.format()
    assert "gate marts FAILED: 1 of 6 expectations failed" in record.format()
    status = status_text(warehouse)
    assert "flow run run-1" in status and "a.csv:3: value_not_a_number" in status
    assert "a.csv:9: indicator name 'z'" in status and "WARNING: a warning" in status


def test_an_older_record_is_still_read(tmp_path: Path) -> None:
    """Records written before the one model (run_id, gates without text) still show."""
    path = WarehouseLayout(tmp_path / "warehouse.duckdb").last_run_record
    path.write_text('{"warehouse": "w.duckdb", "published": false, "finished_at": "2026-01-01",'
                    ' "run_id": "r", "gates": [{"suite": "raw_inputs", "passed": false,'
                    ' "evaluated": 3, "failed": 1, "failures": ["x"]}], "changes": null,'
                    ' "report": null, "report_error": null}',
                    encoding="utf-8")  # fmt: skip
    record = read_record(path)
    assert record is not None and record.flow_run_id == "r"
    assert record.gates[0].format() == "gate raw_inputs FAILED: 1 of 3 failed"
