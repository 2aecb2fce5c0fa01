"""Yearly actuals (raw/actuals/*.csv) -> raw.actuals, incrementally by file content hash.

Each file is loaded in its own transaction: an unchanged file (same sha256 as its last load) is
skipped, a changed file replaces its earlier rows, a file that breaks the contract (encoding,
header) is rejected whole. Good rows load; bad rows go to raw.actuals_quarantine with their line
and reason. Files are read by DuckDB and checked in SQL (flows/load/actuals_sql.py), so memory
stays flat for 10 million rows; the contract is docs/actuals_contract.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from flows.load.actuals_contract import (
    ActualsContractError,
    FileInfo,
    default_source_kind,
    file_sha256,
    inspect_file,
)
from flows.load.actuals_lookups import (
    SEEDS_DIR,
    IndicatorSpec,
    read_indicator_catalogue,
    read_region_seed,
    read_unit_conversions,
)
from flows.load.actuals_sql import DUPLICATES_SQL, checked_sql
from flows.load.actuals_stage import stage_file
from flows.load.warehouse import scalar

T = TypeVar("T")
# DuckDB's own memory during a load; with Python, Arrow and the CSV reader's buffers the
# process peaks near 1.5x this (benchmarks/bench_actuals_load.py measures it).
MEMORY_LIMIT = "1GB"

__all__ = ["ActualsContractError", "ActualsLoadResult", "load_actuals"]

DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.actuals (
    file VARCHAR NOT NULL, line INTEGER NOT NULL, region VARCHAR NOT NULL, region_code VARCHAR,
    indicator VARCHAR NOT NULL, breakdown VARCHAR, year INTEGER NOT NULL,
    value DECIMAL(38,10) NOT NULL, value_text VARCHAR NOT NULL, unit VARCHAR,
    indicator_known BOOLEAN,
    source_url VARCHAR NOT NULL, source_title VARCHAR, source_kind VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.actuals_load_audit (
    file VARCHAR NOT NULL, sha256 VARCHAR, status VARCHAR NOT NULL, rows_in INTEGER NOT NULL,
    loaded INTEGER NOT NULL, quarantined INTEGER NOT NULL, reported INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL, detail VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.actuals_quarantine (
    file VARCHAR NOT NULL, line INTEGER NOT NULL, "column" VARCHAR, raw_value VARCHAR,
    reason VARCHAR NOT NULL, detail VARCHAR, kept BOOLEAN NOT NULL
);
"""

_INSERT_GOOD = """
INSERT INTO raw.actuals
SELECT $file, c.line, c.region, c.region_code, c.indicator, c.breakdown, c.year, c.value,
    c.value_text, c.unit, c.indicator_known, c.source_url,
    c.source_title, c.source_kind
FROM _actuals_checked c ANTI JOIN _actuals_duplicates d USING (line)
WHERE len(list_filter(c.problems, lambda p: NOT p.kept)) = 0
"""
_INSERT_PROBLEMS = """
INSERT INTO raw.actuals_quarantine
SELECT $file, line, p.column, p.raw_value, p.reason, p.detail, p.kept
FROM (SELECT line, unnest(problems) AS p FROM _actuals_checked)
UNION ALL
SELECT $file, line, 'value', value_text, reason, detail, false FROM _actuals_duplicates
"""


@dataclass(frozen=True)
class ActualsLoadResult:
    """What one load did. skipped = unchanged sha256; rejected = file broke the contract;
    quarantined = rows held back; reported = rows loaded with a note (unknown indicator);
    regions_checked / indicators_checked = 0 when that lookup was not available."""

    files_seen: int
    files_loaded: int
    files_skipped: int
    rows_loaded: int
    rows_quarantined: int
    files_rejected: int = 0
    files_removed: int = 0
    rows_reported: int = 0
    regions_checked: int = 1
    indicators_checked: int = 1

    def as_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in asdict(self).items()}


