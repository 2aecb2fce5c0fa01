"""Great Expectations gates: audit the staged warehouse before dbt (`raw_inputs`) and after it
(`marts`). A gate passes only if every expectation of every suite of the gate passes.

The suites, their query assets and validation definitions are committed under expectations/
(written by expectations/define.py) and only read; results and Data Docs are run state and go
beside the warehouse they describe (`Settings.gx_dir`, EDUPLAN_GX_DIR), never into the checkout.
Each run renders only its own results, and the newest KEEP_RESULTS per suite are kept, so a gate
costs the same after a hundred nights as after one. A suite runs either on tonight's changed rows
(the raw actuals of the files loaded tonight) or on its whole table, and the result says which.
GX validates through its SQL datasource on the DuckDB file itself (read-only), with the fix in
flows/gx/engine.py; see docs/gates.md for why that route and not pandas.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flows.config import EXPECTATIONS_DIR
from flows.gx.results import CHANGED_ROWS, WHOLE_TABLE, ExpectationFailure
from flows.transform import full_tests_due
from flows.warehouse.build_digest import read_raw_table_digests
from flows.warehouse.db import open_warehouse, read_stamp, write_stamp

RAW_GATE = "raw_inputs"
MARTS_GATE = "marts"
KEEP_RESULTS = 3  # validation results kept per suite (and shown in Data Docs)


@dataclass(frozen=True)
class GateResult:
    suite: str  # the gate: raw_inputs or marts
    passed: bool
    evaluated: int
    failed: int
    failures: list[ExpectationFailure]
    seconds: float
    docs_path: Path | None
    skipped: list[str] = field(default_factory=list)  # optional suites whose tables are absent
    scopes: dict[str, str] = field(default_factory=dict)  # suite -> changed rows / whole table
    rows: dict[str, int] = field(default_factory=dict)  # suite -> rows validated, when GX says
    docs_still_remote: list[str] = field(default_factory=list)  # Data Docs files still on a CDN
    standing: list[str] = field(default_factory=list)  # suites not run: inputs as they passed
    input_digests: dict[str, str] = field(default_factory=dict, repr=False)  # suite -> inputs

    def format(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        head = (
            f"gate {self.suite} {verdict}: {self.failed} of {self.evaluated} expectations failed "
            f"({self.seconds:.1f} s)"
        )
        lines = [head, *(f.format() for f in self.failures)]
        lines += [f"  skipped {name}: its tables are absent" for name in self.skipped]
        changed, whole = self.on_changed_rows(), self.on_whole_tables()
        if changed:
            counted = [f"{s} ({self.rows[s]:,} rows)" if s in self.rows else s for s in changed]
            lines.append(f"  on tonight's changed rows: {', '.join(counted)}")
        if whole:
            lines.append(f"  on whole tables: {', '.join(whole)}")
        if self.standing:
            lines.append(
                f"  stand, their rules and tables as when they passed: {', '.join(self.standing)}"
            )
        if self.docs_path:
            lines.append(f"  Data Docs: {self.docs_path.as_uri()}")
        if self.docs_still_remote:
            lines.append(f"  warning: {remote_docs_warning(self.docs_still_remote)}")
        return "\n".join(lines)

    __str__ = format

    def on_changed_rows(self) -> list[str]:
        """Suites that ran on tonight's changed rows only."""
        ran = [s for s in self.scopes if s not in self.skipped]
        return [s for s in ran if self.scopes[s] == CHANGED_ROWS]

    def on_whole_tables(self) -> list[str]:
        ran = [s for s in self.scopes if s not in self.skipped]
        return [s for s in ran if self.scopes[s] != CHANGED_ROWS]


def remote_docs_warning(pages: list[str]) -> str:
    """A gate's Data Docs still loading files from a CDN (flows/gx/offline_docs.py)."""
    return (
        f"Data Docs load {len(pages)} file(s) from the network, with no copy in "
        f"flows/gx/data_docs_assets/ (offline they show less): {pages[0]}"
    )


@dataclass
class _DocsRendering:
    """One gate's Data Docs being written in a thread (run_gate with docs_in_background)."""

    gate: str
    thread: threading.Thread
    warnings: list[str] = field(default_factory=list)


_rendering: list[_DocsRendering] = []  # started, not yet collected by finish_data_docs


def _render_in_background(gate: str, render: Callable[[], list[str]]) -> None:
    def work() -> None:
        try:
            remote = render()
        except Exception as error:  # the verdict stands; its pages are only a view of it
            rendering.warnings.append(
                f"the {gate} gate's Data Docs could not be written ({type(error).__name__}: "
                f"{error}); its verdict stands"
            )
            return
        if remote:
            rendering.warnings.append(f"gate {gate}: {remote_docs_warning(remote)}")

    rendering = _DocsRendering(gate, threading.Thread(target=work, name=f"data-docs-{gate}"))
    _rendering.append(rendering)
    rendering.thread.start()


def _wait_for_renderings() -> None:
    for rendering in _rendering:
        rendering.thread.join()


def finish_data_docs() -> list[str]:
    """Wait for the Data Docs started in the background; returns what went wrong writing them
    (warnings for the run summary: a gate's verdict never depends on its pages)."""
    _wait_for_renderings()
    warnings = [w for rendering in _rendering for w in rendering.warnings]
    _rendering.clear()
    return warnings


