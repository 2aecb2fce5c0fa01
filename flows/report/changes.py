"""What changed tonight: rows added, changed and removed per mart, and every target whose status
changed, between the previously published warehouse and the new one.

Each mart's key is read from its dbt tests (`dbt/models/marts/_marts__models.yml`: a column
tested `unique`, or a model-level `unique_combination_of_columns`), so the key has one owner.
Both files are attached read-only to one in-memory DuckDB connection and compared in SQL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from flows.config import DBT_PROJECT_DIR
from flows.markup import md_text
from flows.report.year_digests import YearDigests, digest_file
from flows.warehouse.db import connect

MARTS_YML = DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml"
MAX_LISTED = 50  # status changes listed in text and markdown (all are kept in the JSON)


@dataclass(frozen=True)
class MartChange:
    """Row differences of one mart, matched on its key."""

    table: str
    rows_before: int
    rows_after: int
    added: int
    changed: int
    removed: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class StatusChange:
    """A target whose status is not what it was (status_before None: a new target)."""

    target_id: str
    region_code: str
    region_name: str
    indicator: str
    attribute: str | None
    year: int
    role: str
    status_before: str | None
    status_after: str | None
    breakdown: str = ""  # the target's breakdown (小学, 初中...; total when the plan has none)

    @property
    def part(self) -> str:
        """The breakdown as shown: empty for a target of the whole (total)."""
        return "" if self.breakdown in ("", "total") else self.breakdown


@dataclass
class Changes:
    """Differences between two published warehouses (previous None: the first night)."""

    previous: str | None
    current: str
    marts: list[MartChange] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Changes:
        return cls(
            previous=data.get("previous"),
            current=data["current"],
            marts=[MartChange(**m) for m in data.get("marts", [])],
            statuses=[StatusChange(**s) for s in data.get("statuses", [])],
        )

    def headline(self) -> str:
        if self.previous is None:
            return "first published night: nothing to compare with"
        changed = [m for m in self.marts if m.any]
        if not changed and not self.statuses:
            return "no mart row and no target status changed"
        return (
            f"{len(changed)} mart(s) changed, {len(self.statuses)} target status change(s)"
            f" (against {Path(self.previous).name})"
        )

    def markdown(self) -> str:
        """Markdown for the Prefect run artifact and the report."""
        lines = ["## What changed tonight", "", md_text(self.headline())]
        if self.previous is None:
            return "\n".join(lines) + "\n"
        lines += ["", "| mart | before | after | added | changed | removed |"]
        lines.append("|---|---:|---:|---:|---:|---:|")
        for m in self.marts:
            lines.append(
                f"| {md_text(m.table)} | {m.rows_before:,} | {m.rows_after:,} | {m.added:,} | "
                f"{m.changed:,} | {m.removed:,} |"
            )
        if self.statuses:
            lines += [
                "",
                "| region | indicator | breakdown | attribute | year | role | before | after |",
            ]
            lines.append("|---|---|---|---|---:|---|---|---|")
            for s in self.statuses[:MAX_LISTED]:
                cells = (
                    f"{s.region_name} {s.region_code}",
                    s.indicator,
                    s.part,
                    s.attribute or "",
                    s.year,
                    s.role,
                    s.status_before or "(new)",
                    s.status_after or "(removed)",
                )
                lines.append("| " + " | ".join(md_text(c) for c in cells) + " |")
            if len(self.statuses) > MAX_LISTED:
                lines.append(f"\n... and {len(self.statuses) - MAX_LISTED} more")
        return "\n".join(lines) + "\n"

    def format(self) -> str:
        """Plain text for the run summary and `eduplan status`."""
        lines = [f"what changed: {self.headline()}"]
        for m in self.marts:
            if m.any:
                lines.append(
                    f"  {m.table:<28} +{m.added:,} ~{m.changed:,} -{m.removed:,} "
                    f"({m.rows_before:,} -> {m.rows_after:,} rows)"
                )
        for s in self.statuses[:MAX_LISTED]:
            lines.append(
                f"  {s.region_name} {s.indicator}{f' ({s.part})' if s.part else ''} {s.year} "
                f"{s.role} [{s.attribute or '-'}]: "
                f"{s.status_before or '(new)'} -> {s.status_after or '(removed)'}"
            )
        if len(self.statuses) > MAX_LISTED:
            lines.append(f"  ... and {len(self.statuses) - MAX_LISTED} more status changes")
        return "\n".join(lines)


@cache
def mart_keys(models_yml: Path = MARTS_YML) -> dict[str, tuple[str, ...]]:
    """Each mart's key columns, from its uniqueness tests in the dbt models file."""
    models = yaml.safe_load(models_yml.read_text(encoding="utf-8"))["models"]
    keys: dict[str, tuple[str, ...]] = {}
    for model in models:
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "unique_combination_of_columns" in test:
                spec = test["unique_combination_of_columns"]
                keys[model["name"]] = tuple(spec.get("arguments", spec)["columns"])
        for column in model.get("columns") or []:
            if "unique" in (column.get("data_tests") or []):
                keys.setdefault(model["name"], (column["name"],))
    return keys


