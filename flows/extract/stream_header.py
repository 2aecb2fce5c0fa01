"""The header of a table in running text: a run of header words (spaced-out words joined:
`指  标`, `2025 年目标值`) that names an indicator column and at least one year; it says how
many value columns each row has and which years and roles they carry (assemble.py reads rows
by it)."""

from __future__ import annotations

from dataclasses import dataclass

from flows.extract.formats.tokens import Kind, Token
from flows.extract.headers import Column, header_column, indicator_columns

_JOIN_LIMIT = 3  # a header word spaced out over at most three cells (指 / 标)


@dataclass
class Header:
    columns: list[Column]
    tokens: list[Token]
    end: int  # index of the first token after the header

    @property
    def slots(self) -> list[Column]:
        """The value columns in order: years and non-year value columns (年均增长)."""
        return [c for c in self.columns if c.role in ("year", "rate")]

    def has(self, role: str) -> bool:
        return any(c.role == role for c in self.columns)


def find_header(tokens: list[Token], start: int) -> Header | None:
    """The header starting at token `start`: a run of header words (spaced-out words joined)
    with an indicator word and a year column; None when the tokens there are no header."""
    words: list[Token] = []
    i = start
    while i < len(tokens):
        token = tokens[i]
        if token.kind in (Kind.EMPTY, Kind.PAGE):
            i += 1
            continue
        matched = None
        sizes = [1] if header_column(token.text) is not None else range(2, _JOIN_LIMIT + 1)
        for size in sizes:
            parts = [t for t in tokens[i : i + size] if t.kind is not Kind.EMPTY]
            if len(parts) < size and size > 1:
                continue
            text = "".join(t.text for t in parts)
            if header_column(text) is not None and (size == 1 or len(parts[0].text) <= 2):
                matched = (
                    Token(
                        text, Kind.LABEL, parts[0].ref, parts[0].start, parts[-1].end, parts[0].seq
                    ),
                    size,
                )
                break
        if matched is None:
            break
        words.append(matched[0])
        i += matched[1]
    texts = [w.text for w in words]
    if len(words) < 2:
        return None
    try:
        columns = indicator_columns(texts)
    except ValueError:
        return None
    if columns is None or not any(c.role == "year" for c in columns):
        return None
    return Header(columns, words, i)
