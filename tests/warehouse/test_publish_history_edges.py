"""History at its edges, on real DuckDB files: which entries a rollback keeps when it prunes (the
restored entry always, `keep` counting from the newest), that a rollback without `keep` prunes
nothing, and names in history/ that are no readable file (a dangling link, a folder) listed
apart from the entries one can roll back to, and the counter that tells apart entries replaced
in the same instant."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

import duckdb
import pytest

from flows.warehouse import publish as publish_module
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history, publish, rollback, unreadable_entries


def _night(build: Path, n: int) -> Path:
    """A build that says which night it is (no marts: every night is a restore point)."""
    build.unlink(missing_ok=True)
    con = duckdb.connect(str(build))
    con.execute("create table night as select ? as n", [n])
    con.close()
    return build


def _n(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute("select n from night").fetchall()[0][0])
    finally:
        con.close()


def _published_nights(tmp_path: Path, count: int) -> Path:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    for n in range(1, count + 1):
        publish(_night(tmp_path / "build.duckdb", n), warehouse)
    return warehouse


def test_rollback_with_keep_prunes_from_the_newest_but_keeps_the_restored_entry(
    tmp_path: Path,
) -> None:
    warehouse = _published_nights(tmp_path, 5)
    assert [_n(e.path) for e in history(warehouse)] == [4, 3, 2, 1]
    rollback(warehouse, to=2, keep=1)  # entry 2 is night 3
    assert _n(warehouse) == 3
    # night 5 (replaced) is entry 1 now; keep=1 would leave only it, but the restored entry
    # (night 3, now entry 3) is never pruned: keep becomes 3, nights 2 and 1 go
    assert [_n(e.path) for e in history(warehouse)] == [5, 4, 3]


def test_rollback_without_keep_prunes_nothing(tmp_path: Path) -> None:
    warehouse = _published_nights(tmp_path, 4)
    rollback(warehouse)  # to the previous night, 3
    assert _n(warehouse) == 3
    assert [_n(e.path) for e in history(warehouse)] == [4, 3, 2, 1]


def test_names_that_are_no_readable_file_are_listed_apart(tmp_path: Path) -> None:
    warehouse = _published_nights(tmp_path, 2)
    folder = history(warehouse)[0].path.parent
    dangling = folder / "warehouse-20260101T000000000000Z.duckdb"
    dangling.symlink_to(folder / "gone.duckdb")
    a_folder = folder / "warehouse-20260102T000000000000Z.duckdb"
    a_folder.mkdir()
    assert [_n(e.path) for e in history(warehouse)] == [1]  # only the readable night
    assert unreadable_entries(warehouse) == [a_folder, dangling]  # newest name first


def test_entries_replaced_in_the_same_instant_are_numbered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls(2026, 3, 1, 2, 0, 0, 5, tzinfo=tz)

    monkeypatch.setattr(publish_module, "datetime", Frozen)
    warehouse = _published_nights(tmp_path, 4)  # three replaced, all "at" 2026-03-01 02:00:00
    folder = WarehouseLayout(warehouse).history_dir
    assert sorted(p.name for p in folder.glob("*.duckdb")) == [
        "warehouse-20260301T020000000005Z-1.duckdb",
        "warehouse-20260301T020000000005Z-2.duckdb",
        "warehouse-20260301T020000000005Z.duckdb",
    ]
