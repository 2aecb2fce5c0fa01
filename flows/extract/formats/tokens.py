"""Candidate cells of running text, typed by what they are (the meaning reader's input).

A published table reaches us as text in many shapes: one cell per line (with blank lines, ` |`
or `||||` lines between cells), cells separated by single spaces or by runs of 35 spaces from a
PDF conversion, a whole table flattened onto one line, page footers (`- 5 -`) inside. Layout only
proposes cells here: a line is cut at tabs, pipes and runs of spaces, then at single spaces, and
pieces that belong together are joined again (an open bracket `[4.5 ]`, a comparator `≥ 95`,
`其中: 研究生`, characters spaced out `约 束 性`). Each cell is then typed by its words (the
vocabulary) and the value grammar; `assemble.py` decides rows by meaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from flows.extract.formats.alignment import ATTRIBUTES, EVALUATIONS
from flows.extract.grid import SourceRef
from flows.extract.labels import is_list_number, is_part
from flows.extract.values import clean_cell, parse_value
from flows.extract.vocabulary import VOCABULARY


class Kind(Enum):
    VALUE = "value"  # a number, a comparison, a dash, a bracketed cumulative figure
    TEXT_VALUE = "text value"  # a text target the vocabulary knows (逐年提高)
    ATTRIBUTE = "attribute"  # 约束性 / 预期性
    EVALUATION = "evaluation"  # 完成 / 未完成
    UNIT = "unit"  # %, 万人
    LIST_NUMBER = "list number"  # 3 / 3. / （3） / ③
    EMPTY = "empty"  # a whitespace-only line: an empty cell
    PAGE = "page mark"  # - 5 -: page furniture, skipped
    PROSE = "prose"  # a sentence of running text: no cell of a table
    LABEL = "label"  # a name: indicator, section, part (assemble.py decides which)


@dataclass(frozen=True)
class Token:
    text: str
    kind: Kind
    ref: SourceRef
    start: int = 0  # display column where the cell starts on its line (CJK counts two)
    end: int = 0
    seq: int = 0  # which input line (or text block) it comes from: cells of one line share it


_RULE = re.compile(r"[|｜ \t]*[|｜][|｜ \t]*|[-—=_─━]{3,}")
_CUT = re.compile(r"\t|[|｜]|(?: {2,})|\u3000+")
_OPENING, _CLOSING = "([（〔【［", ")]）〕】］"
_COMPARATOR_ONLY = re.compile(r"^(?:[<>≤≥≦≧＜＞]=?|约|不低于|不少于|不高于|不超过|达到|超过)$")
_VALUE_TAILS = frozenset(
    ("%", "％", "‰")
    + VOCABULARY.values["at_least_suffix"]
    + VOCABULARY.values["at_most_suffix"]
    + VOCABULARY.values["approximate_suffix"]
)
_CJK = re.compile(r"^[\u4e00-\u9fff]$")
_PROSE_MARKS = ("。", "；", ";", "！", "？")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _balance(text: str) -> int:
    return sum(text.count(c) for c in _OPENING) - sum(text.count(c) for c in _CLOSING)


def _pieces(line: str) -> list[tuple[str, int, int]]:
    """A line cut at tabs, pipes and runs of spaces, then at single spaces; (text, start, end)."""
    out: list[tuple[str, int, int]] = []
    position = 0
    for chunk in _CUT.split(line):
        at = line.index(chunk, position) if chunk else position
        position = at + len(chunk)
        offset = _width(line[:at])
        words: list[tuple[str, int, int]] = []
        inner = 0
        for word in chunk.split(" "):
            start = chunk.index(word, inner) if word else inner
            inner = start + len(word)
            if word.strip():
                begin = offset + _width(chunk[:start])
                words.append((word.strip(), begin, begin + _width(word.strip())))
        out.extend(_rejoin(words))
    return out


def _joined(a: tuple[str, int, int], b: tuple[str, int, int]) -> tuple[str, int, int]:
    return (a[0] + (" " if _balance(a[0]) > 0 else "") + b[0], a[1], b[2])


def _rejoin(words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Join pieces a single space split but that make one cell."""
    out: list[tuple[str, int, int]] = []
    single = False  # the piece before was one character (约 束 性: letters spaced out)
    for word in words:
        was_single, single = single, len(word[0]) == 1 and bool(_CJK.match(word[0]))
        if out:
            last = out[-1][0]
            if (
                _balance(last) > 0  # [4.5 ] / （含 民办）
                or _COMPARATOR_ONLY.match(last)  # ≥ 95
                or last.endswith((":", "："))  # 其中: 研究生
                or (was_single and single)
                or (
                    re.search(r"[A-Za-z&]$", last) and not parse_value(word[0]).is_numeric
                )  # R&D 经费
                or (
                    re.fullmatch(r"(?:19|20)[0-9]{2}", last) and word[0].startswith("年")
                )  # 2025 年
            ):
                out[-1] = _joined(out[-1], word)
                continue
            if word[0] in _VALUE_TAILS and parse_value(last).is_numeric:  # 95 % / 99% 以上
                out[-1] = (last + " " + word[0], out[-1][1], word[2])  # as written
                continue
        out.append(word)
    return out


