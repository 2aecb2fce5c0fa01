"""What changed reads the previous file's year digests back from the night that published it
(flows/report/year_digests.py) instead of scanning its fact again, and never uses a digest of a
file that was written since: on small warehouse files whose every difference is known."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.report import year_digests
from flows.report.changes import compare

# a yearly mart whose key (region_code, plan_id, year) comes from the dbt models file
_TABLE = "mart_region_scorecard"


def _warehouse(path: Path, rows: list[tuple[str, str, int, float]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.{_TABLE} (region_code varchar, plan_id varchar, "
                    "year integer, share double)")  # fmt: skip
        con.executemany(f"insert into marts.{_TABLE} values (?, ?, ?, ?)", rows)
    return path


def _change(previous: Path, current: Path) -> tuple[int, int, int]:
    (mart,) = [m for m in compare(previous, current).marts if m.table == _TABLE]
    return mart.added, mart.changed, mart.removed


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The relations whose digest was computed by scanning them."""
    seen: list[str] = []
    scan = year_digests.year_digest

    def recording(con: duckdb.DuckDBPyConnection, relation: tuple[str, ...], columns: list[str]):  # noqa: ANN202
        seen.append(relation[0])
        return scan(con, relation, columns)

    monkeypatch.setattr(year_digests, "year_digest", recording)
    return seen


def test_the_previous_files_digests_are_read_back(tmp_path: Path, scanned: list[str]) -> None:
    rows = [("r1", "p1", 2020, 1.0), ("r1", "p1", 2021, 2.0)]
    first = _warehouse(tmp_path / "first.duckdb", rows)
    second = _warehouse(tmp_path / "second.duckdb", [*rows, ("r1", "p1", 2022, 3.0)])
    third = tmp_path / "third.duckdb"
    shutil.copyfile(second, third)
    with duckdb.connect(str(third)) as con:
        con.execute(f"update marts.{_TABLE} set share = 9 where year = 2021")

    assert _change(first, second) == (1, 0, 0)
    assert scanned == ["old", "new"]
    scanned.clear()
    assert _change(second, third) == (0, 1, 0)  # tomorrow: the file published tonight is old
    assert scanned == ["new"], "the previous file's digest was read back, not computed again"


def test_a_file_written_since_its_digest_is_scanned_again(
    tmp_path: Path, scanned: list[str]
) -> None:
    rows = [("r1", "p1", 2020, 1.0), ("r1", "p1", 2021, 2.0)]
    before = _warehouse(tmp_path / "before.duckdb", rows)
    tonight = _warehouse(tmp_path / "tonight.duckdb", [*rows, ("r2", "p1", 2022, 3.0)])
    assert _change(before, tonight) == (1, 0, 0)
    with duckdb.connect(str(tonight)) as con:  # written in place after its digest was kept
        con.execute(f"update marts.{_TABLE} set share = 5 where year = 2021")
    scanned.clear()
    assert _change(before, tonight) == (1, 1, 0), "the year changed since is compared"
    assert scanned == ["new"]


def test_a_digest_file_that_cannot_be_read_is_ignored(tmp_path: Path) -> None:
    rows = [("r1", "p1", 2020, 1.0)]
    before = _warehouse(tmp_path / "before.duckdb", rows)
    tonight = _warehouse(tmp_path / "tonight.duckdb", [("r1", "p1", 2020, 2.0)])
    store = year_digests.digest_file(tonight)
    store.parent.mkdir(parents=True)
    for broken in ("{not json", "[1, 2]", '{"x": 3}'):
        store.write_text(broken, encoding="utf-8")
        assert _change(before, tonight) == (0, 1, 0)
    known = json.loads(store.read_text(encoding="utf-8"))  # a digest of the wrong shape
    for tables in known.values():
        for entry in tables:
            tables[entry] = [[2020, "many"]]
    store.write_text(json.dumps(known), encoding="utf-8")
    assert _change(before, tonight) == (0, 1, 0)


def test_a_first_nights_digests_serve_the_second_night(tmp_path: Path, scanned: list[str]) -> None:
    """The night flow's first night remembers its file's digests (flows/report/run_outputs.py),
    so the second night scans only its own file."""
    from flows.report.changes import remember_year_digests

    rows = [("r1", "p1", 2020, 1.0)]
    first = _warehouse(tmp_path / "first.duckdb", rows)
    second = _warehouse(tmp_path / "second.duckdb", [*rows, ("r1", "p1", 2021, 2.0)])
    assert remember_year_digests(first) == 1
    assert scanned == ["new"]
    scanned.clear()
    assert year_digests.digest_file(first) == year_digests.digest_file(second)  # one folder
    assert _change(first, second) == (1, 0, 0)
    assert scanned == ["new"]
