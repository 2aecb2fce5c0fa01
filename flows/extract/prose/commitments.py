"""Sentences -> commitments: the numbers a plan's body text commits to, one row per number.

The rules a reader states (docs/prose-targets.md; their words are vocabulary.toml's [prose]):
* a quantity is a number with its unit and comparator word (the value grammar of values.py);
* it is no commitment when it is part of a name or label (inside quotes or title marks, after
  第 / 专栏 / 每, before 大), a year or a period, a bare number with no unit and no comparator
  word, a duration or an age with no comparator word, or a count written in Chinese with no
  counter;
* it is no commitment when its sentence reports the past: under a heading of the past (发展基础,
  主要成绩), or naming no target year while saying 十三五 / 以来 / 已, or comparing with a year
  before the plan (比2015年提高);
* otherwise it is one when something says so: a comparator word (达到, 不少于, 以上), a verb of
  making or keeping in its clause (新建, 创建, 控制), a target year in its sentence (到2025年), or
  a standing norm (每年, 每周).
The year is the sentence's target year (explicit), none for a standing norm (standing), else
the plan's last year (plan_period). The subject is the text of the clause before the number,
or after its counter when only a verb comes before (创建50所区级艺术特色学校).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flows.extract.models import Commitment
from flows.extract.prose.sentences import Sentence
from flows.extract.values import Quantity, find_quantities, fold
from flows.extract.vocabulary import VOCABULARY

_P = VOCABULARY.prose


def _words(key: str) -> tuple[str, ...]:
    return tuple(sorted((str(w) for w in _P.get(key, ())), key=len, reverse=True))  # type: ignore[union-attr]


_CLAUSE = set("".join(_words("clause_marks")))
_QUOTES = tuple((p[0], p[1]) for p in _words("quote_pairs") if len(p) == 2)
_LABEL_BEFORE = _words("label_before")
_LABEL_AFTER = _words("label_after")
_PAST_MARKERS = _words("past_markers")
_VERBS = _words("commitment_verbs")
_DOWN, _UP = _words("down_verbs"), _words("up_verbs")
_STANDING = VOCABULARY.values.get("standing_prefixes", ())
_WEAK = frozenset(_words("weak_counters"))
_PER_CAPITA = _words("per_capita")
_WORD_KEYS_TEXT = ("at_least_prefix", "at_most_prefix", "more_than_prefix", "less_than_prefix")
_START = _words("start_before")
_RANK_BEFORE, _RANK_UNITS = _words("rank_prefixes"), frozenset(_words("rank_units"))
_YEARS = tuple(re.compile(p) for p in _words("year_patterns"))
_COMPARED = _words("comparison_year_before")
_LEADING = re.compile(
    r"^(?:(?:到|至|截至|力争到|力争在|力争|争取|确保|并且|并|同时|其中|要|将|全面|努力|基本|累计|累积|"
    r"继续|进一步|逐步|使|让)\s*|\d{4}\s*年(?:前|底|末)?\s*)+"
)
_TRAILING = re.compile(
    r"(?:分别|均|都|各|为|要|保持在|稳定在|保持|力争|在|是|约|共|累计|总计|合计)+$"
)
_LIST_JOINERS = ("、", "和", "及", "与", "或")
_COMPARED_WITH = re.compile(
    r"(?:比|较|与)\s*\d{4}\s*年(?:底|末)?(?:相比)?\s*(?:提高|提升|增长|增加|下降|降低|减少|上升)?$"
)


@dataclass(frozen=True)
class _Year:
    position: int
    year: int


def _target_years(text: str, start_year: int | None) -> list[_Year]:
    """The target years a sentence names (到2025年, 2023年底前), in order: a year before the plan
    (or a year compared with: 比2015年) is none."""
    found: list[_Year] = []
    for pattern in _YEARS:
        for match in pattern.finditer(text):
            year = int(match.group(1))
            if start_year is not None and year < start_year:
                continue
            if any(text[: match.start()].endswith(w) for w in _COMPARED):
                continue
            found.append(_Year(match.start(), year))
    return sorted(found, key=lambda y: y.position)


def _masked(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation or title marks (names and labels)."""
    spans: list[tuple[int, int]] = []
    for opening, closing in _QUOTES:
        for match in re.finditer(re.escape(opening) + ".*?" + re.escape(closing), text):
            spans.append((match.start(), match.end()))
    for match in re.finditer('"[^"]*"', text):
        spans.append((match.start(), match.end()))
    for match in re.finditer(r"</?[A-Za-z][^<>]*>", text):  # markup left in a web page's text
        spans.append((match.start(), match.end()))
    return spans


