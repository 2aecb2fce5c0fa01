"""The report tests on the demo night: every file here reads one warehouse built by two real
nights, once per session (`demo_night`)."""

from __future__ import annotations

import pytest

# The files below this folder stay on one xdist process, which builds the demo night once
# (tests/conftest.py's scheduler reads this; every other test file is a group of its own).
ONE_WORKER = True


@pytest.fixture(scope="session")
def demo_night(  # -> flows.demo.night.DemoResult
    tmp_path_factory: pytest.TempPathFactory, prefect_backend: None
):
    """Two real nights of the flow into one warehouse, shared by the report tests: the real raw
    inputs, then the same plus the demo's synthetic figures (`eduplan demo`). Its history holds
    the first night, so what changed between two runs is tested on real builds."""
    from flows.demo.night import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"))
