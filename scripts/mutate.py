"""Mutation testing of the modules that decide what users see (`make mutate`).

A small mutator of our own (scripts/mutate_sites.py) rather than mutmut or cosmic-ray: it
mutates the SQL models as well as the Python. For each module in TARGETS it makes one mutant per
site, runs the module's tests against it, and counts the mutant killed when a test fails (or
the tests hang). It prints the score per module, the time spent on it, and every surviving
mutant (file, line, the line before and after).

What keeps a full run short (about a quarter of an hour on two shared cores):
- TARGETS maps each module to the test files that concern it (here and nowhere else).
- Python: one traced run of those tests first (scripts/mutate_cover.py, with the subprocesses
  they start: scripts/mutate_trace/) says which tests run which line; a mutant runs only the
  tests that run its line, quickest first, and stops at the first failure (-x). A line no test
  runs survives without a run. `--thorough` runs a survivor's other module tests as well.
- SQL: the models' dbt unit tests run in this process, straight in DuckDB
  (scripts/dbt_unit_fast.py): no dbt parse, no process per mutant, first failure stops.
- Each pytest run is forked from a process that imported pytest and its plugins once
  (scripts/mutate_server.py): seconds of start-up saved per mutant.
- Mutants run side by side (--jobs), each worker in its own copy of the repo (a temporary
  folder), so the checkout can be edited meanwhile.

An equivalent mutant (one that changes nothing a user can see) is listed, with why, in
scripts/mutate_equivalent.toml: it is reported as such and left out of the score.

    .venv/bin/python scripts/mutate.py                 # every module
    .venv/bin/python scripts/mutate.py publish values  # some modules
    .venv/bin/python scripts/mutate.py --list          # the mutants, without running them
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutate_sites import Mutant, mutants  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(Path(sys.executable))
PYTEST = [PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly"]
EQUIVALENT = Path(__file__).with_name("mutate_equivalent.toml")
DEV_DB = Path("warehouse") / ".mutate" / "warehouse.duckdb"  # the dbt unit tests run in it
DEMO = Path("warehouse") / ".mutate" / "demo"  # the report's demo night, built once
# ../shared beside the checkout, or $EDUPLAN_SHARED: the test harness's rule, read from its owner
# (a copy of the repo has no ../shared beside it, so its tests are told where it is)
sys.path.insert(0, str(REPO))
from tests.conftest import SHARED_DIR as SHARED  # noqa: E402


@dataclass(frozen=True)
class Target:
    """A module to mutate and the tests that must catch its mutants: pytest files, or the dbt
    unit tests of a model."""

    name: str
    path: str  # relative to the repo
    tests: tuple[str, ...] = ()
    model: str | None = None  # a dbt model: its unit tests (the path is the model or a macro)
    lines: tuple[int, int] | None = None  # only these lines (inclusive), e.g. some functions
    needs_demo: bool = False


def _report_lines() -> tuple[int, int]:
    """report.py from `_target_row` to the end of `_region_sections`: the status rendering."""
    text = (REPO / "flows" / "report" / "report.py").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text, 1) if line.startswith("def _target_row"))
    end = next(i for i, line in enumerate(text, 1) if line.startswith("def _shared_sections"))
    return start, end - 1


# module -> the tests that concern it: the one place this mapping is kept
TARGETS = [
    Target(
        "values",
        "flows/extract/values.py",
        tests=(
            "tests/extract/test_extract_values.py",
            "tests/extract/test_extract_values_cumulative.py",
            "tests/extract/test_extract_variants.py",
            "tests/project/test_vocabulary.py",
        ),
    ),
    Target(
        "semantic",
        "flows/extract/semantic.py",
        tests=(
            "tests/extract/test_extract_semantic.py",
            "tests/extract/test_extract_semantic_sections.py",
            "tests/extract/test_extract_seeds.py",
            "tests/extract/test_extract_variants.py",
            "tests/extract/test_extract_formats_cells.py",
        ),
    ),
    Target(
        "publish",
        "flows/warehouse/publish.py",
        tests=(
            "tests/warehouse/test_publish.py",
            "tests/warehouse/test_publish_durable.py",
            "tests/warehouse/test_publish_restore_points.py",
            "tests/warehouse/test_publish_history_edges.py",
            "tests/warehouse/test_publish_folder_sync.py",
        ),
    ),
    Target("names", "flows/unresolved_names.py", tests=("tests/transform/test_names_unit.py",)),
    Target(
        "progress", "dbt/models/marts/mart_indicator_progress.sql", model="mart_indicator_progress"
    ),
    Target(  # the steps before the mart rates a target: which actuals, which chosen, what measured
        "progress_matched",
        "dbt/models/intermediate/int_target_actuals_matched.sql",
        model="int_target_actuals_matched",
    ),
    Target(
        "progress_chosen",
        "dbt/models/intermediate/int_target_observations_chosen.sql",
        model="int_target_observations_chosen",
    ),
    Target(
        "progress_observed",
        "dbt/models/intermediate/int_targets_observed.sql",
        model="int_targets_observed",
    ),
    Target(  # the path macros mart_indicator_progress computes growth with
        "progress_path", "dbt/macros/progress_path.sql", model="mart_indicator_progress"
    ),
    Target(
        "quarantine",
        "dbt/models/marts/mart_actuals_quarantine.sql",
        model="mart_actuals_quarantine",
    ),
    Target(
        "report",
        "flows/report/report.py",
        tests=("tests/report/demo_night/test_report_warehouse.py",),
        lines=_report_lines(),
        needs_demo=True,
    ),
]


@dataclass
class Verdict:
    mutant: Mutant
    killed: bool
    seconds: float
    by: str = ""  # what killed it: "first tests", "other tests", "timeout", a dbt unit test


# ---------------------------------------------------------------- the equivalent mutants


def equivalent() -> list[dict[str, str]]:
    """scripts/mutate_equivalent.toml: [[equivalent]] module, before, after (the line's code,
    stripped) and why."""
    entries = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8")).get("equivalent", [])
    for entry in entries:
        missing = {"module", "before", "after", "why"} - set(entry)
        if missing:
            raise SystemExit(f"{EQUIVALENT.name}: an entry lacks {sorted(missing)}: {entry}")
    return entries


def _is_listed(target: Target, mutant: Mutant, entries: list[dict[str, str]]) -> bool:
    return any(
        e["module"] == target.name
        and e["before"] == mutant.before.strip()
        and e["after"] == mutant.after.strip()
        for e in entries
    )


# ---------------------------------------------------------------- copies and prerequisites


def _copy_ignore(folder: str, names: list[str]) -> set[str]:
    """Left out of a copy: the venv, git and outputs (top level only: flows/warehouse/ stays),
    dbt's target and logs, caches."""
    here = Path(folder)
    top = {".venv", ".git", "warehouse"} if here == REPO else set()
    dbt = {"target", "logs", "dbt_packages"} if here == REPO / "dbt" else set()
    return {n for n in names if n in top | dbt or n in {"__pycache__", ".pytest_cache"}}


