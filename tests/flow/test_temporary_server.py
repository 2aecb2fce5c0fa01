"""The temporary Prefect server `eduplan run` starts when no server is configured
(flows/cli/prefect_server.py): on a fresh machine (an empty PREFECT_HOME) it creates its
database and serves the API a flow run needs, and it stops with the run."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from flows.cli.prefect_server import forget, start_server, wait_for


def _call(api_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{api_url}{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_the_temporary_server_serves_a_fresh_prefect_home_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    server = start_server()
    assert server is not None
    try:
        assert os.environ["PREFECT_API_URL"] == server.api_url
        wait_for(server, timeout=180)
        flow = _call(server.api_url, "/flows/", {"name": "nightly-load"})
        run = _call(server.api_url, "/flow_runs/", {"flow_id": flow["id"], "name": "tonight"})
        assert _call(server.api_url, f"/flow_runs/{run['id']}")["name"] == "tonight"
    finally:
        forget(server)
        server.process.wait(timeout=60)
    assert "PREFECT_API_URL" not in os.environ  # put back as it was
    assert (tmp_path / "prefect-home" / "prefect.db").exists()  # its database, where it was


def test_the_flow_is_imported_without_gc_passes_and_the_collector_comes_back() -> None:
    """`eduplan run` imports the flow with the garbage collector off (flows/cli/common.py); it is
    on again afterwards, also when an import fails, for the night's own work."""
    import gc

    from flows.cli.common import imports_without_gc_passes

    assert gc.isenabled()
    with imports_without_gc_passes():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ImportError), imports_without_gc_passes():
        import flows.no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert gc.isenabled()


_LAST_WORDS = """
import sys

from flows.cli.prefect_server import forget, start_server, wait_for

server = start_server()
wait_for(server, timeout=180)
from prefect import flow, get_run_logger


@flow(name="last-words")
def last_words() -> None:
    get_run_logger().info("the last words of the run")


last_words()
forget(server)  # as `eduplan run` does once its flow returned
server.process.wait(timeout=60)  # an exit that takes a moment: the server is gone by then
"""


def test_the_runs_last_logs_reach_the_server_before_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's logs are sent in batches (every 2 s); those still queued when the run ends are
    sent before the server stops, not at exit to a server that is gone (Prefect's client then
    retried for a minute and printed "Error logging to API")."""
    import sqlite3
    import subprocess
    import sys

    home = tmp_path / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    ran = subprocess.run(
        [sys.executable, "-c", _LAST_WORDS], env=env, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, ran.stderr
    assert "Error logging to API" not in ran.stderr
    with sqlite3.connect(home / "prefect.db") as db:
        messages = [row[0] for row in db.execute("select message from log")]
    assert "the last words of the run" in messages


_KILLED_RUN = """
import sys
import time

from flows.cli.prefect_server import start_server, wait_for

server = start_server()
wait_for(server, timeout=180)
print(server.process.pid, flush=True)
time.sleep(600)  # killed here
"""


def test_the_server_stops_when_its_run_is_killed(tmp_path: Path) -> None:
    """A run killed by kill -9 (or the out-of-memory killer) stops nothing itself: its server
    sees its run gone and stops, rather than serving on, an orphan, until the machine restarts."""
    import signal
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    run = subprocess.Popen(
        [sys.executable, "-c", _KILLED_RUN], env=env, stdout=subprocess.PIPE, text=True
    )
    assert run.stdout is not None
    server = int(run.stdout.readline())
    run.kill()
    run.wait(timeout=30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Path(f"/proc/{server}").exists():
        time.sleep(0.2)
    alive = Path(f"/proc/{server}").exists()
    if alive:  # (the test leaves nothing behind either)
        os.kill(server, signal.SIGKILL)
    assert not alive, "the server of a killed run is still serving"
