"""Every EDUPLAN_* variable is read in one place (flows/config.py's Environment), checked there and
listed in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flows.config import ENV_PREFIX, Environment, environment, settings
from tests.conftest import REPO_ROOT


def test_the_environment_is_read_when_asked_so_a_test_can_set_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EDUPLAN_KEEP", "3")
    monkeypatch.setenv("EDUPLAN_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("EDUPLAN_GX_DIR", "")  # empty: the default, as before
    config = settings()
    assert (config.keep, config.warehouse, config.gx_home) == (3, tmp_path / "w.duckdb", None)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EDUPLAN_KEEP", "-1"),
        ("EDUPLAN_KEEP", "two"),
        ("EDUPLAN_DUCKDB_MEMORY_LIMIT", "lots"),
        ("EDUPLAN_ZOMBIE_AFTER_SECONDS", "soon"),
    ],
)
def test_a_bad_value_stops_naming_the_variable(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as stop:
        environment()
    assert str(stop.value).startswith(f"{variable}={value!r}: ")


def test_every_variable_is_in_the_readme_table() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(EDUPLAN_[A-Z_]+)` \|", readme, re.MULTILINE))
    declared = {ENV_PREFIX + name.upper() for name in Environment.model_fields}
    assert declared <= listed, declared - listed


def test_no_module_but_config_reads_an_eduplan_variable() -> None:
    """os.environ.get, os.getenv, os.environ[...] of an EDUPLAN_ name: only in flows/config.py."""
    readers = []
    for path in [
        *(REPO_ROOT / "flows").rglob("*.py"),
        *(REPO_ROOT / "benchmarks").rglob("*.py"),
        *(REPO_ROOT / "scripts").rglob("*.py"),
    ]:
        if path == REPO_ROOT / "flows" / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            reads = (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) in {"os.environ.get", "os.getenv"}
            ) or (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.ctx, ast.Load)
            )
            text = ast.unparse(node)
            # EDUPLAN_TEST_*: the test harness's switches (tests/, scripts/mutate.py), no setting
            if reads and "EDUPLAN_" in text and "EDUPLAN_TEST_" not in text:
                readers.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert readers == []
