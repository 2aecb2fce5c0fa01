"""`make test`'s two processes split the suite by file (tests/conftest.py `scope_of`): a file is
a group of its own, so the two processes share the work, except below a folder whose conftest
declares `ONE_WORKER = True`, whose files share a session fixture and run on one process."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO_ROOT, scope_of, shared_first


def test_a_file_is_a_group_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "tests" / "load").mkdir(parents=True)
    (tmp_path / "tests" / "load" / "conftest.py").write_text("ONE_WORKER = False\n")
    assert scope_of(tmp_path, "tests/test_new.py") == "tests/test_new.py"
    assert scope_of(tmp_path, "tests/load/test_a.py") == "tests/load/test_a.py"
    assert scope_of(tmp_path, "tests/extract/test_b.py") == "tests/extract/test_b.py"


def test_a_declared_folder_is_one_group(tmp_path: Path) -> None:
    shared = tmp_path / "tests" / "report" / "night"
    (shared / "deeper").mkdir(parents=True)
    (shared / "conftest.py").write_text('"""Shared."""\n\nONE_WORKER = True\n')
    assert scope_of(tmp_path, "tests/report/night/test_a.py") == "tests/report/night"
    assert scope_of(tmp_path, "tests/report/night/deeper/test_b.py") == "tests/report/night"
    assert scope_of(tmp_path, "tests/report/test_c.py") == "tests/report/test_c.py"


def test_the_demo_night_tests_are_one_group() -> None:
    """The demo night is built by a fixture of tests/report/demo_night/: its files are one
    group, and the other report files are not in it."""
    folder = "tests/report/demo_night"
    files = sorted((REPO_ROOT / folder).glob("test_*.py"))
    assert files
    assert {scope_of(REPO_ROOT, str(f.relative_to(REPO_ROOT))) for f in files} == {folder}
    other = "tests/report/test_chart_labels.py"
    assert scope_of(REPO_ROOT, other) == other


def test_a_shared_folder_is_handed_out_first() -> None:
    """Its long session fixture must not start last: the rest keep xdist's order."""
    scopes = ["tests/a/test_x.py", "tests/test_y.py", "tests/report/night", "tests/b/test_z.py"]
    assert shared_first(scopes) == [
        "tests/report/night",
        "tests/a/test_x.py",
        "tests/test_y.py",
        "tests/b/test_z.py",
    ]
