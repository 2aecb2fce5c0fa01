"""The raw schema's tables, each column declared once: the contract between the loaders and dbt.

The loaders' DDL (`ddl`), the raw gate's column sets (expectations/raw_suites.py) and the build's
raw-schema fingerprint (flows/warehouse/build_info.py) are derived from these declarations;
docs/raw_schema.md and dbt's sources (dbt/models/staging/_raw__sources.yml) are tested against
them (tests/load/test_raw_tables.py). Adding a raw column is one line here (and its meaning
in the doc).
The actuals' data columns are the input contract's (flows/load/actuals_contract.py), landed as
text exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.load.actuals_contract import CONTRACT_COLUMNS


@dataclass(frozen=True)
class RawColumn:
    name: str
    type: str = "varchar"
    not_null: bool = False
    primary_key: bool = False
    default: str | None = None  # SQL literal, for a column added after rows were written

    def sql(self) -> str:
        key = " primary key" if self.primary_key else ""
        default = f" default {self.default}" if self.default is not None else ""
        return f"{self.name} {self.type}{key}{' not null' if self.not_null else ''}{default}"


def _c(name: str, type_: str = "varchar", *, not_null: bool = False) -> RawColumn:
    return RawColumn(name, type_, not_null=not_null)


def _nn(name: str, type_: str = "varchar") -> RawColumn:
    return RawColumn(name, type_, not_null=True)


RAW_TABLES: dict[str, tuple[RawColumn, ...]] = {
    # plans (flows/load/plans.py): replaced as a whole every night
    "plan_documents": (
        RawColumn("plan_id", primary_key=True),
        _nn("doc"),
        _nn("source_file"),
        _nn("sha256"),
        _c("title"),
        _c("document_number"),
        _c("issuer"),
        _c("issued_on", "date"),
        _c("period_start_year", "integer"),
        _c("period_end_year", "integer"),
        _c("region_code"),
        _c("region_name"),
        _c("source_document"),
        _nn("loaded_at", "timestamp"),
    ),
    "plan_tables": (
        _nn("plan_id"),
        _nn("doc"),
        _nn("table_no", "integer"),
        _nn("kind"),
        _c("title"),
        _c("header_line", "integer"),
        _c("last_line", "integer"),
        _c("period_start_year", "integer"),
        _c("period_end_year", "integer"),
        _nn("header_ref"),
    ),
    "plan_cells": (
        _nn("plan_id"),
        _nn("doc"),
        _nn("source_file"),
        _nn("table_no", "integer"),
        _nn("row_order", "integer"),
        _c("category"),
        _nn("indicator"),
        _c("breakdown"),
        _c("unit"),
        _nn("year", "integer"),
        _nn("role"),
        _nn("raw_value"),
        _c("comparator"),
        _c("value"),
        _c("attribute"),
        _c("evaluation"),
        _c("line", "integer"),
        _c("value_upper"),
        _nn("is_approximate", "boolean"),
        _nn("source_ref"),
        _c("needs_review"),  # why the extractor is unsure of the cell; NULL when sure
        RawColumn("is_cumulative", "boolean", not_null=True, default="false"),  # 〔20〕
    ),
    "plan_milestones": (
        _nn("plan_id"),
        _nn("doc"),
        _nn("source_file"),
        _nn("program"),
        _nn("year", "integer"),
        _nn("region"),
        _nn("milestone_text"),
        _c("line", "integer"),
        _nn("source_ref"),
    ),
    # targets stated in prose (flows/extract/prose/): one row per number the body text commits to
    "plan_commitments": (
        _nn("plan_id"),
        _nn("doc"),
        _nn("source_file"),
        _nn("commitment_no", "integer"),  # its order in the document (from 1)
        _c("line", "integer"),
        _nn("quote"),
        _c("subject"),
        _nn("comparator"),
        _nn("value"),
        _c("value_upper"),
        _c("unit"),
        _c("year", "integer"),
        _nn("year_basis"),
        _nn("is_change", "boolean"),
        _c("per"),
        _c("direction"),
        _nn("is_approximate", "boolean"),
        _c("section"),
        _nn("source_ref"),
    ),
    # actuals (flows/load/actuals.py): incremental by file sha256, every field as written
    "actuals": (
        _nn("file"),
        _nn("line", "integer"),
        _c("malformed"),
        *(_c(name) for name in CONTRACT_COLUMNS),
    ),
    "actuals_load_audit": (
        _nn("file"),
        _c("sha256"),
        _nn("status"),
        _nn("rows_in", "integer"),
        _nn("loaded_at", "timestamp"),
        _c("line", "integer"),
        _c("reason"),
        _c("detail"),
    ),
}
PLAN_TABLES = (
    "plan_documents",
    "plan_tables",
    "plan_cells",
    "plan_milestones",
    "plan_commitments",
)
ACTUALS_TABLES = ("actuals", "actuals_load_audit")


def column_names(table: str) -> list[str]:
    """The columns of raw.<table>, in order."""
    return [column.name for column in RAW_TABLES[table]]


def ddl(tables: tuple[str, ...]) -> str:
    """`create table if not exists` for each of `tables` in schema raw (names from code)."""
    statements = ["create schema if not exists raw;"]
    for table in tables:
        columns = ",\n    ".join(column.sql() for column in RAW_TABLES[table])
        statements.append(f"create table if not exists raw.{table} (\n    {columns}\n);")
    return "\n".join(statements) + "\n"
