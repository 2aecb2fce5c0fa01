"""What a night's dbt build is made from, as one digest: the dbt project's files (models, seeds,
macros, tests, profile), the versions of dbt and DuckDB, the raw schema and its contents (plan
tables whole; actuals by each file's current sha256 and load outcome, as the loader audits
them). A build records the digest it was made from (`eduplan.dbt_build_inputs`); a night whose
digest equals the recorded one would rebuild every model from the same inputs, so the flow
skips `dbt build` (every model and test would give what the warehouse already holds). The
incremental models do the rest: a night with one new file judges only that file's rows."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from flows.config import dbt_project_dir
from flows.load.actuals_audit import LATEST_OUTCOME
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


def raw_digest(con: duckdb.DuckDBPyConnection) -> str:
    """md5 of the raw schema: each plan table's rows whole (small), each actuals file's latest
    load outcome and sha256 (its rows are that file's content)."""
    tables = con.execute(
        "select table_name, list(column_name order by ordinal_position) "
        "from information_schema.columns where table_schema = 'raw' "
        "and table_name not in ('actuals', 'actuals_load_audit') "
        "group by table_name order by table_name"
    ).fetchall()
    parts = [str(scalar(con, _RAW_DIGEST))]
    for table, columns in tables:
        # when a plan was loaded is not what it says (dbt reads no loaded_at)
        kept = ", ".join(f'"{c}"' for c in columns if c != "loaded_at")
        row = f"cast(({kept},) as varchar)"
        parts.append(
            f"{table}:"
            + str(
                scalar(
                    con,
                    f"select md5(coalesce(string_agg({row}, chr(10) order by {row}), '')) "
                    f'from raw."{table}"',
                )
            )
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def inputs_digest(database: Path, project: str | None = None) -> str:
    """The digest of everything tonight's dbt build would be made from (`project`: the dbt
    project's digest, when the caller has it)."""
    with open_warehouse(database, read_only=True) as con:
        raw = raw_digest(con)
    return hashlib.sha256(f"{project or project_digest()}\n{raw}".encode()).hexdigest()


def built_digest(database: Path) -> str | None:
    """The digest the warehouse's marts were last built from (None: never, or unknown)."""
    return read_stamp(database, "dbt_build_inputs", "digest")


def record_built(database: Path, digest: str, project: str | None = None) -> None:
    """Record that the warehouse's marts were built from `digest` (after a passing build), and
    by the dbt project whose digest is `project`."""
    with open_warehouse(database) as con:
        write_stamp(con, "dbt_build_inputs", "digest", digest)
        if project is not None:
            write_stamp(con, _PROJECT_STAMP, "digest", project)


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