def _lookup_tables(
    con: duckdb.DuckDBPyConnection,
    regions: Mapping[str, str] | None,
    indicators: Mapping[str, IndicatorSpec] | None,
    factors: Mapping[tuple[str, str], Decimal],
) -> None:
    """Register the lookups as temp tables the check SQL joins to."""
    region_rows = pl.DataFrame(
        {
            "key": [k.replace(" ", "") for k in (regions or {})],
            "code": list((regions or {}).values()),
        },
        schema={"key": pl.String, "code": pl.String},
    ).unique("key", keep="first")
    specs = indicators or {}
    indicator_rows = pl.DataFrame(
        {
            "alias": [
                a.replace(" ", "").replace("（", "(").replace("）", ")").replace("：", ":")
                for a in specs
            ],
            "indicator_id": [s.indicator_id for s in specs.values()],
            "unit": [s.unit for s in specs.values()],
            "min_value": [
                str(s.min_value) if s.min_value is not None else None for s in specs.values()
            ],
            "max_value": [
                str(s.max_value) if s.max_value is not None else None for s in specs.values()
            ],
            "breakdown": [s.breakdown for s in specs.values()],
        },
        schema={
            n: pl.String
            for n in ("alias", "indicator_id", "unit", "min_value", "max_value", "breakdown")
        },
    ).unique("alias", keep="first")
    units = pl.DataFrame(
        {
            "from_unit": [f for f, _ in factors],
            "to_unit": [t for _, t in factors],
            "factor": [str(v) for v in factors.values()],
        },
        schema={"from_unit": pl.String, "to_unit": pl.String, "factor": pl.String},
    )
    for name, frame in (("regions", region_rows), ("indicators", indicator_rows), ("units", units)):
        con.register("_actuals_arrow", frame.to_arrow())
        con.execute(f"CREATE OR REPLACE TEMP TABLE _actuals_{name}_in AS FROM _actuals_arrow")
        con.unregister("_actuals_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _actuals_regions AS SELECT * FROM _actuals_regions_in"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _actuals_indicators AS SELECT alias, indicator_id, unit, "
        "CAST(min_value AS DECIMAL(38,10)) AS min_value, "
        "CAST(max_value AS DECIMAL(38,10)) AS max_value, breakdown FROM _actuals_indicators_in"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _actuals_units AS SELECT from_unit, to_unit, "
        "CASE WHEN CAST(factor AS DOUBLE) >= 1 THEN CAST(factor AS DECIMAL(38,0)) END AS mul, "
        "CASE WHEN CAST(factor AS DOUBLE) < 1 THEN CAST(factor AS DECIMAL(9,8)) END AS frac "
        "FROM _actuals_units_in"
    )


def _last_sha(con: duckdb.DuckDBPyConnection, file: str) -> str | None:
    return scalar(  # type: ignore[return-value]
        con,
        "SELECT sha256 FROM raw.actuals_load_audit WHERE file = ? "
        "ORDER BY loaded_at DESC, rowid DESC LIMIT 1",
        [file],
    )


def _audit(
    con: duckdb.DuckDBPyConnection,
    file: str,
    sha256: str | None,
    status: str,
    counts: tuple[int, int, int, int],
    detail: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO raw.actuals_load_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [file, sha256, status, *counts, datetime.now(UTC).replace(tzinfo=None), detail],
    )


def _forget(con: duckdb.DuckDBPyConnection, file: str) -> None:
    con.execute("DELETE FROM raw.actuals WHERE file = ?", [file])
    con.execute("DELETE FROM raw.actuals_quarantine WHERE file = ?", [file])


def _reject(
    con: duckdb.DuckDBPyConnection, error: ActualsContractError, sha: str, rows: int
) -> None:
    """Record a file that cannot be read: one quarantine row, nothing loaded."""
    con.execute(
        "INSERT INTO raw.actuals_quarantine VALUES (?, ?, ?, NULL, ?, ?, false)",
        [error.file, error.line or 0, error.column, error.reason, error.message],
    )
    _audit(con, error.file, sha, "rejected", (rows, 0, rows, 0), str(error))


def _count_lines(path: Path) -> int:
    """Data lines of a file (a last line without a newline counts; the header does not)."""
    lines, last = 0, b"\n"
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def _check_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file: str,
    info: FileInfo,
    *,
    checks: tuple[bool, bool],
) -> int:
    """Stage and check one file into temp tables; returns its number of records."""
    rows_in = stage_file(con, path, file, info)
    params = {"default_kind": default_source_kind(path.name)}
    con.execute(checked_sql(have_regions=checks[0], have_indicators=checks[1]), params)
    con.execute(DUPLICATES_SQL, {"file": file})
    return rows_in