# the comparison spills to disk beyond this: the night stays under its 2 GB budget


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' order by table_name, ordinal_position",
        [catalog],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    return int(con.execute(query).fetchall()[0][0])


def _mart_change(
    con: duckdb.DuckDBPyConnection, table: str, before: list[str], after: list[str],
    digests: YearDigests,
) -> MartChange:  # fmt: skip
    old, new = f'old.marts."{table}"', f'new.marts."{table}"'
    n_before = _count(con, f"select count(*) from {old}") if before else 0
    n_after = _count(con, f"select count(*) from {new}") if after else 0
    common = [c for c in after if c in before]
    key = [c for c in mart_keys().get(table, ()) if c in common]
    if not before or not after:
        return MartChange(table, n_before, n_after, n_after, 0, n_before)
    if not key:  # no key: rows are compared whole (a changed row counts as removed + added)
        cols = ", ".join(f'"{c}"' for c in common)
        added = _count(con, f"select count(*) from (select {cols} from {new} except all "
                            f"select {cols} from {old})")  # fmt: skip
        removed = _count(con, f"select count(*) from (select {cols} from {old} except all "
                              f"select {cols} from {new})")  # fmt: skip
        return MartChange(table, n_before, n_after, added, 0, removed)

    # a yearly fact is compared year by year: a night's new or corrected file touches few years,
    # and a year whose rows hash alike on both sides (count and sum of row hashes) is unchanged,
    # so only the other years' rows are matched one by one
    where = ""
    if "year" in key:
        years = _changed_years(con, table, common, digests)
        if not years:
            return MartChange(table, n_before, n_after, 0, 0, 0)
        where = f" where {_year_in(years)}"

    # matched on a 64-bit hash of the key and told apart on a hash of the row: two integers a
    # row to join, so a 10-million-row fact compares within the memory limit (NULLs hash alike,
    # as `is not distinct from` matches them)
    def hashed(side: str) -> str:
        keys = ", ".join(f'"{c}"' for c in key)
        cols = ", ".join(f'"{c}"' for c in common)
        return f"(select hash({keys}) as k, hash({cols}) as r from {side}{where})"

    added, changed, removed = con.execute(
        "select count(*) filter (o.k is null), "
        "count(*) filter (o.k is not null and n.k is not null and n.r <> o.r), "
        f"count(*) filter (n.k is null) from {hashed(new)} as n "
        f"full outer join {hashed(old)} as o on n.k = o.k"
    ).fetchall()[0]
    return MartChange(table, n_before, n_after, int(added), int(changed), int(removed))