def make_copy(root: Path) -> Path:
    work = root / "repo"
    shutil.copytree(REPO, work, ignore=_copy_ignore)
    (work / "warehouse").mkdir()
    for git in (["init", "-q"], ["add", "-A"]):  # some tests list the repo's files with git
        subprocess.run(["git", *git], cwd=work, check=True, capture_output=True)
    return work


def _env(work: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        # the copy's modules (not the checkout's editable install), and the coverage plugin
        "PYTHONPATH": os.pathsep.join([str(work), str(work / "scripts")]),
        "EDUPLAN_DBT_DIR": str(work / "dbt"),
        "EDUPLAN_SHARED": str(SHARED),
        "EDUPLAN_TEST_DEMO_WAREHOUSE": str(work / DEMO / "warehouse.duckdb"),
        **extra,
    }


def build_dev_db(work: Path) -> None:
    """The warehouse the dbt unit tests run in (they need the models' parents to exist): the
    repo's plans and actuals, models built without their tests."""
    code = """
import sys
from pathlib import Path
from flows.extract import extract_document
from flows.load.actuals import load_actuals
from flows.load.plans import load_plans, plan_source
from flows.warehouse.db import open_warehouse
from flows.transform import run_dbt
database = Path(sys.argv[1])
database.parent.mkdir(parents=True, exist_ok=True)
database.unlink(missing_ok=True)
paths = sorted(Path('raw/plans').glob('*.txt'))
with open_warehouse(database) as con:
    load_plans(con, [extract_document(p) for p in paths], {p.name: plan_source(p) for p in paths})
    load_actuals(con, Path('raw/actuals'))
r = run_dbt('build --exclude-resource-type test unit_test', database, artifacts_dir=database.parent)
print(r.format()); sys.exit(0 if r.success else 1)
"""
    process = subprocess.run(
        [PYTHON, "-c", code, str(work / DEV_DB)], cwd=work, env=_env(work), check=False
    )
    if process.returncode != 0:
        raise SystemExit("could not build the warehouse for the dbt unit tests")


