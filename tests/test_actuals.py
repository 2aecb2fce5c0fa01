"""The actuals loader on real DuckDB files: good rows load, bad rows are quarantined with their
line and reason, files are loaded once by content hash, broken files are rejected whole."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flows.load.actuals import load_actuals
from flows.load.actuals_lookups import IndicatorSpec, region_keys

HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
SOURCE = "https://example.gov.cn/a.html,某某公报"

REGIONS = region_keys(
    {
        "330000": ("浙江省", None),
        "330100": ("杭州市", "330000"),
        "330110": ("余杭区", "330100"),
        "330400": ("嘉兴市", "330000"),
        "330481": ("海宁市", "330400"),
        "330600": ("绍兴市", "330000"),
    }
)
INDICATORS = {
    "普通高中在校生": IndicatorSpec("senior_enrolment", "人"),
    "小学在校生": IndicatorSpec("primary_enrolment", "万人"),
    "高等教育毛入学率": IndicatorSpec("higher_education_gross_enrolment_rate", "%"),
    "普惠性幼儿园覆盖率": IndicatorSpec("inclusive_kindergarten_coverage", "%"),
    "学校数": IndicatorSpec("schools", "所"),
    "一般公共预算教育经费": IndicatorSpec("budget", "万元"),
}


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


def load(con: duckdb.DuckDBPyConnection, directory: Path, **kwargs):
    options = {"regions": REGIONS, "indicators": INDICATORS, **kwargs}
    return load_actuals(con, directory, **options)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        'SELECT file, line, "column", raw_value, reason, kept FROM raw.actuals_quarantine '
        "ORDER BY line, reason",
    )


GOOD = f"绍兴市,普通高中在校生,,2022,86708,人,{SOURCE}"


@pytest.mark.parametrize(
    ("bad_row", "column", "raw_value", "reason"),
    [
        (f"火星市,普通高中在校生,,2022,1,人,{SOURCE}", "region", "火星市", "unknown_region"),
        (f"999999,普通高中在校生,,2022,1,人,{SOURCE}", "region", "999999", "unknown_region"),
        (f"浙江省,普惠性幼儿园覆盖率,,2020,>99,%,{SOURCE}", "value", ">99", "value_not_a_number"),
        (f"浙江省,学校数,,2020,约110,所,{SOURCE}", "value", "约110", "value_not_a_number"),
        (f'浙江省,学校数,,2020,"1,100",所,{SOURCE}', "value", "1,100", "value_not_a_number"),
        (f"浙江省,学校数,,2018-2022,110,所,{SOURCE}", "year", "2018-2022", "year_is_range"),
        (
            f"浙江省,学校数,,2018年至2022年,110,所,{SOURCE}",
            "year",
            "2018年至2022年",
            "year_is_range",
        ),
        (f"浙江省,学校数,,二〇二〇,110,所,{SOURCE}", "year", "二〇二〇", "year_not_a_year"),
        (f"浙江省,学校数,,1850,110,所,{SOURCE}", "year", "1850", "year_not_a_year"),
        (f"浙江省,普通高中在校生,,2020,3,所,{SOURCE}", "unit", "所", "unit_not_convertible"),
        (f"浙江省,普通高中在校生,,2020,3,,{SOURCE}", "unit", None, "unit_not_convertible"),
        (
            f"浙江省,普惠性幼儿园覆盖率,,2020,100.5,%,{SOURCE}",
            "value",
            "100.5",
            "value_out_of_range",
        ),
        (f"浙江省,学校数,,2020,-3,所,{SOURCE}", "value", "-3", "value_out_of_range"),
        (f"浙江省,未知指标,,2020,-3,%,{SOURCE}", "value", "-3", "value_out_of_range"),
        (f",学校数,,2020,110,所,{SOURCE}", "region", None, "missing_value"),
        (f"浙江省,学校数,,2020,,所,{SOURCE}", "value", None, "missing_value"),
        ("浙江省,学校数,,2020,110,所,,无来源", "source_url", None, "missing_value"),
        (f"浙江省,学校数,,2020,110,所,{SOURCE},extra", "*", None, "malformed_row"),
        ("浙江省,学校数,2020", "*", None, "malformed_row"),
    ],
)
def test_bad_row_is_quarantined_with_line_and_reason(
    con, tmp_path: Path, bad_row: str, column: str, raw_value: str | None, reason: str
) -> None:
    write(tmp_path / "in", "mixed.csv", [GOOD, bad_row, GOOD.replace("2022", "2021")])
    result = load(con, tmp_path / "in")
    assert result.rows_loaded == 2
    assert result.rows_quarantined == 1
    assert rows(con, "SELECT line FROM raw.actuals ORDER BY line") == [(2,), (4,)]
    held = [q for q in quarantine(con) if not q[5]]
    assert len(held) == 1
    file, line, got_column, got_raw, got_reason, _ = held[0]
    assert (file, line, got_column, got_reason) == ("mixed.csv", 3, column, reason)
    if raw_value is not None:
        assert got_raw == raw_value
    audit = rows(con, "SELECT status, rows_in, loaded, quarantined FROM raw.actuals_load_audit")
    assert audit == [("loaded", 3, 2, 1)]


def test_unknown_indicator_is_loaded_and_reported(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD, f"绍兴市,幼儿园专任教师,,2022,10948,人,{SOURCE}"])
    result = load(con, tmp_path / "in")
    assert (result.rows_loaded, result.rows_quarantined, result.rows_reported) == (2, 0, 1)
    assert quarantine(con) == [
        ("a.csv", 3, "indicator", "幼儿园专任教师", "unknown_indicator", True)
    ]
    assert rows(con, "SELECT indicator, indicator_known FROM raw.actuals ORDER BY line") == [
        ("普通高中在校生", True),
        ("幼儿园专任教师", False),
    ]


def test_duplicates_that_disagree_are_all_held_back(con, tmp_path: Path) -> None:
    write(
        tmp_path / "in",
        "dup.csv",
        [
            GOOD,
            GOOD.replace("86708", "86709"),
            f"绍兴市,普通高中在校生,,2022,8.6708,万人,{SOURCE}",  # agrees with line 2
            f"海宁市,学校数,,2022,10,所,{SOURCE}",
        ],
    )
    result = load(con, tmp_path / "in")
    assert result.rows_loaded == 1
    assert [(q[1], q[4]) for q in quarantine(con)] == [
        (2, "duplicate_disagrees"),
        (3, "duplicate_disagrees"),
        (4, "duplicate_disagrees"),
    ]


def test_duplicates_that_agree_load_once(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "dup.csv", [GOOD, f"绍兴市,普通高中在校生,,2022,8.6708,万人,{SOURCE}"])
    load(con, tmp_path / "in")
    assert rows(con, "SELECT line, value FROM raw.actuals") == [(2, Decimal("86708"))]
    assert [(q[1], q[4]) for q in quarantine(con)] == [(3, "duplicate_row")]


def test_duplicate_across_files_is_held_back_in_the_later_file(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD])
    write(tmp_path / "in", "b.csv", [GOOD.replace("86708", "90000")])
    result = load(con, tmp_path / "in")
    assert result.rows_loaded == 1
    assert rows(con, "SELECT file FROM raw.actuals") == [("a.csv",)]
    assert rows(con, "SELECT file, line, reason FROM raw.actuals_quarantine") == [
        ("b.csv", 2, "duplicate_disagrees")
    ]


def test_breakdown_separates_figures(con, tmp_path: Path) -> None:
    write(
        tmp_path / "in",
        "a.csv",
        [f"绍兴市,学校数,小学,2022,100,所,{SOURCE}", f"绍兴市,学校数,初中,2022,50,所,{SOURCE}"],
    )
    assert load(con, tmp_path / "in").rows_loaded == 2


def test_convertible_units_load_as_written(con, tmp_path: Path) -> None:
    """万人/人 and 亿元/万元 convert to the catalogue unit (so they load); raw keeps the figure
    as published and dbt converts it with the same seed."""
    write(
        tmp_path / "in",
        "u.csv",
        [
            f"绍兴市,小学在校生,,2022,287195,人,{SOURCE}",
            f"绍兴市,普通高中在校生,,2020,9.01,万人,{SOURCE}",
            f"绍兴市,一般公共预算教育经费,,2023,155.63,亿元,{SOURCE}",
            f"绍兴市,普惠性幼儿园覆盖率,,2023,93.5,％,{SOURCE}",
        ],
    )
    assert load(con, tmp_path / "in").rows_quarantined == 0
    got = rows(con, "SELECT line, value, value_text, unit FROM raw.actuals ORDER BY line")
    assert got == [
        (2, Decimal("287195"), "287195", "人"),
        (3, Decimal("9.01"), "9.01", "万人"),
        (4, Decimal("155.63"), "155.63", "亿元"),
        (5, Decimal("93.5"), "93.5", "%"),  # full-width ％ normalised
    ]


def test_range_is_checked_in_the_catalogue_unit(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "r.csv", [f"绍兴市,普惠性幼儿园覆盖率,,2023,-0.5,%,{SOURCE}"])
    load(con, tmp_path / "in")
    (detail,) = rows(con, "SELECT detail FROM raw.actuals_quarantine")
    assert detail[0].startswith("outside the possible range [0, 100]")


def test_gross_enrolment_rate_may_exceed_100(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "g.csv", [f"浙江省,高等教育毛入学率,,2020,104.2,%,{SOURCE}"])
    assert load(con, tmp_path / "in").rows_loaded == 1


def test_regions_resolve_by_code_name_and_prefixed_name(con, tmp_path: Path) -> None:
    write(
        tmp_path / "in",
        "r.csv",
        [
            f"{name},学校数,,2022,1,所,{SOURCE}".replace("2022", str(2000 + i))
            for i, name in enumerate(
                ["浙江省", "绍兴市", "杭州市余杭区", "浙江省杭州市余杭区", "330481"]
            )
        ],
    )
    load(con, tmp_path / "in")
    assert rows(con, "SELECT region_code FROM raw.actuals ORDER BY line") == [
        ("330000",),
        ("330600",),
        ("330110",),
        ("330110",),
        ("330481",),
    ]


def test_running_twice_loads_nothing_twice(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD, f"火星市,学校数,,2020,1,所,{SOURCE}"])
    first = load(con, tmp_path / "in")
    second = load(con, tmp_path / "in")
    assert (first.files_loaded, first.rows_loaded, first.rows_quarantined) == (1, 1, 1)
    assert (second.files_loaded, second.files_skipped, second.rows_loaded) == (0, 1, 0)
    assert rows(con, "SELECT count(*) FROM raw.actuals") == [(1,)]
    assert rows(con, "SELECT count(*) FROM raw.actuals_quarantine") == [(1,)]
    assert rows(con, "SELECT status FROM raw.actuals_load_audit ORDER BY loaded_at") == [
        ("loaded",),
        ("skipped",),
    ]


def test_changed_file_replaces_its_earlier_rows(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD, f"火星市,学校数,,2020,1,所,{SOURCE}"])
    write(tmp_path / "in", "b.csv", [f"海宁市,学校数,,2020,1,所,{SOURCE}"])
    load(con, tmp_path / "in")
    write(tmp_path / "in", "a.csv", [GOOD.replace("86708", "86800")])
    result = load(con, tmp_path / "in")
    assert (result.files_loaded, result.files_skipped) == (1, 1)
    assert rows(con, "SELECT file, value FROM raw.actuals ORDER BY file") == [
        ("a.csv", Decimal("86800")),
        ("b.csv", Decimal("1")),
    ]
    assert rows(con, "SELECT count(*) FROM raw.actuals_quarantine") == [(0,)]


def test_removed_file_takes_its_rows_with_it(con, tmp_path: Path) -> None:
    path = write(tmp_path / "in", "a.csv", [GOOD])
    load(con, tmp_path / "in")
    path.unlink()
    result = load(con, tmp_path / "in")
    assert result.files_removed == 1
    assert rows(con, "SELECT count(*) FROM raw.actuals") == [(0,)]


def test_gbk_file_is_rejected_whole_and_clearly(con, tmp_path: Path) -> None:
    directory = tmp_path / "in"
    directory.mkdir()
    (directory / "gbk.csv").write_bytes(f"{HEADER}\n{GOOD}\n".encode("gbk"))
    write(directory, "good.csv", [GOOD.replace("2022", "2019")])
    result = load(con, directory)
    assert (result.files_rejected, result.files_loaded, result.rows_loaded) == (1, 1, 1)
    assert result.rows_quarantined == 1
    (q,) = rows(con, "SELECT file, line, reason FROM raw.actuals_quarantine")
    assert q == ("gbk.csv", 2, "encoding_gbk")
    (detail,) = rows(con, "SELECT detail FROM raw.actuals_load_audit WHERE status = 'rejected'")
    assert "gbk.csv:2" in detail[0] and "GBK" in detail[0] and "UTF-8" in detail[0]
    assert load(con, directory).files_skipped == 2  # not reported again while unchanged


def test_missing_column_is_rejected_naming_it(con, tmp_path: Path) -> None:
    header = "region,indicator,year,value,unit,source_title"
    write(tmp_path / "in", "short.csv", ["绍兴市,学校数,2022,1,所,t"], header=header)
    result = load(con, tmp_path / "in")
    assert (result.files_rejected, result.rows_loaded, result.rows_quarantined) == (1, 0, 1)
    assert rows(con, 'SELECT line, "column", reason FROM raw.actuals_quarantine') == [
        (1, "source_url", "missing_column")
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty_file"), (b"PK\x03\x04\x00\x00\xff\xfe binary", "not_utf8"), (b"\n\n", "not_csv")],
)
def test_unreadable_files_are_rejected(con, tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.csv").write_bytes(content)
    assert load(con, tmp_path / "in").files_rejected == 1
    assert rows(con, "SELECT reason FROM raw.actuals_quarantine") == [(reason,)]


def test_bom_and_crlf_are_accepted(con, tmp_path: Path) -> None:
    directory = tmp_path / "in"
    directory.mkdir()
    text = "\r\n".join([HEADER, GOOD, f"火星市,学校数,,2020,1,所,{SOURCE}"]) + "\r\n"
    (directory / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = load(con, directory)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert rows(con, "SELECT line, region, source_title FROM raw.actuals") == [
        (2, "绍兴市", "某某公报")
    ]
    assert rows(con, "SELECT line FROM raw.actuals_quarantine") == [(3,)]


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
    result = load(con, tmp_path / "in")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert rows(con, "SELECT line FROM raw.actuals ORDER BY line") == [(2,), (6,)]
    assert rows(con, "SELECT line, reason FROM raw.actuals_quarantine") == [(5, "unknown_region")]


def test_column_order_and_optional_columns_are_free(con, tmp_path: Path) -> None:
    header = "Year, Value ,unit,region,indicator,source_url,source_title,source_kind"
    write(
        tmp_path / "in",
        "o.csv",
        [f"2022,86708,人,绍兴市,普通高中在校生,{SOURCE},synthetic"],
        header=header,
    )
    load(con, tmp_path / "in")
    assert rows(con, "SELECT year, value, breakdown, source_kind FROM raw.actuals") == [
        (2022, Decimal("86708"), None, "synthetic")
    ]


def test_synthetic_files_hold_only_synthetic_rows(con, tmp_path: Path) -> None:
    header = HEADER + ",source_kind"
    write(
        tmp_path / "in",
        "synthetic_x.csv",
        [GOOD + ",", GOOD.replace("2022", "2021") + ",published"],
        header=header,
    )
    load(con, tmp_path / "in")
    assert rows(con, "SELECT line, source_kind FROM raw.actuals") == [(2, "synthetic")]
    assert rows(con, "SELECT line, reason FROM raw.actuals_quarantine") == [
        (3, "invalid_source_kind")
    ]


def test_without_catalogue_indicator_and_unit_checks_are_skipped(con, tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", [GOOD, f"绍兴市,普通高中在校生,,2021,3,所,{SOURCE}"])
    result = load_actuals(con, tmp_path / "in", regions=REGIONS, indicators={})
    assert result.rows_loaded == 2 and result.rows_reported == 2
    con.execute("DELETE FROM raw.actuals_load_audit")
    result = load_actuals(
        con, tmp_path / "in", regions=REGIONS, indicators=None, seeds_dir=tmp_path / "none"
    )
    assert result.indicators_checked == 0
    assert (result.rows_loaded, result.rows_reported) == (2, 0)
    assert rows(con, "SELECT DISTINCT indicator_known FROM raw.actuals") == [(None,)]
