"""The raw schema as Parquet: what an engine other than DuckDB (Spark) builds the marts from.

`write_raw_parquet` copies every raw table of a warehouse file being built into a folder, one
sub-folder per table (`<folder>/<table>/`), the actuals partitioned by their file
(`actuals/file_key=<md5 of the file name>/`, Hive style) so that a file's rows are one partition.
The key is a digest, not the name: DuckDB percent-encodes a name's UTF-8 bytes in the folder
name and Spark decodes each byte as a character, so 海宁.csv would come back garbled.
The folder is the only copy Spark reads: its dbt target declares external tables over it
(`spark_tables`, passed to dbt as the var `raw_tables`; macro register_raw_tables). Column names
and types come from the one declaration of the raw schema (flows/load/raw_tables.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from flows.load.raw_tables import RAW_TABLES
from flows.warehouse.db import sql_literal

# table -> (partition column, the SQL of its value): a Hive-style folder per value
PARTITIONED_BY: dict[str, tuple[str, str]] = {"actuals": ("file_key", "md5(file)")}

# DuckDB's declared types as Spark spells them; DuckDB writes its timestamp as a Parquet
# timestamp without time zone
SPARK_TYPES: dict[str, str] = {
    "varchar": "string",
    "integer": "int",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp_ntz",
}


def write_raw_parquet(database: Path, folder: Path) -> dict[str, int]:
    """Copy every raw table of `database` into `folder` as Parquet (replacing what was there);
    returns the rows written per table. Opens the file read-only: run it after the loads."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for table, columns in RAW_TABLES.items():
            target = folder / table
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            names = ", ".join(column.name for column in columns)
            rows = con.execute(f"select count(*) from raw.{table}").fetchall()[0][0]
            written[table] = rows
            partition = PARTITIONED_BY.get(table)
            if partition and rows:
                key, value = partition
                con.execute(
                    f"copy (select {names}, {value} as {key} from raw.{table}) to "
                    f"{sql_literal(target)} "
                    f"(format parquet, partition_by ({key}), overwrite_or_ignore)"
                )
            elif not partition:
                con.execute(
                    f"copy (select {names} from raw.{table}) to "
                    f"{sql_literal(target / 'data.parquet')} (format parquet)"
                )
            # an empty partitioned table is an empty folder: its columns are declared anyway
    return written


def spark_tables(folder: Path) -> dict[str, dict[str, object]]:
    """The external tables over `folder`, for dbt's var `raw_tables`: per table its location,
    columns as (name, Spark type), the partition column last, and that column (or None)."""
    tables: dict[str, dict[str, object]] = {}
    for table, columns in RAW_TABLES.items():
        key = PARTITIONED_BY[table][0] if table in PARTITIONED_BY else None
        tables[table] = {
            "location": str((folder / table).resolve()),
            "columns": [[column.name, SPARK_TYPES[column.type]] for column in columns]
            + ([[key, "string"]] if key else []),
            "partitioned_by": key,
        }
    return tables
