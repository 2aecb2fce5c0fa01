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


def _under(below: Token, above: Token) -> bool:
    """Does `below` stand under `above` on the page (their display columns overlap)?"""
    return max(below.start, above.start) < min(below.end, above.end)


def _stacked_words(words: list[Token]) -> list[Token]:
    """A header printed over two lines with each column's words one above the other (a PDF
    page: `2020 年` over `基数`, `指标` over `属性`) reads as one word per column, the upper
    line first (`2020年基数`, `指标属性`): when every word of a line stands under a different
    word of the line above, that has two or more words, and each joined word is a header word.
    Otherwise the lines are read in order (`指 标` then `单位 2015年 2020年`)."""
    lines: list[list[Token]] = []
    for word in words:
        if lines and lines[-1][0].seq == word.seq:
            lines[-1].append(word)
        else:
            lines.append([word])
    out: list[Token] = list(lines[0]) if lines else []
    for previous, line in zip(lines, lines[1:], strict=False):
        above = [next((a for a in previous if _under(b, a)), None) for b in line]
        joined = {id(a): a.text + b.text for a, b in zip(above, line, strict=True) if a is not None}
        if (
            len(previous) >= 2
            and all(a is not None for a in above)
            and len(joined) == len(line)
            and all(header_column(text) is not None for text in joined.values())
            and all(a in out for a in previous)
        ):
            out = [
                Token(joined[id(w)], w.kind, w.ref, w.start, w.end, w.seq) if id(w) in joined else w
                for w in out
            ]
        else:
            out.extend(line)
    return out


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
    words = _stacked_words(words)
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
