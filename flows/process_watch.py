"""A helper process that ends once what started it is gone: one module for both ways.

`eduplan run` stops what it started when it ends or is interrupted (flows/interrupt.py), but a
run killed outright (kill -9, the kernel's out-of-memory killer) stops nothing, and a night's
flow can end in a process that lives on (a served deployment, a test). So each helper watches:

- `die_with_thread`, the warm dbt process (flows/dbt_worker.py): the kernel kills it when the
  *thread* that started it ends (Linux prctl PR_SET_PDEATHSIG): the flow's thread, so the worker
  goes with the night however it ended, even in a process that runs on;
- `stop_with`, the temporary Prefect server (flows/cli/prefect_server.py) and the chart workers
  (flows/report/charts.py): a thread that looks every half second whether the *process* that
  started it is gone, and then signals this one. Not the kernel's signal: a process pool starts
  its workers from whichever thread first needs one, and they serve the whole run.

Plain standard library: the server imports this before anything else."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

EVERY_SECONDS = 0.5  # how often `stop_with` looks at the parent (a wake-up, no measurable CPU)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_thread(parent: int) -> None:
    """SIGKILL this process when the thread that started it ends (Linux), and exit now if that
    already happened (the parent, `parent`, is gone)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker's end of file on stdin stops it
        pass
    if os.getppid() != parent:
        os._exit(1)


def stop_with(parent: int, signum: int = signal.SIGTERM) -> threading.Thread:
    """Watch, in a daemon thread, that this process's parent is still `parent` (its pid, given
    by the parent itself: a parent gone before the watch starts is seen too); send this process
    `signum` once it is not (SIGTERM: the server's graceful shutdown)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(EVERY_SECONDS)
        os.kill(os.getpid(), signum)

    thread = threading.Thread(target=watch, name="stop-with-parent", daemon=True)
    thread.start()
    return thread
