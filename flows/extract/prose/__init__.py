"""Targets stated in prose: the commitments of a plan's body text (outside its tables).

`body_sentences` (sentences.py) cuts the running text into sentences with their line and section,
leaving out the lines the table readers read; `sentence_commitments` (commitments.py) reads each
sentence's numbers with the table reader's value grammar (values.py) and keeps the commitments.
Pure parsing, like the rest of flows/extract.
"""

from __future__ import annotations

from collections.abc import Iterable

from flows.extract.grid import TextBlock
from flows.extract.models import Commitment
from flows.extract.prose.commitments import sentence_commitments
from flows.extract.prose.sentences import Sentence, body_sentences

__all__ = ["Commitment", "Sentence", "body_sentences", "prose_commitments"]


def prose_commitments(
    doc: str,
    blocks: Iterable[TextBlock],
    *,
    skip_lines: set[int],
    period: tuple[int, int] | None,
) -> list[Commitment]:
    """Every commitment of a document's body text, in document order."""
    return [
        row
        for sentence in body_sentences(blocks, skip_lines)
        for row in sentence_commitments(sentence, doc, period)
    ]
