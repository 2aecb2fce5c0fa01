"""Plan documents (plain text) -> typed rows: indicator value cells, milestones, document facts.

Pure parsing: no DuckDB, no Prefect. `extract_document` is what the CLI and the flow call.
"""

from __future__ import annotations

from pathlib import Path

from flows.extract.facts import document_facts, read_metadata
from flows.extract.indicators import table_cells
from flows.extract.layout import split_lines
from flows.extract.models import (
    DocumentFacts,
    ExtractedDocument,
    Milestone,
    PlanCell,
    PlanTableError,
    TableInfo,
)
from flows.extract.schedule import schedule_milestones
from flows.extract.tables import find_tables

__all__ = [
    "DocumentFacts",
    "ExtractedDocument",
    "Milestone",
    "PlanCell",
    "PlanTableError",
    "TableInfo",
    "extract_document",
    "extract_text",
]


def read_text(path: Path) -> str:
    """A document's text: UTF-8 (with or without BOM); anything else is a clear error."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PlanTableError(
            str(path), line, "not UTF-8 text (GBK? convert with: iconv -f GBK -t UTF-8)"
        ) from None


def extract_text(
    doc: str, text: str, metadata: dict[str, object] | None = None
) -> ExtractedDocument:
    """Extract every table of one document given as text; `doc` names it in rows and errors."""
    lines = split_lines(text)
    facts = document_facts(doc, lines, metadata or {})
    doc_period = (
        (facts.period_start_year, facts.period_end_year)
        if facts.period_start_year and facts.period_end_year
        else None
    )
    tables: list[TableInfo] = []
    cells: list[PlanCell] = []
    milestones: list[Milestone] = []
    for number, table in enumerate(find_tables(doc, lines), start=1):
        period = table.period or doc_period
        if table.kind == "indicators":
            cells.extend(table_cells(doc, number, table, period))
        else:
            milestones.extend(schedule_milestones(doc, table))
        tables.append(
            TableInfo(
                doc=doc,
                table=number,
                kind=table.kind,
                title=table.title,
                header_line=table.header.line,
                last_line=table.last_line,
                period_start_year=period[0] if period else None,
                period_end_year=period[1] if period else None,
            )
        )
    if not tables:
        raise PlanTableError(doc, None, "no indicator table or milestone schedule found")
    return ExtractedDocument(facts=facts, tables=tables, cells=cells, milestones=milestones)


def extract_document(path: Path) -> ExtractedDocument:
    """Extract one plan document file (with its metadata file, if any). Rows name the document
    by its file name; errors name it by its path."""
    try:
        return extract_text(path.name, read_text(path), read_metadata(path))
    except PlanTableError as error:
        if error.file != path.name:
            raise
        raise PlanTableError(str(path), error.line, error.message) from None
