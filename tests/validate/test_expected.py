"""Findings declared beside a data file (flows/expected.py): declared ones are listed as
expected with why, anything else stays a problem, and a declaration that no longer matches is
reported rather than hiding a later mistake."""

from __future__ import annotations

from pathlib import Path

from flows.expected import explain_dbt_warnings, read_notes, sort_findings
from flows.held_back import HeldBack
from flows.unresolved_names import Candidate, UnresolvedName

NOTE = """
[[expected]]
line = 3
finding = "value_not_a_number"
why = "a bound in the source"

[[expected]]
line = 9
finding = "unresolved_name"
name = "某指标"
why = "not catalogued"
"""


def _folder(tmp_path: Path, note: str = NOTE) -> Path:
    (tmp_path / "a.csv").write_text("region,indicator\n", encoding="utf-8")
    (tmp_path / "a.toml").write_text(note, encoding="utf-8")
    return tmp_path


def _name(name: str, ref: str) -> UnresolvedName:
    return UnresolvedName("indicator", name, 1, ref, (Candidate("x", "X", 0.5),))


def test_declared_findings_are_expected_and_the_rest_are_problems(tmp_path: Path) -> None:
    groups = [HeldBack("a.csv", "value_not_a_number", 1, (3,), "a bound"),
              HeldBack("a.csv", "value_not_a_number", 2, (3, 4), "a bound"),  # 4: not declared
              HeldBack("b.csv", "value_not_a_number", 1, (3,), None)]  # another file  # fmt: skip
    names = [_name("某指标", "a.csv:9"), _name("某指标", "b.csv:9"), _name("别的", "a.csv:9")]
    found = sort_findings(groups, names, _folder(tmp_path))
    assert found.expected == [
        "a.csv:3: value_not_a_number: a bound in the source",
        "a.csv:9: indicator name '某指标': not catalogued",
    ]
    assert found.held_back == [groups[1].format(), groups[2].format()]
    assert found.unresolved_names == [names[1].format(), names[2].format()]
    assert found.warnings == []


def test_a_declaration_that_no_longer_occurs_is_reported(tmp_path: Path) -> None:
    found = sort_findings([], [], _folder(tmp_path))
    assert found.expected == [] and len(found.warnings) == 2
    assert all("no longer occurs" in w and "a.toml" in w for w in found.warnings)


def test_a_bad_note_is_named(tmp_path: Path) -> None:
    _, problems = read_notes(_folder(tmp_path, '[[expected]]\nline = "x"\nfinding = 1\n'))
    assert len(problems) == 1 and "a.toml" in problems[0]
    _, problems = read_notes(_folder(tmp_path, "[[expected]\n"))
    assert len(problems) == 1 and "a.toml" in problems[0]


def test_dbt_warning_says_whether_it_counts_only_expected_names(tmp_path: Path) -> None:
    warning = "assert_every_indicator_name_is_catalogued: Got 1 result, configured to warn"
    quiet = sort_findings([], [_name("某指标", "a.csv:9")], _folder(tmp_path))
    assert "(expected:" in explain_dbt_warnings([warning], quiet)[0]
    noisy = sort_findings([], [_name("某指标", "a.csv:9"), _name("别的", "a.csv:2")],
                          _folder(tmp_path))  # fmt: skip
    two = warning.replace("Got 1 result", "Got 2 results")
    assert explain_dbt_warnings([two], noisy)[0].startswith(
        "assert_every_indicator_name_is_catalogued: Got 2 results (1 of them expected), conf"
    )
    assert explain_dbt_warnings(["other_test: Got 1 result"], quiet) == ["other_test: Got 1 result"]
