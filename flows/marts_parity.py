"""Are the marts Spark built the marts DuckDB built? Table by table, row for row.

For every table of the `marts` schema of a DuckDB warehouse file, the table of the same name
Spark wrote as Parquet (flows/spark.SparkLayout) is read by DuckDB and compared as a multiset of
rows (`except all` both ways, row order ignored): same columns in the same order, every value
equal after casting Spark's to DuckDB's column type, doubles rounded to `places` decimal places
(the engines may differ in the last bits of a floating-point sum or power).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.spark import SparkLayout
from flows.warehouse.db import sql_identifier, sql_literal

FLOATING = {"DOUBLE", "FLOAT", "REAL"}


@dataclass(frozen=True)
class MartParity:
    table: str
    rows: int  # DuckDB's
    spark_rows: int
    only_duckdb: int  # rows of DuckDB's table that Spark's lacks (as a multiset)
    only_spark: int
    problem: str = ""  # a missing table or different columns

    @property
    def equal(self) -> bool:
        return not self.problem and self.only_duckdb == 0 and self.only_spark == 0

    def format(self) -> str:
        if self.problem:
            return f"DIFFERS  {self.table}: {self.problem}"
        word = "equal   " if self.equal else "DIFFERS "
        return (
            f"{word} {self.table}: {self.rows} rows on DuckDB, {self.spark_rows} on Spark, "
            f"{self.only_duckdb} only on DuckDB, {self.only_spark} only on Spark"
        )


def _spark_relation(folder: Path, columns: list[tuple[str, str]]) -> str:
    """Spark's table as DuckDB reads it: its Parquet files, or no rows when Spark wrote none."""
    if any(folder.rglob("*.parquet")):
        return f"read_parquet({sql_literal(folder.as_posix() + '/**/*.parquet')})"
    typed = ", ".join(f"cast(null as {type_}) as {sql_identifier(name)}" for name, type_ in columns)
    return f"(select {typed} where false)"


def _projected(relation: str, columns: list[tuple[str, str]], cast: str | None, places: int) -> str:
    """The relation's columns, cast to DuckDB's types when `cast`, doubles rounded."""
    parts = []
    for name, type_ in columns:
        value = f"cast({sql_identifier(name)} as {type_})" if cast else sql_identifier(name)
        if type_.upper() in FLOATING:
            value = f"round({value}, {places})"
        parts.append(f"{value} as {sql_identifier(name)}")
    return f"select {', '.join(parts)} from {relation}"


def compare_marts(
    database: Path, layout: SparkLayout, *, schema: str = "marts", places: int = 9
) -> list[MartParity]:
    """One MartParity per table of `schema` in `database` (DuckDB's build)."""
    results = []
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name",
            [schema],
        ).fetchall()
        for (table,) in tables:
            columns = [
                (str(name), str(type_))
                for name, type_ in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
            ]
            folder = layout.table_dir(schema, table)
            if not folder.is_dir():
                results.append(MartParity(table, 0, 0, 0, 0, f"Spark wrote no table ({folder})"))
                continue
            spark = _spark_relation(folder, columns)
            spark_columns = [
                str(row[0]) for row in con.execute(f"describe select * from {spark}").fetchall()
            ]
            if spark_columns != [name for name, _ in columns]:
                results.append(
                    MartParity(
                        table,
                        0,
                        0,
                        0,
                        0,
                        f"columns {[n for n, _ in columns]} on DuckDB, {spark_columns} on Spark",
                    )
                )
                continue

            duck = _projected(sql_identifier(schema, table), columns, None, places)
            other = _projected(spark, columns, "cast", places)
            counts = con.execute(
                f"select (select count(*) from {sql_identifier(schema, table)}), "
                f"(select count(*) from {spark}), "
                f"(select count(*) from ({duck} except all {other})), "
                f"(select count(*) from ({other} except all {duck}))"
            ).fetchall()[0]
            results.append(MartParity(table, *(int(n) for n in counts)))
    return results
