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

import duckdb
import pytest

from flows import publish as publish_module
from flows.publish import history, publish

ROWS = 200_000  # a file of a few MB: a copy written in place takes long enough to be seen


def make_build(path: Path, night: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        "create or replace table night as select ? as n, range as i, md5(range::varchar) as h "
        "from range(?)",
        [night, ROWS],
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
    history_folder = str(warehouse.parent / "history")
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
    make_build(build_of(warehouse), 0)
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
            make_build(build_of(warehouse), night)
            nights.add(digest(build_of(warehouse)))  # before it can appear at the path
            publish(build_of(warehouse), warehouse)
    finally:
        done.set()
        reader.join()
    assert torn == [], f"{len(torn)} read(s) of a file that was no night's whole file"
    assert len(set(seen)) >= 2  # the reader did read across publications
    assert len(history(warehouse)) == 5
