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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.config import EXPECTATIONS_DIR
from flows.gx.results import CHANGED_ROWS, WHOLE_TABLE, ExpectationFailure

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
        if self.docs_path:
            lines.append(f"  Data Docs: {self.docs_path.as_uri()}")
        if self.docs_still_remote:
            lines.append(
                f"  warning: Data Docs load {len(self.docs_still_remote)} file(s) from the "
                f"network, with no copy in flows/gx/data_docs_assets/ (offline they show less): "
                f"{self.docs_still_remote[0]}"
            )
        return "\n".join(lines)

    __str__ = format

    def on_changed_rows(self) -> list[str]:
        """Suites that ran on tonight's changed rows only."""
        ran = [s for s in self.scopes if s not in self.skipped]
        return [s for s in ran if self.scopes[s] == CHANGED_ROWS]

    def on_whole_tables(self) -> list[str]:
        ran = [s for s in self.scopes if s not in self.skipped]
        return [s for s in ran if self.scopes[s] != CHANGED_ROWS]


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
    db_path: Path, *, gx_dir: Path, context_root: Path = EXPECTATIONS_DIR
) -> GateResult:
    """The raw_inputs gate, run on the build file after loading and before dbt."""
    return run_gate(RAW_GATE, db_path, gx_dir=gx_dir, context_root=context_root)


def validate_marts(
    db_path: Path,
    *,
    gx_dir: Path,
    context_root: Path = EXPECTATIONS_DIR,
    changed_rows: bool = False,
) -> GateResult:
    """The marts gate, run on the build file after `dbt build` and before publication.
    `changed_rows`: tonight's build was no full pass of the tests (flows/transform.py
    `full_tests_due`), so the suites that can check only the rows it changed do
    (expectations/mart_suites.py); the result says which suite ran on which."""
    return run_gate(
        MARTS_GATE, db_path, gx_dir=gx_dir, context_root=context_root, changed_rows=changed_rows
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
) -> GateResult:
    """Run every validation definition named `<gate>.*` against db_path; results and Data Docs
    go to gx_dir (the warehouse's `Settings.gx_dir`).

    The caller must have closed its own connections to db_path: GX opens it read-only.
    """
    from flows.gx.runner import run_validations  # lazy: great_expectations costs ~4.5 s

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
    )
    failures = outcome.failures
    return GateResult(
        suite=gate,
        passed=not failures and outcome.evaluated > 0,
        evaluated=outcome.evaluated,
        failed=len(failures),
        failures=failures,
        seconds=time.perf_counter() - started,
        docs_path=outcome.docs_path,
        skipped=outcome.skipped,
        scopes=outcome.scopes,
        rows=outcome.rows,
        docs_still_remote=outcome.docs_still_remote,
    )


__all__ = [
    "CHANGED_ROWS",
    "ExpectationFailure",
    "GateResult",
    "MARTS_GATE",
    "RAW_GATE",
    "WHOLE_TABLE",
    "run_gate",
    "validate_marts",
    "validate_raw",
]
