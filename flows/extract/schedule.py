"""Milestone schedule rows (program x year x region) -> one Milestone per non-empty cell."""

from __future__ import annotations

import re

from flows.extract.models import Milestone, PlanTableError
from flows.extract.tables import FoundTable

_YEAR = re.compile(r"^((?:19|20)\d{2})年?$")


def schedule_milestones(doc: str, table: FoundTable) -> list[Milestone]:
    """Every non-empty region cell of the schedule; empty program cells repeat the one above."""
    assert table.schedule is not None
    spec = table.schedule
    width = max([spec.program, spec.time, *spec.regions]) + 1
    milestones: list[Milestone] = []
    program: str | None = None
    for row in table.rows:
        cells = list(row.cells)
        while len(cells) > width and not cells[-1].text:
            cells.pop()
        if len(cells) > width:
            raise PlanTableError(
                doc,
                row.line,
                f"row has {len(cells)} cells, the header on line {table.header.line} has {width}",
            )
        texts = [c.text for c in cells] + [""] * (width - len(cells))
        if texts[spec.program]:
            program = texts[spec.program]
        if program is None:
            raise PlanTableError(doc, row.line, "schedule row has no program (项目) above it")
        match = _YEAR.match(texts[spec.time].replace(" ", ""))
        if match is None:
            raise PlanTableError(doc, row.line, f"schedule time {texts[spec.time]!r} is not a year")
        for position, region in spec.regions.items():
            text = texts[position]
            if text:
                milestones.append(
                    Milestone(doc, program, int(match.group(1)), region, text, cells[position].line)
                )
    return milestones
