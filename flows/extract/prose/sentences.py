"""Body text -> sentences with their line and section, the table blocks left out.

A plan's running text is paragraphs (one per line in a text document, one per block in the other
formats). A paragraph is cut into sentences at sentence ends; each sentence keeps its line, its
offset in that line (a quote is an exact substring of the line) and the section it is under. The
section is the nearest numbered heading (一、 / （一） / 专栏), which also says whether the text
reports the past (发展基础, 主要成绩): such a section's numbers are results, not commitments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flows.extract.grid import TextBlock
from flows.extract.values import fold
from flows.extract.vocabulary import VOCABULARY

_PROSE = VOCABULARY.prose
_ENDS = "".join(_PROSE.get("sentence_ends", ("。",)))
_CLAUSE = "".join(_PROSE.get("clause_marks", ("，",)))
_PAST = tuple(_PROSE.get("past_headings", ()))
_MIN_CHARS = int(_PROSE.get("min_sentence_chars", 16))  # type: ignore[call-overload]
# Heading levels: 一、 (1), （一） (2), 专栏 / 表 boxes (3). A heading's text runs to its first
# sentence end (（八）推进义务教育优质均衡。积极... is a heading and a paragraph on one line).
_LEVELS = (
    (1, re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")),
    (2, re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[)）]")),
    (3, re.compile(r"^\s*专栏\s*[0-9一二三四五六七八九十]*")),
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of body text."""

    line: int | None  # the paragraph's line (text, HTML, DOCX), or None
    source_ref: str  # where it sits, in any format (line 12 | page 3, row 7)
    paragraph: str  # the paragraph as written (a quote is a substring of it)
    start: int  # the sentence's offset in the paragraph
    text: str
    section: str | None  # the nearest heading's text (the commitment's theme)
    past: bool  # under a heading that reports the past


def heading_level(text: str) -> int | None:
    """1, 2 or 3 for a numbered heading (一、, （一）, 专栏1), None for any other paragraph."""
    for level, pattern in _LEVELS:
        if pattern.match(text):
            return level
    return None


def _heading_text(text: str) -> str:
    head = re.split(f"[{_ENDS}]", text.strip(), maxsplit=1)[0]
    return head.strip()[:60]


def is_sentence_like(text: str) -> bool:
    """A paragraph that reads as text: long enough, or with a clause mark. A table cell, a
    caption or a heading on its own line is neither (tables are read as tables)."""
    stripped = text.strip()
    return len(stripped) >= _MIN_CHARS or any(mark in fold(stripped) for mark in _CLAUSE + _ENDS)


def _is_cell(blocks: list[TextBlock], n: int) -> bool:
    """A paragraph between two short cell-like lines (neither a heading) is a cell of a table
    written one cell per line (a project list's 说明 column), not body text."""

    def cell_like(k: int) -> bool:
        if k < 0 or k >= len(blocks):
            return False
        text = blocks[k].text
        return not is_sentence_like(text) and heading_level(text) is None

    return cell_like(n - 1) and cell_like(n + 1)


def split_sentences(text: str) -> Iterable[tuple[int, str]]:
    """(offset, sentence) for each sentence of a paragraph, the end mark kept with it."""
    start = 0
    for match in re.finditer(f"[{_ENDS}]", text):
        if text[start : match.end()].strip():
            yield start, text[start : match.end()]
        start = match.end()
    if text[start:].strip():
        yield start, text[start:]


def body_sentences(blocks: Iterable[TextBlock], skip_lines: set[int]) -> list[Sentence]:
    """The sentences of a document's running text, in order, leaving out the lines a table
    reader read (`skip_lines`) and paragraphs that do not read as text."""
    sentences: list[Sentence] = []
    open_headings: dict[int, tuple[str, bool]] = {}  # level -> (heading text, reports the past)
    blocks = [b for b in blocks if b.ref.line is None or b.ref.line not in skip_lines]
    for n, block in enumerate(blocks):
        line = block.ref.line
        level = heading_level(block.text)
        if level is not None:
            heading = _heading_text(block.text)
            for deeper in [k for k in open_headings if k >= level]:
                del open_headings[deeper]
            inherited = any(past for _, past in open_headings.values())
            open_headings[level] = (heading, inherited or any(w in heading for w in _PAST))
        if not is_sentence_like(block.text) or _is_cell(blocks, n):
            continue
        section = open_headings[max(open_headings)][0] if open_headings else None
        past = any(p for _, p in open_headings.values())
        for offset, text in split_sentences(block.text):
            sentences.append(
                Sentence(line, str(block.ref), block.text, offset, text, section, past)
            )
    return sentences
