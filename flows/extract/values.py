"""The value grammar of plan cells: `>90`, `≥92.5`, `<0.28`, `100`, `0.250`, `99%以上`,
`不低于95`, `超过90`, `95%以下`, `98左右`, `95-97`, `2,000`, `-`, `逐年只增不减`.

A cell is a comparator with a number (the number kept exactly as written, without thousands
separators), a range (both bounds), or text kept as it is. The words (不低于, 以上, 左右...)
come from the vocabulary file. A cell the grammar cannot read is never guessed: it keeps its
text and `readable` says whether it was a known text target.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flows.controlled_vocabulary import codes, vocabulary
from flows.extract.vocabulary import VOCABULARY

COMPARATORS: dict[str, str] = vocabulary("comparator")  # ≥ -> >=: dbt/dbt_project.yml
ALLOWED_COMPARATORS = frozenset(codes("comparator"))
_WORD_KEYS: dict[str, str] = {  # vocabulary.toml's value-word lists -> the comparator they mean
    "at_least_prefix": ">=",
    "more_than_prefix": ">",
    "at_most_prefix": "<=",
    "less_than_prefix": "<",
}
_WORD_KEYS["equal_prefix"] = "="

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_UNSIGNED = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(unicodedata.normalize("NFKC", w)) for w in words)


def _comparator_words() -> tuple[str, str]:
    """The comparator words before a number (longest first) and after it, as regex
    alternatives: one spelling for the table cells' grammar and the running text's."""
    words = VOCABULARY.values
    prefixes = _alternatives(
        tuple(
            sorted(
                {w for key in _WORD_KEYS for w in words[key]} | set(words["approximate_prefix"]),
                key=len,
                reverse=True,
            )
        )
    )
    suffixes = _alternatives(
        words["at_least_suffix"] + words["at_most_suffix"] + words["approximate_suffix"]
    )
    return prefixes, suffixes


def _grammar() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = VOCABULARY.values
    prefixes, suffixes = _comparator_words()
    units = _alternatives(
        tuple(sorted((u for u in VOCABULARY.units if u not in {"-", "—"}), key=len, reverse=True))
    )
    value = re.compile(
        rf"^(?P<pre>{prefixes})?\s*(?P<num>{_NUMBER})\s*(?P<unit>{units})?\s*(?P<suf>{suffixes})?$"
    )
    range_ = re.compile(
        rf"^(?P<low>{_UNSIGNED})\s*(?:%|(?:{units}))?\s*(?:{_alternatives(words['range_separators'])})"
        rf"\s*(?P<high>{_UNSIGNED})\s*(?P<unit>{units})?$"
    )
    return value, range_


_VALUE, _RANGE = _grammar()
_NUMBER_ONLY = re.compile(r"^" + _NUMBER + r"$")


@dataclass(frozen=True)
class ParsedValue:
    raw_value: str
    comparator: str | None
    value: str | None  # the number as written (digits, sign and point), or None for text
    value_upper: str | None = None  # a range's upper bound (then comparator is >=)
    is_approximate: bool = False  # 左右 / 约: the number is approximate
    readable: bool = True  # False: text that is neither a number, "no value" nor a text target
    is_cumulative: bool = False  # 〔20〕, [4.5]: a five-year cumulative figure, not a level

    @property
    def is_numeric(self) -> bool:
        return self.value is not None


def clean_cell(text: str) -> str:
    """Trim a cell: surrounding white space (incl. ideographic space) and zero-width marks."""
    return text.replace("\u200b", "").replace("\ufeff", "").strip(" \t\r\n\u3000\xa0")


def _comparator(word: str | None, suffix: str | None) -> str:
    """The comparator a word before and a word after a number say together. A word before that
    says the same direction as the word after it is one comparator written around the number
    (控制在5以内, 达到95%以上); opposite directions are unreadable ("?")."""
    words = VOCABULARY.values
    if suffix in words["at_least_suffix"]:
        agrees = (
            word is None or word in words["approximate_prefix"] or word in words["at_least_prefix"]
        )
        return ">=" if agrees else "?"
    if suffix in words["at_most_suffix"]:
        agrees = (
            word is None or word in words["approximate_prefix"] or word in words["at_most_prefix"]
        )
        return "<=" if agrees else "?"
    if word is None or word in words["approximate_prefix"]:
        return "="
    for key, comparator in _WORD_KEYS.items():
        if word in words[key]:
            return comparator
    return COMPARATORS.get(word, "?")


_CUMULATIVE = tuple(
    (pair[0], pair[1])
    for pair in VOCABULARY.values.get("cumulative_brackets", ())
    if len(pair) == 2
)


def _cumulative_inner(raw: str) -> str | None:
    """The text inside cumulative brackets (〔20〕 -> 20), or None when the cell has none."""
    for opening, closing in _CUMULATIVE:
        if raw.startswith(opening) and raw.endswith(closing) and len(raw) > 2:
            return raw[1:-1].strip()
    return None


@lru_cache(maxsize=65536)
def parse_value(text: str) -> ParsedValue:
    """Parse one value cell; never raises. Text the grammar cannot read keeps its text.
    A number in cumulative brackets (〔20〕, [4.5 ]) is read with `is_cumulative` set."""
    raw = clean_cell(text)
    marked = raw.rstrip("".join(VOCABULARY.values.get("footnote_marks", ())))
    if marked != raw and marked:  # 60.6*: a footnote mark after the value
        parsed = parse_value(marked)
        if parsed.is_numeric:
            return ParsedValue(
                raw,
                parsed.comparator,
                parsed.value,
                parsed.value_upper,
                parsed.is_approximate,
                is_cumulative=parsed.is_cumulative,
            )
    inner = _cumulative_inner(raw)
    if inner is not None:
        parsed = parse_value(inner)
        if parsed.is_numeric:
            return ParsedValue(
                raw_value=raw,
                comparator=parsed.comparator,
                value=parsed.value,
                value_upper=parsed.value_upper,
                is_approximate=parsed.is_approximate,
                is_cumulative=True,
            )
    folded = unicodedata.normalize("NFKC", raw)
    match = _VALUE.match(folded)
    if match is not None:
        pre, suf = match.group("pre"), match.group("suf")
        comparator = _comparator(pre, suf)
        if comparator != "?":
            words = VOCABULARY.values
            return ParsedValue(
                raw_value=raw,
                comparator=comparator,
                value=match.group("num").replace(",", ""),
                is_approximate=pre in words["approximate_prefix"]
                or suf in words["approximate_suffix"],
            )
    match = _RANGE.match(folded)
    if match is not None:
        low, high = (match.group(g).replace(",", "") for g in ("low", "high"))
        if float(low) < float(high):
            return ParsedValue(raw, ">=", low, value_upper=high)
    known = raw in VOCABULARY.no_value or raw in VOCABULARY.values["text"] or not raw
    return ParsedValue(raw_value=raw, comparator=None, value=None, readable=known)


def is_number(text: str) -> bool:
    """True for a bare number such as `12` or `0.250` (used to tell data cells from labels)."""
    return bool(_NUMBER_ONLY.match(clean_cell(text)))


@lru_cache(maxsize=65536)
def looks_like_value(text: str) -> bool:
    """True for cells that belong in a year column: numbers, comparisons, ranges and dashes."""
    cell = clean_cell(text)
    return parse_value(cell).is_numeric or cell in VOCABULARY.no_value


# ---------------------------------------------------------------------------------------------
# The same grammar in running text (flows/extract/prose/): every quantity of a sentence with the
# words around it. The comparator words, suffixes, range separators and units are the ones above;
# running text adds Chinese numerals (二十所, 三成), counters (所, 名, 课时) and 万/亿 before them.

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_CHINESE = r"[一二两三四五六七八九十百千][零〇一二两三四五六七八九十百千]*"


def chinese_number(text: str) -> int | None:
    """A Chinese numeral as an integer (二十 -> 20, 一百二十 -> 120, 十五 -> 15, 两 -> 2), or None
    when the text is not one."""
    if not text or any(ch not in _DIGITS and ch not in _POWERS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and ch not in "零〇":  # 二三: not a numeral
                return None
            digit = _DIGITS[ch] if ch not in "零〇" else None
        else:
            total += (1 if digit is None else digit) * _POWERS[ch]
            digit = None
    return total + (digit or 0)


def fold(text: str) -> str:
    """NFKC per character where it keeps the length (full-width digits, ％, ～ to ASCII), so a
    position in the folded text is the same position in the text as written."""
    out = []
    for ch in text:
        folded = ":" if ch == "∶" else unicodedata.normalize("NFKC", ch)  # ratio colon
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Quantity:
    """One quantity found in running text: where it is, its words, and what it says."""

    start: int  # position of the comparator word (or the number) in the text
    end: int  # position after the unit / suffix
    number_start: int
    comparator: str  # = > >= < <=
    value: str  # Arabic digits as written, a Chinese numeral converted (二十 -> 20)
    value_upper: str | None
    unit: str | None
    is_approximate: bool
    is_change: bool  # 个百分点: a change in points, not a level
    is_chinese: bool  # written as a Chinese numeral
    prefix: str | None  # the comparator word before the number, as matched
    suffix: str | None


def _running_grammar() -> re.Pattern[str]:
    words = VOCABULARY.values
    prose = VOCABULARY.prose
    prefixes, suffixes = _comparator_words()
    counters = set(VOCABULARY.units) | set(prose.get("counters", ())) | {"成"}
    units = _alternatives(
        tuple(sorted((u for u in counters if u not in {"-", "—"}), key=len, reverse=True))
    )
    number = rf"(?:\d+(?:\.\d+)?:\d+(?:\.\d+)?(?![\d.])|{_UNSIGNED}|{_CHINESE})"
    separators = _alternatives(words["range_separators"])
    return re.compile(
        rf"(?P<pre>{prefixes})?\s*(?P<num>{number})"
        rf"(?:\s*%?\s*(?:{separators})\s*(?P<high>{number}))?"
        rf"\s*(?P<unit>(?:[万亿])?(?:{units})|[万亿])?\s*(?P<suf>{suffixes})?"
    )


_RUNNING = _running_grammar()
_FRACTION = re.compile(rf"(?P<den>\d+|{_CHINESE})分之(?P<num>\d+|{_CHINESE})")


def _number(text: str) -> tuple[str | None, bool]:
    """(the number as stored, written in Chinese?) for one number of running text."""
    if text[0].isdigit() or text[0] == ".":
        return text.replace(",", ""), False
    value = chinese_number(text)
    return (str(value) if value is not None else None), True


def _fraction(match: re.Match[str], fraction: re.Match[str], folded: str) -> Quantity:
    words = VOCABULARY.values
    rest = folded[fraction.end() :]
    suffix = next(
        (w for w in words["at_least_suffix"] + words["at_most_suffix"] if rest.startswith(w)),
        None,
    )
    den, _ = _number(fraction.group("den"))
    num, chinese = _number(fraction.group("num"))
    share = float(num or 0) / float(den or 1) * 100 if den and float(den) else 0.0
    pre = match.group("pre")
    return Quantity(
        start=match.start("pre") if pre else fraction.start(),
        end=fraction.end() + len(suffix or ""),
        number_start=fraction.start(),
        comparator=_comparator(pre, suffix) if _comparator(pre, suffix) != "?" else "=",
        value=f"{share:.2f}".rstrip("0").rstrip("."),
        value_upper=None,
        unit="%",
        is_approximate=False,
        is_change=False,
        is_chinese=chinese,
        prefix=pre,
        suffix=suffix,
    )


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in a piece of running text, left to right: a number (Arabic or Chinese)
    or a range, with the comparator word before it, its unit and the word after it. A Chinese
    numeral counts only with a unit after it (一流, 十四五 are no quantities); 三成 reads 30%."""
    folded = fold(text)
    words = VOCABULARY.values
    found: list[Quantity] = []
    fractions = {m.start(): m for m in _FRACTION.finditer(folded)}
    for match in _RUNNING.finditer(folded):
        fraction = fractions.get(match.start("num"))
        if fraction is not None:  # 三分之一: a share, read as a percentage
            found.append(_fraction(match, fraction, folded))
            continue
        value, chinese = _number(match.group("num"))
        unit = match.group("unit")
        if value is None or (chinese and not unit):
            continue
        upper = None
        if match.group("high"):
            upper, _ = _number(match.group("high"))
            if upper is None or ":" in value or ":" in upper or float(upper) <= float(value):
                upper = None
        pre, suf = match.group("pre"), match.group("suf")
        comparator = _comparator(pre, suf)
        if comparator == "?":
            comparator = "="
        if unit == "成" and ":" not in value and value.count(".") <= 1:  # 三成: three tenths
            value, unit = f"{float(value) * 10:g}", "%"
            upper = f"{float(upper) * 10:g}" if upper else None
        found.append(
            Quantity(
                start=match.start("pre") if pre else match.start("num"),
                end=match.end(),
                number_start=match.start("num"),
                comparator=">=" if upper else comparator,
                value=value,
                value_upper=upper,
                unit=unit,
                is_approximate=pre in words["approximate_prefix"]
                or suf in words["approximate_suffix"],
                is_change=unit in words.get("change_units", ()),
                is_chinese=chinese,
                prefix=pre,
                suffix=suf,
            )
        )
    return found
