"""Shared fixtures: the repo's real plan excerpts, and the original seed documents when present."""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.cli import silence_shutdown_noise


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs on two processes (pytest-xdist, `--dist loadgroup`): each test file stays
    on one process, so its module fixtures (a warehouse, a night) are built once, and the files
    sharing the session's demo night run together on one process, which builds it once."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        group = "demo_night" if "demo_night" in fixtures else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_unconfigure(config: pytest.Config) -> None:
    atexit.register(silence_shutdown_noise)  # after pytest's own output: duckdb's exit noise


REPO_ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = REPO_ROOT / "raw" / "plans"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


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
def demo_night(  # -> flows.report.demo.DemoResult
    tmp_path_factory: pytest.TempPathFactory, prefect_backend: None
):
    """Two real nights of the flow into one warehouse, shared by the report tests: the real raw
    inputs, then the same plus the demo's synthetic figures (`eduplan demo`). Its history holds
    the first night, so what changed between two runs is tested on real builds."""
    from flows.report.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"))
