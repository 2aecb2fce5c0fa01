"""Every BI reader can open the warehouse: a published file is written in a storage format that
DuckDB 1.x reads (flows/warehouse/db.py STORAGE_VERSION), not DuckDB 2.0's default (69), which
the 1.x command-line client, the Node client Evidence uses and JDBC refuse. A real DuckDB 1.1.3
client (`make bi-reader` installs it beside the venv) opens the published file read-only and
reads every mart whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flows.warehouse.db import (
    STORAGE_VERSION,
    connect,
    readable_by_older_readers,
    storage_version,
)
from tests.conftest import REPO_ROOT

BI_READER = REPO_ROOT / ".venv" / "bi-reader-duckdb-1.1.3"
READ_EVERY_MART = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute(
    "select table_name from information_schema.tables where table_schema = 'marts' "
    "order by table_name"
).fetchall()
rows = {t: len(con.execute(f'select * from marts."{t}"').fetchall()) for (t,) in tables}
print(json.dumps({"version": duckdb.__version__, "rows": rows}))
"""


def test_a_duckdb_1x_client_reads_every_mart_of_the_published_file(
    seed_night: tuple[Path, Path],
) -> None:
    _, warehouse = seed_night
    assert (BI_READER / "duckdb").is_dir(), "DuckDB 1.1.3 is missing: `make bi-reader` installs it"
    seen = subprocess.run(
        [sys.executable, "-c", READ_EVERY_MART, str(warehouse)],
        env={**os.environ, "PYTHONPATH": str(BI_READER)},
        capture_output=True, text=True, check=False, cwd="/",
    )  # fmt: skip
    assert seen.returncode == 0, seen.stderr[-2000:]
    read = json.loads(seen.stdout)
    assert read["version"] == "1.1.3"
    with connect(warehouse, read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        expected = {t: len(con.execute(f'select * from marts."{t}"').fetchall()) for (t,) in tables}
    assert read["rows"] == expected and len(expected) >= 11


def test_the_published_file_is_in_the_older_storage_format(seed_night: tuple[Path, Path]) -> None:
    _, warehouse = seed_night
    assert readable_by_older_readers(storage_version(warehouse)), storage_version(warehouse)
    assert not readable_by_older_readers("v2.0.0+")
    assert readable_by_older_readers(STORAGE_VERSION)
