"""A pytest runner that forks, for scripts/mutate.py: start-up paid once per copy, not per mutant.

Importing pytest and its plugins (hypothesis, anyio, xdist) takes seconds on a loaded machine,
longer than most mutants' tests. This process imports them once, then for each request on
stdin (one JSON line: {"args": [...], "timeout": seconds}) forks a child that runs
`pytest.main(args)` and answers with one JSON line {"rc": exit status} (-1: timed out, the
child's process group killed). The project's own modules (`flows`, `tests`) are never imported
here: each child imports them fresh from the copy, with the mutant in it. Runs with the copy
as its working folder and the environment mutate.py gives its pytest runs.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time

import pytest

# third-party modules only, never the project's: what pytest's plugins and the project's
# modules import (the rest of `import tests.conftest, flows.extract, ...`); none starts a thread
# on import, so forking after them is safe
PRELOAD = (
    "_hypothesis_pytestplugin", "anyio.pytest_plugin", "xdist.plugin", "hypothesis", "pytest",
    "duckdb", "jinja2", "lxml.html", "yaml", "pydantic", "pydantic_settings", "polars",
    "altair", "vl_convert", "pdfplumber", "jsonschema", "cryptography", "narwhals",
    "charset_normalizer", "dotenv", "multiprocessing", "concurrent.futures", "http.client",
    "urllib.request", "tomllib",
)  # fmt: skip
for _name in PRELOAD:
    try:
        importlib.import_module(_name)
    except ImportError:  # a module a newer lock dropped: it is imported in the child then
        pass


def run(args: list[str], timeout: float) -> int:
    pid = os.fork()
    if pid == 0:  # the child: its own process group (killed whole on a timeout), quiet
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        code = 3
        try:
            code = int(pytest.main(args))
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return -1
        time.sleep(0.02)


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        rc = run(request["args"], float(request["timeout"]))
        sys.stdout.write(json.dumps({"rc": rc}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
