"""A real Prefect server and `eduplan serve` processes for tests: started on a free local port
with a temporary PREFECT_HOME, queried over the REST API, stopped (process groups killed)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

BIN = Path(sys.executable).parent
T = TypeVar("T")
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrefectServer:
    """A `prefect server start` process and the environment that points clients at it."""

    process: subprocess.Popen[bytes]
    api_url: str
    home: Path
    log: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            **extra,
        }

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(path, json.dumps(body or {}).encode())

    def get(self, path: str) -> Any:
        return self._call(path, None)

    def _call(self, path: str, data: bytes | None) -> Any:
        """One API call; a busy server's 503 is retried a few times (a loaded CI machine)."""
        for attempt in range(5):
            request = urllib.request.Request(
                f"{self.api_url}{path}",
                data=data,
                headers={"Content-Type": "application/json"},
                method="GET" if data is None else "POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                if error.code != 503 or attempt == 4:
                    raise
                time.sleep(2)
        raise AssertionError("unreachable")

    def flow_runs(self) -> list[dict[str, Any]]:
        return list(self.post("/flow_runs/filter", {"sort": "EXPECTED_START_TIME_ASC"}))

    def task_runs(self, flow_run_id: str) -> list[dict[str, Any]]:
        body = {"task_runs": {"flow_run_id": {"any_": [flow_run_id]}}}
        return list(self.post("/task_runs/filter", body))

    def logs(self, flow_run_id: str) -> list[str]:
        """Every log line of a run, oldest first (the API pages at most 200 per request)."""
        messages: list[str] = []
        while True:
            body = {
                "logs": {"flow_run_id": {"any_": [flow_run_id]}},
                "sort": "TIMESTAMP_ASC",
                "limit": 200,
                "offset": len(messages),
            }
            page = [entry["message"] for entry in self.post("/logs/filter", body)]
            messages += page
            if len(page) < 200:
                return messages

    def artifacts(self, flow_run_id: str) -> list[dict[str, Any]]:
        body = {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}}
        return list(self.post("/artifacts/filter", body))


def start_server(home: Path, *, timeout: float = 120) -> PrefectServer:
    """A Prefect server whose scheduler and late-run services loop every second (the defaults
    are 60 s and 5 s), so a schedule of a few seconds really fires within a test."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / "server.log"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
        "PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS": "1",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = PrefectServer(process, f"http://127.0.0.1:{port}/api", home, log)
    wait_for(lambda: _healthy(server), timeout=timeout, what=f"Prefect server ({log})")
    return server


def _healthy(server: PrefectServer) -> bool:
    if server.process.poll() is not None:
        raise RuntimeError(f"Prefect server exited: {server.log.read_text()[-3000:]}")
    try:
        return server.get("/health") is True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_serve(
    server: PrefectServer, log: Path, *args: str, **env: str
) -> subprocess.Popen[bytes]:
    """`eduplan serve ARGS` against the server, polling for due runs every second."""
    return subprocess.Popen(
        [str(BIN / "eduplan"), "serve", *args],
        env=server.env(PREFECT_RUNNER_POLL_FREQUENCY="1", **env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Kill a process and everything it started (a serve process runs flows in children)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_for(check: Callable[[], T | None], *, timeout: float, what: str, every: float = 1) -> T:
    """Poll `check` until it returns something truthy; fail the test naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
