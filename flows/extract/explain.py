"""`eduplan extract --explain FILE`: how each table of a document was read.

Per table: where it is, its caption and period, the first rows of its grid as the layout reader
found them, which header cell was taken as which column and the vocabulary word that matched
(so a user sees which word to add to vocabulary.toml), section rows, and the first cells.
"""

from __future__ import annotations

from pathlib import Path

from flows.extract import READERS, PlanTableError, read_tables, read_text
from flows.extract.facts import document_facts, read_metadata
from flows.extract.formats.text_lines import split_lines
from flows.extract.semantic import ReadGrid
from flows.extract.stream import StreamTable
from flows.extract.vocabulary import VOCABULARY

GRID_ROWS, CELLS, TOKENS, ROWS = 6, 8, 40, 30


def _clip(text: str, width: int = 14) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(read: ReadGrid) -> list[str]:
    info, grid = read.info, read.grid
    period = (
        f"{info.period_start_year}-{info.period_end_year}" if info.period_end_year else "unknown"
    )
    out = [
        f"table {info.table} ({info.kind}) at {grid.ref}, header at {info.header_ref}, "
        f"{len(grid.rows)} rows, period {period}",
        f"  caption: {grid.caption or '-'}",
        f"  grid (first {GRID_ROWS} rows; ^ = covered by a merged cell):",
    ]
    for row in grid.rows[:GRID_ROWS]:
        texts = ["^" if c.merged_from else _clip(c.text) for c in row]
        out.append("    | " + " | ".join(texts) + " |")
    out.append(f"  header ({read.header_rows} row(s)) -> columns:")
    if read.columns is not None:
        for position, column in enumerate(read.columns, start=1):
            year = ""
            if column.year is not None:
                year = f" year={column.year.year or '(period)'} hint={column.year.hint or '-'}"
            out.append(
                f"    {position:>2}. {column.header or '(empty)'!r:<16} -> {column.role:<10}"
                f" matched {column.matched!r}{year}"
            )
    elif read.schedule is not None:
        spec = read.schedule
        out.append(f"    program: column {spec.program + 1}, time: column {spec.time + 1}")
        out.append(f"    regions: {', '.join(spec.regions.values())}")
    if read.sections:
        out.append(f"  section rows (categories): {', '.join(read.sections)}")
    out.append(f"  {len(read.cells)} value cells, {len(read.milestones)} milestones; first:")
    for c in read.cells[:CELLS]:
        value = c.value if c.value is not None else "(text)"
        upper = f"..{c.value_upper}" if c.value_upper else ""
        out.append(
            f"    {c.source_ref}: {c.category or '-'} / {c.indicator} / {c.breakdown or '-'} / "
            f"{c.year} {c.role}: {c.raw_value!r} -> {c.comparator or '-'} {value}{upper}"
            f"{' ~' if c.is_approximate else ''} unit={c.unit or '-'}"
        )
    for m in read.milestones[:CELLS]:
        out.append(f"    {m.source_ref}: {m.program} / {m.year} / {m.region}: {m.milestone_text}")
    return out


def _stream(table: StreamTable) -> list[str]:
    """How the meaning reader read a table of running text: each cell's type, then the rows."""
    info = table.info
    period = (
        f"{info.period_start_year}-{info.period_end_year}" if info.period_end_year else "unknown"
    )
    out = [
        f"table {info.table} (indicators, read by meaning from running text), header at "
        f"{info.header_ref}, {len(table.rows)} rows, period {period}",
        f"  caption: {info.title or '-'}",
        "  header -> value columns, in order:",
    ]
    for position, column in enumerate(table.header.columns, start=1):
        year = ""
        if column.year is not None:
            year = f" year={column.year.year or '(period)'} hint={column.year.hint or '-'}"
        out.append(
            f"    {position:>2}. {column.header!r:<16} -> {column.role:<10} "
            f"matched {column.matched!r}{year}"
        )
    out.append(f"  cells after the header, typed (first {TOKENS}):")
    for token in table.tokens[:TOKENS]:
        out.append(f"    {token.ref}: {token.kind.value:<12} {_clip(token.text, 30)!r}")
    out.append(f"  rows assembled (first {ROWS}):")
    for row in table.rows[:ROWS]:
        values = " | ".join(v.text if v is not None else "(empty)" for v in row.values)
        review = f"  REVIEW: {row.review}" if row.review else ""
        out.append(
            f"    row {row.order}: {row.category or '-'} / {row.indicator} / "
            f"{row.breakdown or '-'} unit={row.unit or '-'} [{values}] "
            f"{row.attribute or '-'} {row.evaluation or ''} ({row.how}){review}"
        )
    for warning in table.warnings:
        out.append(f"  warning: {warning}")
    out.append(f"  {len(table.cells)} value cells")
    return out


def explain(path: Path) -> tuple[str, bool]:
    """The explanation of one document, and whether it can be extracted. A document that cannot
    be read at all (no reader, not UTF-8) raises PlanTableError like extract_document."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise PlanTableError(str(path), None, f"no reader for {path.suffix!r} files")
    laid_out = reader(path)
    lines = split_lines(read_text(path)) if laid_out.format == "txt" else None
    facts = document_facts(
        laid_out.doc, lines or [b.text for b in laid_out.text], read_metadata(path)
    )
    period = (facts.period_start_year, facts.period_end_year) if facts.period_end_year else None
    out = [
        f"{path} ({laid_out.format}): {len(laid_out.grids)} grid(s), "
        f"{len(laid_out.text)} text block(s); vocabulary {VOCABULARY.path}",
        f"document period: {period[0]}-{period[1]}" if period else "document period: unknown",
    ]
    try:
        found = read_tables(laid_out, period, lines=lines)
    except PlanTableError as error:
        out.append(f"ERROR {error}")
        return "\n".join(out), False
    if not found.grids and not found.streams:
        out.append("no indicator table or milestone schedule header in any grid or running text")
    for read in found.grids:
        out.extend(["", *_table(read)])
    for table in found.streams:
        out.extend(["", *_stream(table)])
    return "\n".join(out), bool(found.grids or found.streams)
