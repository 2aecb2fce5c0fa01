"""The cross-database lint (scripts/lint_cross_db.py, run by `make lint`): the dbt project as
committed has no DuckDB-only construct outside dbt/macros/cross_db.sql, and one planted in a
model, a test or a contract is found with its file and line."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "lint_cross_db", REPO_ROOT / "scripts" / "lint_cross_db.py"
)
assert _spec and _spec.loader
lint = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = lint
_spec.loader.exec_module(lint)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt"
    shutil.copytree(
        REPO_ROOT / "dbt", copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    return copy


def test_the_committed_project_is_clean() -> None:
    assert [f.format(lint.DBT_DIR) for f in lint.check(lint.DBT_DIR)] == []
    assert lint.main([]) == 0


@pytest.mark.parametrize(
    ("planted", "spelling"),
    [
        ("regexp_matches(milestone_text, 'x') as planted", "regexp_matches("),
        ("arg_min(milestone_text, year) as planted", "arg_min("),
        ("cast(null as varchar) as planted", "varchar"),
        ("{'a': 1} as planted", "{'a':"),
        ("milestone_text ~ '\\d+' as planted", "'\\d+'"),
        ('"planted_name" as planted', '"planted_name"'),
    ],
)
def test_a_planted_duckdb_construct_fails_naming_file_and_line(
    project: Path, planted: str, spelling: str
) -> None:
    model = project / "models" / "intermediate" / "int_milestones_parsed.sql"
    lines = model.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "select") + 1
    lines.insert(at, f"        {planted},")
    model.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings = lint.check(project)
    assert [(f.path, f.line, f.spelling) for f in findings] == [(model, at + 1, spelling)]
    assert lint.main([str(project)]) == 1


def test_a_comment_and_the_macro_file_may_name_them(project: Path) -> None:
    model = project / "models" / "marts" / "dim_plan.sql"
    model.write_text(
        "-- not regexp_matches( here\n{# nor arg_min( here #}\n" + model.read_text("utf-8"),
        encoding="utf-8",
    )
    macros = project / "macros" / "cross_db.sql"
    macros.write_text(macros.read_text("utf-8") + "\n-- regexp_matches(x, 'y')\n", "utf-8")
    assert lint.check(project) == []


def test_a_varchar_contract_fails(project: Path) -> None:
    contracts = project / "models" / "marts" / "_marts__models.yml"
    text = contracts.read_text(encoding="utf-8")
    contracts.write_text(text.replace("data_type: string", "data_type: varchar", 1), "utf-8")
    (finding,) = lint.check(project)
    assert finding.path == contracts and "varchar" in finding.spelling
