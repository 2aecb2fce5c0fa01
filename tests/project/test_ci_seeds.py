"""A test that needs ../shared/seeds fails under CI=true instead of skipping (tests/conftest.py
`seeds_dir`): run in a child pytest with the seeds folder pointed somewhere absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

PROBE = """
from pathlib import Path

import tests.conftest as conftest
from tests.conftest import seeds_dir  # noqa: F401 (the fixture under test)

conftest.SEEDS_DIR = Path("/nonexistent/shared/seeds")

def test_needs_seeds(seeds_dir):
    assert seeds_dir.is_dir()
"""


def run_probe(tmp_path: Path, ci: str) -> str:
    probe = tmp_path / "test_probe_seeds.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "CI": ci, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--rootdir", str(REPO_ROOT), "-c", str(REPO_ROOT / "pyproject.toml"), str(probe)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return process.stdout


def test_missing_seeds_fail_under_ci_and_skip_elsewhere(tmp_path: Path) -> None:
    failed = run_probe(tmp_path, "true")
    assert "1 error" in failed and "CI=true: the tests that need it must run in CI" in failed
    assert "1 skipped" in run_probe(tmp_path, "")
