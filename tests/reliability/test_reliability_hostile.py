"""The hostile corpus (tests/reliability/hostile_corpus.py) against the actuals loader and the plan
extraction: every file is loaded as written (as text) or refused with its file and reason,
nothing else is lost, no exception escapes, and a 200 MB one-line file costs bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows.load.actuals import load_actuals
from flows.nightly import extract_plans
from tests.conftest import PLANS_DIR
from tests.reliability.hostile_corpus import HOSTILE, MB, write_actuals, write_plans

pytestmark = pytest.mark.reliability

BIG = int(os.environ.get("EDUPLAN_HOSTILE_BIG_MB", "200")) * MB


def _audit(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None, str | None, int]]:
    rows = con.execute(
        "select file, status, reason, detail, rows_in from raw.actuals_load_audit order by rowid"
    ).fetchall()
    return {
        file: (status, reason, detail, rows_in) for file, status, reason, detail, rows_in in rows
    }


def test_hostile_actuals_land_as_text_or_are_rejected_with_file_and_reason(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "actuals"
    (tmp_path / "elsewhere").mkdir()
    cases = write_actuals(folder, outside=tmp_path / "elsewhere", big_bytes=0)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = load_actuals(con, folder)
    audit = _audit(con)
    assert set(audit) == set(cases), "a file was silently dropped"
    for name, (outcome, *expected) in cases.items():
        status, reason, detail, rows_in = audit[name]
        if outcome == "loaded":
            assert status == "loaded" and rows_in == expected[0], (name, audit[name])
        else:
            assert (status, reason) == ("rejected", expected[0]), (name, audit[name])
            assert detail and detail.startswith(name), (name, detail)
            assert all(word in detail for word in expected[1:]), (name, detail)
    assert result.files_rejected == sum(o[0] == "rejected" for o in cases.values())

    def rows(file: str) -> list[tuple]:
        return con.execute(
            "select line, malformed, region, indicator, value, unit from raw.actuals "
            "where file = ? order by line",
            [file],
        ).fetchall()

    # hostile names are data: they land as text and every table is still there
    assert rows("hostile_names.csv") == [(2, None, HOSTILE, HOSTILE, "1", "%")]
    # exactly the rows of the files loaded (hostile_corpus.py states each file's rows)
    loaded_rows = sum(expected[0] for outcome, *expected in cases.values() if outcome == "loaded")
    assert con.execute("select count(*) from raw.actuals").fetchall()[0][0] == loaded_rows > 0
    assert rows("fullwidth.csv")[0][4] == "９０．５"  # as written; dbt decides what it means
    assert len(rows("long_cell.csv")[0][3]) == 1_000_000
    assert rows("bom_crlf.csv")[0][2:] == ("海宁市", "普惠性幼儿园儿童覆盖面", "85.1", "%")
    truncated = rows("truncated.csv")
    assert truncated[0][1] is None and truncated[1][0] == 3 and truncated[1][1], truncated
    assert "secret" not in json.dumps(rows("link_outside.csv"))  # nothing read from outside
    con.close()


def test_hostile_plan_documents_are_read_or_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "plans"
    (tmp_path / "elsewhere").mkdir()
    good = sorted(PLANS_DIR.glob("*.txt"))[0]
    cases = write_plans(folder, outside=tmp_path / "elsewhere", good=good, big_bytes=BIG)
    documents, sources, errors, warnings = extract_plans.fn(folder)
    read = {name for name in sources}
    for name, (outcome, *words) in cases.items():
        named = [e for e in errors if name in e]
        refused = [w for w in warnings if name in w]  # by name, the night going on
        if outcome == "any" and refused:
            assert name not in read and not named, (name, refused)
            continue
        if outcome == "read":
            assert name in read and not named, (name, named)
        elif outcome == "error":
            assert name not in read and len(named) == 1, (name, errors)
            assert all(word in named[0] for word in words), named
        else:  # read exactly, or refused by name: never both, never neither
            assert (name in read) != bool(named), (name, named)
    assert not any("Traceback" in e for e in errors)
    assert len(documents) == len(read)


_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import duckdb
    from flows.load.actuals import load_actuals
    con = duckdb.connect(sys.argv[2])
    result = load_actuals(con, Path(sys.argv[1]))
    audit = con.execute("select file, status, reason, detail from raw.actuals_load_audit")
    print(json.dumps(audit.fetchall()))
    """
)


def _child_peak_rss(folder: Path, database: Path) -> tuple[int, list]:
    """Load `folder` in a child process; its peak resident memory (bytes, from wait4's
    rusage: this child alone) and its audit rows."""
    out, err = database.with_suffix(".out"), database.with_suffix(".err")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(folder), str(database)],
            stdout=stdout,
            stderr=stderr,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, err.read_text()[-2000:]
    return usage.ru_maxrss * 1024, json.loads(out.read_text())


@pytest.mark.parametrize("shape", ["one_line", "header_and_one_long_row"])
def test_a_200_mb_actuals_file_costs_bounded_memory(shape: str, tmp_path: Path) -> None:
    big, small = tmp_path / "big", tmp_path / "small"
    big.mkdir()
    small.mkdir()
    header = b"region,indicator,breakdown,year,value,unit,source_url,source_title"
    prefix = header + (b"," if shape == "one_line" else b"\n\xe6\xb5\xb7,")
    for folder, size in ((small, 4096), (big, BIG)):
        with (folder / "data.csv").open("wb") as handle:
            handle.write(prefix)
            chunk, left = b"x" * (1 << 20), size - len(prefix)
            while left > 0:
                handle.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
    base, _ = _child_peak_rss(small, tmp_path / "small.duckdb")
    peak, audit = _child_peak_rss(big, tmp_path / "big.duckdb")
    assert [(f, s) for f, s, _, _ in audit] == [("data.csv", "rejected")], audit
    assert audit[0][3].startswith("data.csv:") and "MB" in audit[0][3], audit
    grown = peak - base
    print(f"{shape}: {BIG / MB:.0f} MB file, peak RSS {peak / MB:.0f} MB, +{grown / MB:.0f} MB")
    assert grown < BIG / 2, f"loading a {BIG / MB:.0f} MB file grew memory by {grown / MB:.0f} MB"
