"""One build at a time: an exclusive lock on the build folder, held for a whole run.

`eduplan serve` never overlaps its own runs, but a manual `eduplan run` (or a second scheduler)
could start while a night is building; the second run fails at once instead of overwriting the
first one's build file.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class BuildLockedError(RuntimeError):
    """Another run holds the build folder."""


# the locks this process holds: `eduplan run` takes the lock before Prefect starts, and the
# flow's own build_lock on the same folder is then the same lock, not a second one
_HELD: set[Path] = set()


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold `build_dir/.lock` exclusively; BuildLockedError when another process holds it.
    Reentrant within a process (a nested build_lock on a folder this process holds is a no-op)."""
    build_dir.mkdir(parents=True, exist_ok=True)
    path = (build_dir / ".lock").resolve()
    if path in _HELD:
        yield
        return
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLockedError(
                f"another eduplan run (pid {holder}) is building in {build_dir}; "
                "wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(path)
        try:
            yield
        finally:
            _HELD.discard(path)
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
