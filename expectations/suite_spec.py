"""What a Great Expectations suite is made of here: its table (a query asset), the tables it needs,
and a function building its expectations. expectations/define.py writes them; raw_suites.py
(before dbt) and mart_suites.py (before publication) declare them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flows.gx.results import CHANGED_ROWS, WHOLE_TABLE

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


@dataclass(frozen=True)
class ChangedRows:
    """The query of tonight's changed rows of a suite's table, and the tables it reads."""

    query: str
    requires: tuple[str, ...]


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # the table checked, e.g. `plan_cells`
    query: str  # the query asset: the table, joined to what a rule needs
    requires: tuple[str, ...]
    build: Callable[[], list] = field(repr=False)
    optional: bool = False
    # CHANGED_ROWS: the query selects what tonight changed (cost grows with the night's data);
    # WHOLE_TABLE: cheap whole-table checks (counts, keys) or a small table
    scope: str = WHOLE_TABLE
    # a whole-table suite that a night which is not a full pass runs on tonight's changed rows
    # only: that night's query (CHANGED_ROWS), and the tables it needs beside `requires` (absent:
    # the whole table is checked); for row-local rules only, which a kept row passed when it came
    changed_rows: ChangedRows | None = None

    def __post_init__(self) -> None:
        if self.scope not in (CHANGED_ROWS, WHOLE_TABLE):
            raise ValueError(f"suite {self.name}: scope {self.scope!r} is not a known scope")


def unexpected_rows(description: str, query: str):  # noqa: ANN201
    """An expectation that the query returns no rows (GX has no regex for the duckdb dialect:
    such rules are written in SQL; {batch} is the suite's table)."""
    import great_expectations as gx  # lazy: ~4.5 s, only when a suite is built

    return gx.expectations.UnexpectedRowsExpectation(
        description=description, unexpected_rows_query=query
    )
