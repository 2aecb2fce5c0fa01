"""The vocabularies are declared once (var `vocabulary`, dbt/dbt_project.yml): the extractor, the
loader, dbt and the committed Great Expectations suites read them there; nothing else lists them."""

from __future__ import annotations

import json
import re
import subprocess

import yaml

from flows import controlled_vocabulary as vocabulary
from flows.extract import headers, values
from tests.conftest import REPO_ROOT

SUITES = REPO_ROOT / "expectations" / "expectations"
# (suite file, column) -> the vocabulary its value set must equal
SUITE_SETS = {
    ("raw_inputs/plan_cells.json", "role"): ("role", "code"),
    ("raw_inputs/plan_cells.json", "comparator"): ("comparator", "code"),
    ("raw_inputs/plan_cells.json", "attribute"): ("attribute", "written"),
    ("raw_inputs/plan_cells.json", "evaluation"): ("evaluation", "written"),
}


def _terms(name: str, field: str) -> set[str]:
    return set(vocabulary.codes(name)) if field == "code" else set(vocabulary.words(name))


def test_the_extractor_reads_the_vocabulary() -> None:
    assert headers.ATTRIBUTES == vocabulary.words("attribute") == {"约束性", "预期性"}
    assert "基本完成" in headers.EVALUATIONS == vocabulary.words("evaluation")
    assert values.COMPARATORS == vocabulary.vocabulary("comparator")
    assert values.parse_value("≥92.5").comparator == ">="


def test_committed_suites_match_the_vocabulary() -> None:
    """Rewrite the suites (expectations/define.py) after changing dbt_project.yml."""
    seen = set()
    for (suite, column), (name, field) in SUITE_SETS.items():
        expectations = json.loads((SUITES / suite).read_text(encoding="utf-8"))["expectations"]
        for expectation in expectations:
            kwargs = expectation["kwargs"]
            if expectation["type"] == "expect_column_values_to_be_in_set" and (
                kwargs.get("column") == column
            ):
                assert set(kwargs["value_set"]) == _terms(name, field), (suite, column)
                seen.add((suite, column))
    assert seen == set(SUITE_SETS)


def test_dbt_tests_name_declared_vocabularies_and_copy_none() -> None:
    declared = set(vocabulary.vocabularies())
    all_codes = {code for name in declared for code in vocabulary.codes(name)}
    used = set()
    for path in (REPO_ROOT / "dbt").rglob("_*.yml"):
        for test in _data_tests(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if "in_vocabulary" in test:
                names = test["in_vocabulary"]["arguments"]["vocabularies"]
                assert set(names) <= declared, (path, names)
                used |= set(names)
            if "accepted_values" in test:
                listed = set(test["accepted_values"]["arguments"]["values"])
                assert len(listed & all_codes) < 2, f"{path}: a vocabulary copied: {listed}"
    assert {"role", "comparator", "attribute", "evaluation", "source_kind", "status"} <= used


def test_no_source_file_lists_a_vocabulary_again() -> None:
    """`git grep`: no Python, SQL or YAML list literal holds every code (or word) of one
    vocabulary: such a list is a copy that would drift. (Rules naming some of them stay.)"""
    files = subprocess.run(
        ["git", "ls-files", "flows", "dbt/models", "dbt/macros", "dbt/tests", "expectations/*.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    groups: dict[str, list[set[str]]] = {}
    for name in vocabulary.vocabularies():
        if len(vocabulary.codes(name)) > 1:
            # unit codes are catalogue units any unit list holds; their spellings are the copy
            codes = [] if name == "unit" else [set(vocabulary.codes(name))]
            groups[name] = [*codes, set(vocabulary.words(name))]
    offending = []
    for file in files:
        path = REPO_ROOT / file
        if path.suffix not in {".py", ".sql", ".yml"} or not path.exists():
            continue
        for literal in re.findall(r"[\[({][^\[\](){}]*[\])}]", path.read_text(encoding="utf-8")):
            quoted = set(re.findall(r"""['"]([^'"\n]+)['"]""", literal))
            if re.sub(r"""['"][^'"\n]*['"]|[\s,:\[\](){}]""", "", literal):
                continue  # not a literal of quoted words only
            for name, term_sets in groups.items():
                if any(terms <= quoted for terms in term_sets):
                    offending.append(f"{file}: {name}: {literal.strip()[:120]}")
    assert not offending, "\n".join(offending)


def _data_tests(node: object) -> list[dict]:
    found: list[dict] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"data_tests", "tests"} and isinstance(value, list):
                found += [t for t in value if isinstance(t, dict)]
            else:
                found += _data_tests(value)
    elif isinstance(node, list):
        for item in node:
            found += _data_tests(item)
    return found
