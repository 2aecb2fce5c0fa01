"""Where every file of a warehouse lives: the one owner of the warehouse folder's layout.

Beside the published file `<dir>/warehouse.duckdb` a night writes:

    .build/warehouse.duckdb (+ .wal)   tonight's build, audited before publication
    .build/dbt/                        dbt's target and logs for that build
    .warehouse.duckdb.publishing       the audited build, staged for the atomic swap
    .warehouse.duckdb.rollback         a history entry, staged for the atomic swap
    history/warehouse-<UTC>.duckdb     earlier published files, kept for rollback
    report/index.html, report/history/ the HTML report, and earlier nights' reports
    report/.charts/                    the report's rendered charts, by specification
    gx/                                Great Expectations run state (EDUPLAN_GX_DIR may move it)
    docs/dbt/index.html                the dbt docs site
    warehouse.last_run.json            what the last run did
    warehouse.published.json           what the run that published this file did

Every module asks this object for a path; none spells a folder or suffix of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WAL_SUFFIX = ".wal"  # DuckDB's write-ahead log: `<file>.wal` beside the database file


def wal_of(database: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file."""
    return database.with_name(database.name + WAL_SUFFIX)


# Inside a GX run-state folder (`WarehouseLayout.gx_dir`): what the gates write.
# expectations/define.py writes these into great_expectations.yml as `${EDUPLAN_GX_STATE}/...`
# (flows/gx/runner.py).
GX_VALIDATIONS = Path("validations")
GX_DATA_DOCS = Path("data_docs") / "local_site"


@dataclass(frozen=True)
class WarehouseLayout:
    """The files of the warehouse published at `warehouse` (gx_home: EDUPLAN_GX_DIR)."""

    warehouse: Path
    gx_home: Path | None = None

    @property
    def folder(self) -> Path:
        return self.warehouse.parent

    @property
    def wal(self) -> Path:
        return wal_of(self.warehouse)

    @property
    def build_dir(self) -> Path:
        """Where a night's warehouse is built and audited before it is published."""
        return self.folder / ".build"

    @property
    def build_file(self) -> Path:
        return self.build_dir / self.warehouse.name

    @property
    def build_wal(self) -> Path:
        return wal_of(self.build_file)

    @property
    def dbt_artifacts_dir(self) -> Path:
        """dbt's target/ and logs/ of the night's build."""
        return self.build_dir / "dbt"

    @property
    def publishing(self) -> Path:
        """The audited build, staged beside the warehouse so the swap is one rename."""
        return self.warehouse.with_name(f".{self.warehouse.name}.publishing")

    @property
    def rollback_copy(self) -> Path:
        """A history entry's copy, staged beside the warehouse for the swap."""
        return self.warehouse.with_name(f".{self.warehouse.name}.rollback")

    @property
    def history_dir(self) -> Path:
        """Earlier published warehouses, kept for rollback."""
        return self.folder / "history"

    @property
    def report_dir(self) -> Path:
        return self.folder / "report"

    @property
    def report_index(self) -> Path:
        return self.report_dir / "index.html"

    @property
    def report_history_dir(self) -> Path:
        """Earlier nights' reports (report/history/)."""
        return self.report_dir / "history"

    @property
    def chart_cache_dir(self) -> Path:
        """The report's rendered charts by specification (flows/report/charts.py SvgCache)."""
        return self.report_dir / ".charts"

    @property
    def gx_dir(self) -> Path:
        """Validation results and Data Docs of this warehouse's gates (never the checkout)."""
        return self.gx_home or self.folder / "gx"

    @property
    def data_docs_index(self) -> Path:
        return self.gx_dir / GX_DATA_DOCS / "index.html"

    @property
    def dbt_docs_index(self) -> Path:
        """The dbt docs site `eduplan docs` writes."""
        return self.folder / "docs" / "dbt" / "index.html"

    @property
    def last_run_record(self) -> Path:
        """What the last run did (flows/report/status.py writes it)."""
        return self.warehouse.with_name(f"{self.warehouse.stem}.last_run.json")

    @property
    def published_record(self) -> Path:
        """What the run that published the current file did."""
        return self.warehouse.with_name(f"{self.warehouse.stem}.published.json")

    def build_leftovers(self) -> list[Path]:
        """What a failed night may leave beside the published file (files, then folders)."""
        return [
            self.build_file,
            self.build_wal,
            self.publishing,
            self.rollback_copy,
            self.dbt_artifacts_dir,
        ]
