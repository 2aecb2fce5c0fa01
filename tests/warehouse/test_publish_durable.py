"""Publication is durable and atomic, tested as such: the order of fsyncs and renames is recorded
by wrapping `os.fsync`, `os.replace`, `os.link` and `shutil.copy2`, and a reader thread reads the
published path throughout. Each test runs with history hard-linked and with the copy that a
filesystem without hard links falls back to."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.warehouse import publish as publish_module
from flows.warehouse.layout import WarehouseLayout, wal_of
from flows.warehouse.publish import history, publish

BIG = 60_000  # rows: a file of a few MB, so that a copy written in place is caught mid-way


def make_build(path: Path, night: int, *, rows: int = 1000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        "create or replace table night as select ? as n, range as i, md5(range::varchar) as h "
        "from range(?)",
        [night, rows],
    )
    con.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=["hard link", "copy"])
def history_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """`copy`: os.link fails as on a filesystem without hard links (publish copies instead)."""
    if request.param == "copy":

        def no_link(*_args: object, **_kwargs: object) -> None:
            raise OSError(1, "hard links not supported here")

        monkeypatch.setattr(publish_module.os, "link", no_link)
    return str(request.param)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


def build_of(warehouse: Path) -> Path:
    return warehouse.parent / ".build" / warehouse.name


class Recorder:
    """What publish did to the filesystem, in order: ("fsync", path), ("replace", src, dst),
    ("link", src, dst), ("copy", src, dst)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []

    def index(self, *event: str) -> int:
        assert event in self.events, (event, self.events)
        return self.events.index(event)

    def fsynced(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "fsync"]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    record = Recorder()
    real_fsync, real_replace, real_copy2 = os.fsync, os.replace, shutil.copy2
    real_link = publish_module.os.link  # (patched already when history_kind is "copy")

    def fsync(fd: int) -> None:
        record.events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        record.events.append(("replace", str(src), str(dst)))
        real_replace(src, dst)

    def link(src: object, dst: object) -> None:
        record.events.append(("link", str(src), str(dst)))
        real_link(src, dst)

    def copy2(src: object, dst: object, **kwargs: object) -> object:
        record.events.append(("copy", str(src), str(dst)))
        return real_copy2(src, dst, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(publish_module.os, "link", link)
    monkeypatch.setattr(shutil, "copy2", copy2)
    yield record


def test_file_and_folder_are_fsynced_around_each_rename(
    warehouse: Path, history_kind: str, recorder: Recorder
) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    make_build(build_of(warehouse), 2)
    build = str(build_of(warehouse))
    staged = str(warehouse.with_name(f".{warehouse.name}.publishing"))
    folder, build_folder = str(warehouse.parent), str(build_of(warehouse).parent)
    history_folder = str(WarehouseLayout(warehouse).history_dir)
    recorder.events.clear()

    publish(build_of(warehouse), warehouse)

    (kept,) = history(warehouse)
    e = recorder.events
    stage = recorder.index("replace", build, staged)
    swap = recorder.index("replace", staged, str(warehouse))
    # the build file's data is on disk before it is renamed (the staged file is the same inode)
    assert ("fsync", build) in e[:stage]
    # each rename is made durable by an fsync of its folder, after it and before the next step
    assert ("fsync", build_folder) in e[stage:swap]
    assert ("fsync", folder) in e[swap:]
    # the replaced warehouse is kept (and its entry made durable) before the swap
    keep = "link" if history_kind == "hard link" else "copy"
    kept_at = recorder.index(keep, str(warehouse), str(kept.path))
    assert kept_at < swap
    assert ("fsync", history_folder) in e[kept_at:swap]
    if history_kind == "copy":  # a copy's data is fsynced too, before its folder
        assert e.index(("fsync", str(kept.path))) < e.index(("fsync", history_folder), kept_at)
    # one rename puts the new night at the published path, and nothing else writes there
    assert [x for x in e if x[0] == "replace" and x[2] == str(warehouse)] == [
        ("replace", staged, str(warehouse))
    ]


def test_published_path_changes_inode_in_one_replace(
    warehouse: Path, history_kind: str, recorder: Recorder
) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    first_inode, first_digest = warehouse.stat().st_ino, digest(warehouse)
    make_build(build_of(warehouse), 2)
    build_inode, build_digest = build_of(warehouse).stat().st_ino, digest(build_of(warehouse))
    recorder.events.clear()

    publish(build_of(warehouse), warehouse)

    # the new file is the build file itself, renamed (never written again at the path)
    assert warehouse.stat().st_ino == build_inode != first_inode
    assert digest(warehouse) == build_digest
    # the night replaced is intact in history: the same inode when hard-linked, else a copy
    (kept,) = history(warehouse)
    assert digest(kept.path) == first_digest
    assert (kept.path.stat().st_ino == first_inode) == (history_kind == "hard link")
    assert sum(1 for x in recorder.events if x[0] == "replace" and x[2] == str(warehouse)) == 1


def test_a_reader_never_sees_a_half_written_file(warehouse: Path, history_kind: str) -> None:
    """A thread reads the published path whole, over and over, while five nights are published:
    every read is one night's complete file, byte for byte."""
    make_build(build_of(warehouse), 0, rows=BIG)
    nights = {digest(build_of(warehouse))}
    publish(build_of(warehouse), warehouse)
    done = threading.Event()
    seen: list[str] = []
    torn: list[int] = []

    def read() -> None:
        while not done.is_set():
            with warehouse.open("rb") as fh:  # the path, reopened each time like a new reader
                data = fh.read()
            found = hashlib.sha256(data).hexdigest()
            if found in nights:
                seen.append(found)
            else:
                torn.append(len(data))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for night in range(1, 6):
            make_build(build_of(warehouse), night, rows=BIG)
            nights.add(digest(build_of(warehouse)))  # before it can appear at the path
            publish(build_of(warehouse), warehouse)
    finally:
        done.set()
        reader.join()
    assert torn == [], f"{len(torn)} read(s) of a file that was no night's whole file"
    assert len(set(seen)) >= 2  # the reader did read across publications
    assert len(history(warehouse)) == 5


def test_rollback_fsyncs_its_copy_before_the_swap_and_the_folder_after(
    warehouse: Path, recorder: Recorder
) -> None:
    for night in (1, 2):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
    recorder.events.clear()
    publish_module.rollback(warehouse)
    staged = str(warehouse.with_name(f".{warehouse.name}.rollback"))
    swap = recorder.index("replace", staged, str(warehouse))
    assert ("fsync", staged) in recorder.events[:swap]
    assert ("fsync", str(warehouse.parent)) in recorder.events[swap:]


def test_a_failed_copy_leaves_no_half_file(
    warehouse: Path, history_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills during a copy (rollback's, or history's without hard links): the
    half-written file is removed, the published warehouse is untouched."""
    for night in (1, 2):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
    before = digest(warehouse)
    real_copy2, real_copyfile = shutil.copy2, shutil.copyfile

    def full_disk(copy: Any) -> Any:
        def copy_then_fail(src: object, dst: object, **kwargs: object) -> None:
            copy(src, dst, **kwargs)
            raise OSError(28, "No space left on device")

        return copy_then_fail

    # rollback copies with copyfile (created under the umask), history with copy2
    monkeypatch.setattr(shutil, "copy2", full_disk(real_copy2))
    monkeypatch.setattr(shutil, "copyfile", full_disk(real_copyfile))
    with pytest.raises(OSError, match="No space"):
        publish_module.rollback(warehouse)
    assert not warehouse.with_name(f".{warehouse.name}.rollback").exists()
    if history_kind == "copy":
        make_build(build_of(warehouse), 3)
        with pytest.raises(OSError, match="No space"):
            publish(build_of(warehouse), warehouse)
        assert len(history(warehouse)) == 1  # no half-written entry beside the first night's
    assert digest(warehouse) == before


def test_a_retried_publish_takes_the_file_already_staged(warehouse: Path) -> None:
    make_build(build_of(warehouse), 1)
    staged = warehouse.with_name(f".{warehouse.name}.publishing")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build_of(warehouse), staged)  # a publish that died after staging
    assert publish(build_of(warehouse), warehouse).warehouse == warehouse
    assert not staged.exists() and warehouse.exists()
    with pytest.raises(FileNotFoundError, match="no build file"):
        publish(build_of(warehouse), warehouse)


def test_publish_creates_the_warehouse_folder(tmp_path: Path) -> None:
    build = make_build(tmp_path / "elsewhere" / "build.duckdb", 1)
    warehouse = tmp_path / "new" / "folder" / "warehouse.duckdb"
    publish(build, warehouse)
    assert warehouse.is_file()


def test_pruning_keeps_exactly_keep_entries_and_their_logs_go_too(warehouse: Path) -> None:
    for night in range(1, 5):
        make_build(build_of(warehouse), night)
        publish(build_of(warehouse), warehouse)
    oldest = history(warehouse)[-1].path
    stray = wal_of(oldest)
    stray.write_bytes(b"log")
    # rollback to entry 2 with keep=1: the restored entry (number + 1 = 3rd after) is kept
    publish_module.rollback(warehouse, to=2, keep=1)
    assert len(history(warehouse)) == 3
    assert not stray.exists()  # the oldest entry was pruned with its log
    make_build(build_of(warehouse), 5)
    publish(build_of(warehouse), warehouse, keep=0)
    assert history(warehouse) == []
    assert not list(WarehouseLayout(warehouse).history_dir.iterdir())


def test_a_damaged_current_file_is_not_kept_and_its_log_is_removed(warehouse: Path) -> None:
    warehouse.parent.mkdir(parents=True)
    warehouse.write_bytes(b"not a database" * 1000)
    wal_of(warehouse).write_bytes(b"stray log")
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    assert history(warehouse) == []
    assert not wal_of(warehouse).exists()


def test_publish_and_rollback_leave_no_file_open(warehouse: Path, history_kind: str) -> None:
    make_build(build_of(warehouse), 1)
    publish(build_of(warehouse), warehouse)
    open_before = len(os.listdir("/proc/self/fd"))
    make_build(build_of(warehouse), 2)
    publish(build_of(warehouse), warehouse)
    publish_module.rollback(warehouse)
    assert len(os.listdir("/proc/self/fd")) == open_before