def _changed_years(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], digests: YearDigests
) -> list[int | None]:
    """The years whose rows differ between the two sides of a table, by their digests (rows and
    the sum of their rows' hashes): the previous file's are usually remembered from the night
    that published it (flows/report/year_digests.py), tonight's take one aggregate pass."""
    old = digests.get(con, "old", table, columns)
    new = digests.get(con, "new", table, columns)
    return [year for year in {*old, *new} if old.get(year) != new.get(year)]


def _year_in(years: list[int | None]) -> str:
    """A filter on the years as literals (DuckDB skips the row groups whose year range misses
    them); the year is an integer in every mart, a NULL year is matched too."""
    known = sorted(int(year) for year in years if year is not None)
    tests = [f"year in ({', '.join(str(year) for year in known)})"] if known else []
    return " or ".join(tests + (["year is null"] if None in years else []))


_STATUS_SQL = """
with
progress as (
    select 'old' as side, p.target_id, p.region_code, r.region_name_zh, p.indicator_name_raw,
        p.attribute, p.year, p.role, p.status, p.breakdown
    from old.marts.mart_indicator_progress as p
    left join old.marts.dim_region as r using (region_code)
    union all
    select 'new', p.target_id, p.region_code, r.region_name_zh, p.indicator_name_raw,
        p.attribute, p.year, p.role, p.status, p.breakdown
    from new.marts.mart_indicator_progress as p
    left join new.marts.dim_region as r using (region_code)
),
old_progress as (select * from progress where side = 'old'),
new_progress as (select * from progress where side = 'new')
select
    coalesce(n.target_id, o.target_id) as target_id,
    coalesce(n.region_code, o.region_code) as region_code,
    coalesce(n.region_name_zh, o.region_name_zh, '') as region_name,
    coalesce(n.indicator_name_raw, o.indicator_name_raw) as indicator,
    coalesce(n.attribute, o.attribute) as attribute,
    coalesce(n.year, o.year) as year,
    coalesce(n.role, o.role) as role,
    o.status as status_before,
    n.status as status_after,
    coalesce(n.breakdown, o.breakdown) as breakdown
from new_progress as n
full outer join old_progress as o on n.target_id = o.target_id
where n.status is distinct from o.status
order by region_code, indicator, breakdown, year, role
"""


def compare(previous: Path | None, current: Path) -> Changes:
    """Compare two warehouse files (both opened read-only); previous None: the first night."""
    changes = Changes(str(previous) if previous else None, str(current))
    if previous is None:
        return changes
    con = connect()
    try:
        for name, path in (("old", previous), ("new", current)):
            quoted = str(Path(path).resolve()).replace("'", "''")
            con.execute(f"attach '{quoted}' as {name} (read_only)")
        before, after = _tables(con, "old"), _tables(con, "new")
        digests = YearDigests(digest_file(current), {"old": previous, "new": current})
        for table in sorted(set(before) | set(after)):
            changes.marts.append(
                _mart_change(con, table, before.get(table, []), after.get(table, []), digests)
            )
        digests.save()
        if "mart_indicator_progress" in before and "mart_indicator_progress" in after:
            rows = con.execute(_STATUS_SQL).fetchall()
            changes.statuses = [StatusChange(*row) for row in rows]
    finally:
        con.close()
    return changes


def remember_year_digests(current: Path) -> int:
    """On a first night (nothing to compare with): compute the year digests of the published
    file's yearly marts and keep them, so the next night's comparison reads them back instead
    of scanning this file (flows/report/year_digests.py). Returns how many were computed."""
    con = connect()
    try:
        quoted = str(Path(current).resolve()).replace("'", "''")
        con.execute(f"attach '{quoted}' as new (read_only)")
        digests = YearDigests(digest_file(current), {"new": current})
        for table, columns in sorted(_tables(con, "new").items()):
            if "year" in mart_keys().get(table, ()) and "year" in columns:
                digests.get(con, "new", table, columns)
        digests.save()
    finally:
        con.close()
    return digests.computed


def changes_markdown(previous: Path | None, current: Path) -> str:
    """What changed tonight as markdown, e.g. for the run's Prefect markdown artifact."""
    return compare(previous, current).markdown()
