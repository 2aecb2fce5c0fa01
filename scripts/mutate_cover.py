"""A pytest plugin for scripts/mutate.py: which test runs which lines of one file.

Loaded with `-p mutate_cover` (scripts/ on PYTHONPATH) and two environment variables:
MUTATE_COVER_FILE, the absolute path of the file to watch, and MUTATE_COVER_OUT, where to write
the JSON map {"tests": {node id: {"lines": [...], "setup": [lines run setting up its
fixtures], "seconds": s, "passed": bool}}, "import":
[lines run outside any test (module level, collection)]}. A line tracer (sys.settrace, also in
threads) is attached only to frames of that file, so the rest of the code runs at full speed.
Lines run in the subprocesses a test starts count for that test too: the plugin names the test
in MUTATE_COVER_TEST and mutate_trace/sitecustomize.py (on PYTHONPATH) traces those processes.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

FILE = os.path.realpath(os.environ["MUTATE_COVER_FILE"])
_seen_files: dict[str, bool] = {}
_imported: set[int] = set()
_current: set[int] = _imported
_tests: dict[str, dict[str, Any]] = {}


def _watched(filename: str) -> bool:
    known = _seen_files.get(filename)
    if known is None:
        known = _seen_files[filename] = os.path.realpath(filename) == FILE
    return known


def _line(frame: FrameType, event: str, arg: object) -> Any:
    if event == "line":
        _current.add(frame.f_lineno)
    return _line


def _call(frame: FrameType, event: str, arg: object) -> Any:
    if _watched(frame.f_code.co_filename):
        _current.add(frame.f_lineno)
        return _line
    return None


def pytest_configure(config: pytest.Config) -> None:
    sys.settrace(_call)
    threading.settrace(_call)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    global _current
    lines: set[int] = set()
    _current = lines
    sys.settrace(_call)  # a test may have replaced it (a debugger, hypothesis)
    os.environ["MUTATE_COVER_TEST"] = item.nodeid  # its subprocesses trace for it
    started = time.perf_counter()
    yield
    os.environ.pop("MUTATE_COVER_TEST", None)
    _tests[item.nodeid] = {
        "lines": sorted(lines),
        "setup": sorted(_setup.pop(item.nodeid, set())),
        "seconds": round(time.perf_counter() - started, 3),
        "passed": _tests.get(item.nodeid, {}).get("passed", True),
    }
    _current = _imported


_setup: dict[str, set[int]] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Lines run while the test's fixtures are set up: a module-scoped fixture runs once, in the
    first test that asks for it, yet every test of the file reads what it made (mutate.py runs
    them all for such a line)."""
    global _current
    outer = _current
    _current = _setup.setdefault(item.nodeid, set())
    yield
    outer.update(_current)
    _current = outer


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed:
        _tests.setdefault(report.nodeid, {})["passed"] = False


def pytest_unconfigure(config: pytest.Config) -> None:
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]
    out = Path(os.environ["MUTATE_COVER_OUT"])
    for sub in out.parent.glob(out.name + ".sub.*.json"):  # lines run in subprocesses
        found = json.loads(sub.read_text(encoding="utf-8"))
        if found["test"] in _tests:
            merged = set(_tests[found["test"]]["lines"]) | set(found["lines"])
            _tests[found["test"]]["lines"] = sorted(merged)
        sub.unlink()
    out.write_text(json.dumps({"tests": _tests, "import": sorted(_imported)}), encoding="utf-8")