def build_demo(work: Path) -> None:
    """The demo night the report's test reads (`eduplan demo`: two nights of the real flow)."""
    code = "import sys; from flows.cli import main; sys.exit(main(sys.argv[1:]))"
    process = subprocess.run(
        [PYTHON, "-c", code, "demo", "--out", str(work / DEMO)],
        cwd=work,
        env=_env(work),
        check=False,
        capture_output=True,
    )
    if process.returncode != 0:
        raise SystemExit(f"could not build the demo night: {process.stderr[-2000:]!r}")


# ---------------------------------------------------------------- Python: pytest


@dataclass
class Coverage:
    """Which tests run which line of a target (scripts/mutate_cover.py), and how long each takes."""

    tests: dict[str, dict]  # node id -> {"lines", "seconds", "passed"}
    imported: set[int]  # lines run at import: every test depends on them
    seconds: float

    def first_tests(self, line: int) -> list[str]:
        """The tests that run `line`, quickest first: all of them for a module-level line, and
        every test of a file whose fixtures run it (a module-scoped fixture runs once, in the
        first test, for all the file's tests)."""
        files = {n.split("::")[0] for n, t in self.tests.items() if line in t.get("setup", ())}
        ids = [
            n
            for n, t in self.tests.items()
            if line in self.imported or line in t["lines"] or n.split("::")[0] in files
        ]
        return sorted(ids, key=lambda n: self.tests[n]["seconds"])


def cover(target: Target, work: Path) -> Coverage:
    """Run the target's tests once, traced; they must all pass."""
    out = work.parent / f"cover-{target.name}.json"
    env = _env(work, MUTATE_COVER_FILE=str(work / target.path), MUTATE_COVER_OUT=str(out))
    env["PYTHONPATH"] += os.pathsep + str(work / "scripts" / "mutate_trace")  # subprocesses
    command = [*PYTEST[:4], *PYTEST[5:], "-p", "mutate_cover", *target.tests]  # no -x
    started = time.perf_counter()
    process = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if process.returncode != 0 or not out.exists():
        raise SystemExit(
            f"{target.name}: its tests fail without a mutant ({' '.join(target.tests)}):\n"
            + process.stdout[-3000:]
            + process.stderr[-2000:]
        )
    data = json.loads(out.read_text(encoding="utf-8"))
    if not data["import"] and not any(t["lines"] for t in data["tests"].values()):
        raise SystemExit(f"{target.name}: the tests never ran {target.path} of the copy")
    return Coverage(data["tests"], set(data["import"]), seconds)


class PytestServer:
    """scripts/mutate_server.py on one copy: pytest runs forked from a process that imported
    pytest and its plugins once. One caller at a time (a copy is one worker's)."""

    def __init__(self, work: Path) -> None:
        self.process = subprocess.Popen(
            [PYTHON, str(work / "scripts" / "mutate_server.py")],
            cwd=work,
            env=_env(work),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, args: list[str], timeout: float) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"args": args, "timeout": timeout}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the pytest server stopped")
        return int(json.loads(answer)["rc"])

    def close(self) -> None:
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:  # killed already (SIGTERM)
            pass
        self.process.wait(timeout=60)


