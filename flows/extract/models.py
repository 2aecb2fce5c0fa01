"""Typed rows produced by the extractor: value cells, milestones, document facts, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flows.errors import InputFileError


class PlanTableError(InputFileError):
    """A plan document that cannot be read exactly: names the file, the line and what was wrong."""


@dataclass(frozen=True)
class PlanCell:
    """One value cell of an indicator table (one indicator, breakdown and year column)."""

    doc: str
    table: int
    row_order: int
    category: str | None
    indicator: str
    breakdown: str | None
    unit: str | None
    year: int
    role: str  # baseline | milestone | target | actual (the plan's own reported figure)
    raw_value: str
    comparator: str | None  # = > >= < <= ; None for text values
    value: str | None  # the number exactly as written, e.g. "0.250"
    attribute: str | None  # 预期性 | 约束性 (other forms such as 约束性指标 read as these)
    evaluation: str | None  # 完成 | 未完成 | 基本完成 | 超额完成 (已完成 reads as 完成)
    line: int | None  # the value's line (text documents), else None
    value_upper: str | None = None  # a range's upper bound (95-97: value 95, value_upper 97)
    is_approximate: bool = False  # 98左右 / 约98: the number is approximate
    source_ref: str = ""  # where the value sits: line 12 | table 1, row 3, column 4 | page 2, ...
    needs_review: str | None = None  # why the reader is unsure of this cell; None when sure
    is_cumulative: bool = False  # 〔20〕 / [4.5]: a five-year cumulative figure, not a level


@dataclass(frozen=True)
class Milestone:
    """One non-empty cell of a per-region milestone schedule (program x year x region)."""

    doc: str
    program: str
    year: int
    region: str
    milestone_text: str
    line: int | None
    source_ref: str = ""


@dataclass(frozen=True)
class TableInfo:
    """Where a table sits in its document and what its header said."""

    doc: str
    table: int
    kind: str  # indicators | schedule
    title: str | None
    header_line: int | None  # text documents; else None (see header_ref)
    last_line: int | None
    period_start_year: int | None
    period_end_year: int | None
    header_ref: str = ""  # where the header sits, in any format


@dataclass(frozen=True)
class DocumentFacts:
    """Facts about a plan document: read from its text, completed from its metadata file."""

    doc: str
    title: str | None = None
    document_number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    period_start_year: int | None = None
    period_end_year: int | None = None
    region_code: str | None = None
    region_name: str | None = None
    source_document: str | None = None
    fact_sources: dict[str, str] = field(default_factory=dict)  # fact -> "text:LINE" | "metadata"


@dataclass(frozen=True)
class Commitment:
    """One number a plan's body text commits to (flows/extract/prose/): a level, count, share,
    amount, range or rate to reach by a year or the end of the plan, or a standing norm."""

    doc: str
    line: int | None  # the paragraph's line (text documents; HTML source line; DOCX paragraph)
    quote: str  # the shortest exact substring holding the subject, the comparator word and value
    subject: str | None  # the thing measured, as written, with its scope
    comparator: str  # = > >= < <=
    value: str  # the number as written (a Chinese numeral in digits: 二十 -> 20; 三成 -> 30 %)
    value_upper: str | None  # a range's upper bound (4-6个: value 4, value_upper 6)
    unit: str | None  # %, 所, 个百分点, 课时 ...
    year: int | None  # the target year; None for a standing norm
    year_basis: str  # explicit (in the sentence) | plan_period (the plan's last year) | standing
    is_change: bool  # 个百分点: a change in points, not a level
    per: str | None  # 每年 / 每周 ...: the norm's period
    direction: str | None  # up | down: the way a change goes (下降1个百分点: down)
    is_approximate: bool  # 左右 / 约
    section: str | None  # the heading it is under (its theme)
    source_ref: str  # where it sits in any format


@dataclass(frozen=True)
class ExtractedDocument:
    """Everything extracted from one plan document."""

    facts: DocumentFacts
    tables: list[TableInfo]
    cells: list[PlanCell]
    milestones: list[Milestone]
    warnings: list[str] = field(default_factory=list)  # `file:line: ...` read but worth a look
    commitments: list[Commitment] = field(default_factory=list)  # targets stated in prose
