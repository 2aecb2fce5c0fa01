"""flows/warehouse/db.py's sql_literal and sql_identifier, the one way SQL text takes a value or
a name it cannot take as a parameter: hostile text stays one literal or one identifier."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.warehouse.db import sql_identifier, sql_literal

HOSTILE = "O'Brien\"; drop table x; --'"


def test_a_literal_reads_back_as_the_text_it_was_given() -> None:
    with duckdb.connect() as con:
        assert con.execute(f"select {sql_literal(HOSTILE)}").fetchall() == [(HOSTILE,)]
        assert con.execute(f"select {sql_literal(Path('/tmp') / HOSTILE)}").fetchall() == [
            (f"/tmp/{HOSTILE}",)
        ]


def test_an_identifier_names_exactly_one_relation() -> None:
    with duckdb.connect() as con:
        con.execute(f"create schema {sql_identifier(HOSTILE)}")
        con.execute(f"create table {sql_identifier(HOSTILE, HOSTILE)} as select 1 as one")
        assert con.execute(f"select * from {sql_identifier(HOSTILE, HOSTILE)}").fetchall() == [(1,)]
        assert con.execute("select schema_name, table_name from duckdb_tables()").fetchall() == [
            (HOSTILE, HOSTILE)
        ]