_SERVERS: dict[Path, PytestServer] = {}
_SERVERS_LOCK = threading.Lock()


def _pytest(work: Path, args: list[str], timeout: float) -> str:
    """'pass', 'fail' or 'timeout' (a failed collection, an import error: 'fail');
    'unselectable' when pytest could not find a node id (exit 4)."""
    with _SERVERS_LOCK:
        server = _SERVERS.get(work) or _SERVERS.setdefault(work, PytestServer(work))
    rc = server.run([*PYTEST[3:], *args], timeout)
    if rc == -1:
        return "timeout"
    return {0: "pass", 5: "pass", 4: "unselectable"}.get(rc, "fail")


def _forget_bytecode(path: Path) -> None:
    """Remove the module's cached bytecode: a mutant of the same size written in the same second
    as the original would pass Python's check (mtime and size) and run the stale code. The
    copy's other modules keep theirs, so each run does not compile the whole project again."""
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def run_python_mutant(
    target: Target, coverage: Coverage, mutant: Mutant, work: Path, *, thorough: bool = False
) -> Verdict:
    """The tests that run the mutated line (in their process or a subprocess), quickest first,
    up to the first failure. A line no test runs survives without a run. `thorough`: a survivor
    then runs the module's other tests too (a check of the traced map)."""
    path = work / target.path
    original = path.read_bytes()
    started = time.perf_counter()
    timeout = max(120.0, 4 * coverage.seconds)
    first = coverage.first_tests(mutant.line)
    outcome, by = ("pass", "no test runs the line")
    try:
        _forget_bytecode(path)
        path.write_text(mutant.text, encoding="utf-8")
        if first:
            outcome, by = _pytest(work, first, timeout), "tests of the line"
        if outcome == "unselectable" or (outcome == "pass" and thorough):
            rest = list(target.tests)
            if outcome == "pass":
                rest += [a for n in first for a in ("--deselect", n)]
            outcome, by = _pytest(work, rest, timeout), "other tests"
    finally:
        path.write_bytes(original)
        _forget_bytecode(path)
    by = "timeout" if outcome == "timeout" else by
    return Verdict(mutant, outcome != "pass", time.perf_counter() - started, by)


# ---------------------------------------------------------------- SQL: dbt unit tests


def run_sql_targets(targets: list[Target], work: Path, report: Report) -> None:
    """Every mutant of the SQL targets against their model's unit tests, in this thread: each
    test's given rows loaded once, the tests that killed most mutants so far tried first."""
    import duckdb
    from dbt_unit_fast import failed_tests, load_fixtures, macro_sources, render, unit_tests

    build_dev_db(work)
    con = duckdb.connect(str(work / DEV_DB), read_only=True)
    try:
        for target in targets:
            assert target.model is not None
            model_path = next((work / "dbt" / "models").rglob(f"{target.model}.sql"))
            model_sql = model_path.read_text(encoding="utf-8")
            macros = macro_sources(work)
            tests = unit_tests(target.model, project=work)
            fixtures = [load_fixtures(con, t, prefix=f"f{n}") for n, t in enumerate(tests)]
            problems = failed_tests(con, render(model_sql, macros), tests, fixtures=fixtures)
            if problems or not tests:
                raise RuntimeError(f"{target.name}: unit tests fail without a mutant: {problems}")
            kills = {t["name"]: 0 for t in tests}
            for mutant in report.todo(target):
                started = time.perf_counter()
                if (work / target.path) == model_path:
                    sql = _render_or_none(render, mutant.text, macros)
                else:
                    mutated = {**macros, work / target.path: mutant.text}
                    sql = _render_or_none(render, model_sql, mutated)
                order = sorted(range(len(tests)), key=lambda n: -kills[tests[n]["name"]])
                found = ["(does not render)"] if sql is None else failed_tests(
                    con, sql, [tests[n] for n in order], first_only=True,
                    fixtures=[fixtures[n] for n in order],
                )  # fmt: skip
                by = found[0].split(":")[0] if found else ""
                kills[by] = kills.get(by, 0) + 1
                seconds = time.perf_counter() - started
                report.add(target, Verdict(mutant, bool(found), seconds, by))
    finally:
        con.close()


