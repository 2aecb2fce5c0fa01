"""What a night's dbt build is made from, as one digest: the dbt project's files (models, seeds,
macros, tests, profile), the versions of dbt and DuckDB, the raw schema and its contents (plan
tables whole; actuals by each file's current sha256 and load outcome, as the loader audits
them). A build records the digest it was made from (`eduplan.dbt_build_inputs`); a night whose
digest equals the recorded one would rebuild every model from the same inputs, so the flow
skips `dbt build` (every model and test would give what the warehouse already holds). The
incremental models do the rest: a night with one new file judges only that file's rows.

The raw part is kept per raw table too (`raw_table_digests`): a night whose dbt project is the
one the marts were built by, but some raw tables changed, names them (`changed_raw_tables`),
and flows/transform.py builds only what they reach. The one place that says which raw tables
changed since the marts were built."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from flows.config import dbt_project_dir
from flows.load.actuals_audit import LATEST_OUTCOME
from flows.load.raw_tables import ACTUALS_TABLES
from flows.warehouse.db import open_warehouse, read_stamp, scalar, write_stamp

# run state of hand runs and of dbt itself, not inputs
NOT_INPUTS = frozenset({"target", "logs", "dbt_packages", ".user.yml", "package-lock.yml"})
_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")

_RAW_DIGEST = f"""
with

outcomes as (
    {LATEST_OUTCOME}
),

latest as (
    select file, sha256, status, line, reason
    from outcomes
)

select md5(coalesce(string_agg(cast(latest as varchar), chr(10) order by file), ''))
from latest
"""


def project_digest(project: Path | None = None) -> str:
    """sha256 of every file of the dbt project (path and bytes) and the dbt/DuckDB versions."""
    root = project or dbt_project_dir()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_dir() or NOT_INPUTS & set(relative.parts) or "__pycache__" in relative.parts:
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in _PACKAGES:
        try:
            digest.update(f"{package}=={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


def raw_table_digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """md5 of each raw table's contents, by table name: each plan table's rows whole (small);
    the actuals tables (ACTUALS_TABLES) one digest, each actuals file's latest load outcome and
    sha256 (its rows are that file's content; its skips say nothing new)."""
    tables = con.execute(
        "select table_name, list(column_name order by ordinal_position) "
        "from information_schema.columns where table_schema = 'raw' "
        "group by table_name order by table_name"
    ).fetchall()
    actuals = str(scalar(con, _RAW_DIGEST)) if any(t in ACTUALS_TABLES for t, _ in tables) else ""
    digests = {}
    for table, columns in tables:
        if table in ACTUALS_TABLES:
            digests[table] = actuals
            continue
        # when a plan was loaded is not what it says (dbt reads no loaded_at)
        kept = ", ".join(f'"{c}"' for c in columns if c != "loaded_at")
        row = f"cast(({kept},) as varchar)"
        digests[table] = str(
            scalar(
                con,
                f"select md5(coalesce(string_agg({row}, chr(10) order by {row}), '')) "
                f'from raw."{table}"',
            )
        )
    return digests


def _raw_digest_of(tables: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def inputs_digest(database: Path, project: str | None = None) -> str:
    """The digest of everything tonight's dbt build would be made from (`project`: the dbt
    project's digest, when the caller has it)."""
    with open_warehouse(database, read_only=True) as con:
        tables = raw_table_digests(con)
    return inputs_digest_of(tables, project)


def inputs_digest_of(tables: dict[str, str], project: str | None = None) -> str:
    """inputs_digest from raw tables' digests already read."""
    raw = _raw_digest_of(tables)
    return hashlib.sha256(f"{project or project_digest()}\n{raw}".encode()).hexdigest()


def read_raw_table_digests(database: Path) -> dict[str, str]:
    """Tonight's raw_table_digests of `database`."""
    with open_warehouse(database, read_only=True) as con:
        return raw_table_digests(con)


def changed_raw_tables(database: Path, tables: dict[str, str]) -> list[str] | None:
    """The raw tables whose contents differ from those the warehouse's marts were last built
    from (`tables`: tonight's raw_table_digests), a table come or gone included; None when
    that is not known (no passing build recorded its tables: build everything)."""
    text = read_stamp(database, _TABLES_STAMP, "digests")
    if text is None:
        return None
    built = json.loads(text)
    return sorted(t for t in built.keys() | tables.keys() if built.get(t) != tables.get(t))


def built_digest(database: Path) -> str | None:
    """The digest the warehouse's marts were last built from (None: never, or unknown)."""
    return read_stamp(database, "dbt_build_inputs", "digest")


def record_built(
    database: Path,
    digest: str,
    project: str | None = None,
    *,
    tables: dict[str, str] | None = None,
) -> None:
    """Record that the warehouse's marts were built from `digest` (after a passing build), by
    the dbt project whose digest is `project`, from raw tables whose digests are `tables`."""
    with open_warehouse(database) as con:
        write_stamp(con, "dbt_build_inputs", "digest", digest)
        if tables is not None:
            write_stamp(con, _TABLES_STAMP, "digests", json.dumps(tables, sort_keys=True))
        if project is not None:
            write_stamp(con, _PROJECT_STAMP, "digest", project)


_TABLES_STAMP = "dbt_build_tables"  # eduplan.<this>: the raw tables' digests a build was made from
_PROJECT_STAMP = "dbt_project"  # eduplan.<this>: the dbt project the last passing build ran


def built_by_another_project(database: Path, project: str) -> bool:
    """Whether the warehouse's models were last built by another dbt project than `project`
    (or by an unknown one: a first build, or a warehouse from before the stamp). The
    incremental models' state was judged by the other project's rules (its lookups, checks and
    macros): every row would be judged again inside an incremental build, which at ten million
    rows takes more memory than a build from scratch; `dbt build --full-refresh` is that build."""
    return read_stamp(database, _PROJECT_STAMP, "digest") != project


def forget_built(database: Path) -> None:
    """Drop the record before a build: a build that fails half-way leaves no stale digest."""
    with open_warehouse(database) as con:
        con.execute("drop table if exists eduplan.dbt_build_inputs")
        con.execute(f"drop table if exists eduplan.{_TABLES_STAMP}")
