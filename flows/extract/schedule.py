"""Milestone schedule rows (program x year x region) -> one Milestone per non-empty cell."""

from __future__ import annotations

import re

from flows.extract.grid import GridCell, SourceRef
from flows.extract.headers import ScheduleColumns
from flows.extract.indicators import error, row_ref
from flows.extract.models import Milestone

_YEAR = re.compile(r"^((?:19|20)\d{2})年?$")


def schedule_milestones(
    doc: str, spec: ScheduleColumns, header_ref: SourceRef, rows: list[tuple[GridCell, ...]]
) -> list[Milestone]:
    """Every non-empty region cell of the schedule; empty program cells repeat the one above."""
    width = max([spec.program, spec.time, *spec.regions]) + 1
    milestones: list[Milestone] = []
    program: str | None = None
    for row in rows:
        cells = list(row)
        while len(cells) > width and not cells[-1].text:
            cells.pop()
        if len(cells) > width:
            raise error(
                doc,
                row_ref(row),
                f"row has {len(cells)} cells, the header at {header_ref} has {width}",
            )
        texts = [c.text for c in cells] + [""] * (width - len(cells))
        if texts[spec.program]:
            program = texts[spec.program]
        if program is None:
            raise error(doc, row_ref(row), "schedule row has no program (项目) above it")
        match = _YEAR.match(texts[spec.time].replace(" ", ""))
        if match is None:
            raise error(doc, row_ref(row), f"schedule time {texts[spec.time]!r} is not a year")
        for position, region in spec.regions.items():
            text = texts[position]
            if text:
                ref = cells[position].ref
                milestones.append(
                    Milestone(doc, program, int(match.group(1)), region, text, ref.line, str(ref))
                )
    return milestones
