"""Stopping `eduplan run` on Ctrl-C or SIGTERM: within seconds, saying what was interrupted.

Left to Prefect, a signal during a night goes badly: Ctrl-C reaches the whole process group, so
Prefect's temporary API server dies with dbt, and the flow engine then spends minutes retrying
to report the crash to it ("Connection refused", a dump of events); a SIGTERM to the process
alone ends it with the default action and leaves the temporary server running as an orphan.

So for `eduplan run` (armed by the CLI, in the main thread only) a signal ends the night here:
every process this one started (dbt, the temporary server, chart workers, a health check) is
terminated, then killed if it lingers; one line says which stage was interrupted and what that
means for the published file; and the process exits at once (`os._exit`: no Prefect reporting).
The build lock is an flock: it goes with the process. Publication is one `os.replace`, so the
published file is either last night's or tonight's, whole.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

EXIT_INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 1}  # 130: the shell's code for Ctrl-C


@dataclass
class _Night:
    armed: bool = False
    stage: str = "start-up"
    published: bool = False
    warehouse: Path | None = None


_night = _Night()


def arm(warehouse: Path | None = None) -> None:
    """Let a signal end this process as described above (`eduplan run` only). Called again from
    inside the flow, where Prefect has put its own SIGTERM handler in place of ours."""
    if threading.current_thread() is not threading.main_thread():
        return
    _night.armed = True
    _night.warehouse = warehouse or _night.warehouse
    for signum in EXIT_INTERRUPTED:
        signal.signal(signum, _on_signal)


def rearm(warehouse: Path) -> None:
    """Inside the flow: take SIGTERM back from Prefect, if the CLI armed this process."""
    if _night.armed:
        arm(warehouse)


def at_stage(stage: str, *, published: bool | None = None) -> None:
    """What the night is doing now (the line a signal prints names it)."""
    _night.stage = stage
    if published is not None:
        _night.published = published


def _children(pid: int) -> list[int]:
    """Every descendant of `pid`, children first (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop_children(*, grace: float = 3.0) -> int:
    """SIGTERM to every descendant, SIGKILL to those still there after `grace` seconds; returns
    how many there were."""
    children = _children(os.getpid())
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    alive = list(children)
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if _alive(pid)]
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return len(children)


def _alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # our own child: reap it
        if reaped:
            return False
    except ChildProcessError:  # a grandchild: not ours to reap
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def message(signum: int) -> str:
    """The one line said when a night is interrupted."""
    name = signal.Signals(signum).name
    where = f" ({_night.warehouse})" if _night.warehouse else ""
    if _night.published:
        outcome = (f"tonight's warehouse was already published{where}; what followed it "
                   "(report, run record) may not be written")  # fmt: skip
    else:
        outcome = (f"nothing was published: the published warehouse{where} is unchanged; the "
                   "build file is left in .build/ and the next night removes it")  # fmt: skip
    return f"eduplan run: interrupted by {name} during {_night.stage}: {outcome}"


def _on_signal(signum: int, frame: FrameType | None) -> None:
    for other in EXIT_INTERRUPTED:  # a second Ctrl-C while stopping changes nothing
        signal.signal(other, signal.SIG_IGN)
    try:
        stop_children()
        # os.write, not print: the handler may interrupt a write to sys.stderr ("reentrant call")
        os.write(sys.stderr.fileno(), (message(signum) + "\n").encode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - the exit below must happen whatever went wrong
        os.write(2, f"eduplan run: interrupted by signal {signum}\n".encode())
    finally:
        os._exit(EXIT_INTERRUPTED[signal.Signals(signum)])
