"""The gates' run state lives beside the warehouse it describes and does not grow with history:
two warehouses built from one checkout keep their own validation results and Data Docs, nothing
is written into expectations/, and Data Docs render only tonight's results however many nights
ran before."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flows.config import EXPECTATIONS_DIR, settings
from flows.report.report import data_docs_path
from flows.validate import RAW_GATE, run_gate, validate_raw
from flows.warehouse.layout import GX_DATA_DOCS, GX_VALIDATIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAN_SUITES = 4  # raw_inputs suites over the plan tables (the actuals suites skip: no actuals)


def _snapshot(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def plans_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the seed plans only (the cheapest real raw gate)."""
    from flows.extract import extract_document
    from flows.load.plans import load_plans, plan_source
    from flows.warehouse.db import open_warehouse

    path = tmp_path_factory.mktemp("plans") / "plans.duckdb"
    plans = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    with open_warehouse(path) as con:
        load_plans(
            con, [extract_document(p) for p in plans], {p.name: plan_source(p) for p in plans}
        )
    return path


def _warehouse(plans_db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    warehouse = folder / "warehouse.duckdb"
    warehouse.write_bytes(plans_db.read_bytes())
    return warehouse


def _results(gx_dir: Path) -> list[Path]:
    return sorted((gx_dir / GX_VALIDATIONS).rglob("*.json"))


def _pages(gx_dir: Path) -> list[Path]:
    return sorted((gx_dir / GX_DATA_DOCS / "validations").rglob("*.html"))


def test_two_warehouses_keep_separate_results(
    plans_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDUPLAN_GX_DIR", raising=False)
    before = _snapshot(EXPECTATIONS_DIR)
    first = settings(warehouse=_warehouse(plans_db, tmp_path / "a"))
    second = settings(warehouse=_warehouse(plans_db, tmp_path / "b"))
    assert first.gx_dir == tmp_path / "a" / "gx" and second.gx_dir == tmp_path / "b" / "gx"

    validate_raw(first.warehouse, gx_dir=first.gx_dir)
    result = validate_raw(first.warehouse, gx_dir=first.gx_dir)
    validate_raw(second.warehouse, gx_dir=second.gx_dir)

    assert result.passed, result.format()
    assert len(_results(first.gx_dir)) == 2 * PLAN_SUITES
    assert len(_results(second.gx_dir)) == PLAN_SUITES
    # the Data Docs the gate links and the report links are the warehouse's own
    assert result.docs_path == first.layout.data_docs_index == data_docs_path(first.warehouse)
    assert first.layout.data_docs_index.is_file() and second.layout.data_docs_index.is_file()
    # the checkout is only read: no file added or rewritten (an old checkout may still hold an
    # uncommitted/ of earlier versions: what matters is that nothing is written there now)
    assert _snapshot(EXPECTATIONS_DIR) == before


def test_gx_dir_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUPLAN_GX_DIR", str(tmp_path / "state"))
    config = settings(warehouse=tmp_path / "w" / "warehouse.duckdb")
    assert config.gx_dir == (tmp_path / "state").resolve()
    assert data_docs_path(config.warehouse) == config.gx_dir / GX_DATA_DOCS / "index.html"


def test_data_docs_render_tonight_only_after_many_nights(plans_db: Path, tmp_path: Path) -> None:
    """Five nights with two results kept per suite: each night renders its own four pages, the
    site and the results store hold two nights, and older pages are not rendered again."""
    gx_dir = tmp_path / "gx"
    keep, nights = 2, 5
    for night in range(1, nights + 1):
        started = time.time()
        time.sleep(0.05)  # mtimes of this night's files are after `started`
        result = run_gate(RAW_GATE, plans_db, gx_dir=gx_dir, keep_results=keep)
        assert result.passed, result.format()
        kept = min(night, keep)
        assert len(_results(gx_dir)) == PLAN_SUITES * kept
        pages = _pages(gx_dir)
        assert len(pages) == PLAN_SUITES * kept
        rendered = [p for p in pages if p.stat().st_mtime >= started]
        assert len(rendered) == PLAN_SUITES  # tonight's results only, never the kept ones again
    index = (gx_dir / GX_DATA_DOCS / "index.html").read_text(encoding="utf-8")
    linked = {os.path.relpath(p, gx_dir / GX_DATA_DOCS) for p in _pages(gx_dir)}
    assert all(link in index for link in linked)
