"""Mutation testing of the modules that decide what users see (`make mutate`).

A small mutator of our own rather than mutmut or cosmic-ray: it mutates SQL models as well as
Python, and runs each mutant against the few test files (or dbt unit tests) that concern the
module, which keeps a full run within half an hour on two shared cores.

For each module in TARGETS it makes one mutant per site: a comparator flipped (`>=` -> `>`,
`<` -> `<=`, `==` -> `!=`...), a boolean operator swapped (`and` <-> `or`, `not` dropped),
`True`/`False` and `is None`/`is not None` swapped, a number moved by one (last digit for a
decimal: 0.95 -> 0.96), a bare call statement removed (`_fsync_dir(...)` -> `pass`), and in SQL
also `desc`/`asc`, `is null`/`is not null` and `=`/`<>`. Strings, comments, docstrings and Jinja
are left alone. The run works in a copy of the repo (a temporary folder), so the checkout can
be edited meanwhile: each mutant is written there, the module's tests run with a time limit,
and a mutant is killed when they fail. Modules whose tests do not read each other's code run
side by side (LANES). It prints the score per module and every surviving mutant (file, line,
the line before and after).

    .venv/bin/python scripts/mutate.py                 # every module
    .venv/bin/python scripts/mutate.py publish values  # some modules
    .venv/bin/python scripts/mutate.py --list          # the mutants, without running them

A line can opt out with `# no mutate` (Python) or `-- no mutate` (SQL): for a mutant that is
equivalent (changes nothing a user can see), say why on the line.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO  # the copy the mutants are written in (main() sets it)
PYTHON = str(Path(sys.executable))
PYTEST = [PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly"]
DEV_DB = Path("warehouse") / ".mutate" / "warehouse.duckdb"  # dbt unit tests run in it
DEMO = Path("warehouse") / ".mutate" / "demo"  # the report's demo night, built once
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "warehouse", "target", "logs", "__pycache__")


@dataclass(frozen=True)
class Target:
    """A module to mutate and the command whose failure kills a mutant."""

    name: str
    path: str  # relative to the repo
    command: list[str]
    lines: tuple[int, int] | None = None  # only these lines (inclusive), e.g. one function
    needs_dev_db: bool = False
    needs_demo: bool = False


def _dbt_unit(model: str) -> list[str]:
    """The model's dbt unit tests, run straight in DuckDB (scripts/dbt_unit_fast.py: a second
    a mutant, where dbt takes a minute here)."""
    return [PYTHON, "scripts/dbt_unit_fast.py", str(DEV_DB), model]


def _report_lines() -> tuple[int, int]:
    """report.py from `_target_row` to the end of `_region_sections`: the status rendering."""
    text = (REPO / "flows" / "report" / "report.py").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text, 1) if line.startswith("def _target_row"))
    end = next(i for i, line in enumerate(text, 1) if line.startswith("def _shared_sections"))
    return start, end - 1


TARGETS = [
    Target(
        "values",
        "flows/extract/values.py",
        [
            *PYTEST,
            "tests/test_extract_values.py",
            "tests/test_extract_variants.py",
            "tests/test_vocabulary.py",
        ],
    ),
    Target(
        "semantic",
        "flows/extract/semantic.py",
        [
            *PYTEST,
            "tests/test_extract_semantic.py",
            "tests/test_extract_seeds.py",
            "tests/test_extract_variants.py",
            "tests/test_extract_formats_cells.py",
        ],
    ),
    Target(
        "publish",
        "flows/warehouse/publish.py",
        [*PYTEST, "tests/test_publish.py", "tests/test_publish_durable.py"],
    ),
    Target("names", "flows/unresolved_names.py", [*PYTEST, "tests/test_names_unit.py"]),
    Target(
        "progress",
        "dbt/models/marts/mart_indicator_progress.sql",
        _dbt_unit("mart_indicator_progress"),
        needs_dev_db=True,
    ),
    Target(
        "progress_path",  # the path macros mart_indicator_progress computes growth with
        "dbt/macros/progress_path.sql",
        _dbt_unit("mart_indicator_progress"),
        needs_dev_db=True,
    ),
    Target(
        "quarantine",
        "dbt/models/marts/mart_actuals_quarantine.sql",
        _dbt_unit("mart_actuals_quarantine"),
        needs_dev_db=True,
    ),
    Target(
        "report",
        "flows/report/report.py",
        [*PYTEST, "tests/report/test_report_warehouse.py"],
        lines=_report_lines(),
        needs_demo=True,
    ),
]
# Targets in one lane run one after the other; lanes run side by side. The dbt lane's tests read
# no Python module mutated in the other lane, and the other lane's tests no SQL model.
LANES = [
    ["values", "semantic", "publish", "names", "report"],
    ["progress", "progress_path", "quarantine"],
]


@dataclass(frozen=True)
class Mutant:
    path: Path
    line: int  # 1-based
    before: str
    after: str
    text: str = field(repr=False)  # the whole mutated file

    def describe(self) -> str:
        where = f"{self.path.relative_to(WORK)}:{self.line}"
        return f"{where}\n    - {self.before.strip()}\n    + {self.after.strip()}"


# ---------------------------------------------------------------- Python

_PY_OPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "+": "-", "-": "+"}
_PY_NAMES = {"and": "or", "or": "and", "True": "False", "False": "True"}
# keyword arguments whose flip says nothing about what a user sees (or only crashes)
_QUIET_KEYWORDS = {
    "exist_ok",
    "parents",
    "missing_ok",
    "frozen",
    "strict",
    "flush",
    "capture_output",
    "text",
    "check",
    "keepends",
    "read_only",
}


def _bump(number: str) -> str | None:
    """A number moved by one unit of its last digit (0.95 -> 0.96, 7 -> 8, 0 -> 1)."""
    if not re.fullmatch(r"\d+(\.\d+)?", number):
        return None
    if "." in number:
        whole, frac = number.split(".")
        scaled = int(whole + frac) + 1
        digits = str(scaled).rjust(len(whole + frac), "0")
        return digits[: -len(frac)] + "." + digits[-len(frac) :]
    return str(int(number) + 1)


def _python_sites(source: str) -> Iterator[tuple[int, int, int, str]]:
    """(line, start col, end col, replacement) for every mutation site of a Python source."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    fstring_depth = 0
    depth = 0  # bracket depth: a call statement is a line that is one whole call
    for i, tok in enumerate(tokens):
        kind, text, (row, col), (erow, ecol), line = tok
        if kind == getattr(tokenize, "FSTRING_START", -1):
            fstring_depth += 1
        elif kind == getattr(tokenize, "FSTRING_END", -1):
            fstring_depth -= 1
        if fstring_depth or "no mutate" in line:
            continue
        if kind == tokenize.OP and text in "([{":
            depth += 1
        elif kind == tokenize.OP and text in ")]}":
            depth -= 1
        previous = tokens[i - 1].string if i else ""
        if kind == tokenize.OP and text in _PY_OPS:
            if text in "+-" and (previous in "(,=[:" or tokens[i - 1].type == tokenize.OP):
                continue  # a sign, not arithmetic
            if text in "+-" and _in_annotation(tokens, i):
                continue
            yield row, col, ecol, _PY_OPS[text]
        elif kind == tokenize.NAME and text in _PY_NAMES:
            if previous == "=" and tokens[i - 2].string in _QUIET_KEYWORDS:
                continue
            yield row, col, ecol, _PY_NAMES[text]
        elif kind == tokenize.NAME and text == "not" and tokens[i + 1].string != "in":
            if previous == "is":
                yield row, col - 1, ecol + 1, " "  # is not -> is
            else:
                yield row, col, tokens[i + 1].start[1], ""  # not x -> x
        elif kind == tokenize.NAME and text == "is" and tokens[i + 1].string == "None":
            yield row, col, ecol, "is not"
        elif kind == tokenize.NUMBER and previous != ":" and not _in_annotation(tokens, i):
            if line.lstrip().startswith("@"):
                continue  # a decorator's argument (a cache size) changes nothing a user sees
            bumped = _bump(text)
            if bumped is not None:
                yield row, col, ecol, bumped
    # bare call statements (a line that is only `name(...)` or `obj.name(...)`)
    for number, line in enumerate(source.splitlines(), 1):
        if "no mutate" in line:
            continue
        match = re.fullmatch(r"(\s*)([A-Za-z_][\w.]*)\((.*)\)\s*", line)
        if (
            match
            and match.group(2) not in {"print", "super"}
            and line.count("(") == line.count(")")
        ):
            yield number, 0, len(line), f"{match.group(1)}pass"


