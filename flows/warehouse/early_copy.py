"""Tonight's build file copied from the published warehouse while `eduplan run` starts up.

prepare-build starts a night's build as a copy of the published file (743 MB at 10M rows,
~2.5 s of I/O). Whether anything is new is known in 0.2 s (flows/nothing_new.py), long before
Prefect's temporary server is up (~4 s; the flow's imports are done ~1.5 s earlier), so
`eduplan run` checks then and starts the copy in a thread (the copy is the kernel's work), and
prepare-build only waits for it. The copy is I/O: the ext4 disks here cannot
share blocks (`cp --reflink=always` fails), so there is no cheaper copy than a full one.

What the copy made in prepare-build guarantees holds for this one:
- it is made under the build lock (the CLI takes the lock before it starts anything), into the
  build path, after removing a stale build file and its write-ahead log;
- it is started only when the published file is the very one the last night published
  (`NightCheck.published_intact`) and no --full-refresh asks for an empty build;
- prepare-build makes its usual checks of the published file (a writer, damage, storage format,
  raw definitions) and uses the copy only if they pass and the file's identity on disk is the
  one it had before the copy began: a write since then, or a writer holding it, discards it;
- a copy that failed (a full disk) leaves no partial file and raises its error in
  prepare-build, as the copy made there would;
- a copy no step took (the night stopped before prepare-build: bad plan documents) is removed
  when the run ends (`discard`); a killed run leaves at most a partial build file, which the
  next night removes before it builds, as it always did.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flows.handoff import Handoff
from flows.load.file_hashes import FileIdentity
from flows.warehouse.layout import wal_of


@dataclass
class EarlyCopy:
    """A copy of `source` into `target` made in a thread: wait() for it, or discard() it."""

    source: Path
    target: Path
    identity: FileIdentity | None = None  # the source's identity before the copy began
    error: BaseException | None = None
    copied: bool = False  # the copy is whole and the source did not change while it was made
    _thread: threading.Thread | None = field(default=None, repr=False)

    def wait(self) -> None:
        """Block until the copy is done; raise its error (a full disk) if it failed."""
        if self._thread is not None:
            self._thread.join()
        if self.error is not None:
            raise self.error

    def current(self) -> bool:
        """True when the copy is whole and the source is still the file it was copied from."""
        try:
            return self.copied and FileIdentity.of(self.source) == self.identity
        except OSError:
            return False

    def discard(self) -> None:
        """Wait for the copy and remove it (its write-ahead log too, if anything opened it); when
        no copy was begun, the build path is left as it was."""
        if self._thread is not None:
            self._thread.join()
        if self.identity is not None:  # a copy was begun (the stale build file went first)
            for path in (self.target, wal_of(self.target)):
                path.unlink(missing_ok=True)
        self.copied = False

    def _copy(self) -> None:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            for stale in (self.target, wal_of(self.target)):
                stale.unlink(missing_ok=True)
            self.identity = FileIdentity.of(self.source)
            shutil.copyfile(self.source, self.target)
            self.copied = FileIdentity.of(self.source) == self.identity
        except BaseException as error:  # (a full disk) no partial copy is left behind
            self.error = error
            self.target.unlink(missing_ok=True)


_pending: Handoff[EarlyCopy] = Handoff(EarlyCopy.discard)  # not yet taken by prepare-build


def start(source: Path, target: Path, *, when: Callable[[], bool] | None = None) -> EarlyCopy:
    """Copy `source` to `target` in a daemon thread, if `when()` (run first, in that thread: the
    check whether tonight needs the copy) says so; the copy waits for prepare-build's `take`.
    The caller must hold the build lock of `target`'s folder until the run ends."""
    early = EarlyCopy(Path(source), Path(target))

    def run() -> None:
        try:
            wanted = when is None or when()
        except Exception:  # the check fails the same way again inside the flow, saying why
            wanted = False
        if wanted:
            early._copy()

    early._thread = threading.Thread(target=run, name="early-build-copy", daemon=True)
    _pending.put(early)
    early._thread.start()
    return early


def take(source: Path, target: Path) -> EarlyCopy | None:
    """The early copy of `source` into `target`, once: prepare-build's, which uses or discards
    it; None when none was started (a scheduled run, a test calling the task) or it was taken."""
    # (another warehouse's is discarded: never this night's build)
    return _pending.take(lambda early: (early.source, early.target) == (Path(source), Path(target)))


def discard() -> None:
    """At the end of a run: remove a copy that no prepare-build took."""
    _pending.end_waiting()
