"""The raw tables are declared once (flows/load/raw_tables.py); what describes them elsewhere is
checked against that declaration: the loaders' DDL, the raw gate's column set, dbt's sources and
the contract in docs/raw_schema.md."""

from __future__ import annotations

import re

import duckdb
import yaml

from flows.config import REPO_ROOT
from flows.load import actuals, plans
from flows.load.raw_tables import RAW_TABLES, column_names

RAW_SCHEMA_DOC = REPO_ROOT / "docs" / "raw_schema.md"
SOURCES = REPO_ROOT / "dbt" / "models" / "staging" / "_raw__sources.yml"


def test_the_loaders_ddl_creates_the_declared_tables() -> None:
    con = duckdb.connect()
    con.execute(plans.DDL)
    con.execute(actuals.DDL)
    rows = con.execute(
        "select table_name, list(column_name order by ordinal_position) "
        "from information_schema.columns where table_schema = 'raw' group by table_name"
    ).fetchall()
    con.close()
    assert dict(rows) == {table: column_names(table) for table in RAW_TABLES}


def test_dbt_sources_are_the_declared_tables() -> None:
    spec = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    [raw] = [source for source in spec["sources"] if source["name"] == "raw"]
    assert sorted(t["name"] for t in raw["tables"]) == sorted(RAW_TABLES)


def _doc_row(table: str) -> str:
    for line in RAW_SCHEMA_DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| raw.{table} |"):
            return line.split("|")[3]
    raise AssertionError(f"docs/raw_schema.md has no row for raw.{table}")


def test_docs_raw_schema_lists_every_declared_column_in_order() -> None:
    for table in RAW_TABLES:
        text, position = _doc_row(table), 0
        for column in column_names(table):
            found = re.compile(rf"(?<![\w.]){re.escape(column)}(?!\w)").search(text, position)
            assert found, f"docs/raw_schema.md: raw.{table} lacks {column} (or has it out of order)"
            position = found.end()
