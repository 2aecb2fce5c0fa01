"""Reading one actuals CSV into a staging table with the line of every record.

Fast path: DuckDB's CSV reader (strict, all VARCHAR), streaming; a record's line is its position
+ 2, which holds exactly when the file has one record per physical line after the header.
Otherwise (a quoted field spanning lines, blank lines, a row with the wrong number of fields)
the file is read again with Python's csv module, which knows every record's line and keeps
malformed rows for the quarantine. Real files that need the slow path are small."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.load.actuals_contract import (
    CONTRACT_COLUMNS,
    MAX_LINE_BYTES,
    ActualsContractError,
    FileInfo,
)
from flows.warehouse.db import scalar

_BATCH = 100_000


def _rows_view(con: duckdb.DuckDBPyConnection, info: FileInfo, line: str, malformed: str) -> None:
    columns = []
    for name in CONTRACT_COLUMNS:
        position = info.position(name)
        columns.append(f"c{position}" if position is not None else "cast(null as varchar)")
        columns[-1] += f" as {name}"
    con.execute(
        f"create or replace temp view _actuals_rows as select {line} as line, "
        f"{malformed} as malformed, {', '.join(columns)} from _actuals_stage"
    )


def _stage_duckdb(con: duckdb.DuckDBPyConnection, path: Path, info: FileInfo) -> int | None:
    """Stage with DuckDB; None if the file's records do not map one-to-one onto its lines."""
    columns = "{" + ", ".join(f"'c{i}': 'varchar'" for i in range(len(info.header))) + "}"
    try:
        con.execute(
            "create or replace temp table _actuals_stage as select * from read_csv(?, "
            f"columns = {columns}, header = true, delim = ',', quote = '\"', escape = '\"', "
            "auto_detect = false, strict_mode = true, parallel = true, "
            f"max_line_size = {MAX_LINE_BYTES})",
            [str(path)],
        )
    except duckdb.Error:
        con.execute("DROP TABLE IF EXISTS _actuals_stage")
        return None
    rows = int(scalar(con, "select count(*) from _actuals_stage"))  # type: ignore[arg-type]
    if rows != info.data_lines:
        con.execute("DROP TABLE _actuals_stage")
        return None
    # rowids of one CREATE ... AS are consecutive (they start high inside a transaction)
    first = "(select min(rowid) from _actuals_stage)"
    _rows_view(con, info, f"cast(rowid - {first} as integer) + 2", "cast(null as varchar)")
    return rows


def _stage_python(con: duckdb.DuckDBPyConnection, path: Path, file: str, info: FileInfo) -> int:
    """Stage with Python's csv module: exact start line of every record; malformed rows kept."""
    width = len(info.header)
    names = ["line", "malformed", *(f"c{i}" for i in range(width))]
    schema = pa.schema([("line", pa.int32()), *((n, pa.string()) for n in names[1:])])
    con.execute(
        "create or replace temp table _actuals_stage (line integer, malformed varchar, "
        + ", ".join(f"c{i} varchar" for i in range(width))
        + ")"
    )
    batch: list[list[object]] = []
    rows = 0

    def flush() -> None:
        con.register(
            "_actuals_arrow",
            pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in batch], schema=schema),
        )
        con.execute("insert into _actuals_stage from _actuals_arrow")
        con.unregister("_actuals_arrow")
        batch.clear()

    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))  # (lines are checked)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        line_before = 0
        try:
            for record in reader:
                start, line_before = line_before + 1, reader.line_num
                if start == 1 or not record or record == [""]:
                    continue  # the header, or a blank line
                rows += 1
                if len(record) == width:
                    batch.append(
                        [start, None, *(v or None for v in record)]
                    )  # '' -> NULL, as DuckDB
                else:
                    text = ",".join(record)
                    batch.append(
                        [
                            start,
                            f"expected {width} fields, found {len(record)}: {text[:500]}",
                            *([None] * width),
                        ]
                    )
                if len(batch) >= _BATCH:
                    flush()
        except csv.Error as error:
            raise ActualsContractError(
                file, reader.line_num + 1, f"not readable as CSV: {error}", reason="not_csv"
            ) from error
    if batch:
        flush()
    _rows_view(con, info, "line", "malformed")
    return rows


def stage_file(
    con: duckdb.DuckDBPyConnection, path: Path, file: str, info: FileInfo, *, fast: bool = True
) -> int:
    """Stage one file as the temp view `_actuals_rows` (line, malformed, contract columns);
    returns the number of records (header and blank lines not counted)."""
    if fast:
        rows = _stage_duckdb(con, path, info)
        if rows is not None:
            return rows
    return _stage_python(con, path, file, info)
