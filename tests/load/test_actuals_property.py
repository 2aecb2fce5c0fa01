"""Property: whatever junk a file holds, the loader never raises; a file either lands every one of
its records once (with its line) or is rejected whole with a reason, and the counts add up."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_actuals import HEADER

from flows.load.actuals import load_actuals

FIELD = st.one_of(
    st.sampled_from(
        [
            "绍兴市",
            "330481",
            "火星市",
            "普通高中在校生",
            "小学在校生",
            "2020",
            "2018-2022",
            "86708",
            ">99",
            "-1",
            "1e5",
            "万人",
            "人",
            "所",
            "%",
            "",
            " ",
            "published",
            "synthetic",
            "x",
        ]
    ),
    st.text(alphabet='0123456789.,-"\n\r 万人年%約>\\', max_size=8),
    st.text(max_size=6),
)
ROW = st.lists(FIELD, min_size=0, max_size=10)


def render(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return HEADER + "\n" + out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, max_size=12), raw_junk=st.binary(max_size=40), crlf=st.booleans())
def test_junk_rows_are_loaded_or_quarantined_never_raised(
    rows: list[list[str]], raw_junk: bytes, crlf: bool
) -> None:
    with TemporaryDirectory() as tmp:
        directory = Path(tmp)
        text = render(rows)
        if crlf:
            text = text.replace("\n", "\r\n")
        (directory / "junk.csv").write_text(text, encoding="utf-8")
        (directory / "bytes.csv").write_bytes(HEADER.encode() + b"\n" + raw_junk)
        con = duckdb.connect(str(directory / "w.duckdb"))
        try:
            result = load_actuals(con, directory)
            audits = con.execute(
                "select file, status, rows_in, reason from raw.actuals_load_audit"
            ).fetchall()
            assert len(audits) == 2
            for file, status, rows_in, reason in audits:
                landed, lines = con.execute(
                    "select count(*), count(distinct line) from raw.actuals where file = ?", [file]
                ).fetchall()[0]
                assert landed == lines
                if status == "loaded":
                    assert landed == rows_in and reason is None
                else:
                    assert (status, landed) == ("rejected", 0) and reason
            total = con.execute("select count(*) from raw.actuals").fetchall()[0][0]
            assert result.rows_landed == total
            assert result.files_loaded + result.files_rejected == 2
            assert load_actuals(con, directory).files_skipped == 2
        finally:
            con.close()
