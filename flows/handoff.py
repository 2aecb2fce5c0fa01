"""A thing a run starts early for one of its later steps (the published file's copy,
flows/warehouse/early_copy.py; the warm dbt process, flows/warm_dbt.py), held here until that
step takes it or the run ends it. One at a time; thread-safe (the early copy is started and its
check run in threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    """At most one thing waiting to be taken; `end` ends one that nobody will take (stops a
    process, removes a file)."""

    def __init__(self, end: Callable[[T], None]) -> None:
        self._end = end
        self._lock = threading.Lock()
        self._waiting: T | None = None

    def put(self, thing: T) -> None:
        """Hold `thing` for the step that takes it."""
        with self._lock:
            self._waiting = thing

    def take(self, fits: Callable[[T], bool]) -> T | None:
        """What is waiting, once, if it `fits` the step taking it; None when nothing waits or
        it does not fit (then it is ended: it was started for something else)."""
        with self._lock:
            thing, self._waiting = self._waiting, None
        if thing is None:
            return None
        if not fits(thing):
            self._end(thing)
            return None
        return thing

    def end_waiting(self) -> None:
        """At the end of a run: end what no step took."""
        with self._lock:
            thing, self._waiting = self._waiting, None
        if thing is not None:
            self._end(thing)

    @property
    def waiting(self) -> T | None:
        """What is waiting, left held."""
        with self._lock:
            return self._waiting
