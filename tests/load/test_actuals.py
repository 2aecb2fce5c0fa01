"""The actuals loader on real DuckDB files: every record of an accepted file lands as written with
its file and line, files load once by content hash, broken files are rejected whole and say why.
(What the rows mean, and which are held back, is dbt's: tests/transform/test_actuals_checked.py.)"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.load.actuals import load_actuals

HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
SOURCE = "https://example.gov.cn/a.html,某某公报"
GOOD = f"绍兴市,普通高中在校生,,2022,86708,人,{SOURCE}"


def write(directory: Path, name: str, rows: list[str], *, header: str = HEADER) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def con(tmp_path: Path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def rejected(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        "select file, line, reason from raw.actuals_load_audit where status = 'rejected' "
        "order by file",
    )


def test_rows_land_exactly_as_written_with_file_and_line(con, tmp_path: Path) -> None:
    write(
        tmp_path / "in",
        "mixed.csv",
        [
            GOOD,
            f"火星市,普通高中在校生,,2018-2022, >99 ,万 人,{SOURCE}",
            "浙江省,学校数,2020",  # too few fields: kept, with its text
        ],
    )
    result = load_actuals(con, tmp_path / "in")
    assert (result.files_loaded, result.rows_landed) == (1, 3)
    assert rows(
        con,
        "select file, line, region, year, value, unit, source_title, malformed "
        "from raw.actuals order by line",
    ) == [
        ("mixed.csv", 2, "绍兴市", "2022", "86708", "人", "某某公报", None),
        ("mixed.csv", 3, "火星市", "2018-2022", " >99 ", "万 人", "某某公报", None),
        (
            "mixed.csv",
            4,
            None,
            None,
            None,
            None,
            None,
            "expected 8 fields, found 3: 浙江省,学校数,2020",
        ),
    ]
    audit = rows(con, "select status, rows_in from raw.actuals_load_audit")
    assert audit == [("loaded", 3)]


def test_running_twice_loads_nothing_twice(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD, f"火星市,学校数,,2020,1,所,{SOURCE}"])
    first = load_actuals(con, tmp_path / "in")
    second = load_actuals(con, tmp_path / "in")
    assert (first.files_loaded, first.rows_landed) == (1, 2)
    assert (second.files_loaded, second.files_skipped, second.rows_landed) == (0, 1, 0)
    assert rows(con, "select count(*) from raw.actuals") == [(2,)]
    assert rows(con, "select status from raw.actuals_load_audit order by loaded_at") == [
        ("loaded",),
        ("skipped",),
    ]


def test_changed_file_replaces_its_earlier_rows(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD, f"火星市,学校数,,2020,1,所,{SOURCE}"])
    write(tmp_path / "in", "b.csv", [f"海宁市,学校数,,2020,1,所,{SOURCE}"])
    load_actuals(con, tmp_path / "in")
    write(tmp_path / "in", "a.csv", [GOOD.replace("86708", "86800")])
    result = load_actuals(con, tmp_path / "in")
    assert (result.files_loaded, result.files_skipped) == (1, 1)
    assert rows(con, "select file, value from raw.actuals order by file") == [
        ("a.csv", "86800"),
        ("b.csv", "1"),
    ]


def test_removed_file_takes_its_rows_with_it(con, tmp_path: Path) -> None:
    path = write(tmp_path / "in", "a.csv", [GOOD])
    load_actuals(con, tmp_path / "in")
    path.unlink()
    result = load_actuals(con, tmp_path / "in")
    assert result.files_removed == 1
    assert rows(con, "select count(*) from raw.actuals") == [(0,)]


def test_gbk_file_is_rejected_whole_and_clearly(con, tmp_path: Path) -> None:
    directory = tmp_path / "in"
    directory.mkdir()
    (directory / "gbk.csv").write_bytes(f"{HEADER}\n{GOOD}\n".encode("gbk"))
    write(directory, "good.csv", [GOOD.replace("2022", "2019")])
    result = load_actuals(con, directory)
    assert (result.files_rejected, result.files_loaded, result.rows_landed) == (1, 1, 1)
    assert rejected(con) == [("gbk.csv", 2, "encoding_gbk")]
    (detail,) = rows(con, "select detail from raw.actuals_load_audit where status = 'rejected'")
    assert "gbk.csv:2" in detail[0] and "GBK" in detail[0] and "UTF-8" in detail[0]
    assert rows(con, "select distinct file from raw.actuals") == [("good.csv",)]
    assert load_actuals(con, directory).files_skipped == 2  # not read again while unchanged


def test_missing_column_is_rejected_naming_it(con, tmp_path: Path) -> None:
    header = "region,indicator,year,value,unit,source_title"
    write(tmp_path / "in", "short.csv", ["绍兴市,学校数,2022,1,所,t"], header=header)
    result = load_actuals(con, tmp_path / "in")
    assert (result.files_rejected, result.rows_landed) == (1, 0)
    assert rejected(con) == [("short.csv", 1, "missing_column")]
    (detail,) = rows(con, "select detail from raw.actuals_load_audit")
    assert "source_url" in detail[0]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty_file"), (b"PK\x03\x04\x00\x00\xff\xfe binary", "not_utf8"), (b"\n\n", "not_csv")],
)
def test_unreadable_files_are_rejected(con, tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.csv").write_bytes(content)
    assert load_actuals(con, tmp_path / "in").files_rejected == 1
    assert [r[2] for r in rejected(con)] == [reason]


def test_bom_and_crlf_are_accepted(con, tmp_path: Path) -> None:
    directory = tmp_path / "in"
    directory.mkdir()
    text = "\r\n".join([HEADER, GOOD, f"火星市,学校数,,2020,1,所,{SOURCE}"]) + "\r\n"
    (directory / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_actuals(con, directory).rows_landed == 2
    assert rows(con, "select line, region, source_title from raw.actuals order by line") == [
        (2, "绍兴市", "某某公报"),
        (3, "火星市", "某某公报"),
    ]


def test_lines_stay_exact_with_multiline_fields_and_blank_lines(con, tmp_path: Path) -> None:
    write(
        tmp_path / "in",
        "ml.csv",
        [
            '绍兴市,学校数,,2020,1,所,https://x.cn,"标题\n第二行"',
            "",
            f"火星市,学校数,,2020,1,所,{SOURCE}",
            GOOD,
        ],
    )
    assert load_actuals(con, tmp_path / "in").rows_landed == 3
    assert rows(con, "select line, region from raw.actuals order by line") == [
        (2, "绍兴市"),
        (5, "火星市"),
        (6, "绍兴市"),
    ]


def test_column_order_and_optional_columns_are_free(con, tmp_path: Path) -> None:
    header = "Year, Value ,unit,region,indicator,source_url,source_title,source_kind"
    write(
        tmp_path / "in",
        "o.csv",
        [f"2022,86708,人,绍兴市,普通高中在校生,{SOURCE},synthetic"],
        header=header,
    )
    load_actuals(con, tmp_path / "in")
    assert rows(con, "select year, value, breakdown, source_kind from raw.actuals") == [
        ("2022", "86708", None, "synthetic")
    ]
