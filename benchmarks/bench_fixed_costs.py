"""What a night costs when nothing is new: the seed night against an empty Prefect flow plus a
bare `dbt build` of the same project on the same warehouse, timed in the same run.

    python -m benchmarks fixed [--repeat 2] [--no-server] [--workdir DIR]

Everything runs in child processes and is timed from outside (wall clock), so start-up and
imports count as they do for a user. Measured, in one run:

- imports: `import prefect`, `import great_expectations`, dbt's CLI, `flows.nightly`;
- Prefect start-up: an empty flow (`@flow def empty(): pass`) with a temporary local server (no
  PREFECT_API_URL: Prefect starts one in the process) and with a running server;
- dbt parse: `dbt parse` with a fresh target folder and again with the one it left (partial
  parse kept, as the flow keeps `.build/dbt/target` per warehouse);
- a bare `dbt build` of the project on the seed warehouse (partial parse kept);
- the seed night: `eduplan run` twice on a copy of raw/, the second timed (nothing new), with
  the flow's own stage timings.

The goal (issue 15): nothing-new night <= 1.25 x (empty flow + bare dbt build), per Prefect mode.
Rows are printed and written as CSV to benchmarks/results/fixed_costs.csv (ignored by git).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from flows.transform import dbt_invocation  # noqa: E402 (after the sys.path line)

BIN = Path(sys.executable).parent
RESULTS = REPO_ROOT / "benchmarks" / "results" / "fixed_costs.csv"
GOAL = 1.25
EMPTY_FLOW = (
    "from prefect import flow\n@flow(name='empty')\ndef empty() -> None:\n    pass\nempty()\n"
)
IMPORTS = {
    "python (no import)": "pass",
    "import prefect": "import prefect",
    "import great_expectations": "import great_expectations",
    "import dbt CLI": "import dbt.cli.main",
    "import flows.nightly": "import flows.nightly",
}
STAGES = re.compile(r"^\s*stages\s*:\s*(.+)$", re.MULTILINE)
TOOK = re.compile(r"^\s*took\s*:\s*([0-9.]+)s", re.MULTILINE)


def timed(command: list[str], env: dict[str, str], *, cwd: Path = REPO_ROOT) -> tuple[float, str]:
    """Wall seconds of one child process; its output (stdout + stderr); fails loudly."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, done.stdout + done.stderr


def best(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, str]:
    """The fastest of `repeat` runs (the machine is shared: the minimum is the cost)."""
    runs = [timed(command, env) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def base_env(work: Path) -> dict[str, str]:
    """What `eduplan run` sets up (flows/cli.py), with a PREFECT_HOME of this benchmark's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "EDUPLAN_"))}
    env.update(
        PREFECT_HOME=str(work / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="INFO",
        PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="WARNING",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


@contextmanager
def prefect_server(work: Path) -> Iterator[str]:
    """A running `prefect server start` (tests/prefect_server.py); yields its API URL."""
    from tests.prefect_server import kill_group, start_server

    server = start_server(work / "server-home")
    try:
        yield server.api_url
    finally:
        kill_group(server.process)


def night_stages(output: str) -> dict[str, float]:
    match = STAGES.search(output)
    if not match:
        return {}
    pairs = (part.strip().rsplit(" ", 2) for part in match.group(1).split(","))
    return {name: float(seconds) for name, seconds, _unit in pairs}


def measure(work: Path, *, repeat: int, server: bool) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def row(measure: str, mode: str, seconds: float, note: str = "", unit: str = "s") -> None:
        rows.append({"measure": measure, "mode": mode, "seconds": round(seconds, 2), "note": note})
        print(f"  {measure:<44} {mode:<8} {seconds:7.2f} {unit}  {note}", flush=True)

    env = base_env(work)
    raw, warehouse = work / "raw", work / "night" / "warehouse.duckdb"
    shutil.copytree(REPO_ROOT / "raw", raw)
    night = [str(BIN / "eduplan"), "run", "--raw", str(raw), "--warehouse", str(warehouse)]
    print("imports (child python, best of repeats):", flush=True)
    bare, _ = best([sys.executable, "-c", "pass"], env, repeat)
    for name, code in IMPORTS.items():
        seconds, _ = best([sys.executable, "-c", code], env, repeat)
        row(name, "-", seconds, "" if code == "pass" else f"{seconds - bare:.2f} s over python")

    print("first night (seeds, warms PREFECT_HOME and the build's dbt target; not compared):")
    first, _ = timed(night, env)
    row("seed night, first (everything new)", "local", first)

    print("dbt (seed warehouse):", flush=True)
    dbt_db = work / "dbt" / "warehouse.duckdb"
    dbt_db.parent.mkdir()
    shutil.copyfile(warehouse, dbt_db)
    cold = work / "dbt" / "cold"
    parse, parse_env = dbt_invocation("parse", dbt_db, artifacts_dir=cold)
    seconds, _ = timed(parse, parse_env)
    row("dbt parse, fresh target (full parse)", "-", seconds)
    seconds, _ = best(parse, parse_env, repeat)
    row("dbt parse, target kept (partial parse)", "-", seconds)
    build, build_env = dbt_invocation("build", dbt_db, artifacts_dir=cold)

    modes = [("local", env)]
    with prefect_server(work) if server else _nothing() as api_url:
        if api_url:
            modes.append(("server", {**env, "PREFECT_API_URL": api_url}))
        for mode, mode_env in modes:
            print(f"Prefect {mode} (interleaved, best of {repeat}):", flush=True)
            empties, builds, nights = [], [], []
            for _ in range(repeat):  # interleaved: a shared machine's load hits all three alike
                empties.append(timed([sys.executable, "-c", EMPTY_FLOW], mode_env))
                builds.append(timed(build, build_env))
                nights.append(timed(night, mode_env))
            empty = min(s for s, _ in empties)
            dbt_build = min(s for s, _ in builds)
            again, output = min(nights, key=lambda r: r[0])
            row("empty Prefect flow", mode, empty)
            row("bare dbt build (partial parse)", mode, dbt_build)
            row("seed night, nothing new", mode, again)
            took = TOOK.search(output)
            flow_seconds = float(took.group(1)) if took else float("nan")
            row("  of which the flow (its own clock)", mode, flow_seconds)
            row("  of which start-up, imports, shutdown", mode, again - flow_seconds)
            for stage, seconds in night_stages(output).items():
                row(f"    stage {stage}", mode, seconds)
            ratio = again / (empty + dbt_build)
            verdict = "meets" if ratio <= GOAL else "misses"
            row(
                "ratio night / (empty flow + dbt build)",
                mode,
                ratio,
                f"{verdict} the goal <= {GOAL}",
                unit="x",
            )
    return rows


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per measure; the best counts")
    parser.add_argument("--no-server", action="store_true", help="skip the running-server mode")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="CSV of the rows")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="eduplan-fixed-") as tmp:
        rows = measure(Path(tmp), repeat=max(1, args.repeat), server=not args.no_server)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["measure", "mode", "seconds", "note"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"rows written to {args.out}")
    missed = [r for r in rows if str(r["note"]).startswith("misses")]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
