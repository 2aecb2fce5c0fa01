"""`eduplan docs`: the dbt docs site and the Great Expectations Data Docs of a warehouse.

dbt's `docs generate --static` writes one self-contained page; it runs on a copy of the
warehouse (dbt-duckdb opens its database for writing, and the published file is only ever
replaced whole). The Data Docs are rebuilt by running the marts gate on the warehouse itself
(read-only), so they show the file as it is. The report links to both.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flows.config import settings
from flows.report.report import dbt_docs_path
from flows.transform import run_dbt
from flows.validate import validate_marts


@dataclass(frozen=True)
class DocsResult:
    dbt_docs: Path
    data_docs: Path | None
    gate_passed: bool

    def __str__(self) -> str:
        lines = [f"dbt docs  : {self.dbt_docs.as_uri()}"]
        if self.data_docs:
            verdict = "passed" if self.gate_passed else "FAILED"
            lines.append(f"data docs : {self.data_docs.as_uri()} (marts gate {verdict})")
        return "\n".join(lines)


class DocsError(RuntimeError):
    """dbt could not generate its docs."""


def build_docs(warehouse: Path) -> DocsResult:
    """Generate both sites for `warehouse`; returns where they are."""
    warehouse = Path(warehouse).resolve()
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `eduplan run` first")
    target = dbt_docs_path(warehouse)
    with tempfile.TemporaryDirectory(prefix="eduplan-docs-") as tmp:
        copy = Path(tmp) / warehouse.name
        shutil.copyfile(warehouse, copy)
        result = run_dbt("docs generate --static", copy, artifacts_dir=Path(tmp) / "dbt")
        page = Path(tmp) / "dbt" / "target" / "static_index.html"
        if not result.success or not page.exists():
            raise DocsError(result.format())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    gate = validate_marts(warehouse, gx_dir=settings(warehouse=warehouse).gx_dir)
    return DocsResult(target, gate.docs_path, gate.passed)