def import_in_background() -> threading.Thread:
    """Start importing Great Expectations (~2.5 s of CPU) in a thread, so that a night imports
    it on the other core while it copies and loads (DuckDB's work, which leaves Python free)
    instead of at the start of the raw gate. The gate's own import waits for this one to
    finish; a failure here is left for that import to raise, with its traceback."""

    def load() -> None:
        with contextlib.suppress(Exception):
            import flows.gx.runner  # noqa: F401  (lazy: the point of this thread)

    thread = threading.Thread(target=load, name="import-great-expectations", daemon=True)
    thread.start()
    return thread


def validate_raw(
    db_path: Path,
    *,
    gx_dir: Path,
    context_root: Path = EXPECTATIONS_DIR,
    docs_in_background: bool = False,
    stand_unchanged: bool = False,
) -> GateResult:
    """The raw_inputs gate, run on the build file after loading and before dbt.
    `stand_unchanged` (the night's gate): a suite whose rules and tables are those it last
    passed on in this warehouse stands, unless the full pass of the tests is due
    (flows/transform.py `full_tests_due`: every suite runs then). A new actuals file leaves the
    plan tables as they were: their four suites stand, and the actuals' two run."""
    tables = passed_on = None
    if stand_unchanged:
        digests = read_raw_table_digests(db_path)
        tables = {f"raw.{name}": digest for name, digest in digests.items()}
        passed_on = {} if full_tests_due(db_path) else _passed_on(db_path, RAW_GATE)
    result = run_gate(
        RAW_GATE,
        db_path,
        gx_dir=gx_dir,
        context_root=context_root,
        docs_in_background=docs_in_background,
        table_digests=tables,
        passed_on=passed_on,
    )
    if stand_unchanged and result.passed:
        with open_warehouse(db_path) as con:
            write_stamp(con, _PASSED_ON.format(gate=RAW_GATE), "suites",
                        json.dumps(result.input_digests, sort_keys=True))  # fmt: skip
    return result


_PASSED_ON = "{gate}_gate_passed_on"  # eduplan.<this>: each suite's inputs when it last passed


def _passed_on(db_path: Path, gate: str) -> dict[str, str]:
    """What each suite of `gate` last passed on in this warehouse (run_validations' digests)."""
    text = read_stamp(db_path, _PASSED_ON.format(gate=gate), "suites")
    return json.loads(text) if text else {}


def validate_marts(
    db_path: Path,
    *,
    gx_dir: Path,
    context_root: Path = EXPECTATIONS_DIR,
    changed_rows: bool = False,
    docs_in_background: bool = False,
) -> GateResult:
    """The marts gate, run on the build file after `dbt build` and before publication.
    `changed_rows`: tonight's build was no full pass of the tests (flows/transform.py
    `full_tests_due`), so the suites that can check only the rows it changed do
    (expectations/mart_suites.py); the result says which suite ran on which."""
    return run_gate(
        MARTS_GATE,
        db_path,
        gx_dir=gx_dir,
        context_root=context_root,
        changed_rows=changed_rows,
        docs_in_background=docs_in_background,
    )


def run_gate(
    gate: str,
    db_path: Path,
    *,
    gx_dir: Path,
    context_root: Path = EXPECTATIONS_DIR,
    docs: bool = True,
    keep_results: int = KEEP_RESULTS,
    changed_rows: bool = False,
    docs_in_background: bool = False,
    table_digests: dict[str, str] | None = None,
    passed_on: dict[str, str] | None = None,
) -> GateResult:
    """Run every validation definition named `<gate>.*` against db_path; results and Data Docs
    go to gx_dir (the warehouse's `Settings.gx_dir`). `table_digests` and `passed_on`: a suite
    whose inputs are those it last passed on stands (flows/gx/runner.py run_validations).

    `docs_in_background`: the verdict comes back as soon as the validations ran, and the Data
    Docs pages (~0.5 s of GX rendering per gate) are written by a thread while the night goes on
    (the next stage, dbt, runs in its own process); `finish_data_docs` waits for them and says
    what went wrong. A gate waits for the pages of the one before it (one GX site at a time).

    The caller must have closed its own connections to db_path: GX opens it read-only.
    """
    from flows.gx.runner import run_validations  # lazy: great_expectations costs ~4.5 s

    _wait_for_renderings()
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse to validate at {db_path}")
    outcome = run_validations(
        gate,
        db_path,
        Path(context_root),
        gx_dir=Path(gx_dir),
        docs=docs,
        keep_results=keep_results,
        changed_rows=changed_rows,
        table_digests=table_digests,
        passed_on=passed_on,
    )
    remote: list[str] = []
    if outcome.render_docs is not None:
        if docs_in_background:
            _render_in_background(gate, outcome.render_docs)
        else:
            remote = outcome.render_docs()
    failures = outcome.failures
    return GateResult(
        suite=gate,
        passed=not failures and (outcome.evaluated > 0 or bool(outcome.standing)),
        evaluated=outcome.evaluated,
        failed=len(failures),
        failures=failures,
        seconds=time.perf_counter() - started,
        docs_path=outcome.docs_path,
        skipped=outcome.skipped,
        scopes=outcome.scopes,
        rows=outcome.rows,
        docs_still_remote=remote,
        standing=outcome.standing,
        input_digests=outcome.input_digests,
    )


__all__ = [
    "CHANGED_ROWS",
    "ExpectationFailure",
    "GateResult",
    "MARTS_GATE",
    "RAW_GATE",
    "WHOLE_TABLE",
    "finish_data_docs",
    "run_gate",
    "validate_marts",
    "validate_raw",
]
