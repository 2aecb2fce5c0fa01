"""Great Expectations gates: audit the staged warehouse before dbt (`raw_inputs`) and after it
(`marts`). A gate passes only if every expectation of every suite of the gate passes.

The suites, their query assets and validation definitions are committed under expectations/
(written by expectations/define.py); results and Data Docs go to expectations/uncommitted/.
GX validates through its SQL datasource on the DuckDB file itself (read-only), with the fix in
flows/gx/engine.py; see docs/gates.md for why that route and not pandas.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.config import EXPECTATIONS_DIR
from flows.gx.results import ExpectationFailure

RAW_GATE = "raw_inputs"
MARTS_GATE = "marts"


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

    def format(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        head = (
            f"gate {self.suite} {verdict}: {self.failed} of {self.evaluated} expectations failed "
            f"({self.seconds:.1f} s)"
        )
        lines = [head, *(f.format() for f in self.failures)]
        lines += [f"  skipped {name}: its tables are absent" for name in self.skipped]
        if self.docs_path:
            lines.append(f"  Data Docs: {self.docs_path.as_uri()}")
        return "\n".join(lines)

    __str__ = format


def validate_raw(db_path: Path, *, context_root: Path = EXPECTATIONS_DIR) -> GateResult:
    """The raw_inputs gate, run on the build file after loading and before dbt."""
    return run_gate(RAW_GATE, db_path, context_root=context_root)


def validate_marts(db_path: Path, *, context_root: Path = EXPECTATIONS_DIR) -> GateResult:
    """The marts gate, run on the build file after `dbt build` and before publication."""
    return run_gate(MARTS_GATE, db_path, context_root=context_root)


def run_gate(
    gate: str, db_path: Path, *, context_root: Path = EXPECTATIONS_DIR, docs: bool = True
) -> GateResult:
    """Run every validation definition named `<gate>.*` against db_path; rebuild Data Docs.

    The caller must have closed its own connections to db_path: GX opens it read-only.
    """
    from flows.gx.runner import run_validations

    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse to validate at {db_path}")
    outcome = run_validations(gate, db_path, Path(context_root), docs=docs)
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
    )


__all__ = [
    "ExpectationFailure",
    "GateResult",
    "MARTS_GATE",
    "RAW_GATE",
    "run_gate",
    "validate_marts",
    "validate_raw",
]
