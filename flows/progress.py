"""A live progress line for `eduplan run` in a terminal: which stage, how far through the night,
how long so far.

Attached to a terminal, `eduplan run` shows one line that it rewrites twice a second
(`[6/9] dbt build · 12 s · night 41 s`) and leaves one finished line per stage; elsewhere (a
pipe, a log file, a scheduled run) it writes nothing here and the run's log lines say the same.
The night's stages are named once, in Stage; nightly.py's `_timed` reports each to the line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum
from typing import TextIO


class Stage(StrEnum):
    """The night's stages, in order: the one place they are named. nightly.py times each
    (`_timed(record, Stage.LOAD, ...)`), the live line numbers them, the run record keys its
    timings by their names."""

    CHECK = "check inputs"
    EXTRACT = "extract"
    PREPARE_BUILD = "prepare-build"
    LOAD = "load"
    RAW_GATE = "raw gate"
    DBT_BUILD = "dbt build"
    MARTS_GATE = "marts gate"
    PUBLISH = "publish"
    REPORT = "report"


STAGES = tuple(Stage)
TICK_SECONDS = 0.5


class ProgressLine:
    """The live line on one terminal stream (`None`: no terminal, nothing is shown)."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        if self.stream is None:
            return
        with self._lock:
            self.stream.write(text)
            self.stream.flush()

    def _label(self, stage: str) -> str:
        number = STAGES.index(stage) + 1 if stage in STAGES else "?"
        return f"[{number}/{len(STAGES)}] {stage}"

    @contextmanager
    def stage(self, stage: str) -> Iterator[None]:
        """Show `stage` as running until the block ends, then leave its finished line."""
        if self.stream is None:
            yield
            return
        began = time.perf_counter()
        done = threading.Event()

        def tick() -> None:
            while not done.wait(TICK_SECONDS):
                now = time.perf_counter()
                self._write(
                    f"\r\x1b[K{self._label(stage)} · {now - began:.0f} s · "
                    f"night {now - self.started:.0f} s"
                )

        ticker = threading.Thread(target=tick, name=f"progress-{stage}", daemon=True)
        ticker.start()
        outcome = "failed"
        try:
            yield
            outcome = "done"
        finally:
            done.set()
            ticker.join()
            self._write(
                f"\r\x1b[K{self._label(stage)} {outcome} in {time.perf_counter() - began:.1f} s\n"
            )


_line = ProgressLine(None)


def show_on(stream: TextIO) -> None:
    """Show the night's progress on `stream` when it is a terminal (`eduplan run` calls this)."""
    global _line
    _line = ProgressLine(stream if stream.isatty() else None)


def stage(name: str) -> AbstractContextManager[None]:
    """The current progress line's stage context (a no-op unless show_on found a terminal)."""
    return _line.stage(name)
