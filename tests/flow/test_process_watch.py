"""A helper process stops once the process that started it is gone (flows/process_watch.py
`stop_with`, as the temporary Prefect server and the chart workers do; the warm dbt process's
`die_with_thread` is tests/transform/test_warm_dbt.py's): real processes, the parent killed with
SIGKILL, which lets it stop nothing itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_CHILD = """
import signal
import sys
import time

from flows.process_watch import stop_with

stop_with(int(sys.argv[1]), signal.SIGKILL)
print("watching", flush=True)
time.sleep(600)
"""

# a parent that starts the child watching it, says the child's pid, and waits to be killed
_PARENT = f"""
import os
import subprocess
import sys
import time

child = subprocess.Popen(
    [sys.executable, "-c", {_CHILD!r}, str(os.getpid())], stdout=subprocess.PIPE, text=True
)
assert child.stdout.readline() == "watching\\n"
print(child.pid, flush=True)
time.sleep(600)
"""


def _gone(pid: int, within: float = 60.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)  # (the test leaves nothing behind either)
        return False
    return True


def test_a_child_stops_once_its_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert Path(f"/proc/{child}").exists()  # watching, while its parent lives
    parent.kill()
    parent.wait(timeout=30)
    assert _gone(child), "the child outlived its killed parent"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_child_whose_parent_is_gone_before_the_watch_stops_at_once(signum: int) -> None:
    """The parent's pid comes from the parent: a child started for a run that is already gone
    (here: a pid that is not its parent) stops, rather than watching whoever adopted it."""
    code = (
        "import time\nfrom flows.process_watch import stop_with\n"
        f"stop_with(-1, {int(signum)})\ntime.sleep(600)\n"
    )
    child = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert child.returncode == -signum