def _in_annotation(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    """A token inside a type annotation or a default in a signature (`keep: int = 7`)."""
    line = tokens[i].line.strip()
    return line.startswith(("def ", "async def ")) or bool(
        re.match(r"^\w+\s*:\s*[\w\[\], |]+=", line)
    )


# ---------------------------------------------------------------- SQL

_SQL_TOKEN = re.compile(
    r"(?P<skip>--[^\n]*|'(?:[^']|'')*'|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})"
    r"|(?P<op><>|>=|<=|!=|=|<|>)"
    r"|(?P<word>\b(?:and|or|not|desc|asc|true|false|is)\b)"
    r"|(?P<num>(?<![\w.])\d+(?:\.\d+)?(?![\w.]))",
    re.S | re.I,
)
_SQL_OPS = {"<>": "=", "!=": "=", "=": "<>", ">=": ">", ">": ">=", "<=": "<", "<": "<="}
_SQL_WORDS = {
    "and": "or",
    "or": "and",
    "desc": "asc",
    "asc": "desc",
    "true": "false",
    "false": "true",
}


def _sql_sites(source: str) -> Iterator[tuple[int, int, int, str]]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def where(offset: int) -> tuple[int, int]:
        row = max(i for i, s in enumerate(starts) if s <= offset)
        return row + 1, offset - starts[row]

    lines = source.splitlines()
    for match in _SQL_TOKEN.finditer(source):
        if match.group("skip"):
            continue
        row, col = where(match.start())
        if "no mutate" in lines[row - 1]:
            continue
        text = match.group(0)
        end = col + len(text)
        if _join_key(lines[row - 1]):
            continue  # `on a.x = b.x`: a broken join key fails every test; not worth a dbt run
        if match.group("op"):
            yield row, col, end, _SQL_OPS[text]
        elif match.group("word"):
            word = text.lower()
            if word in _SQL_WORDS:
                yield row, col, end, _SQL_WORDS[word]
            elif word == "not":
                rest = source[match.end() :].lstrip()
                if not rest.lower().startswith(("null", "in ", "in(", "exists")):
                    yield row, col, end + 1, ""  # not x -> x
                elif rest.lower().startswith("null"):  # is not null -> is null
                    yield row, col, end + 1, ""
            elif word == "is" and source[match.end() :].lstrip().lower().startswith("null"):
                yield row, col, end, "is not"
        elif match.group("num"):
            bumped = _bump(text)
            if bumped is not None:
                yield row, col, end, bumped


def _join_key(line: str) -> bool:
    return bool(re.match(r"^\s*(on|and|or)\s+\w+\.\w+\s*=\s*\w+\.\w+\s*$", line, re.I))


# ---------------------------------------------------------------- mutants


def mutants(target: Target) -> list[Mutant]:
    path = WORK / target.path
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    sites = _sql_sites(source) if path.suffix == ".sql" else _python_sites(source)
    docstring_lines = _docstring_lines(source) if path.suffix == ".py" else set()
    found: list[Mutant] = []
    seen: set[tuple[int, str]] = set()
    for row, col, end, replacement in sites:
        if row in docstring_lines:
            continue
        if target.lines and not target.lines[0] <= row <= target.lines[1]:
            continue
        before = lines[row - 1]
        after = before[:col] + replacement + before[end:]
        if after == before or (row, after) in seen:
            continue
        seen.add((row, after))
        text = "".join(lines[: row - 1]) + after + "".join(lines[row:])
        if path.suffix == ".py" and not _compiles(text):
            continue
        found.append(Mutant(path, row, before.rstrip("\n"), after.rstrip("\n"), text))
    return found


def _compiles(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


def _docstring_lines(source: str) -> set[int]:
    import ast

    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.update(range(value.lineno, (value.end_lineno or value.lineno) + 1))
    return lines


def run(command: list[str], timeout: float) -> tuple[bool, float]:
    """(passed, seconds); a run over its time limit counts as failed (the mutant hangs)."""
    started = time.perf_counter()
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(WORK),  # the copy's modules, not the checkout's editable install
        "EDUPLAN_DBT_DIR": str(WORK / "dbt"),
        "EDUPLAN_TEST_DEMO_WAREHOUSE": os.environ.get(
            "EDUPLAN_TEST_DEMO_WAREHOUSE", str(WORK / DEMO / "warehouse.duckdb")
        ),
    }
    try:
        process = subprocess.run(
            command, cwd=WORK, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - started
    return process.returncode == 0, time.perf_counter() - started


def build_dev_db() -> None:
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
    env = {**os.environ, "PYTHONPATH": str(WORK), "EDUPLAN_DBT_DIR": str(WORK / "dbt")}
    process = subprocess.run([PYTHON, "-c", code, str(DEV_DB)], cwd=WORK, env=env, check=False)
    if process.returncode != 0:
        raise SystemExit("could not build the warehouse for the dbt unit tests")


def build_demo() -> None:
    """The demo night the report's test reads (`eduplan demo`: two nights of the real flow)."""
    env = {**os.environ, "PYTHONPATH": str(WORK), "EDUPLAN_DBT_DIR": str(WORK / "dbt")}
    code = "import sys; from flows.cli import main; sys.exit(main(sys.argv[1:]))"
    process = subprocess.run(
        [PYTHON, "-c", code, "demo", "--out", str(WORK / DEMO)], cwd=WORK, env=env, check=False
    )
    if process.returncode != 0:
        raise SystemExit("could not build the demo night for the report's test")


def mutate(target: Target) -> tuple[int, list[Mutant]]:
    """Run every mutant of target; (mutants, survivors)."""
    path = WORK / target.path
    original = path.read_bytes()
    passed, baseline = run(target.command, timeout=1800)
    if not passed:
        raise SystemExit(
            f"{target.name}: its tests fail without a mutant: {' '.join(target.command)}"
        )
    timeout = max(60.0, baseline * 3)
    found = mutants(target)
    survivors: list[Mutant] = []
    print(f"{target.name}: {len(found)} mutants, tests take {baseline:.0f}s", flush=True)
    try:
        for n, mutant in enumerate(found, 1):
            path.write_text(mutant.text, encoding="utf-8")
            survived, seconds = run(target.command, timeout)
            path.write_bytes(original)
            if survived:
                survivors.append(mutant)
            verdict = "SURVIVED" if survived else "killed"
            print(f"  [{n}/{len(found)}] {verdict} ({seconds:.0f}s) line {mutant.line}", flush=True)
    finally:
        path.write_bytes(original)
    return len(found), survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of {[t.name for t in TARGETS]}")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown module(s) {sorted(unknown)}")
    chosen = [t for t in TARGETS if not args.modules or t.name in args.modules]
    if args.list:
        for target in chosen:
            found = mutants(target)
            print(f"{target.name}: {len(found)} mutants")
            for mutant in found:
                print("  " + mutant.describe())
        return 0
    global WORK
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill`: still remove the copy
    WORK = Path(tempfile.mkdtemp(prefix="eduplan-mutate-")) / "repo"
    shutil.copytree(REPO, WORK, ignore=COPY_IGNORE)
    (WORK / "warehouse").mkdir()
    for git in (["init", "-q"], ["add", "-A"]):  # some tests list the repo's files with git
        subprocess.run(["git", *git], cwd=WORK, check=True, capture_output=True)
    print(f"mutating a copy of the repo in {WORK}", flush=True)
    started = time.perf_counter()
    try:
        if any(t.needs_dev_db for t in chosen):
            build_dev_db()
        if any(t.needs_demo for t in chosen) and not os.environ.get("EDUPLAN_TEST_DEMO_WAREHOUSE"):
            build_demo()  # (EDUPLAN_TEST_DEMO_WAREHOUSE: a demo warehouse built before)
        lanes = [[t for t in chosen if t.name in lane] for lane in LANES]
        with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
            done = pool.map(lambda lane: [(t, *mutate(t)) for t in lane], lanes)
            by_name = {t.name: (t, n, s) for lane in done for t, n, s in lane}
    finally:
        shutil.rmtree(WORK.parent, ignore_errors=True)
    results = [by_name[t.name] for t in chosen]
    total = sum(n for _, n, _ in results)
    killed = total - sum(len(s) for _, _, s in results)
    print(f"\nmutation score ({(time.perf_counter() - started) / 60:.1f} min):")
    for target, n, survivors in results:
        score = (n - len(survivors)) / n if n else 1.0
        killed_here = f"{n - len(survivors):>4}/{n:<4}"
        print(f"  {target.name:<11} {killed_here} killed  {score:6.1%}  {target.path}")
    print(f"  {'all':<11} {killed:>4}/{total:<4} killed  {killed / max(total, 1):6.1%}")
    for _, _, survivors in results:
        for mutant in survivors:
            print("SURVIVED " + mutant.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
