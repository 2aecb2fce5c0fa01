"""The warm dbt child process (`python -m flows.dbt_worker <dbt parse args>`): it imports dbt
and parses the project (partial parsing, dbt's saved state, as a `dbt` command does) while the
night's earlier stages run, then runs the one dbt command it is given with that manifest and
exits. Its parent's side is flows/warm_dbt.py, which describes the exchange:

- stdout carries the exchange only: one line when the parse is done (PARSED, or NOT_PARSED:
  the command will parse again and report the project's errors as a `dbt` command would);
  dbt's own output goes to stderr;
- stdin brings one JSON line, {"args": [...], "env": {...}}: the command's arguments (without
  the `dbt` program) and its whole environment. End of file instead (the night stopped before
  dbt, or the parent died): exit 0 after the parse, which leaves dbt's saved state whole;
- the exit code is the `dbt` program's: 0 success, 1 a model or test failed, 2 dbt could not run.
"""

from __future__ import annotations

import json
import os
import sys

from flows.process_watch import die_with_thread

PARSED, NOT_PARSED = "parsed", "not parsed"


def main(argv: list[str]) -> int:
    parent = int(os.environ.pop("EDUPLAN_DBT_WORKER_PARENT", os.getppid()))
    die_with_thread(parent)  # the worker never outlives the night that wanted it
    exchange = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # dbt prints to stdout: keep it off the exchange
    parse_env = dict(os.environ)
    # lazy: dbt is this process's work, timed by the exchange above (imported after it is set)
    from dbt.cli.main import dbtRunner
    from dbt.contracts.graph.manifest import Manifest

    parsed = dbtRunner().invoke(argv)
    manifest = parsed.result if parsed.success and isinstance(parsed.result, Manifest) else None
    exchange.write(f"{PARSED if manifest is not None else NOT_PARSED}\n")
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    command = json.loads(line)
    env: dict[str, str] = command["env"]
    if any(env.get(name) != value for name, value in _parsed_env(manifest, parse_env).items()):
        manifest = None  # a variable the parse read has changed: parse again (dbt's rule)
    os.environ.clear()
    os.environ.update(env)
    result = dbtRunner(manifest=manifest).invoke(command["args"])
    return 0 if result.success else 2 if result.exception is not None else 1


def _parsed_env(manifest: object | None, parse_env: dict[str, str]) -> dict[str, str | None]:
    """The environment variables the parse read (dbt records them in the manifest, and its
    partial parsing parses a file again when one changes), with their values then."""
    used = getattr(manifest, "env_vars", None) or {}
    return {name: parse_env.get(name) for name in used}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
