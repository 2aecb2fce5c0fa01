"""What the night held back from the actuals, named where a person looks: the run summary,
`eduplan status`, the Prefect artifact and the report list each rejected file and each group of
held-back rows with its file, lines and reason. dbt owns the judgement
(marts.mart_actuals_quarantine); this module only reads it, grouped by file and reason. A file
that is still broken is listed every night until it changes: its quarantine rows stay while
the file does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.warehouse.db import open_warehouse

SHOWN_LINES = 5  # line numbers listed per group; the mart has them all

HELD_BACK_SQL = """
with

quarantine as (

    select * from marts.mart_actuals_quarantine

),

grouped as (

    select
        source_file,
        reason,
        count(*) as problems,
        list(distinct source_line order by source_line) as lines,
        min(detail) as detail

    from quarantine
    group by source_file, reason

),

final as (

    select * from grouped
    order by source_file, lines[1], reason

)

select * from final
"""


@dataclass(frozen=True)
class HeldBack:
    """One file's held-back rows for one reason."""

    file: str
    reason: str
    problems: int
    lines: tuple[int, ...]
    detail: str | None

    def format(self) -> str:
        """`file:line[, line...]: reason (N problem(s)): detail`."""
        shown = [str(n) for n in self.lines][:SHOWN_LINES]
        more = f" and {len(self.lines) - SHOWN_LINES} more" if len(self.lines) > SHOWN_LINES else ""
        where = f"{self.file}:{', '.join(shown)}{more}" if shown else self.file
        what = f": {self.detail}" if self.detail else ""
        return f"{where}: {self.reason} ({self.problems} problem(s)){what}"


def held_back_groups(database: Path) -> list[HeldBack]:
    """What the night held back, per file and reason, in file order; empty when nothing is
    held back or the warehouse has no quarantine mart (or no file: a report rendered from data
    alone)."""
    if not Path(database).exists():
        return []
    with open_warehouse(database, read_only=True) as con:
        try:
            rows = con.execute(HELD_BACK_SQL).fetchall()
        except duckdb.CatalogException:
            return []
    return [
        HeldBack(file, reason, problems, tuple(n for n in lines if n is not None), detail)
        for file, reason, problems, lines, detail in rows
    ]


def held_back(database: Path) -> list[str]:
    """One line per file and reason (`HeldBack.format`)."""
    return [group.format() for group in held_back_groups(database)]