def _insert_checked(
    con: duckdb.DuckDBPyConnection, file: str, sha256: str, rows_in: int
) -> tuple[int, int, int, int]:
    """Insert the checked rows and their problems, audit the load, drop the temp tables."""
    con.execute(_INSERT_GOOD, {"file": file})
    con.execute(_INSERT_PROBLEMS, {"file": file})
    loaded = int(scalar(con, "SELECT count(*) FROM raw.actuals WHERE file = ?", [file]))  # type: ignore[arg-type]
    reported = int(  # type: ignore[arg-type]
        scalar(
            con,
            "SELECT count(*) FROM _actuals_checked WHERE len(problems) > 0 "
            "AND len(list_filter(problems, lambda p: NOT p.kept)) = 0 "
            "AND line NOT IN (SELECT line FROM _actuals_duplicates)",
        )
    )
    counts = (rows_in, loaded, rows_in - loaded, reported)
    _audit(con, file, sha256, "loaded", counts)
    return counts


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP VIEW IF EXISTS _actuals_rows")
    for table in ("_actuals_checked", "_actuals_duplicates", "_actuals_stage"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _write(con: duckdb.DuckDBPyConnection, file: str, write: Callable[[], T]) -> T:
    """Replace a file's rows in one transaction: its earlier rows go, the new ones come."""
    con.execute("BEGIN")
    try:
        _forget(con, file)
        result = write()
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        _drop_temp(con)
    return result


def load_actuals(
    con: duckdb.DuckDBPyConnection,
    actuals_dir: Path,
    *,
    regions: Mapping[str, str] | None = None,
    indicators: Mapping[str, IndicatorSpec] | None = None,
    seeds_dir: Path = SEEDS_DIR,
    memory_limit: str | None = MEMORY_LIMIT,
) -> ActualsLoadResult:
    """Load every *.csv in actuals_dir into raw.actuals incrementally by file content hash.

    regions: lookup key (GB/T 2260 code, unique name, or name prefixed by its ancestors) -> code;
    default: read dbt/seeds/regions.csv. indicators: indicator as published -> IndicatorSpec;
    default: the indicator catalogue seeds. Seeds are read from seeds_dir (dbt/seeds); unit
    conversions from its unit_conversions.csv, else a built-in table. A lookup that is missing
    is skipped (the result says so). A file's `file` is its name relative to actuals_dir.
    memory_limit caps DuckDB's memory for the load (it spills to disk beyond it) and is restored
    afterwards; None leaves the connection's setting alone."""
    with _memory_limit(con, memory_limit):
        return _load_all(con, actuals_dir, regions, indicators, seeds_dir)


@contextmanager
def _memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    if limit is None:
        yield
        return
    before = scalar(con, "SELECT current_setting('memory_limit')")
    con.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{before}'")


def _load_all(
    con: duckdb.DuckDBPyConnection,
    actuals_dir: Path,
    regions: Mapping[str, str] | None,
    indicators: Mapping[str, IndicatorSpec] | None,
    seeds_dir: Path,
) -> ActualsLoadResult:
    if regions is None:
        regions = read_region_seed(seeds_dir / "regions.csv")
    if indicators is None:
        indicators = read_indicator_catalogue(seeds_dir)
    con.execute(DDL)
    _lookup_tables(
        con, regions, indicators, read_unit_conversions(seeds_dir / "unit_conversions.csv")
    )
    checks = (regions is not None, indicators is not None)
    paths = sorted(actuals_dir.glob("*.csv")) if actuals_dir.is_dir() else []
    names = {p.relative_to(actuals_dir).as_posix() for p in paths}
    totals = dict(loaded=0, skipped=0, rejected=0, removed=0, rows=0, held=0, reported=0)
    for path in paths:
        file = path.relative_to(actuals_dir).as_posix()
        sha = file_sha256(path)
        if sha == _last_sha(con, file):
            _audit(con, file, sha, "skipped", (0, 0, 0, 0), "unchanged since its last load")
            totals["skipped"] += 1
            continue
        try:  # staged and checked in temp tables; only the writes share a transaction
            info = inspect_file(path, file)
            checked = _check_file(con, path, file, info, checks=checks)
        except ActualsContractError as error:
            rows = _count_lines(path)
            _write(con, file, partial(_reject, con, error, sha, rows))
            totals["rejected"] += 1
            totals["held"] += rows
            continue
        counts = _write(con, file, partial(_insert_checked, con, file, info.sha256, checked))
        totals["loaded"] += 1
        totals["rows"] += counts[1]
        totals["held"] += counts[2]
        totals["reported"] += counts[3]
    gone = con.execute(
        "SELECT DISTINCT file FROM raw.actuals "
        "UNION SELECT DISTINCT file FROM raw.actuals_quarantine"
    ).fetchall()
    for (file,) in gone:
        if file not in names:  # the file was removed from raw/actuals: its rows go with it
            con.execute("BEGIN")
            _forget(con, file)
            _audit(con, file, None, "removed", (0, 0, 0, 0), "file no longer in raw/actuals")
            con.execute("COMMIT")
            totals["removed"] += 1
    return ActualsLoadResult(
        files_seen=len(paths),
        files_loaded=totals["loaded"],
        files_skipped=totals["skipped"],
        rows_loaded=totals["rows"],
        rows_quarantined=totals["held"],
        files_rejected=totals["rejected"],
        files_removed=totals["removed"],
        rows_reported=totals["reported"],
        regions_checked=int(checks[0]),
        indicators_checked=int(checks[1]),
    )
