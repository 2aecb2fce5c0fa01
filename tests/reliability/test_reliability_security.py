"""Security: no SQL is built from input data, files are written no wider than the umask allows.

The SQL audit reads every f-string in flows/ that looks like SQL and checks that each value it
interpolates is one reviewed below: a name from code or from the warehouse's own catalog (quoted
as an identifier), a path from the command line (escaped as a literal), never a value read from
raw/. A new interpolation fails this test until it uses a parameter (`?`, `$name`) or is added
here with the reason it is safe. Values from input data travel as parameters or as registered
Arrow tables; the hostile-corpus tests (test_reliability_hostile.py) land
`"; DROP TABLE raw.actuals; --` as a header and as values and find it back as text. CSV exports
escape formula cells: tests/report/demo_night/test_report_export.py. Links out of raw/:
test_reliability_hostile.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flows.warehouse.layout import WarehouseLayout
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.reliability

SQL = re.compile(
    r"\b(select|insert|create|delete|update|copy|attach|pragma|drop|alter|set)\b.*"
    r"\b(from|into|table|view|as|to|where|=)\b",
    re.IGNORECASE | re.DOTALL,
)

# file -> interpolated expression -> why it is not input data (reviewed)
# flows/warehouse/db.py's quoting, the one owner: a value written through it is a literal or an
# identifier whatever it holds (tests/warehouse/test_warehouse_sql_quoting.py checks it with
# hostile text)
QUOTED_BY_THE_OWNER = ("sql_literal(", "sql_identifier(")

REVIEWED: dict[str, dict[str, str]] = {
    "flows/load/file_hashes.py": {"TABLE": "the table's name, a code constant"},
    "flows/warehouse/build_digest.py": {
        "LATEST_OUTCOME": "flows/load/actuals_audit.py's query, a code constant",
        "table": "raw table names from the catalog (the loaders' own DDL), quoted",
        "row": "a row expression of the raw tables' column names from the catalog, quoted",
        "_TABLES_STAMP": "the stamp table's name, a code constant",
    },
    "flows/report/year_digests.py": {
        "cols": "the marts' column names, each through sql_identifier",
        "table": "the attached file, schema and mart, through sql_identifier",
    },
    "flows/warehouse/publish.py": {
        "ident": "database alias from code and marts table names from the catalog, quoted",
    },
    "flows/load/raw_parquet.py": {
        "table": "raw table names of flows/load/raw_tables.py RAW_TABLES, a code constant",
        "names": "raw column names of RAW_TABLES, a code constant",
        "key": "PARTITIONED_BY's partition column, a code constant",
        "value": "PARTITIONED_BY's partition expression, a code constant",
    },
    "flows/marts_parity.py": {
        "typed": "columns and types from DuckDB's catalog, names through sql_identifier",
        "', '.join(parts)": "the same columns, names through sql_identifier",
        "relation": "a table through sql_identifier, or read_parquet of a sql_literal path",
        "spark": "read_parquet of a sql_literal path, or an empty typed select (above)",
        "duck": "a projection built by _projected (above)",
        "other": "a projection built by _projected (above)",
    },
    "flows/spark.py": {
        "relation": "sql_identifier(schema, table)",
        "parquet": "sql_literal of the Parquet glob",
    },
    "flows/warehouse/health.py": {
        "ident": "schema and table names from the file's catalog, quoted"
    },
    "flows/load/actuals.py": {
        "', '.join(CONTRACT_COLUMNS)": "the contract's column names, a code constant",
        "limit": "duckdb_memory_limit(), checked against a size pattern (or a caller's keyword)",
        "before": "DuckDB's own current_setting('memory_limit')",
        "LATEST_OUTCOME": "flows/load/actuals_audit.py's query, a code constant",
        "LATEST_AUDIT": "flows/load/actuals_audit.py's query, a code constant",
    },
    "flows/load/actuals_audit.py": {
        "_NEWEST_PER_FILE": "the module's own query text, a code constant",
        "LATEST_AUDIT": "the module's own query text, a code constant",
    },
    "flows/load/raw_tables.py": {
        "table": "raw table names declared in code (RAW_TABLES)",
        "columns": "column definitions declared in code (RAW_TABLES)",
    },
    "flows/load/actuals_stage.py": {
        "line": "a fixed SQL expression chosen by the stager",
        "malformed": "a fixed SQL expression chosen by the stager",
        "', '.join(columns)": "positional names c0..cN: the header's names are never used",
        "columns": "positional names c0..cN and the type varchar",
        "MAX_LINE_BYTES": "a code constant",
    },
    "flows/warehouse/db.py": {
        "table": "raw table names from the loaders' code (and write_stamp's stamp tables)",
        "column": "write_stamp's column names, from code",
        "where": "fixed predicates from the loaders' code (values go as parameters)",
        "columns": "column names of frames the loaders build in code",
        "schema": "a schema name from code",
        "name": "table names from information_schema, quoted",
        "duckdb_memory_limit()": "EDUPLAN_DUCKDB_MEMORY_LIMIT, checked as a size (flows/config.py)",
        "_quoted(path)": "a warehouse path from the night's settings, its quotes doubled",
        "STORAGE_VERSION": "a code constant (the storage format files are created in)",
    },
    "flows/report/changes.py": {
        "where": "a semi join on the changed years, a code constant",
        "old": "the aliases old/new or tables from the catalog",
        "new": "the aliases old/new or tables from the catalog",
        "on": "a join condition built from catalog column names, quoted",
        "cols": "catalog column names, quoted",
        "c": "a catalog column name, quoted",
        "o_key": "catalog key column, quoted",
        "n_key": "catalog key column, quoted",
        "differs or 'false'": "a predicate built from catalog column names",
        "joined": "a join built from the aliases and catalog names",
        "quoted": "a warehouse path from the command line, escaped as a literal",
        "name": "the aliases old/new",
        "keys": "catalog key column names, quoted",
        "side": "the aliases old/new and a mart name from the catalog, quoted",
        "hashed(new)": "a subquery over catalog names (hashed(): keys, cols, side)",
        "hashed(old)": "a subquery over catalog names (hashed(): keys, cols, side)",
    },
    "flows/report/export.py": {
        "table": "a mart name from the warehouse's catalog, quoted",
        "target": "the --out path from the command line, escaped as a literal",
    },
}


def _sql_interpolations() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((REPO_ROOT / "flows").rglob("*.py")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                )
                if SQL.search(text):
                    for value in node.values:
                        if isinstance(value, ast.FormattedValue):
                            found.append((rel, node.lineno, ast.unparse(value.value)))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Constant)
                and SQL.search(str(node.func.value.value))
            ):
                found.append((rel, node.lineno, "str.format(...)"))
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mod)
                and isinstance(node.left, ast.Constant)
                and SQL.search(str(node.left.value))
            ):
                found.append((rel, node.lineno, "% formatting"))
    return found


def test_sql_is_never_formatted_from_input_data() -> None:
    found = _sql_interpolations()
    assert found, "the audit found no SQL f-strings at all: its pattern is broken"
    unreviewed = [
        f"{file}:{line}: {expr}"
        for file, line, expr in found
        if expr not in REVIEWED.get(file, {}) and not expr.startswith(QUOTED_BY_THE_OWNER)
    ]
    assert not unreviewed, (
        "SQL built by formatting values not reviewed as safe (use a parameter, or review "
        "and list them in REVIEWED):\n" + "\n".join(unreviewed)
    )


def test_the_audit_catches_a_value_formatted_into_sql(tmp_path: Path) -> None:
    """The audit's pattern on a line that formats a value from a row into a query."""
    tree = ast.parse("con.execute(f\"select * from raw.actuals where region = '{row.region}'\")")
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)]
    text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    assert SQL.search(text)


_PUBLISH_UNDER_UMASK = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import duckdb
    from flows.warehouse.publish import publish, rollback
    os.umask(0o027)
    warehouse = Path(sys.argv[1])
    build = warehouse.parent / ".build" / warehouse.name
    for night in (1, 2, 3):
        build.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(build))
        con.execute("create or replace table t as select ? as n", [night])
        con.close()
        publish(build, warehouse, keep=3)
    rollback(warehouse, to=1)
    """
)


def test_published_file_and_history_are_no_wider_than_the_umask(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    subprocess.run(
        [sys.executable, "-c", _PUBLISH_UNDER_UMASK, str(warehouse)], check=True, timeout=300
    )
    kept = WarehouseLayout(warehouse).history_dir
    written = [warehouse, *kept.glob("*"), kept]
    # nights 1-3 published (history 1, 2), then rolled back: night 3 kept too; + the folder
    assert len(written) == 1 + 3 + 1
    for path in written:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o027 == 0, f"{path} has mode {oct(mode)}: wider than umask 027 allows"
