"""The controlled vocabularies, declared once as the var `vocabulary` of dbt/dbt_project.yml and
read from there by the extractor (attribute, evaluation and comparator words), the loader (source
kinds, unit spellings), dbt (macros/vocabulary.sql, the in_vocabulary test) and the Great
Expectations suites (expectations/define.py). tests/project/test_vocabulary.py fails when a
copy drifts.

Vocabularies: attribute, evaluation, role, comparator, source_kind (what an actuals file may
state), derived_source_kind (what dbt adds), status, unit and region_scope (全市, 全区: a region
named by its scope); each maps a word as a source writes
it to the code the warehouse stores (约束性 -> binding, ≥ -> >=, ％ -> %)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from flows.config import DBT_PROJECT_DIR

DECLARATION = DBT_PROJECT_DIR / "dbt_project.yml"


@cache
def vocabularies(path: Path = DECLARATION) -> dict[str, dict[str, str]]:
    """Every vocabulary: name -> word as written -> code."""
    declared = yaml.safe_load(path.read_text(encoding="utf-8"))["vars"]["vocabulary"]
    return {
        str(name): {str(written): str(code) for written, code in terms.items()}
        for name, terms in declared.items()
    }


def vocabulary(name: str) -> dict[str, str]:
    """Word as written -> its code, for one vocabulary (in declared order)."""
    if name not in vocabularies():
        raise KeyError(f"no vocabulary {name!r} in {DECLARATION}")
    return dict(vocabularies()[name])


def words(name: str) -> frozenset[str]:
    """The words a source may write, for one vocabulary (e.g. 约束性, 预期性)."""
    return frozenset(vocabulary(name))


def words_of(name: str, code: str) -> list[str]:
    """The words of one vocabulary that mean `code`, in declared order (region_scope,
    plan_region: 全市, 全区, ... 全市创建: the headers that mean the plan's own region)."""
    words_of_code = [written for written, its_code in vocabulary(name).items() if its_code == code]
    if not words_of_code:
        raise KeyError(f"no word of {name!r} means {code!r} in {DECLARATION}")
    return words_of_code


def codes(name: str) -> list[str]:
    """The distinct codes of one vocabulary, in declared order (e.g. binding, expected)."""
    return list(dict.fromkeys(vocabulary(name).values()))