def _render_or_none(render, model_sql: str, macros: dict[Path, str]) -> str | None:
    import jinja2

    try:
        return render(model_sql, macros)
    except jinja2.TemplateError:
        return None


# ---------------------------------------------------------------- the run


class Report:
    """The mutants of each target, the equivalent ones, and the verdicts as they come."""

    def __init__(self, chosen: list[Target], work: Path, *, lines: str | None = None) -> None:
        entries = equivalent()
        self.lock = threading.Lock()
        self.mutants: dict[str, list[Mutant]] = {}
        self.equivalent: dict[str, list[Mutant]] = {}
        self.verdicts: dict[str, list[Verdict]] = defaultdict(list)
        matched: set[tuple[str, str, str]] = set()
        for target in chosen:
            source = (work / target.path).read_text(encoding="utf-8")
            found = mutants(target.path, source, lines=target.lines)
            listed = [m for m in found if _is_listed(target, m, entries)]
            matched.update((target.name, m.before.strip(), m.after.strip()) for m in listed)
            if lines:
                found = [m for m in found if str(m.line) in lines.split(",")]
            self.equivalent[target.name] = [m for m in listed if m in found]
            self.mutants[target.name] = [m for m in found if m not in listed]
        listed_entries = {(e["module"], e["before"], e["after"]) for e in entries}
        chosen_names = {t.name for t in chosen}
        self.stale = sorted(e for e in listed_entries - matched if e[0] in chosen_names)

    def todo(self, target: Target) -> list[Mutant]:
        return self.mutants[target.name]

    def add(self, target: Target, verdict: Verdict) -> None:
        with self.lock:
            done = self.verdicts[target.name]
            done.append(verdict)
            word = "killed" if verdict.killed else "SURVIVED"
            print(
                f"  {target.name} [{len(done)}/{len(self.mutants[target.name])}] {word} "
                f"({verdict.seconds:.0f}s{', ' + verdict.by if verdict.by else ''}) "
                f"line {verdict.mutant.line}",
                flush=True,
            )


def run_python_targets(
    targets: list[Target], copies: list[Path], report: Report, thorough: bool
) -> None:
    """The demo night (for the report) built while the other modules' tests are traced; each
    module's mutants queued as soon as its map is done; every job on a free copy."""
    free: queue.Queue[Path] = queue.Queue()
    for work in copies:
        free.put(work)
    demo_ready = threading.Event()

    def on_a_copy(job: Callable[[Path], Any]) -> Any:
        work = free.get()
        try:
            return job(work)
        finally:
            free.put(work)

    def demo(work: Path) -> None:
        try:
            build_demo(work)
            for other in copies:  # each copy its own (the report writes a chart cache beside it)
                if other != work:
                    shutil.copytree(work / DEMO, other / DEMO)
        finally:
            demo_ready.set()

    def traced(target: Target, work: Path) -> Coverage:
        if target.needs_demo:
            demo_ready.wait()
        return cover(target, work)

    def mutant_job(target: Target, coverage: Coverage, mutant: Mutant, work: Path) -> None:
        report.add(target, run_python_mutant(target, coverage, mutant, work, thorough=thorough))

    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        waits = []
        if any(t.needs_demo for t in targets):
            waits.append(pool.submit(on_a_copy, demo))
        else:
            demo_ready.set()
        # the demo's dependants last, so the others' maps do not wait behind them
        ordered = sorted(targets, key=lambda t: t.needs_demo)
        maps = {t.name: pool.submit(on_a_copy, partial(traced, t)) for t in ordered}
        names = {future: name for name, future in maps.items()}
        for done in as_completed(maps.values()):
            target = next(t for t in targets if t.name == names[done])
            coverage = done.result()
            print(
                f"{target.name}: {len(report.todo(target))} mutants, tests take "
                f"{coverage.seconds:.0f}s traced",
                flush=True,
            )
            for mutant in report.todo(target):
                waits.append(pool.submit(on_a_copy, partial(mutant_job, target, coverage, mutant)))
        for future in waits:
            future.result()


