"""report_night compares with the night before in a thread while the chart workers (started
first) draw: the record and the page hold what `compare` finds, the record keeps it when the
page then cannot be written, and a comparison that fails fails the report as it did."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from flows.report import run_outputs
from flows.report.changes import compare
from flows.summary import RunRecord
from flows.warehouse.layout import WarehouseLayout


def _copy(demo_night, tmp_path: Path) -> tuple[Path, Path]:
    """The demo's two nights copied (tonight's file and the one before, in history/), with its
    drawn charts (none is drawn again: the test stays quick)."""
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    charts = WarehouseLayout(warehouse).chart_cache_dir
    shutil.copytree(WarehouseLayout(demo_night.warehouse).chart_cache_dir, charts)
    (previous,) = WarehouseLayout(demo_night.warehouse).history_dir.glob("*.duckdb")
    history = WarehouseLayout(warehouse).history_dir
    history.mkdir(parents=True)
    shutil.copy2(previous, history / previous.name)
    shutil.copy2(demo_night.warehouse, warehouse)
    return warehouse, history / previous.name


def test_the_record_and_the_page_say_what_compare_finds(demo_night, tmp_path: Path) -> None:
    warehouse, previous = _copy(demo_night, tmp_path)
    raw = demo_night.warehouse.parent / "raw"
    night = run_outputs.report_night(RunRecord(published=True, warehouse=warehouse), raw_dir=raw)
    assert night.report_error == "" and night.report is not None
    assert night.changes == compare(previous, warehouse) and night.changes.statuses
    assert html.escape(night.changes.headline()) in night.report.read_text(encoding="utf-8")


def test_a_page_that_cannot_be_written_keeps_what_changed(demo_night, tmp_path: Path) -> None:
    warehouse, previous = _copy(demo_night, tmp_path)
    WarehouseLayout(warehouse).report_index.mkdir(parents=True)  # the page cannot replace it
    night = run_outputs.report_night(RunRecord(published=True, warehouse=warehouse))
    assert night.report is None and night.report_error
    assert night.changes == compare(previous, warehouse)


def test_a_comparison_that_fails_fails_the_report(
    demo_night, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, _ = _copy(demo_night, tmp_path)

    def broken(_: Path) -> None:
        raise RuntimeError("the night before is unreadable")

    monkeypatch.setattr(run_outputs, "_changes", broken)
    night = run_outputs.report_night(RunRecord(published=True, warehouse=warehouse))
    assert night.report is None and night.changes is None
    assert night.report_error == "RuntimeError: the night before is unreadable"
