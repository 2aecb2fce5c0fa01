"""A night that runs out of disk: recognise it, say where, and leave nothing half-written.

A full disk shows up as OSError ENOSPC (or EDQUOT, EFBIG under a file size limit) from Python,
or as a DuckDB IO error whose text carries the OS message. Either way the night stops; the build
file, its `.wal` and a staged copy are removed (they hold nothing raw/ cannot rebuild, and they
are what filled the disk), and the user is told which path could not be written, on which
filesystem, and how much room it has.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from flows.warehouse.layout import WarehouseLayout

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_FULL_TEXT = re.compile(r"no space left on device|disk quota exceeded|file too large|out of space")
_QUOTED_PATH = re.compile(r"""["'](/[^"']+)["']""")


class DiskFullError(OSError):
    """The night could not write because a disk is full: names the path and its filesystem."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(errno.ENOSPC, self._message())

    def _message(self) -> str:
        mount, free = _filesystem(self.path)
        return (
            f"the disk is full: could not write {self.path} (filesystem {mount}, "
            f"{free / 1e6:.1f} MB free): {self.detail}. Nothing was published and the build file "
            "was removed; free some space there and run again"
        )

    def __str__(self) -> str:
        return self.strerror or self._message()


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [current.__cause__, current.__context__]


def disk_full(error: BaseException, *, default: Path) -> DiskFullError | None:
    """A DiskFullError when `error` (or what caused it) is a full disk, else None. The path is
    the one the error names, else `default` (the folder the night was writing in)."""
    for cause in _chain(error):
        if isinstance(cause, DiskFullError):
            return cause
        if isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS:
            where = cause.filename2 or cause.filename
            return DiskFullError(Path(os.fsdecode(where)) if where else default, _short(cause))
        for line in str(cause).splitlines():  # (dbt and DuckDB say it in their text)
            if _FULL_TEXT.search(line.lower()):
                quoted = _QUOTED_PATH.search(line)
                path = Path(quoted[1]) if quoted else default
                return DiskFullError(path, " ".join(line.split())[:300])
    return None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}"


def _filesystem(path: Path) -> tuple[Path, int]:
    """The mount point holding `path` (or its nearest existing parent) and its free bytes."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    mount = probe.resolve()
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    return mount, shutil.disk_usage(probe).free


def remove_build_leftovers(layout: WarehouseLayout) -> list[Path]:
    """Delete what a failed night wrote beside the published file: the build file and its
    write-ahead log, a staged publication or rollback copy, dbt's target folder. Returns what
    went."""
    removed = []
    for path in layout.build_leftovers():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        elif path.exists():
            path.unlink()
            removed.append(path)
    return removed