def summary(chosen: list[Target], report: Report, minutes: float) -> None:
    print(f"\nmutation score ({minutes:.1f} min wall):")
    total = killed = 0
    for target in chosen:
        verdicts = report.verdicts[target.name]
        n, k = len(verdicts), sum(v.killed for v in verdicts)
        total, killed = total + n, killed + k
        spent = sum(v.seconds for v in verdicts) / 60
        eq = len(report.equivalent[target.name])
        print(
            f"  {target.name:<13} {k:>4}/{n:<4} killed  {k / max(n, 1):6.1%}  "
            f"{spent:5.1f} min  {eq} equivalent  {target.path}"
        )
    print(f"  {'all':<13} {killed:>4}/{total:<4} killed  {killed / max(total, 1):6.1%}")
    for target in chosen:
        for verdict in sorted(report.verdicts[target.name], key=lambda v: v.mutant.line):
            if not verdict.killed:
                print("SURVIVED " + verdict.mutant.describe())
    for target in chosen:
        for mutant in report.equivalent[target.name]:
            print("EQUIVALENT " + mutant.describe())
    for module, before, after in report.stale:
        print(f"STALE {EQUIVALENT.name} entry matches no mutant: {module}: {before} -> {after}")


def _stop(*_: object) -> None:
    """SIGTERM: the pytest servers go (queued mutants then fail fast), then the copies."""
    for server in list(_SERVERS.values()):
        server.process.kill()
    sys.exit(143)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of {[t.name for t in TARGETS]}")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument(
        "--jobs",
        type=int,
        default=max(2, os.cpu_count() or 2),
        help="pytest runs side by side (default: the number of cores, at least 2)",
    )
    parser.add_argument(
        "--thorough",
        action="store_true",
        help="a surviving Python mutant also runs its module's tests that do not run its line",
    )
    parser.add_argument(
        "--lines", help="only the mutants on these lines, e.g. 176,178 (after adding a test)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.modules) - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown module(s) {sorted(unknown)}")
    chosen = [t for t in TARGETS if not args.modules or t.name in args.modules]
    if args.list:
        report = Report(chosen, REPO, lines=args.lines)
        for target in chosen:
            print(
                f"{target.name}: {len(report.todo(target))} mutants "
                f"(+{len(report.equivalent[target.name])} equivalent)"
            )
            for mutant in report.todo(target):
                print("  " + mutant.describe())
        return 0
    if any(t.path.startswith("flows/extract") for t in chosen) and not SHARED.is_dir():
        raise SystemExit(f"{SHARED} (../shared: the seed documents) is missing: set EDUPLAN_SHARED")
    signal.signal(signal.SIGTERM, _stop)  # `kill`: stop the servers, remove the copies
    root = Path(tempfile.mkdtemp(prefix="eduplan-mutate-"))
    started = time.perf_counter()
    try:
        python = [t for t in chosen if t.model is None]
        sql = [t for t in chosen if t.model is not None]
        jobs = args.jobs if python else 0
        copies = [make_copy(root / f"w{i}") for i in range(jobs + (1 if sql else 0))]
        report = Report(chosen, copies[0], lines=args.lines)
        print(f"mutating in {len(copies)} copies of the repo in {root}", flush=True)
        lanes = []
        if sql:
            lanes.append(threading.Thread(target=run_sql_targets, args=(sql, copies[-1], report)))
        if python:
            lanes.append(
                threading.Thread(
                    target=run_python_targets, args=(python, copies[:jobs], report, args.thorough)
                )
            )
        for lane in lanes:
            lane.start()
        for lane in lanes:
            lane.join()
    finally:
        for server in _SERVERS.values():
            server.close()
        shutil.rmtree(root, ignore_errors=True)
    summary(chosen, report, (time.perf_counter() - started) / 60)
    missing = [t.name for t in chosen if len(report.verdicts[t.name]) != len(report.todo(t))]
    if missing:
        print(f"not every mutant ran (an error above): {missing}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
