"""Shared fixtures: the repo's real plan excerpts, and the original seed documents when present."""

from __future__ import annotations

import ast
import atexit
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from flows.cli import silence_shutdown_noise

if TYPE_CHECKING:
    from tests.prefect_server import PrefectServer


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` runs on two processes (pytest-xdist). Every test file is a group of its own
    (its module fixtures, a warehouse or a night, are built once), except below a folder whose
    conftest.py sets `ONE_WORKER = True`: that folder's files share a session fixture (the demo
    night of tests/report/demo_night/) and stay on one process, which builds it once. (xdist's
    own `loadgroup` does not work with pytest 9: it renames `Item._nodeid`, which pytest 9 no
    longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    root = config.rootpath

    class SharedFolderScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return scope_of(root, nodeid.split("::", 1)[0])

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the first assignment: the queue is complete
                self.ordered = True
                for scope in reversed(shared_first(list(self.workqueue))):
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return SharedFolderScheduling(config, log)


def scope_of(root: Path, test_file: str) -> str:
    """The xdist group of a test file (relative to `root`): the outermost folder above it whose
    conftest.py declares `ONE_WORKER = True`, else the file itself."""
    parts = Path(test_file).parts
    for depth in range(1, len(parts)):
        folder = Path(*parts[:depth])
        if _declares_one_worker(root / folder / "conftest.py"):
            return str(folder)
    return test_file


def shared_first(scopes: list[str]) -> list[str]:
    """The order groups are handed out in: a shared folder first (one process runs all its files
    after one long fixture, the demo night: started last, it would be the run's tail), then the
    files in xdist's order (most tests first)."""
    return sorted(scopes, key=lambda scope: Path(scope).suffix == ".py")  # stable: folders first


@cache
def _declares_one_worker(conftest: Path) -> bool:
    """conftest.py assigns `ONE_WORKER = True` at module level (read, not imported: the
    controller process collects no tests, so it never imports the folders' conftests)."""
    if not conftest.is_file():
        return False
    for node in ast.parse(conftest.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            names = {target.id for target in node.targets if isinstance(target, ast.Name)}
            if "ONE_WORKER" in names:
                return node.value.value is True
    return False


def pytest_unconfigure(config: pytest.Config) -> None:
    atexit.register(silence_shutdown_noise)  # after pytest's own output: duckdb's exit noise


REPO_ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = REPO_ROOT / "raw" / "plans"
# ../shared beside the checkout (CI); EDUPLAN_SHARED points elsewhere (a git worktree)
SHARED_DIR = Path(os.environ.get("EDUPLAN_SHARED", REPO_ROOT.parent / "shared"))
SEEDS_DIR = SHARED_DIR / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """../shared/seeds, the original plan documents. Absent on a developer's machine the tests
    that need it skip; under CI=true they fail, so CI never passes by not running them."""
    if not SEEDS_DIR.is_dir():
        message = f"{SEEDS_DIR} (../shared/seeds) is not beside the repo"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " and CI=true: the tests that need it must run in CI")
        pytest.skip(message)
    return SEEDS_DIR


@pytest.fixture(scope="session")
def plan_paths() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def prefect_backend() -> Iterator[None]:
    """One temporary Prefect server for every in-process flow run of the session (its start-up
    costs ~12 s): tests that run flows use it (`pytest.mark.usefixtures("prefect_backend")`)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_night(
    tmp_path_factory: pytest.TempPathFactory, prefect_backend: None
) -> tuple[Path, Path]:
    """One real night of the flow on a copy of the repo's raw inputs, built once per session:
    (raw dir, published warehouse). Tests copy the warehouse before changing anything."""
    import shutil

    from flows.nightly import nightly_load

    root = tmp_path_factory.mktemp("seed-night")
    shutil.copytree(REPO_ROOT / "raw", root / "raw")
    warehouse = root / "warehouse" / "warehouse.duckdb"
    summary = nightly_load(raw_dir=str(root / "raw"), warehouse=str(warehouse))
    assert summary.published, summary.format()
    return root / "raw", warehouse


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One Prefect server for every `eduplan` subprocess of a session (no temporary server
    per run: each would cost ~20 s to start here)."""
    from tests.prefect_server import kill_group, start_server

    server = start_server(tmp_path_factory.mktemp("prefect-server"))
    try:
        yield server
    finally:
        kill_group(server.process)
