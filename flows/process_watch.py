"""A helper process that stops once the process that started it is gone.

`eduplan run` stops what it started when it ends or is interrupted (flows/interrupt.py), but a
run killed outright (kill -9, the kernel's out-of-memory killer) stops nothing: its temporary
Prefect server (flows/cli/prefect_server.py) and its chart workers (flows/report/charts.py) would
serve and wait on, orphans, until the machine restarts. Each of them watches its parent instead,
and stops itself (SIGTERM: the server's graceful shutdown) once it was handed to another.
Plain standard library: the server imports this before anything else."""

from __future__ import annotations

import os
import signal
import threading
import time

EVERY_SECONDS = 0.5  # how often the parent is looked at (a wake-up, no measurable CPU)


def stop_with(parent: int) -> threading.Thread:
    """Watch, in a daemon thread, that this process's parent is still `parent` (its pid, given
    by the parent itself: a parent gone before the watch starts is seen too); SIGTERM this
    process once it is not."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(EVERY_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="stop-with-parent", daemon=True)
    thread.start()
    return thread
