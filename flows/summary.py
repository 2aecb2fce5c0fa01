"""What a night did: its one record (`RunRecord`, a typed model dumped as the warehouse's run
records) and its views for people: the terminal summary of `eduplan run` and the markdown artifact
each run publishes to Prefect (rows per file, gates, status counts per region, stage timings).
`eduplan status` (flows/report/status.py) is the third view.

Plain Python and DuckDB: no Prefect here (flows/nightly.py hands the markdown to Prefect).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from flows.markup import md_code_block, md_text
from flows.report.changes import Changes
from flows.validate import GateResult
from flows.warehouse.db import open_warehouse

SHOWN_NAMES = 20  # unresolved names printed in the summary; `eduplan names` lists them all


class GateRecord(BaseModel):
    """A gate's verdict as the run keeps it (flows/validate.py GateResult, as plain values)."""

    suite: str
    passed: bool
    evaluated: int
    failed: int
    seconds: float = 0.0
    failures: list[str] = Field(default_factory=list)  # each failed expectation, as printed
    text: str = ""  # the verdict as printed (GateResult.format): the terminal shows it whole

    @classmethod
    def of(cls, gate: GateResult) -> GateRecord:
        return cls(
            suite=gate.suite, passed=gate.passed, evaluated=gate.evaluated, failed=gate.failed,
            seconds=gate.seconds, failures=[f.format() for f in gate.failures], text=gate.format(),
        )  # fmt: skip

    def format(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return self.text or f"gate {self.suite} {verdict}: {self.failed} of {self.evaluated} failed"


class RunRecord(BaseModel):
    """What a run did: rows per table, gate results, where the warehouse is, how long it took,
    what changed and where its report is. The one record of a night: the flow fills it, it is
    dumped as the warehouse's last-run and published JSON (flows/report/status.py), and every
    view is a function of it: the terminal summary (`format`), the Prefect artifact
    (`run_markdown`) and `eduplan status`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    published: bool
    warehouse: Path
    build_file: Path | None = None
    finished_at: str = ""  # ISO 8601 UTC, set when the record is written
    seconds: float = 0.0
    startup_seconds: float = 0.0  # `eduplan run`: before the flow began (imports, Prefect)
    # the Prefect flow run (records before the one model called it run_id)
    flow_run_id: str | None = Field(None, validation_alias=AliasChoices("flow_run_id", "run_id"))
    flow_run_url: str | None = None  # the run in the Prefect UI, when a server is configured
    raw_rows: dict[str, int] = Field(default_factory=dict)
    mart_rows: dict[str, int] = Field(default_factory=dict)
    actuals: dict[str, int] = Field(default_factory=dict)
    input_errors: list[str] = Field(default_factory=list)
    gates: list[GateRecord] = Field(default_factory=list)
    dbt: str = ""
    data_docs: Path | None = None
    stage_seconds: dict[str, float] = Field(default_factory=dict)  # stage -> seconds, in order
    unresolved_names: list[str] = Field(default_factory=list)
    held_back: list[str] = Field(default_factory=list)  # flows/held_back.py: file:lines: reason
    expected: list[str] = Field(default_factory=list)  # flows/expected.py: declared, with why
    changes: Changes | None = None  # what changed against the previous published night
    report: Path | None = None  # the HTML progress report (warehouse/report/index.html)
    report_error: str = ""  # why the report could not be written (the night stays published)
    warnings: list[str] = Field(default_factory=list)  # e.g. a corrupted published file
    # what the night was made from, by part (flows/warehouse/night_inputs.py); a published
    # record's are those of the published file, whose identity on disk it keeps too
    inputs: dict[str, str] = Field(default_factory=dict)
    published_file: str = ""  # flows/load/file_hashes.py FileIdentity, right after the swap
    # a night with nothing new (flows/nothing_new.py): why the published warehouse stands
    nothing_new: str = ""

    @property
    def succeeded(self) -> bool:
        """Published, or nothing new to publish: `eduplan run` exits 0."""
        return self.published or bool(self.nothing_new)

    @property
    def verdict(self) -> str:
        if self.published:
            return "PUBLISHED"
        return "NOTHING NEW" if self.nothing_new else "NOT PUBLISHED"

    @field_validator("report_error", mode="before")
    @classmethod
    def _no_report_error(cls, value: str | None) -> str:
        return value or ""  # records before the one model wrote null

    def format(self) -> str:
        lines = [
            f"eduplan nightly-load: {self.verdict}",
            f"  warehouse : {self.warehouse}" + ("" if self.published else " (unchanged)"),
        ]
        if self.nothing_new:
            lines.append(f"  {self.nothing_new}")
        if not self.published and self.build_file is not None and self.build_file.exists():
            lines.append(f"  build file: {self.build_file} (kept for inspection)")
        lines += [f"  WARNING   : {warning}" for warning in self.warnings]
        if self.input_errors:
            lines.append("  bad input (fix these files; nothing was loaded):")
            lines += [f"    {error}" for error in self.input_errors]
        for title, rows in (("raw", self.raw_rows), ("marts", self.mart_rows)):
            if rows:
                lines.append(f"  {title} rows:")
                lines += row_count_lines(rows)
        if self.actuals:
            a = self.actuals
            lines.append(
                f"  actuals   : {a.get('files_loaded', 0)} file(s) loaded, "
                f"{a.get('files_skipped', 0)} unchanged, {a.get('files_rejected', 0)} rejected; "
                f"{a.get('rows_landed', 0):,} rows landed (what dbt held back, and why: "
                "marts.mart_actuals_quarantine)"
            )
        lines += held_back_lines(self.held_back)
        if self.unresolved_names:
            lines.append("  names no rule resolves (`eduplan names`, then `eduplan names accept`):")
            lines += [f"    {name}" for name in self.unresolved_names[:SHOWN_NAMES]]
            if len(self.unresolved_names) > SHOWN_NAMES:
                lines.append(f"    ... and {len(self.unresolved_names) - SHOWN_NAMES} more")
        lines += expected_lines(self.expected)
        if self.dbt:
            lines.append("  " + self.dbt.replace("\n", "\n  "))
        for gate in self.gates:
            lines.append("  " + gate.format().replace("\n", "\n  "))
        if self.data_docs:
            lines.append(f"  data docs : {self.data_docs.as_uri()}")
        if self.report:
            lines.append(f"  report    : {self.report.as_uri()}")
        if self.report_error:
            lines.append(f"  report    : NOT WRITTEN: {self.report_error}")
        if self.changes:
            lines.append("  " + self.changes.format().replace("\n", "\n  "))
        if self.flow_run_id:
            lines.append(f"  flow run  : {self.flow_run_id}")
        if self.flow_run_url:
            lines.append(f"  prefect ui: {self.flow_run_url}")
        if self.stage_seconds:
            stages = ", ".join(f"{s} {t:.1f} s" for s, t in self.stage_seconds.items())
            lines.append(f"  stages    : {stages}")
        startup = (
            f" (start-up {self.startup_seconds:.1f} s: imports, Prefect's server)"
            if self.startup_seconds
            else ""
        )
        lines.append(f"  took      : {self.seconds:.1f}s{startup}")
        return "\n".join(lines)


def row_count_lines(rows: dict[str, int]) -> list[str]:
    """Rows per table as the terminal shows them (the run summary and `eduplan status`)."""
    return [f"    {name:<32} {count:>10,}" for name, count in rows.items()]


def _table(header: list[str], rows: list[tuple[object, ...]]) -> list[str]:
    """A markdown table (cells as literal text: `flows.markup.md_text`); "(none)" when there are
    no rows."""
    if not rows:
        return ["(none)"]

    def cell(value: object) -> str:
        return f"{value:,}" if isinstance(value, int) else md_text(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


_FILES_TONIGHT = """
with audit as (
    select * from raw.actuals_load_audit
),

held_back as (
    select * from marts.mart_actuals_quarantine
),

held_back_per_file as (
    select
        source_file as file,
        count(distinct source_line) as rows_held_back
    from held_back
    group by source_file
),

final as (
    select
        audit.file,
        audit.status,
        audit.rows_in as rows_landed,
        coalesce(held_back_per_file.rows_held_back, 0) as rows_held_back,
        coalesce(audit.reason || ': ', '') || coalesce(audit.detail, '') as detail
    from audit
    left join held_back_per_file on audit.file = held_back_per_file.file
    where audit.loaded_at >= $since
    order by audit.file, audit.loaded_at
)

select * from final
"""

_STATUS_BY_REGION = """
with progress as (
    select * from marts.mart_indicator_progress
),

regions as (
    select * from marts.dim_region
),

final as (
    select
        progress.region_code,
        regions.region_name_zh,
        progress.status,
        count(*) as targets
    from progress
    left join regions on progress.region_code = regions.region_code
    group by all
    order by progress.region_code, progress.status
)

select * from final
"""


def _query(database: Path, sql: str, params: dict[str, object] | None = None) -> list[tuple]:
    """Rows of a query on a warehouse file; [] when the file or a table is not there."""
    if not database.exists():
        return []
    try:
        with open_warehouse(database, read_only=True) as con:
            return con.execute(sql, params or {}).fetchall()
    except (duckdb.CatalogException, duckdb.IOException):
        return []


def _status_table(rows: list[tuple]) -> list[str]:
    """One row per region, one column per status that occurs (counts of targets)."""
    statuses = sorted({status for _, _, status, _ in rows})
    regions: dict[tuple[str, str], dict[str, int]] = {}
    for code, name, status, targets in rows:
        regions.setdefault((code, name), {})[status] = targets
    table = [
        (code, name, *(counts.get(status, 0) for status in statuses))
        for (code, name), counts in regions.items()
    ]
    return _table(["region", "name", *statuses], table)


def held_back_lines(held_back: list[str]) -> list[str]:
    """The summary's and `eduplan status`'s list of what the actuals lost tonight."""
    if not held_back:
        return []
    lines = ["  held back (fix the file and run again; all rows: marts.mart_actuals_quarantine):"]
    lines += [f"    {line}" for line in held_back[:SHOWN_NAMES]]
    if len(held_back) > SHOWN_NAMES:
        lines.append(f"    ... and {len(held_back) - SHOWN_NAMES} more")
    return lines


def expected_lines(expected: list[str]) -> list[str]:
    """Findings declared beside their data files (flows/expected.py): not problems."""
    if not expected:
        return []
    lines = ["  expected (declared beside the data file, with why; not problems):"]
    return lines + [f"    {line}" for line in expected]


def run_markdown(summary: RunRecord, *, database: Path, started_at: datetime) -> str:
    """The run's markdown artifact: verdict, actuals files loaded tonight, gates, progress
    status counts per region (from `database`, the file the run built) and stage timings."""
    verdict = {"PUBLISHED": "published", "NOTHING NEW": "nothing new"}.get(
        summary.verdict, "**not published**"
    )
    lines = [
        f"# nightly-load: {verdict}",
        "",
        *([md_text(summary.nothing_new), ""] if summary.nothing_new else []),
        f"- warehouse: {md_text(summary.warehouse)}",
        f"- took: {summary.seconds:.1f} s",
    ]
    if summary.changes:
        lines += ["", summary.changes.markdown()]
    if summary.input_errors:
        lines += ["", "## Bad input (nothing was loaded)", ""]
        lines += [f"- {md_text(error)}" for error in summary.input_errors]
    files = _query(database, _FILES_TONIGHT, {"since": started_at})
    lines += ["", "## Actuals files tonight", ""]
    lines += _table(["file", "status", "rows landed", "held back (dbt)", "detail"], files)
    if summary.held_back:
        lines += ["", "## Held back (rejected files and rows; fix the file and run again)", ""]
        lines += [f"- {md_text(line)}" for line in summary.held_back]
    if summary.expected:
        lines += ["", "## Expected (declared beside the data file, with why; not problems)", ""]
        lines += [f"- {md_text(line)}" for line in summary.expected]
    lines += ["", "## Gates", ""]
    gate_rows: list[tuple[object, ...]] = [
        (g.suite, "passed" if g.passed else "FAILED", g.evaluated, g.failed, f"{g.seconds:.1f} s")
        for g in summary.gates
    ]
    lines += _table(["gate", "result", "expectations", "failed", "time"], gate_rows)
    failures = [f for g in summary.gates for f in g.failures]
    lines += [f"- {md_text(f.strip())}" for f in failures]
    if summary.dbt:
        lines += ["", *md_code_block(summary.dbt)]
    lines += ["", "## Progress status per region (targets)", ""]
    lines += _status_table(_query(database, _STATUS_BY_REGION))
    lines += ["", "## Stage timings", ""]
    lines += _table(
        ["stage", "seconds"], [(s, f"{t:.1f}") for s, t in summary.stage_seconds.items()]
    )
    return "\n".join(lines) + "\n"