def is_prose_line(text: str) -> bool:
    """A line with sentence punctuation: running text, where no table goes on."""
    return any(mark in text for mark in _PROSE_MARKS)


def _header_start() -> re.Pattern[str]:
    words = sorted(
        {w for role in VOCABULARY.columns for w in VOCABULARY.columns[role] if w}, key=len
    )
    spaced = (r"[\s\u3000]*".join(map(re.escape, w)) for w in reversed(words))
    return re.compile(r"^[\s\u3000“”\"]*(?:" + "|".join(spaced) + ")")


_HEADER_START = _header_start()


_INLINE_HEADER = re.compile(
    _HEADER_START.pattern.removeprefix("^").replace('[\\s\\u3000“”\\"]*', "", 1)
    + r".{0,40}?(?:19|20)[0-9]{2}"
)


def has_inline_header(text: str) -> bool:
    """Does a column word followed by a year stand inside the line (a caption and its table
    flattened onto one line)?"""
    return bool(_INLINE_HEADER.search(text))


def could_start_header(text: str) -> bool:
    """Does the line begin with a column word (指标, 序  号, 类别…)? Only such lines are looked
    at more closely: running text is not cut into cells for nothing."""
    return bool(_HEADER_START.match(text))


def kind_of(text: str) -> Kind:
    """What a cell is by its words and the value grammar (context comes later)."""
    cell = clean_cell(text)
    if not cell:
        return Kind.EMPTY
    if any(p.match(cell) for p in VOCABULARY.page_marks):
        return Kind.PAGE
    if cell in ATTRIBUTES:
        return Kind.ATTRIBUTE
    if cell in EVALUATIONS:
        return Kind.EVALUATION
    if is_list_number(cell) and not re.fullmatch(r"[0-9]+", cell):
        return Kind.LIST_NUMBER
    parsed = parse_value(cell)
    if parsed.is_numeric or cell in VOCABULARY.no_value:
        return Kind.VALUE
    if cell in VOCABULARY.values["text"]:
        return Kind.TEXT_VALUE
    if cell in VOCABULARY.units:
        return Kind.UNIT
    if len(cell) > 50 or any(m in cell for m in _PROSE_MARKS):
        return Kind.PROSE
    return Kind.LABEL


def _one_cell(lines: list[Token]) -> list[Token]:
    """The lines between two rule lines (` |`) are one cell of the table: a name written over
    two lines there is one name (`残疾儿童少年义务教育` + `入学率（%）`). Lines that each name a
    part (城市 / 农村), single characters of a vertical label (社 / 会), values or a numbered
    label stay as they are: they are stacked sub-rows or read by assemble.py."""
    if len(lines) < 2 or len({token.seq for token in lines}) != len(lines):
        return lines
    if any(
        token.kind is not Kind.LABEL
        or len(token.text) < 2
        or is_part(token.text)
        or VOCABULARY.is_section(token.text)
        for token in lines
    ):
        return lines
    joined = "".join(token.text for token in lines)
    first = lines[0]
    return [Token(joined, kind_of(joined), first.ref, first.start, first.end, first.seq)]


def tokens_of(lines: list[tuple[str, SourceRef]], *, first: int = 0) -> list[Token]:
    """Every candidate cell of the lines, in reading order. A whitespace-only line is an empty
    cell; a truly empty line separates cells and is no cell; a line of pipes is a rule.
    `first` numbers the lines (Token.seq) when they are a slice of a longer document."""
    found: list[Token] = []
    cell_start: int | None = None  # where the cell since the last rule line starts in `found`
    for seq, (line, ref) in enumerate(lines, start=first):
        if not line:
            continue
        bare = line.strip(" \t\u3000\xa0")
        if not bare:
            if line.strip("\t") != "":
                found.append(
                    Token("", Kind.EMPTY, ref, seq=seq)
                )  # a whitespace-only line: empty cell
            continue
        if _RULE.fullmatch(bare):
            if cell_start is not None:
                found[cell_start:] = _one_cell(found[cell_start:])
            cell_start = len(found)
            continue  # ` |`, `||||`, `------`: a rule between cells
        if any(p.match(clean_cell(line)) for p in VOCABULARY.page_marks):
            continue  # - 12 -: a page footer inside the table
        if len(clean_cell(line)) > 50 and any(m in line for m in _PROSE_MARKS):
            found.append(Token(clean_cell(line), Kind.PROSE, ref, seq=seq))
            continue
        for text, start, end in _pieces(line):
            found.append(Token(text, kind_of(text), ref, start, end, seq))
    return found
