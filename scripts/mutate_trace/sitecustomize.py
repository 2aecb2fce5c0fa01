"""Line tracing in the subprocesses a test starts, for scripts/mutate_cover.py.

Python imports `sitecustomize` at start-up from the path; this folder is on PYTHONPATH only in
`make mutate`'s traced run. In a process started during a test (MUTATE_COVER_TEST names it, set
by the plugin) it records which lines of MUTATE_COVER_FILE run and writes them, at exit, beside
MUTATE_COVER_OUT for the plugin to add to that test's lines. Anywhere else it does nothing.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading

_TEST = os.environ.get("MUTATE_COVER_TEST")
_FILE = os.environ.get("MUTATE_COVER_FILE")
_OUT = os.environ.get("MUTATE_COVER_OUT")

if _TEST and _FILE and _OUT:
    _file = os.path.realpath(_FILE)
    _seen: dict[str, bool] = {}
    _lines: set[int] = set()

    def _line(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "line":
            _lines.add(frame.f_lineno)
        return _line

    def _call(frame, event, arg):  # type: ignore[no-untyped-def]
        name = frame.f_code.co_filename
        known = _seen.get(name)
        if known is None:
            known = _seen[name] = os.path.realpath(name) == _file
        if known:
            _lines.add(frame.f_lineno)
            return _line
        return None

    def _write() -> None:
        sys.settrace(None)
        if _lines:
            path = f"{_OUT}.sub.{os.getpid()}.json"
            with open(path, "w", encoding="utf-8") as fh:
                json.dump({"test": _TEST, "lines": sorted(_lines)}, fh)

    sys.settrace(_call)
    threading.settrace(_call)
    atexit.register(_write)