def _reports_past(text: str, years: list[_Year], start_year: int | None) -> bool:
    """A sentence that names no target year and says it reports the past: a past word, or a
    comparison with a year before the plan's baseline year (比2015年提高 in a 2021-2025 plan; a
    change from the baseline, 较2020年提高5个百分点, is a commitment)."""
    if years:
        return False
    if any(m in text for m in _PAST_MARKERS):
        return True
    for match in re.finditer(r"(\d{4})\s*年", text):
        before = text[: match.start()]
        if any(before.endswith(w) for w in _COMPARED) and (
            start_year is None or int(match.group(1)) < start_year - 1
        ):
            return True
    return False


def _is_rank(text: str, q: Quantity) -> bool:
    """前四位: a rank to reach (a position at most the number)."""
    return q.unit in _RANK_UNITS and any(text[: q.number_start].endswith(w) for w in _RANK_BEFORE)


def _is_label(text: str, q: Quantity) -> bool:
    before, after = text[: q.number_start], text[q.end :]
    if q.prefix is None and any(before.endswith(w) for w in _LABEL_BEFORE):
        return True
    return any(after.startswith(w) for w in _LABEL_AFTER) or (
        q.unit is None and after.startswith(("个", "项"))
    )


def _is_year(q: Quantity) -> bool:
    return (
        q.value.isdigit()
        and len(q.value) == 4
        and 1900 <= int(q.value) <= 2100
        and (q.unit in (None, "年") or q.value_upper is not None)
    )


def _clause_start(text: str, position: int) -> int:
    k = position
    while k > 0 and text[k - 1] not in _CLAUSE:
        k -= 1
    return k


def _clause_end(text: str, position: int) -> int:
    k = position
    while k < len(text) and text[k] not in _CLAUSE and text[k] not in "。！？!?":
        k += 1
    return k


