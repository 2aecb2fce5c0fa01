"""The meaning reader's rows: typed cells of running text -> the rows of an indicator table.

It reads the way a person does, whatever the layout: the header says how many value columns
there are and which years and roles they carry; a name opens a row; values fill its columns in
order; an attribute word closes it; a section label (`一、发展水平`, a domain such as 学前教育
with no value) sets the category of the rows below; a part (`其中:研究生`, 小学, 城市) under an
indicator is its breakdown and shares its row. Names given one after the other and then
`k x columns` values are stacked in one cell each (`其中:小学` / `初中` then the 2020 values of
both, then the 2025 values): the values are read column by column. Line breaks and spacing only
propose cells (formats/tokens.py); where they disagree with the meaning, the meaning wins.

Where it is unsure (fewer values than columns, values with no name) it keeps what it read and
says so in the cell's `needs_review` (or the table's warnings); it never guesses silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.extract.formats.tokens import Kind, Token
from flows.extract.grid import SourceRef
from flows.extract.indicators import unit_in_name
from flows.extract.labels import (
    continues,
    continues_parts,
    finishes_name,
    is_domain,
    is_measure,
    is_measure_tail,
    is_numbered,
    is_part,
    is_section_label,
    part_name,
    section_name,
    strip_list_number,
)
from flows.extract.stream_header import Header
from flows.extract.values import clean_cell
from flows.extract.vocabulary import VOCABULARY


@dataclass
class _Group:
    """Cells read since the last row closed: names, then values, units, attributes."""

    labels: list[Token] = field(default_factory=list)
    values: list[Token | None] = field(default_factory=list)  # None: an empty cell
    units: list[Token | None] = field(default_factory=list)
    attributes: list[Token] = field(default_factory=list)
    evaluations: list[Token] = field(default_factory=list)
    closing: bool = False  # an attribute or evaluation was read: the next name opens a row

    def has_values(self) -> bool:
        return any(v is not None for v in self.values)


@dataclass
class _Category:
    """A category that may still grow (a label written vertically, one character per row)."""

    text: str
    interleaved: bool = False  # rows were read between its characters

    def __str__(self) -> str:
        return self.text


@dataclass
class Row:
    """One assembled row (also what --explain prints)."""

    order: int
    category: _Category | None
    indicator: str
    breakdown: str | None
    unit: str | None
    values: list[Token | None]
    attribute: str | None
    evaluation: str | None
    review: str | None = None
    how: str = ""  # how the row was assembled, for --explain


_UNIT_LONGEST = 8  # a unit cell is short (吨标准煤/万元); a longer label is a name


def _overlaps(above: Token, below: Token) -> bool:
    """Do two cells of different lines stand one over the other (display columns overlap)?"""
    return max(above.start, below.start) < min(above.end, below.end)


_SECTION_NUMBER = re.compile(r"[一二三四五六七八九十]{1,3}[、.．]?")


def _ends_name_above(text: str) -> bool:
    """A fragment that can only end a name (`（市、区）比例（%）`, `%）`, `人数（万人）`)."""
    return (
        text[:1] in "（()）%％"
        and not is_numbered(text)
        and not is_section_label(text)
        and not is_part(text)
    ) or is_measure_tail(text)


class Assembler:
    """Reads typed cells one by one and closes rows as a person reading the table would."""

    def __init__(self, header: Header) -> None:
        self.header = header
        self.width = len(header.slots)
        self.rows: list[Row] = []
        self.heads: list[Token] = []  # labels with no values, waiting for what follows them
        self.category: _Category | None = None
        self.vertical: _Category | None = None
        self.vertical_rows = 0  # rows assembled when the last character was read
        self.order = 0
        self.notes: list[tuple[SourceRef, str]] = []
        self.group = _Group()
        self.numbered_section = False  # a section number (一) was read: a section label follows

    # ----------------------------------------------------------------------------- reading
    def feed(self, token: Token, following: Token | None, ahead: list[Token] | None = None) -> None:
        """Read one cell; `following` is the next cell, `ahead` the next few (for sentences that
        fill a row's last value columns before its attribute or evaluation)."""
        kind, group = token.kind, self.group
        if kind is Kind.EVALUATION and not self.header.has("evaluation"):
            kind = Kind.TEXT_VALUE  # 完成 in a year column: a text value, no evaluation
        if kind is Kind.PAGE:
            return
        if kind is Kind.LABEL and _SECTION_NUMBER.fullmatch(token.text):
            self.close()  # 一 | 普及水平: a section's number in its own cell
            self.numbered_section = True
            return
        if kind is Kind.LABEL and self.numbered_section:
            self.numbered_section = False
            self.close()
            self._resolve_heads(None)
            self.category = _Category(section_name(token.text))
            self.vertical = None
            return
        if kind is Kind.LABEL and self._vertical(token):
            return
        if kind is Kind.LABEL and is_section_label(token.text):
            self.close()
            self._resolve_heads(None)
            self.category = _Category(section_name(token.text))
            self.vertical = None
            return
        if kind is Kind.LIST_NUMBER or (
            kind is Kind.VALUE
            and token.text.isdigit()
            and (
                not group.labels
                or self._full(group)
                or group.closing
                or (self.header.has("sequence") and not group.values)  # 序号 before the name
            )
            and following is not None
            and following.kind is Kind.LABEL
        ):
            if group.has_values() or group.closing:
                self.close()
            return  # a list number (a 序号 cell): not data
        if kind is Kind.LABEL:
            if (
                group.has_values()
                and not self._full(group)
                and not group.closing
                and not is_part(token.text)
                and self._sentences_fill_row(following, ahead or [])
            ):
                group.values.append(token)  # a sentence as the value (与经济增长同步)
                return
            if (group.has_values() or group.closing) and _ends_name_above(token.text):
                last = group.labels[-1]  # a PDF line wrapped the name below its values
                group.labels[-1] = Token(
                    last.text + token.text, Kind.LABEL, last.ref, last.start, token.end, last.seq
                )
                return
            if group.has_values() or group.closing:
                self.close()
                group = self.group
            if group.labels and not group.units and continues(group.labels[-1].text, token.text):
                # a name wrapped over two lines
                last = group.labels[-1]
                group.labels[-1] = Token(
                    last.text + token.text, Kind.LABEL, last.ref, last.start, token.end
                )
                return
            if self._in_unit_column(token):
                group.units.append(token)  # 起/万枚 under 单位: a unit the vocabulary lacks
                return
            group.labels.append(token)
            return
        if kind in (Kind.VALUE, Kind.TEXT_VALUE):
            if group.closing:
                self.close()
                group = self.group
            if not group.labels:
                self.notes.append((token.ref, f"value {token.text!r} with no indicator before it"))
                return
            if (
                self.header.has("unit")
                and not group.units
                and not group.values
                and token.text in VOCABULARY.no_unit
                and self._count_ahead(following) > 0
            ):
                group.units.append(token)  # `—` in the unit column: no unit
                return
            group.values.append(token)
            return
        if kind is Kind.UNIT:
            if group.labels and not group.values:
                group.units.append(token)
            elif group.labels:
                group.values.append(token)  # a unit where a value is due: kept, reviewed
            return
        if kind is Kind.EMPTY:
            if not group.labels or group.closing:
                return
            if self.header.has("unit") and not group.units and not group.values:
                group.units.append(None)
            elif len(group.values) < self.width * max(1, len(group.labels)):
                group.values.append(None)
            return
        if kind in (Kind.ATTRIBUTE, Kind.EVALUATION):
            words = group.attributes if kind is Kind.ATTRIBUTE else group.evaluations
            if self._before_name(kind):  # 约束性 | 学前三年毛入园率 | …: it opens the row
                if group.has_values() or group.closing:
                    self.close()
                    group = self.group
                (group.attributes if kind is Kind.ATTRIBUTE else group.evaluations).append(token)
                return
            if not group.labels:
                self.notes.append((token.ref, f"{kind.value} {token.text!r} with no row before it"))
                return
            words.append(token)
            group.closing = True

    def _before_name(self, kind: Kind) -> bool:
        """Does the header put this column before the indicator (an attribute column first)?"""
        role = "attribute" if kind is Kind.ATTRIBUTE else "evaluation"
        roles = [c.role for c in self.header.columns]
        return (
            role in roles and "indicator" in roles and roles.index(role) < roles.index("indicator")
        )

    def _count_ahead(self, following: Token | None) -> int:
        return 1 if following is not None and following.kind is Kind.VALUE else 0

    def _sentences_fill_row(self, following: Token | None, ahead: list[Token]) -> bool:
        """Is a label where a value is due a sentence value? Yes when it and the labels after it
        fill the row's remaining value columns exactly and the attribute or evaluation comes
        next (`— | 与财政收入增长同步 | 高于财政经常性收入增长 | 完成`)."""
        closing = (Kind.ATTRIBUTE, Kind.EVALUATION)
        if following is not None and following.kind in closing:
            return True
        missing = self.width - len(self.group.values)
        if missing < 2 or len(ahead) < missing:
            return False
        run, end = ahead[: missing - 1], ahead[missing - 1]
        return end.kind in closing and all(
            t.kind in (Kind.LABEL, Kind.TEXT_VALUE) and not is_part(t.text) for t in run
        )

    def _full(self, group: _Group) -> bool:
        return len(group.values) >= self.width * max(1, sum(1 for _ in group.labels[-1:]))

    def _last_rows(self) -> list[Row]:
        last = self.rows[-1]
        return [r for r in self.rows if r.order == last.order]

    def _vertical(self, token: Token) -> bool:
        """One character of a category written vertically (社 / 会 / 保 / 障). Characters read
        one after the other make one label, complete once rows follow it; characters read one
        between rows (a PDF page) make one label for the rows among them, complete when it
        reads as a domain (收入和就业) and another character comes."""
        text = token.text
        if len(text) != 1 or not ("\u4e00" <= text <= "\u9fff") or is_part(text):
            return False
        if self.group.has_values() or self.group.closing:
            self.close()
        current = self.vertical if self.vertical is self.category else None
        rows_between = len(self.rows) > self.vertical_rows
        if current is not None:
            if not current.interleaved and rows_between and len(current.text) >= 2:
                current = None  # a label read whole, with rows after it
            elif (
                current.interleaved
                and len(current.text) >= 4
                and current.text.endswith(VOCABULARY.domain_suffixes)
            ):
                current = None  # 收入和就业 reads whole: the next character starts a label
        if current is not None:
            current.interleaved = current.interleaved or rows_between
            current.text += text
        else:
            self._resolve_heads(None)
            self.vertical = _Category(text)
            for row in self.rows:  # rows above the first character, under no section
                if row.category is None:
                    row.category = self.vertical
            self.category = self.vertical
        self.vertical_rows = len(self.rows)
        return True

    # ---------------------------------------------------------------------------- assembling
    def close(self) -> None:
        """Turn the cells read since the last row into rows."""
        group, self.group = self.group, _Group()
        written = len(group.values)  # empty cells included: they hold their column's place
        while group.values and group.values[-1] is None:
            group.values.pop()
        if not group.labels:
            return
        if not group.has_values():
            self.heads.extend(group.labels)
            if group.attributes:
                self.notes.append(
                    (group.labels[-1].ref, f"{group.labels[-1].text!r} has no values")
                )
            return
        values, width, labels = group.values, self.width, group.labels
        stacked = len(values) // width if width else 1
        if (
            len(values) > width
            and len(values) % width == 0
            and 1 < stacked <= len(labels)
            and not any(is_domain(t.text) and not is_part(t.text) for t in labels[-stacked:])
        ):  # names stacked in one cell, values stacked in the same order (no section among them)
            count = stacked
        else:
            count = 1
        names, above = labels[-count:], labels[:-count]
        for kind, words in (
            (Kind.ATTRIBUTE, group.attributes),
            (Kind.EVALUATION, group.evaluations),
        ):
            if self._before_name(kind) and not words and above and above[-1].seq == names[0].seq:
                # the cell where the header puts the attribute holds a word the vocabulary
                # does not know: never read as a section
                self.notes.append(
                    (above[-1].ref, f"{above[-1].text!r} stands where the {kind.value} goes")
                )
        parent: tuple[str, int] | None = None
        if is_part(names[0].text):
            if above:
                parent = (strip_list_number(above[-1].text), self._next_order())
                above = above[:-1]
            elif self.heads and not is_domain(self.heads[-1].text):
                parent = (strip_list_number(self.heads.pop().text), self._next_order())
            elif self.rows:
                parent = (self.rows[-1].indicator, self.rows[-1].order)
        continued = False
        if (
            parent is None
            and count == 1
            and not above
            and self.rows
            and self.rows[-1].breakdown is not None
            and continues_parts(self.rows[-1].breakdown, names[0].text)
        ):  # 其中:公立医院床位数 / 中医类医院床位数: the list of parts goes on
            parent, continued = (self.rows[-1].indicator, self.rows[-1].order), True
        self._resolve_heads(above)
        placed = self._by_position(values) if count == 1 and len(values) < width else None
        if placed is not None:
            values = placed
        review = None
        if len(values) < width and written < width:
            review = (
                f"{len(values)} value{'s' if len(values) > 1 else ''} for {width} value columns: "
                "read in order from the first"
            )
        elif len(values) > width * count:
            review = (
                f"{len(values)} values for {width} value columns: the last "
                f"{len(values) - width * count} not read"
            )
        for r, name in enumerate(names):
            if parent is not None and (continued or is_part(name.text)):
                indicator, breakdown, order = parent[0], part_name(name.text), parent[1]
            else:
                indicator, breakdown, order = strip_list_number(name.text), None, self._next_order()
                parent = (indicator, order)
            row_values = (
                [values[c * count + r] for c in range(width)] if count > 1 else values[:width]
            )
            unit = self._unit(group, r, count)
            if unit is None and not self.header.has("unit"):
                unit = unit_in_name(breakdown) or unit_in_name(indicator)
            self.rows.append(
                Row(
                    order=order,
                    category=self.category,
                    indicator=indicator,
                    breakdown=breakdown,
                    unit=unit,
                    values=row_values,
                    attribute=self._word(group.attributes, r, count, VOCABULARY.attribute_forms),
                    evaluation=self._word(group.evaluations, r, count, VOCABULARY.evaluation_forms),
                    review=review,
                    how=(
                        f"stacked {r + 1} of {count} (values read column by column)"
                        if count > 1
                        else "one row"
                    )
                    + (f", part of {parent[0]!r}" if breakdown else ""),
                )
            )

    def _by_position(self, values: list[Token | None]) -> list[Token | None] | None:
        """Values of a short row put under the header columns they stand under, when the header
        and the row are each one line of a layout drawn with spaces (a PDF conversion): each
        value goes to the nearest column, and it must be a different column for each."""
        heads = [
            t
            for t, c in zip(self.header.tokens, self.header.columns, strict=False)
            if c.role in ("year", "rate")
        ]
        found = [v for v in values if v is not None]
        if (
            len(heads) != self.width
            or not found
            or len({t.seq for t in heads}) != 1
            or len({v.seq for v in found}) != 1
            or any(v.end <= v.start for v in found)
        ):
            return None
        centres = [(t.start + t.end) / 2 for t in heads]
        spread = min((b - a for a, b in zip(centres, centres[1:], strict=False)), default=0)
        if spread < 6:  # columns too close for positions to tell them apart
            return None
        slots: list[int] = []
        for value in found:
            middle = (value.start + value.end) / 2

            def distance(k: int, value: Token = value, middle: float = middle) -> float:
                # centred under the header, or starting where it starts (long text values)
                return min(abs(centres[k] - middle), abs(heads[k].start - value.start))

            nearest = min(range(len(centres)), key=distance)
            if distance(nearest) > spread / 2 or (slots and nearest <= slots[-1]):
                return None
            slots.append(nearest)
        placed: list[Token | None] = [None] * self.width
        for slot, value in zip(slots, found, strict=True):
            placed[slot] = value
        return placed

    def _next_order(self) -> int:
        self.order += 1
        return self.order

    def _resolve_heads(self, above: list[Token] | None) -> None:
        """Labels with no values before a row: the sections (categories) of the rows below."""
        heads = [*self.heads, *(above or [])]
        self.heads = []
        if above is None:  # a numbered section or the table's end follows: nothing below them
            for head in heads:
                self.notes.append((head.ref, f"{head.text!r} has no values and no row below it"))
            return
        if heads and self._ends_name_of_last_row(heads[0]):
            heads = heads[1:]
        sections = []
        for head in heads:
            if is_numbered(head.text) or (is_measure(head.text) and not is_domain(head.text)):
                # an indicator (numbered, or naming a measure) with no values: no section
                self.notes.append((head.ref, f"{head.text!r} has no values"))
            else:
                sections.append(head)
        if sections:
            self.category = _Category(section_name(sections[-1].text))
            self.vertical = None

    def _in_unit_column(self, token: Token) -> bool:
        """A short label after the name on the same laid-out line, standing under the header's
        unit word while the name stands under its indicator word (a PDF page: the positions
        agree), is the row's unit even when the vocabulary does not know it (起/万枚)."""
        group = self.group
        if not group.labels or group.units or group.values or len(token.text) > _UNIT_LONGEST:
            return False
        name = group.labels[-1]
        if name.seq != token.seq or token.end <= token.start or is_part(token.text):
            return False
        under = {
            column.role
            for column, word in zip(self.header.columns, self.header.tokens, strict=False)
            if word.seq != token.seq and _overlaps(word, token)
        }
        name_under = {
            column.role
            for column, word in zip(self.header.columns, self.header.tokens, strict=False)
            if word.seq != name.seq and _overlaps(word, name)
        }
        return under == {"unit"} and "indicator" in name_under

    def _ends_name_of_last_row(self, head: Token) -> bool:
        """A measure with no values right after a row whose name names no measure is the end
        of that name, wrapped below the row's values (`…适龄儿童免疫规划` + `疫苗接种率`): a
        section never names a measure, and a name that does not is not finished. The rows of
        that indicator take the whole name."""
        if not self.rows or self.rows[-1].breakdown is not None:
            return False
        last = self.rows[-1]
        if not finishes_name(last.indicator, head.text) or unit_in_name(last.indicator):
            return False
        whole = last.indicator + clean_cell(head.text)
        for row in self.rows:
            if row.order == last.order and row.indicator == last.indicator:
                row.indicator = whole
                if row.unit is None and not self.header.has("unit"):
                    row.unit = unit_in_name(whole)
        return True

    def _unit(self, group: _Group, r: int, count: int) -> str | None:
        units = group.units
        token = units[r] if len(units) == count else (units[0] if units else None)
        if token is None or token.text in VOCABULARY.no_unit:
            return None
        return token.text

    @staticmethod
    def _word(tokens: list[Token], r: int, count: int, forms: dict[str, str]) -> str | None:
        token = tokens[r] if len(tokens) == count else (tokens[0] if tokens else None)
        return forms.get(token.text, token.text) if token else None
