"""Compare the marts of two warehouse files, table by table, by content (row order ignored).

    .venv/bin/python scripts/compare_marts.py BEFORE.duckdb AFTER.duckdb [--schema marts]
        [--ignore COLUMN ...]

A refactor that claims "behaviour unchanged" builds the seed warehouse before and after and runs
this: for every table of the schema in either file it compares the column lists and the rows as a
multiset (`except all` both ways), and prints one line per table with its row count and an
order-free content hash. Columns that hold when a run happened (`--ignore`, e.g. a build time)
can be left out. Exit 0 when every table is the same, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def _ident(*names: str) -> str:
    return ".".join('"' + name.replace('"', '""') + '"' for name in names)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, list(column_name order by ordinal_position) "
        "from information_schema.columns where table_catalog = ? and table_schema = ? "
        "group by table_name",
        [catalog, schema],
    ).fetchall()
    return {name: list(columns) for name, columns in rows}


def compare(before: Path, after: Path, *, schema: str, ignore: set[str]) -> list[str]:
    """One line per table; a line starting with 'DIFFERS' or 'MISSING' is a difference."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as before (read_only)")
    con.execute(f"attach '{after}' as after (read_only)")
    old, new = _tables(con, "before", schema), _tables(con, "after", schema)
    lines = []
    for table in sorted(old.keys() | new.keys()):
        if table not in old or table not in new:
            lines.append(f"MISSING  {table}: only in {'after' if table in new else 'before'}")
            continue
        if old[table] != new[table]:
            lines.append(f"DIFFERS  {table}: columns {old[table]} -> {new[table]}")
            continue
        kept = ", ".join(_ident(c) for c in old[table] if c not in ignore)
        a, b = _ident("before", schema, table), _ident("after", schema, table)
        only_before = con.execute(
            f"select count(*) from (select {kept} from {a} except all select {kept} from {b})"
        ).fetchall()[0][0]
        only_after = con.execute(
            f"select count(*) from (select {kept} from {b} except all select {kept} from {a})"
        ).fetchall()[0][0]
        rows, digest = con.execute(
            f"select count(*), bit_xor(hash(({kept},))) from {a}"
        ).fetchall()[0]
        verdict = "same    " if only_before == only_after == 0 else "DIFFERS "
        lines.append(
            f"{verdict} {table}: {rows} rows, hash {digest}, "
            f"{only_before} only before, {only_after} only after"
        )
    con.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schema", default="marts")
    parser.add_argument("--ignore", action="append", default=[], metavar="COLUMN")
    args = parser.parse_args(argv)
    lines = compare(args.before, args.after, schema=args.schema, ignore=set(args.ignore))
    print("\n".join(lines))
    if not lines:
        print(f"no tables in schema {args.schema}")
        return 1
    return 1 if any(not line.startswith("same") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
