"""Shared fixtures: the repo's real plan excerpts, and the original seed documents when present."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = REPO_ROOT / "raw" / "plans"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def plan_paths() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.txt"))