def _strip_verbs(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for verb in _VERBS:
            if text.startswith(verb):
                text, changed = text[len(verb) :], True
                break
    return text


def _standing(clause: str) -> str | None:
    """The standing word of a norm: 每年, 每周, 每天 (every one); 年均, 平均每周 only before a
    verb, a comparator word or the number (年均新增, 平均每周不少于), not before a noun (年均收入
    is a subject)."""
    comparators = VOCABULARY.values
    words = _VERBS + tuple(
        w
        for key in ("at_least_prefix", "at_most_prefix", "more_than_prefix", "less_than_prefix")
        for w in comparators[key]
    )
    for word in _STANDING:
        at = clause.find(word)
        if at < 0:
            continue
        after = clause[at + len(word) :].lstrip()
        if word.startswith("每") or not after or after[0].isdigit() or after.startswith(words):
            return word
    return None


def _word_of_a_share(text: str, q: Quantity) -> tuple[int, str] | None:
    """不低于学校年度公用经费预算总额的5%, 达到全社会平均工资的1.5倍: a comparator word before
    `...的` and the number is the number's; (where the word starts, the comparator)."""
    if q.prefix is not None or q.suffix is not None:
        return None
    start = _clause_start(text, q.start)
    before = text[start : q.start].rstrip()
    if not before.endswith("的"):
        return None
    best: tuple[int, int, int, str] | None = None  # (end, length, start, comparator)
    for key, comparator in zip(_WORD_KEYS_TEXT, (">=", "<=", ">", "<"), strict=True):
        for word in VOCABULARY.values[key]:
            at = before.rfind(word)
            if at > 0 and not word.isascii():  # the latest word; 不低于 over the 低于 in it
                candidate = (at + len(word), len(word), start + at, comparator)
                best = candidate if best is None or candidate[:2] > best[:2] else best
    return (best[2], best[3]) if best else None


def _word_before_verb(text: str, q: Quantity) -> str | None:
    """至少举办1所: a comparator word before the verb before the number is the number's."""
    before = text[: q.start].rstrip()
    verb = next((v for v in _VERBS if before.endswith(v)), None)
    if verb is None:
        return None
    head = before[: -len(verb)]
    words = VOCABULARY.values
    for key, comparator in (("at_least_prefix", ">="), ("at_most_prefix", "<="),
                            ("more_than_prefix", ">"), ("less_than_prefix", "<")):  # fmt: skip
        if any(head.endswith(w) and not w.isascii() for w in words[key]):
            return comparator
    return None


def _is_only_verbs(text: str) -> bool:
    return not _strip_verbs(text).strip("成为了 ")


@dataclass(frozen=True)
class _Found:
    q: Quantity
    subject: tuple[int, int]  # span in the sentence


def _subject(text: str, q: Quantity, floor: int) -> tuple[int, int]:
    """The subject's span: the clause before the quantity, or the words after its counter when
    only a verb (or nothing) comes before it."""
    start = max(_clause_start(text, q.start), floor)
    before = text[start : q.start]
    lead = _LEADING.match(before)
    if lead:
        start += lead.end()
        before = text[start : q.start]
    compared = _COMPARED_WITH.search(before)  # 较2020年提高5个百分点: the subject is before it
    if compared:
        before = before[: compared.start()]
    trail = _TRAILING.search(before)
    stop = start + len(before) - (len(trail.group(0)) if trail else 0)
    after_end = _clause_end(text, q.end)
    after = text[q.end : after_end].strip()
    ends_in_verb = any(before.strip().endswith(v) for v in _VERBS)
    bare = not before.strip(" " + "".join(_LIST_JOINERS))
    if (bare or _is_only_verbs(before.strip()) or ends_in_verb) and after:
        skip = len(text[q.end : after_end]) - len(text[q.end : after_end].lstrip("的 "))
        return q.end + skip, after_end
    for verb in _VERBS:  # 建设劳动实践教育基地5个: the verb is not the thing measured
        if before.startswith(verb) and len(before) > len(verb) + 1:
            start += len(verb)
            break
    return start, max(stop, start)


def _evidence(text: str, q: Quantity, years: list[_Year]) -> bool:
    if q.prefix or q.suffix or years or q.unit == "%" or _is_rank(text, q):
        return True  # (a share in forward text is a level)
    # a verb before it in the sentence (创建A 2个、B 1个，C 4个: the verb is written once)
    before = text[: q.start]
    return (
        any(v in before for v in _VERBS)
        or _standing(text[_clause_start(text, q.start) : q.start]) is not None
    )


def _kept(text: str, q: Quantity, masked: list[tuple[int, int]]) -> bool:
    if any(a <= q.number_start < b or a <= q.start < b for a, b in masked):
        return False
    if _is_year(q) or _is_label(text, q):
        return False
    if any(text[: q.start].endswith(w) for w in _START):
        return False  # 从60%提高到70%: the level it starts from
    has_word = bool(q.prefix or q.suffix) or _is_rank(text, q)
    if q.unit is None and not has_word:
        return False
    if q.unit in _WEAK and not has_word:
        return False
    if _is_rank(text, q):
        return True
    after = text[q.end : q.end + 1]
    if q.unit in _WEAK and after and after not in _CLAUSE and after not in "。！？!?、":
        return False  # 60岁及以上老年人: a qualifier of the subject, not its value
    if q.is_chinese and (q.unit is None or q.unit in _WEAK) and not _is_rank(text, q):
        return False
    if q.is_chinese and q.prefix is None and not _is_rank(text, q):
        # 职高三个学段: a list counted, not a count to make
        before = text[: q.start].rstrip()
        return not before or before[-1] in _CLAUSE or any(before.endswith(v) for v in _VERBS)
    return True


def _lists(text: str, kept: list[Quantity]) -> list[list[Quantity]]:
    """Quantities written as one list (95%、90%): joined by 、/和 with nothing else between."""
    groups: list[list[Quantity]] = []
    for q in kept:
        if groups and text[groups[-1][-1].end : q.start].strip() in _LIST_JOINERS:
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def _respectively(text: str, group: list[Quantity], floor: int) -> list[tuple[int, int]] | None:
    """Subjects of `A、B分别达到x、y`: the items before 分别, paired in order with the values."""
    start = max(_clause_start(text, group[0].start), floor)
    head = text[start : group[0].start]
    where = head.rfind("分别")
    if where < 0:
        return None
    items = text[start : start + where]
    lead = _LEADING.match(items)
    offset = start + (lead.end() if lead else 0)
    spans, k = [], offset
    for part in re.split("([、和及])", text[offset : start + where]):
        if part in ("、", "和", "及"):
            k += len(part)
            continue
        spans.append((k, k + len(part)))
        k += len(part)
    return spans if len(spans) == len(group) else None


def sentence_commitments(
    sentence: Sentence, doc: str, period: tuple[int, int] | None
) -> Iterable[Commitment]:
    """The commitments of one sentence, one per number."""
    if sentence.past:
        return
    text = fold(sentence.text)
    start_year = period[0] if period else None
    years = _target_years(text, start_year)
    if _reports_past(text, years, start_year):
        return
    masked = _masked(text)
    quantities = [q for q in find_quantities(sentence.text) if _kept(text, q, masked)]
    for group in _lists(text, quantities):
        if not any(_evidence(text, q, years) for q in group):
            continue
        earlier = [k for k in quantities if k.end <= group[0].start]
        floor = earlier[-1].end if earlier else 0
        paired = _respectively(text, group, floor) if len(group) > 1 else None
        head = group[0]
        previous: tuple[int, int] | None = None
        for n, q in enumerate(group):
            if paired is not None:
                span = paired[n]
            else:
                span = _subject(text, q, floor if n == 0 else group[n - 1].end)
                if previous and not text[span[0] : span[1]].strip(" " + "".join(_LIST_JOINERS)):
                    span = previous  # 各达10%和20%: the items share the subject
            previous = span
            comparator = q.comparator
            if q.prefix is None and q.suffix is None and n > 0:
                comparator = head.comparator  # 达到95%、90%: the word is written once
            share = _word_of_a_share(text, q)
            if _is_rank(text, q):
                comparator = "<="
            elif share is not None:
                comparator = share[1]
                span = (span[0], min(span[1], share[0]))  # the subject is before the word
            elif q.prefix is None:
                comparator = _word_before_verb(text, q) or comparator
            yield _row(sentence, doc, period, text, q, span, comparator, years, group)


def _row(
    sentence: Sentence,
    doc: str,
    period: tuple[int, int] | None,
    text: str,
    q: Quantity,
    span: tuple[int, int],
    comparator: str,
    years: list[_Year],
    group: list[Quantity],
) -> Commitment:
    clause = text[_clause_start(text, group[0].start) : q.start]
    standing = _standing(clause)
    if standing is None and not years:  # 使每位学生掌握1至2项: a norm for each one
        standing = next((s for s in _PER_CAPITA if s in clause), None)
    before = [y for y in years if y.position < q.start]
    if standing:
        year, basis = None, "standing"
    elif years:
        year, basis = (before[-1] if before else years[0]).year, "explicit"
    else:
        year, basis = (period[1] if period else None), "plan_period"
    direction = (
        "down"
        if any(v in clause for v in _DOWN)
        else "up"
        if any(v in clause for v in _UP)
        else None
    )
    first, last = min(span[0], q.start), max(span[1], q.end)
    verb = next((v for v in _VERBS if text[:first].rstrip().endswith(v)), None)
    if verb is not None:  # 建设50门...课程, 培育家庭教育讲师50名: the verb says what is promised
        first = text[:first].rstrip().rfind(verb)
        word = _word_before_verb(text, q) if q.prefix is None else None
        if word is not None:  # 至少举办1所: and the word before it
            head = text[:first]
            first -= max(
                (
                    len(w)
                    for key in _WORD_KEYS_TEXT
                    for w in VOCABULARY.values[key]
                    if head.endswith(w)
                ),
                default=0,
            )
    subject = sentence.text[span[0] : span[1]].strip(" ，,、：:")
    if subject.startswith(_LIST_JOINERS) and len(subject) > 2:  # 和网络教学特色空间
        subject = subject[1:]
    return Commitment(
        doc=doc,
        line=sentence.line,
        quote=sentence.text[first:last].strip(" 、，,：:；;"),
        subject=subject or None,
        comparator=comparator,
        value=q.value,
        value_upper=q.value_upper,
        unit=q.unit,
        year=year,
        year_basis=basis,
        is_change=q.is_change,
        per=standing,
        direction=direction,
        is_approximate=q.is_approximate,
        section=sentence.section,
        source_ref=sentence.where(q.number_start),
    )
