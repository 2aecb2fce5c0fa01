"""The temporary Prefect server of `eduplan run`, started before the imports instead of after.

With no PREFECT_API_URL, Prefect starts a temporary server the first time the flow needs its API:
after `eduplan run` has imported Prefect, the flow's modules and then the server's own modules
(FastAPI, the database layer: ~2 s of CPU in this process), and then it waits while the server
starts (another process importing the same). Started here first, as the same command Prefect
runs (prefect/server/api/server.py `SubprocessASGIServer`, Prefect 3.8), the server starts on
the other core while this process imports, and this process never imports the server's code.
PREFECT_API_URL then points at it, so the run's Prefect client is an ordinary one.

Its start-up is ~3.5 s of CPU, nearly all of it importing the server's modules (FastAPI, the
ORM, every API router, ~2,000 modules) and building the app; the lifespan after it (the database
migrations check, the services of an ephemeral server) is ~0.25 s. Two things cost ~0.9 s of it
and buy nothing for a server that lives for one run, so `_BOOT` (the app Prefect's command
builds, served by uvicorn as its command does) leaves them out: Python's cyclic garbage collector
running over and over while the imports allocate (off until the app is built, then the objects
built are frozen out of later collections), and the `PREFECT__SERVER_FINAL` clean-up (one full
collection, ~0.35 s, to hand back router copies that FastAPI >= 0.137 no longer makes).

Plain standard library: nothing here may cost what it saves.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

API_URL = "PREFECT_API_URL"
SEND_PENDING_SECONDS = 5.0  # at most, for the logs still queued when the run ends
UI_URL = "PREFECT_UI_URL"
# what Prefect's own temporary server is started with: no UI, marked ephemeral
_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
# the server process: `python -m uvicorn --factory prefect.server.api.server:create_app` without
# the garbage collector's passes during the imports (argv[1]: the port), which stops (SIGTERM to
# itself: uvicorn's graceful shutdown) once the run that started it is gone (argv[2]: its pid),
# also when that run was killed and stopped nothing (flows/process_watch.py)
_BOOT = """
import gc
import sys

from flows.process_watch import stop_with

stop_with(int(sys.argv[2]))
gc.disable()
import uvicorn
from prefect.server.api.server import create_app

app = create_app()
gc.enable()
gc.freeze()
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", lifespan="on")
"""


@dataclass
class TemporaryServer:
    """A Prefect server process of this run, on a local port."""

    process: subprocess.Popen[bytes]
    port: int
    environment_before: dict[str, str | None] = field(default_factory=dict)  # API_URL, UI_URL

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_until_up(self, timeout: float) -> bool:
        """True once the server answers its health check; False if it died or took too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM); it finishes shutting down on its own."""
        if self.process.poll() is None:
            self.process.terminate()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> TemporaryServer | None:
    """Start Prefect's temporary server in the background and point PREFECT_API_URL at it, before
    Prefect is imported (its settings are read once, at import). None when a server is
    configured (PREFECT_API_URL) or Prefect cannot be found (then Prefect does as it always
    does). Call `wait_for` before the flow makes its first call."""
    if os.environ.get(API_URL):
        return None
    if importlib.util.find_spec("prefect") is None:  # (finds it without importing it)
        return None
    port = _free_port()
    process = subprocess.Popen(  # -P: the working directory is not on sys.path
        [sys.executable, "-P", "-c", _BOOT, str(port), str(os.getpid())],
        env={**os.environ, **_SERVER_ENV},
        stdin=subprocess.DEVNULL,
    )
    server = TemporaryServer(
        process, port, {name: os.environ.get(name) for name in (API_URL, UI_URL)}
    )
    atexit.register(server.stop)
    os.environ[API_URL] = server.api_url
    os.environ.setdefault(UI_URL, "")  # no UI there (and gone after the run): no link to it
    return server


def send_pending(timeout: float = SEND_PENDING_SECONDS) -> None:
    """Send the run's logs and events still queued in this process (Prefect sends them in
    batches, every 2 s) and wait for them, at most `timeout` seconds for each kind. Only what
    this process imported: a command that ran no flow imports nothing here."""
    for module, worker in (
        ("prefect.logging.handlers", "APILogWorker"),
        ("prefect.events.worker", "EventsWorker"),
    ):
        if module in sys.modules:
            getattr(sys.modules[module], worker).drain_all(timeout=timeout)


def forget(server: TemporaryServer) -> None:
    """Stop `server`, once the run's queued logs and events are sent to it (`send_pending`:
    Prefect's own sending at exit came after the server stopped, and its client then retried
    and printed "Error logging to API"), and put PREFECT_API_URL / PREFECT_UI_URL back as they
    were before it."""
    if server.process.poll() is None:
        send_pending()
    server.stop()
    for name, value in server.environment_before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def wait_for(server: TemporaryServer | None, *, timeout: float) -> None:
    """Return once `server` answers; RuntimeError (the run fails, saying why) if it died or
    took longer than `timeout` seconds, as when Prefect's own temporary server does not start."""
    if server is None or server.wait_until_up(timeout):
        return
    server.stop()
    code = server.process.poll()
    raise RuntimeError(
        f"Prefect's temporary server on port {server.port} did not start "
        + (f"(it exited with code {code})" if code is not None else f"within {timeout:g} s")
        + "; set PREFECT_API_URL to a running Prefect server, or run again"
    )
