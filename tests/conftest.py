"""Shared fixtures: the repo's real plan excerpts, and the original seed documents when present."""

from __future__ import annotations

import atexit
from pathlib import Path

import pytest

from flows.cli import silence_shutdown_noise


def pytest_unconfigure(config: pytest.Config) -> None:
    atexit.register(silence_shutdown_noise)  # after pytest's own output: duckdb's exit noise


REPO_ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = REPO_ROOT / "raw" / "plans"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def plan_paths() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.txt"))
