"""Atomic publication, history and rollback on real DuckDB files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows.warehouse.layout import WAL_SUFFIX, WarehouseLayout, wal_of
from flows.warehouse.publish import history, publish, rollback


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_build(path: Path, night: int, *, leave_wal: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    if leave_wal:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("SET checkpoint_threshold = '10GB'")
    con.execute(
        "CREATE OR REPLACE TABLE night AS SELECT ? AS n, range AS i FROM range(1000)", [night]
    )
    con.close()
    return path


def night_of(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT max(n) FROM night").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


def build_of(warehouse: Path) -> Path:
    return warehouse.parent / ".build" / warehouse.name


def test_first_publish_moves_the_build_file_in(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    assert publish(build_of(warehouse), warehouse).warehouse == warehouse
    assert night_of(warehouse) == 1
    assert not build_of(warehouse).exists()
    assert history(warehouse) == []


def test_publish_checkpoints_so_no_wal_is_left(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1, leave_wal=True)
    assert wal_of(build_of(warehouse)).exists(), "the test needs a build file with a WAL"
    publish(build_of(warehouse), warehouse)
    assert not wal_of(warehouse).exists()
    assert not list(warehouse.parent.glob("*" + WAL_SUFFIX))
    assert night_of(warehouse) == 1


def test_publish_keeps_earlier_nights_and_rollback_restores_them(warehouse: Path) -> None:
    hashes = {}
    for night in (1, 2, 3):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
        hashes[night] = sha256(warehouse)
    assert [night_of(e.path) for e in history(warehouse)] == [2, 1]

    restored = rollback(warehouse)  # 1 = the previous night
    assert sha256(warehouse) == hashes[2]
    assert sha256(restored) == hashes[2]
    assert not wal_of(warehouse).exists()
    # the night rolled back is kept as entry 1, so the rollback can itself be undone
    assert [night_of(e.path) for e in history(warehouse)] == [3, 2, 1]

    rollback(warehouse, to=3)
    assert sha256(warehouse) == hashes[1]


def test_history_is_pruned_to_keep(warehouse: Path) -> None:
    for night in range(1, 6):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse, keep=2)
    assert [night_of(e.path) for e in history(warehouse)] == [4, 3]
    assert len(list(WarehouseLayout(warehouse).history_dir.iterdir())) == 2


def test_rollback_refuses_what_is_not_there(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    with pytest.raises(FileNotFoundError):
        rollback(warehouse)
    make_build(build_of(warehouse), 2)
    publish(build_of(warehouse), warehouse)
    with pytest.raises(ValueError, match="between 1 and 1"):
        rollback(warehouse, to=2)
    assert night_of(warehouse) == 2


def test_a_reader_keeps_its_snapshot_while_a_new_night_is_published(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(warehouse)!r}, read_only=True)
            q = "SELECT max(n), count(*) FROM night"
            print(con.execute(q).fetchall()[0], flush=True)
            sys.stdin.readline()          # the new night is published meanwhile
            print(con.execute(q).fetchall()[0], flush=True)
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "(1, 1000)"
    make_build(build_of(warehouse), 2)
    publish(build_of(warehouse), warehouse)  # while the reader holds night 1 open
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "(1, 1000)"  # its snapshot, intact
    assert reader.wait(timeout=30) == 0
    assert night_of(warehouse) == 2  # a new reader sees the new night


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", "import sys; from flows.cli import main; sys.exit(main())", *args],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def _fault_in_history(warehouse: Path, fault: str) -> Path:
    """A name in history/ that pruning cannot simply delete: a dangling link (listed as an
    entry) or a folder named like an old entry (unlink fails: as an immutable file would)."""
    folder = WarehouseLayout(warehouse).history_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{warehouse.stem}-20200101T000000000000Z.duckdb"
    if fault == "dangling_link":
        path.symlink_to(folder / "gone.duckdb")
    else:
        path.mkdir()
        (path / "x").write_text("in the way")
    return path


@pytest.mark.parametrize("fault", ["dangling_link", "undeletable_entry"])
def test_a_clean_up_failure_after_the_swap_is_a_warning_not_a_failed_night(
    warehouse: Path, fault: str
) -> None:
    for night in (1, 2):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse, keep=1)
    bad = _fault_in_history(warehouse, fault)
    for night in (3, 4):  # every later night publishes too
        make_build(build_of(warehouse), night)
        published = publish(build_of(warehouse), warehouse, keep=1)
        assert night_of(warehouse) == night
        assert not build_of(warehouse).exists()
        if fault == "undeletable_entry":
            assert len(published.warnings) == 1 and str(bad) in published.warnings[0]
    assert [night_of(e.path) for e in history(warehouse)] == [3]
    listed = _run_cli("rollback", "--list", "--warehouse", str(warehouse))
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert "1  " in listed.stdout
    rolled = _run_cli("rollback", "--warehouse", str(warehouse))
    assert rolled.returncode == 0, rolled.stderr
    assert night_of(warehouse) == 3


def test_publish_step_does_not_retry_a_done_swap(warehouse: Path) -> None:
    """The flow's publish task (with its retries) on a history it cannot prune: published, the
    warning returned, no "no build file to publish"."""
    from flows.config import settings
    from flows.nightly import publish_step

    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    bad = _fault_in_history(warehouse, "undeletable_entry")
    make_build(build_of(warehouse), 2)
    config = settings(warehouse=warehouse)
    published = publish_step.fn(build_of(warehouse), config)
    assert night_of(warehouse) == 2
    assert any(str(bad) in w for w in published.warnings)


def test_rollback_on_a_full_disk_says_so_without_a_traceback(warehouse: Path) -> None:
    """A disk that cannot take the rollback's copy (a file size limit: EFBIG, as ENOSPC is
    handled): one sentence, exit 1, the published file unchanged and no staged copy left."""
    for night in (1, 2):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
    before = sha256(warehouse)
    code = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from flows.cli import main
        sys.exit(main(["rollback", "--warehouse", {str(warehouse)!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "the disk is full" in done.stderr and "Nothing was rolled back" in done.stderr
    assert sha256(warehouse) == before
    assert not list(warehouse.parent.glob(".*.rollback"))


def test_rollback_restores_no_wider_than_the_umask(warehouse: Path) -> None:
    import os
    import stat

    for night in (1, 2):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
    for entry in history(warehouse):
        entry.path.chmod(0o644)  # an entry made under a wider umask
    old = os.umask(0o077)
    try:
        rollback(warehouse)
    finally:
        os.umask(old)
    assert stat.S_IMODE(warehouse.stat().st_mode) == 0o600


def test_the_record_of_what_is_published_survives_a_report_that_fails(warehouse: Path) -> None:
    """Published, then the report cannot be written (here: the report folder is a file; a full
    disk does the same): `published.json` and `eduplan status` describe the new night and say
    the report was not written, instead of describing the previous night."""
    from flows.nightly import _record_publication
    from flows.report.run_outputs import report_night
    from flows.report.status import read_record, status_text
    from flows.summary import RunRecord
    from flows.warehouse.layout import WarehouseLayout

    layout = WarehouseLayout(warehouse)
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    layout.report_dir.parent.mkdir(parents=True, exist_ok=True)
    layout.report_dir.write_text("not a folder")  # every write of the report fails
    summary = RunRecord(published=True, warehouse=warehouse, build_file=build_of(warehouse),
                         mart_rows={"fct_new_night": 42})  # fmt: skip
    _record_publication(summary)  # what the flow does right after the swap
    assert read_record(layout.published_record).mart_rows == {"fct_new_night": 42}
    night = report_night(summary)
    assert night.report is None and night.report_error
    record = read_record(layout.published_record)
    assert record.mart_rows == {"fct_new_night": 42} and record.report_error
    assert "NOT WRITTEN for this night" in status_text(warehouse)
