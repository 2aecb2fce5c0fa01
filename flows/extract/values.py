"""The value grammar of plan cells: `>90`, `≥92.5`, `<0.28`, `100`, `0.250`, `-`, `逐年只增不减`.

A cell is either a comparator with a number (kept exactly as written) or text kept as it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flows.vocabulary import vocabulary

# comparator as written (≥, ＞=, ...) -> its code: dbt/dbt_project.yml
COMPARATORS: dict[str, str] = vocabulary("comparator")
ALLOWED_COMPARATORS = frozenset(COMPARATORS.values())

_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
_CMP = "|".join(re.escape(c) for c in sorted(COMPARATORS, key=len, reverse=True))
_VALUE = re.compile(r"^(?P<cmp>" + _CMP + r")?\s*(?P<num>" + _NUMBER + r")\s*(?P<pct>%|％)?$")
_NUMBER_ONLY = re.compile(r"^" + _NUMBER + r"$")


@dataclass(frozen=True)
class ParsedValue:
    raw_value: str
    comparator: str | None
    value: str | None  # the number exactly as written (digits, sign and point), or None for text

    @property
    def is_numeric(self) -> bool:
        return self.value is not None


def clean_cell(text: str) -> str:
    """Trim a cell: surrounding white space (incl. ideographic space) and zero-width marks."""
    return text.replace("\u200b", "").replace("\ufeff", "").strip(" \t\r\n\u3000\xa0")


def parse_value(text: str) -> ParsedValue:
    """Parse one value cell; never raises. Text that is not `comparator number` keeps its text."""
    raw = clean_cell(text)
    # fullwidth digits and points (１００．５) read as their ASCII forms; comparators stay as mapped
    folded = (
        unicodedata.normalize("NFKC", raw) if any("\uff10" <= c <= "\uff19" for c in raw) else raw
    )
    match = _VALUE.match(folded)
    if match is None:
        return ParsedValue(raw_value=raw, comparator=None, value=None)
    comparator = COMPARATORS[match.group("cmp")] if match.group("cmp") else "="
    return ParsedValue(raw_value=raw, comparator=comparator, value=match.group("num"))


def is_number(text: str) -> bool:
    """True for a bare number such as `12` or `0.250` (used to tell data cells from labels)."""
    return bool(_NUMBER_ONLY.match(clean_cell(text)))


def looks_like_value(text: str) -> bool:
    """True for cells that belong in a year column: numbers, comparisons and dashes."""
    cell = clean_cell(text)
    return parse_value(cell).is_numeric or cell in {"-", "—", "－", "--", "/", "／"}
