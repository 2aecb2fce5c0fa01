"""Tables in running text, read by meaning: find each header in the typed cells of a text
document, a flattened web page or a PDF's text, assemble its rows (assemble.py) and turn them
into value cells with years, roles and provenance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flows.extract.assemble import Assembler, Row
from flows.extract.formats.tokens import (
    Kind,
    Token,
    could_start_header,
    has_inline_header,
    is_prose_line,
    tokens_of,
)
from flows.extract.grid import SourceRef
from flows.extract.headers import period_in_text, year_role
from flows.extract.models import PlanCell, TableInfo
from flows.extract.stream_header import Header, find_header
from flows.extract.values import clean_cell, parse_value
from flows.extract.vocabulary import VOCABULARY, normalise_header

INDICATOR_WORDS = VOCABULARY.columns["indicator"]


@dataclass
class StreamTable:
    """An indicator table the meaning reader assembled from running text."""

    info: TableInfo
    header: Header
    rows: list[Row]
    cells: list[PlanCell]
    tokens: list[Token]  # the cells after the header, typed
    warnings: list[str]
    doubts: int  # cells the reader could not place in any row (values with no name, ...)
    start: int  # position of the table's first line (for ordering tables in the document)


def _caption(tokens: list[Token], start: int, texts: list[str]) -> tuple[str, SourceRef] | None:
    """The table's title: the line just above the header, when it is a short label (or the
    labels before the header on its own line, for a table flattened onto one line)."""
    if start and tokens[start - 1].seq == tokens[start].seq:
        before = [t for t in tokens[:start] if t.seq == tokens[start].seq]
        return " ".join(t.text for t in before), before[0].ref
    for token in reversed(tokens[max(0, start - 3) : start]):
        if token.kind is Kind.LABEL:
            line = texts[token.seq]
            return (line, token.ref) if len(line) <= 80 else None
        if token.kind not in (Kind.EMPTY, Kind.PAGE):
            return None
    return None


_CAPTION_LINES = 3  # non-blank lines above a header looked at for its caption


def read_stream(
    doc: str,
    lines: list[str],
    refs: Callable[[int], SourceRef],
    doc_period: tuple[int, int] | None,
) -> list[StreamTable]:
    """Every indicator table in running text, assembled by meaning. Only the stretches of text
    between sentences (a table never goes on past running prose) that hold a line beginning
    with a column word are cut into cells and read."""
    texts = [clean_cell(text) for text in lines]
    tables: list[StreamTable] = []
    k = 0
    while k < len(lines):
        if (
            not texts[k]
            or is_prose_line(texts[k])
            or not (could_start_header(texts[k]) or has_inline_header(texts[k]))
        ):
            k += 1
            continue
        begin, above = k, 0
        while begin > 0 and not is_prose_line(texts[begin - 1]) and above < _CAPTION_LINES:
            begin -= 1  # the caption above the header (blank lines between do not count)
            above += 1 if texts[begin] else 0
        end = k + 1
        while end < len(lines) and not is_prose_line(texts[end]):
            end += 1
        stretch = [(lines[n], refs(n)) for n in range(begin, min(end + 1, len(lines)))]
        tokens = tokens_of(stretch, first=begin)  # with the sentence after
        tables.extend(_tables_in(doc, tokens, doc_period, texts))
        k = end + 1
    return tables


def _tables_in(
    doc: str, tokens: list[Token], doc_period: tuple[int, int] | None, texts: list[str]
) -> list[StreamTable]:
    tables: list[StreamTable] = []
    i = 0
    while i < len(tokens):
        starts_line = i == 0 or tokens[i - 1].seq != tokens[i].seq  # a header begins a line
        header = find_header(tokens, i) if tokens[i].kind is not Kind.PROSE else None
        if header is not None and not starts_line and not _inline(tokens, i, header):
            header = None
        if header is None:
            i += 1
            continue
        table, i = _read_table(doc, tokens, i, header, doc_period, texts)
        if table is not None:
            tables.append(table)
    return tables


def _inline(tokens: list[Token], start: int, header: Header) -> bool:
    """A header after a caption on its own line (a table flattened onto one line, `表1 主要指标
    指标 2020年 …`): only titles before it on the line, and the whole header on that line."""
    line = tokens[start].seq
    before = [t for t in tokens[:start] if t.seq == line]
    second = header.columns[1] if len(header.columns) > 1 else None
    if second is not None and second.role == "breakdown" and second.matched in INDICATOR_WORDS:
        return False  # `主要指标 指标 …`: the first indicator word ends the caption
    return all(t.kind is Kind.LABEL for t in before) and all(t.seq == line for t in header.tokens)


_AHEAD = 8  # cells looked at ahead: sentences filling a row's last value columns (assemble.py)


def _read_table(
    doc: str,
    tokens: list[Token],
    start: int,
    header: Header,
    doc_period: tuple[int, int] | None,
    texts: list[str],
) -> tuple[StreamTable | None, int]:
    assembler = Assembler(header)
    header_key = [normalise_header(t.text) for t in header.tokens]
    i = header.end
    while i < len(tokens):
        token = tokens[i]
        if token.kind is Kind.PROSE:
            break
        again = find_header(tokens, i)
        if again is not None:
            if [normalise_header(t.text) for t in again.tokens] == header_key:
                i = again.end  # the header repeated after a page break
                continue
            break  # the next table
        ahead = [t for t in tokens[i + 1 : i + 1 + _AHEAD] if t.kind not in (Kind.EMPTY, Kind.PAGE)]
        following = (
            ahead[0]
            if ahead
            else next((t for t in tokens[i + 1 :] if t.kind not in (Kind.EMPTY, Kind.PAGE)), None)
        )
        assembler.feed(token, following, ahead)
        i += 1
    assembler.close()
    assembler._resolve_heads(None)
    if not assembler.rows:
        return None, max(i, start + 1)
    caption = _caption(tokens, start, texts)
    title = caption[0] if caption else None
    period = (period_in_text(title) if title else None) or doc_period
    table_tokens = tokens[header.end : i]
    info = TableInfo(
        doc=doc,
        table=0,
        kind="indicators",
        title=title,
        header_line=header.tokens[0].ref.line,
        last_line=table_tokens[-1].ref.line if table_tokens else None,
        period_start_year=period[0] if period else None,
        period_end_year=period[1] if period else None,
        header_ref=str(header.tokens[0].ref),
    )
    warnings = [f"{doc}: {ref}: {note}" for ref, note in assembler.notes]
    cells = _cells(doc, header, assembler.rows, period, warnings)
    start_line = header.tokens[0].ref.line or 0
    return (
        StreamTable(
            info,
            header,
            assembler.rows,
            cells,
            table_tokens,
            warnings,
            len(assembler.notes),
            start_line,
        ),
        i,
    )


def _years(header: Header, period: tuple[int, int] | None) -> list[int | None]:
    years: list[int | None] = []
    for column in header.slots:
        if column.role != "year" or column.year is None:
            years.append(None)
        elif column.year.year is not None:
            years.append(column.year.year)
        elif period is None:
            years.append(None)
        else:
            years.append(period[1] if column.year.hint == "target" else period[0] - 1)
    return years


def _cells(
    doc: str,
    header: Header,
    rows: list[Row],
    period: tuple[int, int] | None,
    warnings: list[str],
) -> list[PlanCell]:
    years = _years(header, period)
    known = [y for y in years if y is not None]
    cells: list[PlanCell] = []
    for row in rows:
        for column, year, token in zip(header.slots, years, row.values, strict=False):
            if token is None or column.role != "year":
                continue
            if year is None:
                warnings.append(
                    f"{doc}: {token.ref}: a 目标值 column but no plan period to date it"
                )
                continue
            parsed = parse_value(token.text)
            if not parsed.readable:
                warnings.append(
                    f"{doc}: {token.ref}: value {parsed.raw_value!r} is not a number the value "
                    "grammar reads; kept as text"
                )
            assert column.year is not None
            cells.append(
                PlanCell(
                    doc=doc,
                    table=0,
                    row_order=row.order,
                    category=str(row.category) if row.category else None,
                    indicator=row.indicator,
                    breakdown=row.breakdown,
                    unit=row.unit,
                    year=year,
                    role=year_role(year, column.year.hint, period, known),
                    raw_value=parsed.raw_value,
                    comparator=parsed.comparator,
                    value=parsed.value,
                    attribute=row.attribute,
                    evaluation=row.evaluation,
                    line=token.ref.line,
                    value_upper=parsed.value_upper,
                    is_approximate=parsed.is_approximate,
                    source_ref=str(token.ref),
                    needs_review=row.review,
                    is_cumulative=parsed.is_cumulative,
                )
            )
    return cells
