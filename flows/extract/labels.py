"""What a label cell of an indicator table is, by its words: a person's rules for names.

* a list number (`1.`, `1、`, `（1）`, `①`) before a name is not part of it;
* `其中:研究生`, a school stage (小学) or a part (城市, 农村) under an indicator is a breakdown;
* a label ending in a domain word (学前教育, 社会保障, 经济发展) that carries no value is a section
  of the table (the category of the rows below), and in a two-level row the measure
  (毛入学率, 在校生, 人数) is the indicator while the domain is its category;
* a label that is a bare measure (`人数（万人）`) or follows an open bracket or a trailing 和 / 与
  continues the label above it (a name wrapped over two lines).

The words come from the vocabulary file (`[cells]`); every format's reader uses these rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.extract.formats.alignment import is_stage
from flows.extract.values import clean_cell
from flows.extract.vocabulary import VOCABULARY, normalise_header

_UNIT_BRACKET = re.compile(r"[（(][^（）()]{0,8}[）)]$")
_JOINERS = ("和", "与", "及", "、", "或", "(", "（", "-", "—", "及其")


@lru_cache(maxsize=65536)
def strip_list_number(text: str) -> str:
    """The name without the list number written before it: `1.学前教育毛入园率(%)` ->
    `学前教育毛入园率(%)`; a name that is only a number is kept as it is."""
    name = clean_cell(text)
    for pattern in VOCABULARY.list_numbers:
        stripped = pattern.sub("", name, count=1)
        if stripped != name and stripped.strip() and not stripped[:1].isdigit():
            return stripped.strip()
    return name


def is_numbered(text: str) -> bool:
    """A name written with a list number before it (`（4）义务教育…`): a row, never a section."""
    return strip_list_number(text) != clean_cell(text)


@lru_cache(maxsize=65536)
def is_list_number(text: str) -> bool:
    """A cell holding only a list number: `3`, `3.`, `（3）`, `③`."""
    cell = clean_cell(text)
    if re.fullmatch(r"[0-9]{1,3}[.．、]?", cell) or re.fullmatch(r"[（(][0-9]{1,3}[)）]", cell):
        return True
    return bool(re.fullmatch(r"[①-⑳]", cell))


@lru_cache(maxsize=65536)
def part_marker(text: str) -> str | None:
    """The breakdown marker a label starts with (`其中:`), or None."""
    cell = clean_cell(text)
    return next(
        (m for m in VOCABULARY.part_markers if cell.startswith(m) and len(cell) > len(m)), None
    )


@lru_cache(maxsize=65536)
def part_name(text: str) -> str:
    """A breakdown as stored: without its marker and list number (`其中:研究生` -> 研究生)."""
    cell = strip_list_number(text)
    marker = part_marker(cell)
    return cell[len(marker) :].strip() if marker else cell


@lru_cache(maxsize=65536)
def is_part(text: str) -> bool:
    """A label that names a part of the indicator above it: `其中:…`, a stage, 城市 / 农村."""
    cell = strip_list_number(text)
    if part_marker(cell):
        return True
    bare = _UNIT_BRACKET.sub("", cell)
    return is_stage(cell) or bare in VOCABULARY.parts


def finishes_name(name: str, fragment: str) -> bool:
    """Does `fragment`, a label on a line of its own right after a row, end that row's name
    (`…适龄儿童免疫规划` + `疫苗接种率`)? Yes when it names a measure and the name does not:
    a section never names a measure, and a name that names none (nor a unit) is not finished."""
    if (
        is_numbered(fragment)
        or is_part(fragment)
        or is_domain(fragment)
        or is_section_label(fragment)
        or not is_measure(fragment)
    ):
        return False
    return not is_measure(name) and not _UNIT_BRACKET.search(clean_cell(name))


def continues_parts(part: str, label: str) -> bool:
    """True when `label`, on the row right after the part `part` (`其中:公立医院床位数`, 小学),
    names one more part of the same list: a stage after a stage (其中:小学 / 初中), or a name
    ending in the same measure of three or more characters (公立医院床位数 / 中医类医院床位数),
    as a person reads an unnumbered row under a `其中:` list. A numbered label starts a row."""
    if is_numbered(label) or part_marker(label):
        return False
    above, below = part_name(part), clean_cell(label)
    if is_stage(above) and is_stage(below):
        return True
    shared = 0
    while shared < min(len(above), len(below)) and above[-1 - shared] == below[-1 - shared]:
        shared += 1
    return shared >= 3 and below != above


@lru_cache(maxsize=65536)
def is_section_label(text: str) -> bool:
    """A label numbered as a section of the table (一、发展水平, （二）质量)."""
    return VOCABULARY.is_section(clean_cell(text))


def section_name(text: str) -> str:
    """A section label without its number: `一、发展水平` -> 发展水平."""
    heading = clean_cell(text)
    for marker in VOCABULARY.section_markers:
        heading = marker.sub("", heading, count=1)
    return heading.strip() or clean_cell(text)


@lru_cache(maxsize=65536)
def is_domain(text: str) -> bool:
    """A stage or domain (学前教育, 高中段教育, 社会保障): a category, not a measure."""
    cell = _UNIT_BRACKET.sub("", strip_list_number(text))
    if not cell or is_measure(cell):
        return False
    return is_stage(cell) or cell.endswith(VOCABULARY.domain_suffixes)


@lru_cache(maxsize=65536)
def is_measure(text: str) -> bool:
    """A label that names what is measured (毛入学率, 在校生, 人数（万人）, …比例)."""
    cell = _UNIT_BRACKET.sub("", strip_list_number(text))
    return (
        cell in VOCABULARY.measures
        or any(cell.endswith(m) and len(m) >= 2 for m in VOCABULARY.measures)
        or cell.endswith(("率", "数", "比"))
    )


@lru_cache(maxsize=65536)
def is_measure_tail(text: str) -> bool:
    """A measure with nothing before it that names nothing alone (`人数（万人）`, `比例`): the
    end of a name wrapped over two lines."""
    cell = _UNIT_BRACKET.sub("", strip_list_number(text))
    return cell in VOCABULARY.measure_tails


def continues(previous: str, fragment: str) -> bool:
    """Does `fragment` continue the label above it (a name wrapped over two lines)?

    Yes when the label above is numbered (a row) and this one is no part of it, when the
    label above leaves a bracket open or ends with a joining word (`收入和` +
    `就业`), when the fragment starts with a bracket or `%`, or when it is a measure that names
    nothing alone (`最低生活保障` + `人数（万人）`)."""
    above, below = clean_cell(previous), clean_cell(fragment)
    if not above or not below or is_section_label(below) or part_marker(below):
        return False
    if is_numbered(below):
        return False  # a list number starts a row of its own
    if is_numbered(above) and not is_part(below):
        return True  # a numbered name is a row, never a section: the line below ends it
    if above.count("（") + above.count("(") > above.count("）") + above.count(")"):
        return True
    if above.endswith(_JOINERS) or below[:1] in "（()）%％":
        return True
    return is_measure_tail(below) and not is_section_label(above) and not is_stage(above)


def header_key(text: str) -> str:
    """A label as compared with header words (spaces and quotes dropped)."""
    return normalise_header(text)
