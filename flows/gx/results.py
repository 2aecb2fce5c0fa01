"""One failed expectation as a person reads it: the value the gates report (flows/validate.py) and
the GX runner builds (flows/gx/runner.py); kept apart so that neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SAMPLE_ROWS = 5
# What a suite's rows are (its `meta.scope`, written by expectations/define.py): tonight's changed
# rows only, or the whole table (cheap checks: counts, keys, small tables).
CHANGED_ROWS = "changed rows"
WHOLE_TABLE = "whole table"


@dataclass(frozen=True)
class ExpectationFailure:
    """One failed expectation: which, on what, why, and a few offending values or rows."""

    suite: str
    expectation: str  # its description, else its type
    table: str
    column: str | None
    detail: str
    sample_rows: list[Any] = field(default_factory=list)
    kind: str = ""  # the GX expectation type, e.g. expect_column_values_to_be_in_set

    def format(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        lines = [f"  FAILED {self.suite}: {self.expectation}", f"    on {where} [{self.kind}]"]
        lines.append(f"    {self.detail}")
        lines += [f"      {_show(row)}" for row in self.sample_rows[:SAMPLE_ROWS]]
        return "\n".join(lines)

    __str__ = format


def _show(row: Any) -> str:
    if isinstance(row, dict):
        return ", ".join(f"{k}={v!r}" for k, v in row.items())
    return repr(row)
