"""Issue 27's planted bugs, each planted in a copy of the repo, and the tests that must catch it.

The issue planted realistic bugs in what users rely on most and found five that passed every
test. This plants each one again, alone, in a temporary copy of the repo (the checkout is never
touched) and runs the test files named for it; a bug is caught when at least one of them fails.
It prints, for each bug, the failing tests (node ids) or CAUGHT BY NOTHING, and exits 1 if any
bug passed.

    .venv/bin/python scripts/planted_bugs.py            # every bug
    .venv/bin/python scripts/planted_bugs.py publish    # the bugs whose name contains `publish`
    .venv/bin/python scripts/planted_bugs.py --control  # the same tests, no bug: all must pass

A bug is a text edit (`old` must occur in the file; every occurrence is replaced), optionally
followed by a command (the gate bug regenerates the committed suites, as a developer would).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(Path(sys.executable))


def copy_ignore(folder: str, names: list[str]) -> set[str]:
    """What a copy of the repo leaves out: the venv, git, outputs (top level only: not
    flows/warehouse), dbt's target and logs, caches."""
    top = {".venv", ".git", "warehouse"} if Path(folder) == REPO else set()
    dbt = {"target", "logs", "dbt_packages"} if Path(folder) == REPO / "dbt" else set()
    return {n for n in names if n in top | dbt or n in {"__pycache__", ".pytest_cache"}}


REGENERATE_SUITES = [
    PYTHON,
    "-c",
    "import sys; from pathlib import Path; sys.path.insert(0, 'expectations'); "
    "import define; define.write(Path('expectations'))",
]


@dataclass(frozen=True)
class Bug:
    name: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]  # test files (or node ids) that must catch it
    then: tuple[str, ...] = ()  # a command run in the copy after the edit


BUGS = [
    Bug(
        "progress-ge-as-gt",
        "mart_indicator_progress: a `>=` target whose latest value equals it judged not achieved",
        "dbt/models/marts/mart_indicator_progress.sql",
        "when comparator = '>=' then latest_value >= target_value",
        "when comparator = '>=' then latest_value > target_value",
        ("tests/transform/test_dbt_marts.py",),
    ),
    Bug(
        "report-acceleration-as-on-track",
        "the report's per-target table shows needs_acceleration as on_track",
        "flows/report/templates/report.html.j2",
        '<td><span class="badge s-{{ t.status }}">{{ t.status }}</span></td>\n'
        "        {% if region.evaluated %}",
        "{% set shown = 'on_track' if t.status == 'needs_acceleration' else t.status %}"
        '<td><span class="badge s-{{ shown }}">{{ shown }}</span></td>\n'
        "        {% if region.evaluated %}",
        (
            "tests/report/demo_night/test_report_warehouse.py",
            "tests/report/demo_night/test_report_html.py",
        ),
    ),
    Bug(
        "publish-no-fsync",
        "every fsync in publish.py removed",
        "flows/warehouse/publish.py",
        "os.fsync(fd)",
        "pass",
        ("tests/warehouse/test_publish_durable.py", "tests/warehouse/test_publish.py"),
    ),
    Bug(
        "gate-milestone-region-dropped",
        "the raw gate's check that a milestone's region is a known region removed, suites "
        "regenerated",
        "expectations/raw_suites.py",
        "            unexpected_rows(\n"
        '                "plan_milestones.region is a known region name or 全市创建",\n'
        '                "SELECT source_file, line, program, year, region FROM {batch} "\n'
        '                f"WHERE region IS NOT NULL AND region NOT IN '
        "({sql_list([*names, '全市创建'])})\",\n"
        "            ),\n",
        "",
        ("tests/validate/test_validate.py", "tests/validate/test_gate_suites.py"),
        then=tuple(REGENERATE_SUITES),
    ),
    Bug(
        "report-region-without-targets-dropped",
        "a region with no targets dropped from the report",
        "flows/report/report.py",
        "    return list(regions.values())",
        '    return [region for region in regions.values() if region["targets"]]',
        (
            "tests/report/demo_night/test_report_warehouse.py",
            "tests/report/demo_night/test_report_html.py",
        ),
    ),
]


def plant(bug: Bug, work: Path) -> None:
    path = work / bug.path
    text = path.read_text(encoding="utf-8")
    if bug.old not in text:
        raise SystemExit(f"{bug.name}: {bug.path} no longer has the line to break: {bug.old!r}")
    path.write_text(text.replace(bug.old, bug.new), encoding="utf-8")
    if bug.then:
        subprocess.run(bug.then, cwd=work, check=True, capture_output=True, env=_env(work))


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(work),  # the copy's modules, not the checkout's editable install
        "EDUPLAN_DBT_DIR": str(work / "dbt"),
    }


def failing_tests(bug: Bug, work: Path) -> list[str]:
    """The node ids that fail with the bug planted (empty: the bug passes every test named)."""
    command = [PYTHON, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *bug.tests]
    process = subprocess.run(
        command, cwd=work, env=_env(work), capture_output=True, text=True, check=False
    )
    failed = re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", process.stdout, re.M)
    if process.returncode != 0 and not failed:  # collection error, crash: say so
        failed = [f"pytest exit {process.returncode}: {process.stdout[-500:]}"]
    return failed


def main(argv: list[str]) -> int:
    control = "--control" in argv  # run the tests with no bug planted: they must pass
    argv = [a for a in argv if a != "--control"]
    chosen = [b for b in BUGS if not argv or any(a in b.name for a in argv)]
    missed = []
    for bug in chosen:
        work = Path(tempfile.mkdtemp(prefix="eduplan-bug-")) / "repo"
        try:
            shutil.copytree(REPO, work, ignore=copy_ignore)
            (work / "warehouse").mkdir(exist_ok=True)
            for git in (["init", "-q"], ["add", "-A"]):  # some tests list files with git
                subprocess.run(["git", *git], cwd=work, check=True, capture_output=True)
            if not control:
                plant(bug, work)
            failed = failing_tests(bug, work)
        finally:
            shutil.rmtree(work.parent, ignore_errors=True)
        print(f"{bug.name}: {bug.what}" + (" (not planted: --control)" if control else ""))
        if control:
            missed.extend(failed)
        elif not failed:
            missed.append(bug.name)
            print("  CAUGHT BY NOTHING in " + " ".join(bug.tests))
        for node in failed:
            print(f"  fails {node}")
        sys.stdout.flush()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
