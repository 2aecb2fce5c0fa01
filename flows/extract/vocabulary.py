"""The one loader of the extractor's vocabulary file (vocabulary.toml): header words per column
role, year words, attribute / evaluation / stage / unit words and the value grammar's words.

Everything in the extractor that needs a word list reads it from `VOCABULARY`; point
`EDUPLAN_VOCABULARY` at another file to use that one instead. Header text is normalised with
`normalise_header` before any lookup, so the file lists each word once.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flows.config import environment
from flows.controlled_vocabulary import vocabulary as shared_vocabulary

DEFAULT_PATH = Path(__file__).with_name("vocabulary.toml")
COLUMN_ROLES = (
    "indicator",
    "category",
    "breakdown",
    "unit",
    "attribute",
    "evaluation",
    "sequence",
    "rate",
    "ignored",
)
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})


@lru_cache(maxsize=65536)
def normalise_header(text: str) -> str:
    """Header text as looked up: NFKC (full-width -> half-width), no white space, no quotes,
    every bracket as ASCII round brackets."""
    folded = unicodedata.normalize("NFKC", text.replace("\u200b", "").replace("\ufeff", ""))
    return re.sub(r"\s+", "", folded).translate(_QUOTES).translate(_BRACKETS)


def _words(values: list[str]) -> frozenset[str]:
    return frozenset(normalise_header(v) for v in values)


@dataclass(frozen=True)
class Vocabulary:
    """The vocabulary file, normalised for lookup."""

    path: Path
    columns: dict[str, frozenset[str]]  # role -> normalised header words
    year_baseline: frozenset[str]
    year_target: frozenset[str]
    year_neutral: frozenset[str]
    year_actual: frozenset[str]  # the plan's own reported figure (预计值, 实际完成)
    period_target: frozenset[str]
    period_baseline: frozenset[str]
    program: frozenset[str]
    time: frozenset[str]
    attributes: dict[str, str]  # word -> meaning
    evaluations: dict[str, str]
    attribute_forms: dict[str, str]  # another way of writing it -> the word
    evaluation_forms: dict[str, str]
    stages: tuple[str, ...]
    units: frozenset[str]
    no_unit: frozenset[str]
    no_value: frozenset[str]
    section_markers: tuple[re.Pattern[str], ...]
    parts: frozenset[str]  # 城市, 农村, 研究生: parts of the indicator above
    part_markers: tuple[str, ...]  # 其中: before a part, longest first
    domain_suffixes: tuple[str, ...]  # 教育, 发展: what a section / category label ends with
    measures: frozenset[str]  # 人数, 比例, 毛入学率: what an indicator (not a domain) is
    measure_tails: frozenset[str]  # 人数, 比例: measures that need the label above them
    list_numbers: tuple[re.Pattern[str], ...]  # 1. / （1） / ① before a name
    page_marks: tuple[re.Pattern[str], ...]  # - 5 - / 第5页: page furniture inside a table
    values: dict[str, tuple[str, ...]]  # grammar word lists, longest first
    prose: dict[str, object] = field(default_factory=dict)  # [prose]: targets in body text

    def column_role(self, header: str) -> tuple[str, str] | None:
        """(role, the vocabulary word that matched) for a header cell, or None."""
        text = normalise_header(header)
        for role in COLUMN_ROLES:
            if text in self.columns[role]:
                return role, text
        return None

    def is_section(self, text: str) -> bool:
        """A label numbered as a section of the table: 一、发展水平, （二）教育质量."""
        return any(p.search(text) for p in self.section_markers)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read and check a vocabulary file; a missing section or role is a clear error."""
    path = path or environment().vocabulary or DEFAULT_PATH
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        columns = {role: _words(data["columns"][role]) for role in COLUMN_ROLES}
        years, cells, values = data["years"], data["cells"], data["values"]
        return Vocabulary(
            path=path,
            columns=columns,
            year_baseline=_words(years["baseline"]),
            year_target=_words(years["target"]),
            year_neutral=_words(years["neutral"]),
            year_actual=_words(years["actual"]),
            period_target=_words(years["period_target"]),
            period_baseline=_words(years["period_baseline"]),
            program=_words(data["schedule"]["program"]),
            time=_words(data["schedule"]["time"]),
            # the words themselves and their meanings are dbt's (dbt/dbt_project.yml)
            attributes=shared_vocabulary("attribute"),
            evaluations=shared_vocabulary("evaluation"),
            attribute_forms=dict(cells["attribute_forms"]),
            evaluation_forms=dict(cells["evaluation_forms"]),
            stages=tuple(cells["stages"]),
            units=frozenset(cells["units"]),
            no_unit=frozenset(cells["no_unit"]),
            no_value=frozenset(cells["no_value"]),
            section_markers=tuple(re.compile(p) for p in cells["section_markers"]),
            parts=frozenset(cells["parts"]),
            part_markers=tuple(sorted(cells["part_markers"], key=len, reverse=True)),
            domain_suffixes=tuple(cells["domain_suffixes"]),
            measures=frozenset(cells["measures"]),
            measure_tails=frozenset(cells["measure_tails"]),
            list_numbers=tuple(re.compile(p) for p in cells["list_numbers"]),
            page_marks=tuple(re.compile(p) for p in cells["page_marks"]),
            values={
                key: tuple(sorted(words, key=len, reverse=True)) for key, words in values.items()
            },
            prose=dict(data.get("prose", {})),
        )
    except KeyError as error:
        raise ValueError(f"{path}: vocabulary has no {error.args[0]!r} entry") from None


VOCABULARY = load_vocabulary()
