"""Great Expectations plumbing for the gates (flows/validate.py): the DuckDB fix and the runner.
Nothing here imports great_expectations at module level (it takes seconds): only the gates do,
and `prewarm()` lets a night start that import early, in a thread, while it waits on other
things (Prefect's start-up, the load), instead of on the raw gate's critical path."""

from __future__ import annotations

import importlib
import threading

_started: list[threading.Thread] = []


def prewarm() -> None:
    """Import the gates' runner (great_expectations) in a daemon thread, once per process.
    Only a command that will gate calls this (`eduplan run`, the nightly flow)."""
    if _started:
        return
    thread = threading.Thread(
        target=importlib.import_module, args=("flows.gx.runner",), name="gx-import", daemon=True
    )
    _started.append(thread)
    thread.start()
