"""BI access: `eduplan export` (Parquet, CSV with formula escaping and BOM), `eduplan docs`, and a
read-only SQLAlchemy (duckdb-engine) reader that keeps querying a mart while a night publishes."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.report.export import escape_cell, export_marts

READER = r"""
import json, sys, time
from pathlib import Path
from sqlalchemy import create_engine, text

url, stop = sys.argv[1], Path(sys.argv[2])
while True:
    try:  # a new connection each time, as a BI tool's pool does once it recycles
        engine = create_engine(url)
        with engine.connect() as con:
            rows = con.execute(text("select count(*) from marts.fct_indicator_actual")).scalar()
        engine.dispose()
        print(json.dumps({"rows": rows}), flush=True)
    except Exception as error:
        print(json.dumps({"error": str(error)}), flush=True)
    if stop.exists():
        break
    time.sleep(0.2)
"""


def bi_url(warehouse: Path) -> str:
    """The SQLAlchemy URI a BI tool (Superset...) is given: read-only through duckdb-engine."""
    return f"duckdb:///{warehouse}?access_mode=read_only"


def test_escape_cell_neutralises_formulas() -> None:
    assert [escape_cell(v) for v in ["=1+1", "+4", "-x", "@SUM(A1)", "\tx", "ok", "海宁"]] == [
        "'=1+1", "'+4", "'-x", "'@SUM(A1)", "'\tx", "ok", "海宁",
    ]  # fmt: skip
    assert escape_cell(-0.5) == -0.5 and escape_cell(None) is None


def test_csv_export_escapes_cells_and_writes_a_bom(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (name varchar, value decimal(38, 10), n integer)")
        con.execute(
            "insert into marts.t values ('=HYPERLINK(\"x\")', -0.5, -3), ('海宁市', 86.4, 1)"
        )
    (exported,) = export_marts(warehouse, tmp_path / "csv", fmt="csv", bom=True)
    raw = exported.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with exported.path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["name", "value", "n"], ["'=HYPERLINK(\"x\")", "-0.5", "-3"],
                    ["海宁市", "86.4", "1"]]  # fmt: skip
    (plain,) = export_marts(warehouse, tmp_path / "plain", fmt="csv")
    assert not plain.path.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(ValueError, match="--format"):
        export_marts(warehouse, tmp_path, fmt="xlsx")


def test_export_every_mart(demo_night, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "parquet"
    args = ["export", "--format", "parquet", "--out", str(out)]
    assert main([*args, "--warehouse", str(demo_night.warehouse)]) == 0
    assert "mart_indicator_progress.parquet" in capsys.readouterr().out
    with duckdb.connect(str(demo_night.warehouse), read_only=True) as con:
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        for (table,) in marts:
            expected = con.execute(f"select * from marts.{table} order by all").fetchall()
            got = con.execute(f"select * from '{out / table}.parquet' order by all").fetchall()
            assert got == expected, table
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "csv"),
                 "--warehouse", str(demo_night.warehouse)]) == 0  # fmt: skip
    with (tmp_path / "csv" / "dim_region.csv").open(encoding="utf-8", newline="") as fh:
        regions = list(csv.DictReader(fh))
    with duckdb.connect(str(demo_night.warehouse), read_only=True) as con:
        assert len(regions) == con.execute("select count(*) from marts.dim_region").fetchall()[0][0]
    assert {r["region_code"] for r in regions} >= {"330481", "330400"}
    assert len(list((tmp_path / "csv").glob("*.csv"))) == len(marts)


def test_a_bi_reader_keeps_querying_while_a_night_publishes(demo_night, tmp_path: Path) -> None:
    from flows.nightly import nightly_load

    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(demo_night.warehouse, warehouse)
    raw = tmp_path / "raw"
    shutil.copytree(demo_night.warehouse.parent / "raw", raw)
    (raw / "actuals" / "haining_2019.csv").write_text(
        "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
        "330481,学生近视人数比例,,2019,56.2,%,https://example.org/hn,海宁2019教育统计\n",
        encoding="utf-8",
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (before,) = con.execute("select count(*) from marts.fct_indicator_actual").fetchall()[0]
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, bi_url(warehouse), str(stop)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
        time.sleep(1.0)
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=60)
    assert summary.published, summary.format()
    answers = [json.loads(line) for line in output.splitlines()]
    assert [a for a in answers if "error" in a] == []
    counts = [a["rows"] for a in answers]
    assert len(counts) > 10
    assert counts[0] == before and counts[-1] == before + 1
    assert set(counts) == {before, before + 1}


def test_docs_builds_dbt_docs_and_data_docs(demo_night, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.report.report import dbt_docs_path

    assert main(["docs", "--warehouse", str(demo_night.warehouse)]) == 0
    out = capsys.readouterr().out
    page = dbt_docs_path(demo_night.warehouse)
    assert page.as_uri() in out and "data docs" in out and "marts gate passed" in out
    assert "mart_indicator_progress" in page.read_text(encoding="utf-8")
