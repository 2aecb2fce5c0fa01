"""dbt's start-up off the night's critical path: a dbt child process (flows/dbt_worker.py)
started as soon as a night knows it will run imports dbt (~2.8 s) and parses the project
(partial parsing, from dbt's saved state) on the machine's other core while prepare-build, the
load and the raw gate run in the flow's process. The dbt-build stage then gives it its command
line (the selection is known only after the load) and waits for it to exit, as it waits for a
`dbt` command (flows/transform.py run_dbt).

What holds, as for a `dbt` command:
- the same command line and environment (flows/transform.py dbt_invocation builds both), the
  same target/run_results.json and manifest.json, the same exit codes;
- a worker runs a command only with the project, profile and paths it parsed with, and the same
  values of the variables eduplan sets for dbt and of dbt's own (`take`: otherwise it is
  stopped and a `dbt` command runs instead), but for EDUPLAN_FULL_TESTS, which dbt reads only
  when a test runs; it parses again if its parse read a variable whose value changed (dbt's
  own rule for partial parsing, dbt_worker.py);
- it runs one command and exits, closing its DuckDB connection, before the gates open the file;
- a worker that dies, or has not parsed PARSE_TIMEOUT seconds after it is asked to run, fails
  the build with a DbtWorkerError saying so, never a hang;
- it dies with the night: end of file on its stdin (`stop`, when the night ends before dbt;
  or the flow's process died) ends it once its parse is done, which leaves dbt's saved parse
  state whole; SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG); and a signal
  to `eduplan run` stops it with every other child (flows/interrupt.py).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import IO

from flows.handoff import Handoff

PARSE_TIMEOUT = 180.0  # seconds a worker may still be parsing once its command is due
STOP_GRACE = 20.0  # seconds a stopped worker may take to finish its parse before SIGKILL


class DbtWorkerError(RuntimeError):
    """The warm dbt process died or did not answer: what happened, and its last output."""


@dataclass
class WarmDbt:
    """One started worker: the parse command line and environment it was started with."""

    args: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    output: IO[bytes]  # its stderr: dbt's output
    _exchange: bytes = field(default=b"", repr=False)

    def run(
        self, args: list[str], env: dict[str, str], *, parse_timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run one dbt command (`args` as a `dbt` command line, the program first) in this
        worker and wait for it to exit; its exit code and output, as subprocess.run gives a
        `dbt` command's. Raises DbtWorkerError when the worker dies or does not answer."""
        command = " ".join(args[1:2])
        timeout = PARSE_TIMEOUT if parse_timeout is None else parse_timeout
        try:
            line = self._parsed_line(timeout)
            if line is None:
                self.kill()
                raise DbtWorkerError(
                    f"dbt's warm process (pid {self.process.pid}) had not parsed the dbt project "
                    f"{timeout:g} s after `dbt {command}` was due: stopped it{self._tail()}"
                )
            if not line:
                raise DbtWorkerError(self._died(f"before it ran `dbt {command}`"))
            request = json.dumps({"args": args[1:], "env": env}) + "\n"
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(request.encode("utf-8"))
                self.process.stdin.close()
            except BrokenPipeError:
                raise DbtWorkerError(self._died(f"before it ran `dbt {command}`")) from None
            code = self.process.wait()
            if code < 0:  # killed: no exit code of dbt's
                raise DbtWorkerError(self._died(f"while it ran `dbt {command}`"))
            return subprocess.CompletedProcess(args, code, stdout="", stderr=self._read_output())
        finally:  # (an interrupted wait too: the worker never outlives its command)
            self.kill()
            self._close()

    def stop(self, *, grace: float = STOP_GRACE) -> None:
        """End a worker whose command will not come: end of file on its stdin lets it finish
        its parse (dbt's saved state stays whole) and exit; SIGKILL after `grace` seconds."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _parsed_line(self, timeout: float) -> str | None:
        """The worker's line saying its parse is done; "" when it exited first, None when it
        has not written it within `timeout` seconds."""
        assert self.process.stdout is not None
        handle = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._exchange:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([handle], [], [], remaining)
            if ready:
                chunk = os.read(handle, 4096)
                if not chunk:
                    return ""
                self._exchange += chunk
        return self._exchange.split(b"\n", 1)[0].decode("utf-8", "replace")

    def _died(self, when: str) -> str:
        code = self.process.wait()
        how = (
            f"killed by {signal.Signals(-code).name}"
            if code < 0 and -code in signal.Signals._value2member_map_
            else f"exited {code}"
        )
        return f"dbt's warm process (pid {self.process.pid}) {how} {when}{self._tail()}"

    def _tail(self) -> str:
        output = self._read_output().strip()
        return f"; its last output: {output[-2000:]}" if output else ""

    def _read_output(self) -> str:
        try:
            self.output.seek(0)
            return self.output.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def _close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout, self.output):
            if stream is not None:
                stream.close()


_pending: Handoff[WarmDbt] = Handoff(WarmDbt.stop)  # started, not yet taken by the dbt stage


def start(args: list[str], env: dict[str, str]) -> WarmDbt:
    """Start a worker parsing with the `dbt parse` command line `args` (the program first) and
    environment `env`; it waits for `take`. A worker already waiting is stopped first."""
    stop()
    output = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.dbt_worker", *args[1:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=output,
        env={**env, "EDUPLAN_DBT_WORKER_PARENT": str(os.getpid())},
    )
    worker = WarmDbt(list(args), dict(env), process, output)
    _pending.put(worker)
    return worker


def take(args: list[str], env: dict[str, str], *, compared: Collection[str]) -> WarmDbt | None:
    """The waiting worker, once, if it parsed with the `dbt parse` command line `args` and the
    same values of the variables `compared` and of dbt's own (DBT_*) in `env`; None when none
    was started or it parsed with others (then it is stopped). The other variables of the
    flow's process may change in between (Great Expectations sets its own): the worker runs
    its command with `env` whole, and parses again if its parse read a variable that changed."""

    def fits(worker: WarmDbt) -> bool:
        names = set(compared) | {n for n in (*worker.env, *env) if n.startswith("DBT_")}
        return worker.args == list(args) and all(worker.env.get(n) == env.get(n) for n in names)

    return _pending.take(fits)


def stop() -> None:
    """At the end of a night: stop a worker no build took (the night stopped before dbt)."""
    _pending.end_waiting()
