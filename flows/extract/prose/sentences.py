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

from flows.extract.grid import SourceRef, TextBlock
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
    segments: tuple[tuple[int, str], ...] = ()  # (offset in the paragraph, where it sits) of
    # each printed line of a paragraph joined from several (a PDF wraps lines)

    def where(self, offset: int) -> str:
        """Where the text at `offset` (in the sentence) sits: its printed line's position."""
        at = self.start + offset
        found = self.source_ref
        for start, ref in self.segments:
            if start <= at:
                found = ref
        return found


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


def _joined(blocks: list[TextBlock]) -> list[tuple[TextBlock, tuple[tuple[int, str], ...]]]:
    """Paragraphs: a block with no line of its own (a PDF's printed line) that runs to the full
    width without ending a sentence goes on in the next printed line, unless that one is a
    heading. Each paragraph keeps where each of its printed lines starts."""
    joined: list[tuple[TextBlock, tuple[tuple[int, str], ...]]] = []
    open_paragraph = False
    previous: TextBlock | None = None
    printed = sorted(len(b.text.strip()) for b in blocks if b.ref.line is None)
    full = printed[int(len(printed) * 0.9)] if printed else 0  # a full printed line's length
    for block in blocks:
        wraps = block.ref.line is None
        if (
            open_paragraph
            and wraps
            and previous is not None
            and _next_printed_line(previous.ref, block.ref)
            and heading_level(block.text) is None
        ):
            first, segments = joined[-1]
            text = first.text + block.text.strip()
            joined[-1] = (
                TextBlock(text, first.ref),
                (*segments, (len(first.text), str(block.ref))),
            )
        else:
            joined.append((TextBlock(block.text.strip(), block.ref), ((0, str(block.ref)),)))
        # a paragraph's last printed line ends a sentence or stops short of the full width
        open_paragraph = (
            wraps
            and not block.text.rstrip().endswith(tuple(_ENDS))
            and len(block.text.strip()) >= full - 2
        )
        previous = block
    return joined


def _next_printed_line(before: SourceRef, after: SourceRef) -> bool:
    """The next line of the page, or the first line of the next page (an empty line between
    two is a paragraph break)."""
    if before.page is None or after.page is None or before.row is None or after.row is None:
        return False
    same_page = after.page == before.page and after.row == before.row + 1
    return same_page or (after.page == before.page + 1 and after.row == 1)


def body_sentences(blocks: Iterable[TextBlock], skip_lines: set[int]) -> list[Sentence]:
    """The sentences of a document's running text, in order, leaving out the lines a table
    reader read (`skip_lines`) and paragraphs that do not read as text."""
    sentences: list[Sentence] = []
    open_headings: dict[int, tuple[str, bool]] = {}  # level -> (heading text, reports the past)
    paragraphs = _joined([b for b in blocks if b.ref.line is None or b.ref.line not in skip_lines])
    blocks = [block for block, _ in paragraphs]
    for n, (block, segments) in enumerate(paragraphs):
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
                Sentence(line, str(block.ref), block.text, offset, text, section, past, segments)
            )
    return sentences
