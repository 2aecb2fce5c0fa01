"""`eduplan run`'s live progress line: shown on a terminal (a real pseudo-terminal here), never
on a pipe or a log; it names the night's stages exactly as the flow times them."""

from __future__ import annotations

import ast
import io
import os
import pty
import time

import pytest

from flows import progress
from tests.conftest import REPO_ROOT


def _read_all(fd: int) -> str:
    chunks = []
    os.set_blocking(fd, False)
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_a_terminal_sees_the_stage_how_far_and_how_long() -> None:
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    try:
        progress.show_on(terminal)
        with progress.stage("load"):
            time.sleep(1.2)
        with pytest.raises(RuntimeError), progress.stage("dbt build"):
            raise RuntimeError("dbt failed")
        shown = _read_all(master)
    finally:
        progress.show_on(io.StringIO())
        terminal.close()
        os.close(master)
    assert "\r\x1b[K[4/9] load · 1 s · night 1 s" in shown  # live, rewritten in place
    assert "[4/9] load done in 1." in shown
    assert "[6/9] dbt build failed in 0.0 s" in shown


def test_a_pipe_or_log_gets_nothing() -> None:
    stream = io.StringIO()  # not a terminal
    progress.show_on(stream)
    with progress.stage("load"):
        time.sleep(0.6)
    assert stream.getvalue() == ""


def test_the_flow_times_every_stage_by_its_one_name() -> None:
    """The stages are named once (progress.Stage): the flow times each of them, by that name,
    never by a string of its own."""
    tree = ast.parse((REPO_ROOT / "flows" / "nightly.py").read_text(encoding="utf-8"))
    calls = [
        call
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "_timed"
    ]
    stages = [call.args[1] for call in calls]
    assert all(
        isinstance(s, ast.Attribute) and getattr(s.value, "id", None) == "Stage" for s in stages
    ), [ast.unparse(s) for s in stages]
    assert {s.attr for s in stages} == {stage.name for stage in progress.Stage}
    assert progress.STAGES == tuple(progress.Stage)
